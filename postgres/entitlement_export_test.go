package postgres

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// MustScan reads one row for store tests.
func MustScan(tb testing.TB, db *DB, sql string, args []any, dest ...any) {
	tb.Helper()
	require.NoError(tb, db.pool.QueryRow(context.Background(), sql, args...).Scan(dest...), sql)
}
