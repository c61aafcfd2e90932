package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
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

// MustBegin starts a transaction on a connection of its own, for tests that
// interleave the statements of two writers; a transaction still open when
// the test ends is rolled back.
func MustBegin(tb testing.TB, db *DB) pgx.Tx {
	tb.Helper()
	tx, err := db.pool.Begin(context.Background())
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}
