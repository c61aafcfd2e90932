package postgres

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// MustExec runs a statement for store tests that set up what no service
// writes (entitlements with limits).
func MustExec(tb testing.TB, db *DB, sql string, args ...any) {
	tb.Helper()
	_, err := db.pool.Exec(context.Background(), sql, args...)
	require.NoError(tb, err, sql)
}

// MustScan reads one row for store tests.
func MustScan(tb testing.TB, db *DB, sql string, args []any, dest ...any) {
	tb.Helper()
	require.NoError(tb, db.pool.QueryRow(context.Background(), sql, args...).Scan(dest...), sql)
}
