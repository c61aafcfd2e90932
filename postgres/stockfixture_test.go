package postgres

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// mustStockRow creates the stock row of a part at a depot or van (column
// depot_id or engineer_id) holding onHand units, received through the
// ledger as stock is, and returns its ID.
func mustStockRow(tb testing.TB, db *DB, column, placeID, partID string, onHand int) int64 {
	tb.Helper()
	ctx := context.Background()
	var id int64
	require.NoError(tb, db.pool.QueryRow(ctx, `INSERT INTO stock (part_id, `+column+`) VALUES ($1, $2) RETURNING id`,
		partID, placeID).Scan(&id))
	if onHand > 0 {
		_, err := db.pool.Exec(ctx, `INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reason)
			VALUES ($1, 'receipt', $2, 'test fixture')`, id, onHand)
		require.NoError(tb, err)
	}
	return id
}
