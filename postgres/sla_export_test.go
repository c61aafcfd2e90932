package postgres

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// SetCredits gives a contract service credits for store tests.
func SetCredits(tb testing.TB, db *DB, contractID string, perBreach, monthlyCap float64) {
	tb.Helper()
	_, err := db.pool.Exec(context.Background(),
		`UPDATE contracts SET credit_percent_per_breach = $2, credit_cap_percent = $3 WHERE id = $1`,
		contractID, perBreach, monthlyCap)
	require.NoError(tb, err)
}
