package postgres

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// MustExecSQL runs one statement for the KPI tests, which build histories row by row.
func MustExecSQL(tb testing.TB, db *DB, sql string, args ...any) {
	tb.Helper()
	_, err := db.pool.Exec(context.Background(), sql, args...)
	require.NoError(tb, err, sql)
}

// MustQueryString runs a query that returns one text value.
func MustQueryString(tb testing.TB, db *DB, sql string, args ...any) string {
	tb.Helper()
	var s string
	require.NoError(tb, db.pool.QueryRow(context.Background(), sql, args...).Scan(&s), sql)
	return s
}
