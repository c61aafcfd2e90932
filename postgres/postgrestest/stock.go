package postgrestest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// VanStockSQL returns statements, for a test's fixture script, that give
// every engineer matching the SQL condition on engineers e (such as
// "e.code = 'ENG-00001'", or "true" for all) n units of the part with the
// FRU number available in their van, through the stock ledger as stock
// moves: an empty stock row where there is none, then an adjustment of
// its units on hand.
func VanStockSQL(fru string, n int, engineers string) string {
	return fmt.Sprintf(`
		INSERT INTO stock (part_id, engineer_id)
		SELECT p.id, e.id FROM parts p, engineers e WHERE p.fru = '%[1]s' AND (%[3]s)
		ON CONFLICT (engineer_id, part_id) WHERE engineer_id IS NOT NULL DO NOTHING;
		INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reason)
		SELECT st.id, 'adjustment', st.reserved + %[2]d - st.on_hand, 'test fixture'
		FROM stock st JOIN parts p ON p.id = st.part_id JOIN engineers e ON e.id = st.engineer_id
		WHERE p.fru = '%[1]s' AND (%[3]s) AND st.on_hand <> st.reserved + %[2]d ORDER BY st.id;`,
		strings.ReplaceAll(fru, "'", "''"), n, engineers)
}

// AssertStockLedger checks the stock ledger against the stock rows
// (postgres.DB.CheckStockLedger): every row's quantities are its ledger's
// sums and the balance its latest movement left, and none is negative.
func AssertStockLedger(tb testing.TB, db *postgres.DB) {
	tb.Helper()
	problems, err := db.CheckStockLedger(context.Background())
	require.NoError(tb, err)
	assert.Empty(tb, problems, "the stock ledger holds")
}
