package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFilingRecordsCoverage files incidents against a platinum contract
// with accidental damage protection limited to one claim a year: filing
// computes and stores the coverage, takes the claim to the outbox, and
// once the contract's workflow counted it, the next drop is not covered.
func TestFilingRecordsCoverage(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "COVER", "platinum")
	ctx := context.Background()
	postgres.MustExecSQL(t, db, `
		INSERT INTO entitlements (contract_id, kind, annual_limit) VALUES ($1, 'accidental_damage_protection', 1),
			($1, 'keep_your_drive', NULL)`, f.ContractID)
	incidents := postgres.NewIncidentService(db)
	contracts := postgres.NewContractService(db)
	var startsOn time.Time
	postgres.MustScan(t, db, `SELECT starts_on FROM contracts WHERE id = $1`, []any{f.ContractID}, &startsOn)
	_, _, resets := aftercare.ContractYear(startsOn, time.Now())

	drop := func(requestID string) aftercare.IncidentCreate {
		c := validCreateFor(f.CoveredSerial, requestID)
		c.Category, c.Symptoms = aftercare.CategoryPhysicalDamage, "Dropped from the rack while moving it; chassis bent"
		return c
	}

	first, err := incidents.CreateIncident(ctx, drop("drop-1"))
	require.NoError(t, err)
	require.NotNil(t, first.Coverage)
	assert.True(t, first.Coverage.Covered, first.Coverage.Reason)
	assert.Equal(t, "accidental damage protection covers physical damage (drops and spills) under contract CT-COVER", first.Coverage.Reason)
	assert.Equal(t, aftercare.EntitlementAccidentalDamageProtection, first.Coverage.Claim)
	assert.Equal(t, aftercare.ClaimPending, first.Coverage.ClaimStatus)
	assert.True(t, first.Coverage.KeepsFailedDrives())
	assert.Equal(t, f.ContractID, first.Coverage.ContractID)
	assert.Equal(t, aftercare.TierPlatinum, first.Coverage.Tier)
	assert.True(t, first.Coverage.InWarranty)
	assert.Equal(t, "2027-01-01", first.Coverage.WarrantyEndsOn.Format(time.DateOnly))

	stored, err := incidents.FindIncidentByID(ctx, first.ID)
	require.NoError(t, err)
	assert.Equal(t, first.Coverage, stored.Coverage, "the coverage is stored with the incident")

	msgs, err := db.ClaimOutbox(ctx, aftercare.OutboxTopicEntitlementClaim, 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, msgs, 1, "one claim goes to the contract's workflow")
	var claim aftercare.EntitlementClaim
	require.NoError(t, json.Unmarshal(msgs[0].Payload, &claim))
	assert.Equal(t, aftercare.EntitlementClaim{ContractID: f.ContractID, IncidentID: first.ID,
		Kind: aftercare.EntitlementAccidentalDamageProtection}, claim)
	assert.Equal(t, first.ID, msgs[0].Key)

	// The contract's workflow counts the claim (twice: a retried activity).
	year, _, _ := aftercare.ContractYear(startsOn, time.Now())
	for range 2 {
		_, err = contracts.RecordContractChange(ctx, aftercare.ContractChange{ContractID: f.ContractID, Key: "claim:" + first.ID,
			Kind: "claim", At: time.Now(), Claim: &aftercare.ClaimCounted{EntitlementClaim: claim, Year: year, At: time.Now()}}, nil)
		require.NoError(t, err)
	}
	stored, err = incidents.FindIncidentByID(ctx, first.ID)
	require.NoError(t, err)
	assert.Equal(t, aftercare.ClaimAccepted, stored.Coverage.ClaimStatus)
	facts, err := contracts.LoadContractFacts(ctx, f.ContractID)
	require.NoError(t, err)
	assert.Len(t, facts.Claims, 1, "counted once")

	second, err := incidents.CreateIncident(ctx, drop("drop-2"))
	require.NoError(t, err)
	assert.False(t, second.Coverage.Covered)
	assert.True(t, second.Coverage.NeedsQuote())
	assert.Equal(t, "accidental damage protection: 1 of 1 claims used this contract year (resets "+resets.Format(time.DateOnly)+")",
		second.Coverage.Reason)
	assert.Empty(t, second.Coverage.Claim)
	assert.NotContains(t, second.Coverage.Entitlements, aftercare.EntitlementAccidentalDamageProtection)

	check, err := postgres.NewEntitlementService(db).CheckEntitlement(ctx, f.CoveredSerial, aftercare.CategoryPhysicalDamage)
	require.NoError(t, err)
	assert.Equal(t, second.Coverage, check, "the entitlement check answers as filing does")

	bare, err := incidents.CreateIncident(ctx, validCreateFor(f.BareSerial, "bare-1"))
	require.NoError(t, err)
	assert.False(t, bare.Coverage.Covered)
	assert.Equal(t, "hardware failure out of warranty (ended 2022-01-01) and no contract in force: the work needs a quote",
		bare.Coverage.Reason)
	assert.Equal(t, aftercare.TierStandard, bare.Coverage.Tier)
}

// TestRefusedClaimNeedsAQuote: when the contract's workflow refuses a
// claim filing counted in (another claim took the last one first), the
// incident's coverage says so and the work needs a quote.
func TestRefusedClaimNeedsAQuote(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "REFUSE", "platinum")
	ctx := context.Background()
	postgres.MustExecSQL(t, db, `INSERT INTO entitlements (contract_id, kind, annual_limit) VALUES ($1, 'data_recovery', 2)`, f.ContractID)
	incidents := postgres.NewIncidentService(db)
	c := validCreateFor(f.CoveredSerial, "loss-1")
	c.Category = aftercare.CategoryDataLoss
	inc, err := incidents.CreateIncident(ctx, c)
	require.NoError(t, err)
	require.True(t, inc.Coverage.Covered)
	claim := aftercare.EntitlementClaim{ContractID: f.ContractID, IncidentID: inc.ID, Kind: aftercare.EntitlementDataRecovery}
	const reason = "data recovery: 2 of 2 claims used this contract year (resets 2027-03-01)"
	for range 2 {
		require.NoError(t, postgres.NewContractService(db).RefuseClaim(ctx, claim, reason))
	}
	got, err := incidents.FindIncidentByID(ctx, inc.ID)
	require.NoError(t, err)
	assert.False(t, got.Coverage.Covered)
	assert.Equal(t, reason, got.Coverage.Reason)
	assert.Equal(t, aftercare.ClaimRefused, got.Coverage.ClaimStatus)
	assert.NotContains(t, got.Coverage.Entitlements, aftercare.EntitlementDataRecovery)
	var events int
	postgres.MustScan(t, db, `SELECT count(*) FROM incident_events WHERE incident_id = $1 AND kind = 'claim_refused'`,
		[]any{inc.ID}, &events)
	assert.Equal(t, 1, events)
}

// validCreateFor is a hardware failure filed for a serial number.
func validCreateFor(serial, requestID string) aftercare.IncidentCreate {
	return aftercare.IncidentCreate{
		SerialNumber: serial, Priority: aftercare.P2, Category: aftercare.CategoryHardwareFailure,
		Symptoms: "Fan failure reported by the BMC", Contact: aftercare.Contact{Name: "Li Wei", Email: "li.wei@example.com"},
		ClientRequestID: requestID,
	}
}
