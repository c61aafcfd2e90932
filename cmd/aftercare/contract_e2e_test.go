package main

import (
	"context"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContractsEndToEnd runs contracts on the real stack (PostgreSQL, the
// Temporal server, the API and the worker): an account manager creates and
// activates a contract with accidental damage protection limited to one
// claim a year for an asset out of warranty; a drop filed for it is
// covered and its claim counted by the contract's workflow, which then
// refuses the next claim with its reason; the next drop filed needs a
// quote; a contract near its end is reminded about and renewed; the first
// is cancelled. (The seeded contracts are left alone: their IDs are the
// same in every test database, so their workflows on the shared test
// server belong to whichever run started them first.)
func TestContractsEndToEnd(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	ctx := context.Background()

	const usageQuery = `query($id: ID!) { contractUsage(contractId: $id) { status remindersSent resetsOn
		entitlements { kind annualLimit used remaining } successor { id number status activatedAt } } }`
	var usage *gqlResponse

	// An asset no contract covers, and its account's manager.
	found := gql(t, m.URL(), admin, `{ accounts(first: 10) { edges { node { id
		contracts(first: 1) { edges { node { accountManager { username } } } }
		sites(first: 10) { edges { node { assets(first: 10) { edges { node { serialNumber } } } } } } } } } }`, nil)
	require.Empty(t, found.Errors)
	var serial, accountID, manager string
	for _, a := range dig(found.Data, "accounts", "edges").([]any) {
		for _, site := range dig(a, "node", "sites", "edges").([]any) {
			for _, as := range dig(site, "node", "assets", "edges").([]any) {
				s := dig(as, "node", "serialNumber").(string)
				if serial != "" {
					continue
				}
				check := gql(t, m.URL(), admin, `query($s: String!) { entitlementCheck(serialNumber: $s) { contractNumber } }`,
					map[string]any{"s": s})
				require.Empty(t, check.Errors)
				if dig(check.Data, "entitlementCheck", "contractNumber") == nil {
					serial, accountID = s, dig(a, "node", "id").(string)
					manager = dig(dig(a, "node", "contracts", "edges").([]any)[0], "node", "accountManager", "username").(string)
				}
			}
		}
	}
	require.NotEmpty(t, serial, "the demo data has an asset no contract covers")
	am := env.token(t, manager)

	const checkQuery = `query($s: String!) { entitlementCheck(serialNumber: $s, category: PHYSICAL_DAMAGE) {
		covered reason needsQuote claim } }`
	check := gql(t, m.URL(), am, checkQuery, map[string]any{"s": serial})
	require.Empty(t, check.Errors)
	assert.Equal(t, false, dig(check.Data, "entitlementCheck", "covered"))
	assert.Equal(t, "physical damage (drops and spills) is covered only by accidental damage protection, which the asset does not have: the work needs a quote",
		dig(check.Data, "entitlementCheck", "reason"))

	today := time.Now().UTC().Truncate(24 * time.Hour)
	create := func(tier string, starts, ends time.Time, entitlements ...any) *gqlResponse {
		return gql(t, m.URL(), am, `mutation($in: CreateContractInput!) { createContract(input: $in) { id number status workflowId } }`,
			map[string]any{"in": map[string]any{"accountId": accountID, "tier": tier, "startsOn": starts.Format(time.DateOnly),
				"endsOn": ends.Format(time.DateOnly), "serialNumbers": []string{serial}, "entitlements": append([]any{}, entitlements...)}})
	}
	starts := today.AddDate(0, 0, -10)
	created := create("PREMIUM", starts, starts.AddDate(1, 0, -1),
		map[string]any{"kind": "ACCIDENTAL_DAMAGE_PROTECTION", "annualLimit": 1}, map[string]any{"kind": "KEEP_YOUR_DRIVE"})
	require.Empty(t, created.Errors)
	contractID := dig(created.Data, "createContract", "id").(string)
	assert.Equal(t, "DRAFT", dig(created.Data, "createContract", "status"))
	assert.Equal(t, aftercare.ContractWorkflowID(contractID), dig(created.Data, "createContract", "workflowId"))

	activated := gql(t, m.URL(), am, `mutation($id: ID!) { activateContract(id: $id) { status activatedAt } }`,
		map[string]any{"id": contractID})
	require.Empty(t, activated.Errors)
	assert.Equal(t, "ACTIVE", dig(activated.Data, "activateContract", "status"), "activated after its start date, it is active at once")
	again := gql(t, m.URL(), am, `mutation($id: ID!) { activateContract(id: $id) { status } }`, map[string]any{"id": contractID})
	assert.Equal(t, aftercare.ECONFLICT, again.code())

	const fileQuery = `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id tier
		coverage { covered reason tier claim claimStatus keepsFailedDrives needsQuote contractNumber } } }`
	drop := func(requestID string) map[string]any {
		in := incidentInput(serial, requestID)
		in["category"], in["symptoms"] = "PHYSICAL_DAMAGE", "Laptop dropped down the stairs; screen cracked"
		return map[string]any{"input": in}
	}
	first := gql(t, m.URL(), am, fileQuery, drop(uniqueID("drop")))
	require.Empty(t, first.Errors)
	firstID := dig(first.Data, "createIncident", "id").(string)
	cov := dig(first.Data, "createIncident", "coverage")
	assert.Equal(t, true, dig(cov, "covered"))
	assert.Equal(t, "PREMIUM", dig(cov, "tier"))
	assert.Equal(t, "ACCIDENTAL_DAMAGE_PROTECTION", dig(cov, "claim"))
	assert.Equal(t, "PENDING", dig(cov, "claimStatus"))
	assert.Equal(t, true, dig(cov, "keepsFailedDrives"))

	waitFor(t, 20*time.Second, "the contract's workflow to count the claim", func() bool {
		got := gql(t, m.URL(), am, `query($id: ID!) { incident(id: $id) { coverage { claimStatus } } }`, map[string]any{"id": firstID})
		return dig(got.Data, "incident", "coverage", "claimStatus") == "ACCEPTED"
	})
	usage = gql(t, m.URL(), am, usageQuery, map[string]any{"id": contractID})
	require.Empty(t, usage.Errors)
	resets := starts.AddDate(1, 0, 0).Format(time.DateOnly)
	assert.Equal(t, resets, dig(usage.Data, "contractUsage", "resetsOn"))
	assert.Contains(t, dig(usage.Data, "contractUsage", "entitlements"), map[string]any{
		"kind": "ACCIDENTAL_DAMAGE_PROTECTION", "annualLimit": 1.0, "used": 1.0, "remaining": 0.0})

	// A second claim is refused by the workflow, with its reason.
	other := gql(t, m.URL(), am, createIncidentMutation, map[string]any{"input": incidentInput(serial, uniqueID("hw"))})
	require.Empty(t, other.Errors)
	_, err := workflows.ClaimEntitlement(ctx, m.Temporal, m.Config.TaskQueue, aftercare.EntitlementClaim{
		ContractID: contractID, IncidentID: dig(other.Data, "createIncident", "id").(string),
		Kind: aftercare.EntitlementAccidentalDamageProtection})
	require.Error(t, err)
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
	reason := "accidental damage protection: 1 of 1 claims used this contract year (resets " + resets + ")"
	assert.Equal(t, reason, aftercare.ErrorMessage(err))
	// A repeated claim for the counted incident is answered, not counted.
	res, err := workflows.ClaimEntitlement(ctx, m.Temporal, m.Config.TaskQueue, aftercare.EntitlementClaim{
		ContractID: contractID, IncidentID: firstID, Kind: aftercare.EntitlementAccidentalDamageProtection})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Used)

	// The next drop is not covered: it needs a quote.
	second := gql(t, m.URL(), am, fileQuery, drop(uniqueID("drop")))
	require.Empty(t, second.Errors)
	cov = dig(second.Data, "createIncident", "coverage")
	assert.Equal(t, false, dig(cov, "covered"))
	assert.Equal(t, true, dig(cov, "needsQuote"))
	assert.Equal(t, reason, dig(cov, "reason"))

	// A standard contract 45 days before its end: activated, it is expiring
	// at once with the latest reminder due sent; renewed, its successor
	// starts the day after it ends.
	expiring := create("STANDARD", today.AddDate(0, 0, -320), today.AddDate(0, 0, 45))
	require.Empty(t, expiring.Errors)
	expiringID := dig(expiring.Data, "createContract", "id").(string)
	require.Empty(t, gql(t, m.URL(), am, `mutation($id: ID!) { activateContract(id: $id) { status } }`,
		map[string]any{"id": expiringID}).Errors)
	waitFor(t, 10*time.Second, "the 60-day reminder", func() bool {
		usage = gql(t, m.URL(), am, usageQuery, map[string]any{"id": expiringID})
		return dig(usage.Data, "contractUsage", "status") == "EXPIRING"
	})
	assert.Equal(t, []any{60.0}, dig(usage.Data, "contractUsage", "remindersSent"),
		"45 days before its end, the latest reminder due went out, once")
	renewed := gql(t, m.URL(), am, `mutation($id: ID!) { renewContract(id: $id) { id status startsOn activatedAt renewalOf { id } } }`,
		map[string]any{"id": expiringID})
	require.Empty(t, renewed.Errors)
	assert.Equal(t, expiringID, dig(renewed.Data, "renewContract", "renewalOf", "id"))
	assert.Equal(t, "DRAFT", dig(renewed.Data, "renewContract", "status"), "the successor starts when the contract ends")
	assert.Equal(t, today.AddDate(0, 0, 46).Format(time.DateOnly), dig(renewed.Data, "renewContract", "startsOn"))
	assert.NotNil(t, dig(renewed.Data, "renewContract", "activatedAt"))
	usage = gql(t, m.URL(), am, usageQuery, map[string]any{"id": expiringID})
	require.Empty(t, usage.Errors)
	assert.Equal(t, "RENEWED", dig(usage.Data, "contractUsage", "status"))
	assert.Equal(t, dig(renewed.Data, "renewContract", "id"), dig(usage.Data, "contractUsage", "successor", "id"))

	cancelled := gql(t, m.URL(), am, `mutation($id: ID!) { cancelContract(id: $id, reason: "customer moved to another provider") { status } }`,
		map[string]any{"id": contractID})
	require.Empty(t, cancelled.Errors)
	assert.Equal(t, "CANCELLED", dig(cancelled.Data, "cancelContract", "status"))
	// The renewed contract stays in force to its end.
	check = gql(t, m.URL(), am, `query($s: String!) { entitlementCheck(serialNumber: $s) { contractNumber tier covered } }`,
		map[string]any{"s": serial})
	require.Empty(t, check.Errors)
	assert.Equal(t, dig(expiring.Data, "createContract", "number"), dig(check.Data, "entitlementCheck", "contractNumber"))
	assert.Equal(t, "STANDARD", dig(check.Data, "entitlementCheck", "tier"))
	audit := gql(t, m.URL(), admin, `{ auditLog(first: 20) { edges { node { action } } } }`, nil)
	require.Empty(t, audit.Errors)
	var actions []any
	for _, e := range dig(audit.Data, "auditLog", "edges").([]any) {
		actions = append(actions, dig(e, "node", "action"))
	}
	for _, a := range []string{"contract.create", "contract.activate", "contract.renew", "contract.cancel"} {
		assert.Contains(t, actions, a)
	}
}
