package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSeededContractsGetTheirWorkflows: the seed queues one workflow start
// per contract, signs the contracts in force, and links the draft renewal
// to the contract it renews, which its workflow then finds.
func TestSeededContractsGetTheirWorkflows(t *testing.T) {
	db := postgrestest.MustOpen(t)
	ctx := context.Background()
	cfg := demo.DefaultConfig()
	cfg.Accounts, cfg.SitesPerAccount, cfg.AssetsPerSite, cfg.Engineers = 3, 1, 2, 5
	_, err := demo.Seed(ctx, db, cfg)
	require.NoError(t, err)

	var contracts, unsigned int
	require.NoError(t, db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE activated_at IS NULL) FROM contracts`, nil,
		&contracts, &unsigned))
	msgs, err := db.ClaimOutbox(ctx, aftercare.OutboxTopicContractWorkflow, 100, time.Minute)
	require.NoError(t, err)
	assert.Len(t, msgs, contracts, "one workflow start per contract")
	assert.Equal(t, 1, unsigned, "only the draft renewal is unsigned")

	var expiring, draft string
	require.NoError(t, db.QueryRow(ctx, `SELECT c.id, d.id FROM contracts c JOIN contracts d ON d.renewal_of = c.id
		WHERE c.status = 'expiring'`, nil, &expiring, &draft))
	facts, err := postgres.NewContractService(db).LoadContractFacts(ctx, expiring)
	require.NoError(t, err)
	assert.Equal(t, draft, facts.SuccessorID)
	assert.Equal(t, aftercare.ContractExpiring, facts.Contract.Status)
	assert.Empty(t, facts.RemindersSent)
}
