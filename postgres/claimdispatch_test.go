package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPendingClaimIsNotDispatched: covered work that draws on a limited
// entitlement is not dispatched while the contract's workflow has not
// counted its claim; once counted it is, and once refused it waits for an
// approved quote like any uncovered work.
func TestPendingClaimIsNotDispatched(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustFixture(t, db, "PENDCLAIM", "platinum")
	ctx := context.Background()
	_, err := db.pool.Exec(ctx, `INSERT INTO entitlements (contract_id, kind, annual_limit) VALUES ($1, 'data_recovery', 1)`,
		f.contractID)
	require.NoError(t, err)
	incidents, contracts := NewIncidentService(db), NewContractService(db)
	file := func(requestID string) *aftercare.Incident {
		inc, err := incidents.CreateIncident(ctx, aftercare.IncidentCreate{
			SerialNumber: f.coveredSerial, Priority: aftercare.P2, Category: aftercare.CategoryDataLoss,
			Symptoms: "array lost", Contact: aftercare.Contact{Name: "Wang Fang", Email: "wf@example.com"}, ClientRequestID: requestID,
		})
		require.NoError(t, err)
		require.True(t, inc.Coverage.Covered, inc.Coverage.Reason)
		require.Equal(t, aftercare.ClaimPending, inc.Coverage.ClaimStatus)
		return inc
	}
	check := func(id string) error {
		tx, err := db.pool.Begin(ctx)
		require.NoError(t, err)
		defer func() { require.NoError(t, tx.Rollback(ctx)) }()
		return requireApprovedQuote(ctx, tx, id)
	}

	// Both are filed before the contract's workflow counted either: filing
	// takes both as covered, and the workflow refuses the second over the
	// limit.
	accepted, over := file("claim-accepted"), file("claim-over")
	err = check(accepted.ID)
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "a pending claim is not dispatched")
	assert.Equal(t, aftercare.ClaimPendingMessage, aftercare.ErrorMessage(err))
	var startsOn time.Time
	require.NoError(t, db.pool.QueryRow(ctx, `SELECT starts_on FROM contracts WHERE id = $1`, f.contractID).Scan(&startsOn))
	year, _, _ := aftercare.ContractYear(startsOn, time.Now())
	claim := aftercare.EntitlementClaim{ContractID: f.contractID, IncidentID: accepted.ID, Kind: aftercare.EntitlementDataRecovery}
	_, err = contracts.RecordContractChange(ctx, aftercare.ContractChange{ContractID: f.contractID, Key: "claim:" + accepted.ID,
		Kind: "claim", At: time.Now(), Claim: &aftercare.ClaimCounted{EntitlementClaim: claim, Year: year, At: time.Now()}}, nil)
	require.NoError(t, err)
	assert.NoError(t, check(accepted.ID), "an accepted claim is dispatched")

	err = check(over.ID)
	assert.Equal(t, aftercare.ClaimPendingMessage, aftercare.ErrorMessage(err), "over the limit, still pending")
	refused := aftercare.EntitlementClaim{ContractID: f.contractID, IncidentID: over.ID, Kind: aftercare.EntitlementDataRecovery}
	require.NoError(t, contracts.RefuseClaim(ctx, refused, "data recovery: 1 of 1 claims used this contract year"))
	err = check(over.ID)
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "a refused claim is not dispatched without an approved quote")
	assert.Contains(t, aftercare.ErrorMessage(err), "awaiting an approved quote")
}
