package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

const testContractID = "00000000-0000-4000-8000-0000000000c1"

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// contractHarness runs the contract workflow in the time-skipping test
// environment with its activities mocked, and records the changes it
// asked to mirror.
type contractHarness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	facts   aftercare.ContractFacts
	changes []aftercare.ContractChange
	results map[string]contractUpdate
}

// contractUpdate is how one update ended.
type contractUpdate struct {
	rejected error
	err      error
	value    any
}

// newContractHarness starts the clock at now with a contract, which the
// mocked LoadContract returns.
func newContractHarness(t *testing.T, now time.Time, c aftercare.Contract) *contractHarness {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(now)
	workflows.Register(env, &workflows.Activities{})
	c.ID = testContractID
	if c.Number == "" {
		c.Number = "CT-2026-0042"
	}
	h := &contractHarness{t: t, env: env, facts: aftercare.ContractFacts{Contract: &c}, results: map[string]contractUpdate{}}
	env.OnActivity(workflows.LoadContractActivityName, mock.Anything, mock.Anything).Return(
		func(context.Context, workflows.LoadContractInput) (aftercare.ContractFacts, error) {
			return h.facts, nil
		})
	env.OnActivity(workflows.RecordContractChangeActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, ch aftercare.ContractChange) (string, error) {
			h.changes = append(h.changes, ch)
			if ch.Renewal != nil {
				return "00000000-0000-4000-8000-0000000000c2", nil
			}
			return "", nil
		})
	return h
}

// update sends an update after d of workflow time, recording its outcome
// under id.
func (h *contractHarness) update(d time.Duration, id, name string, arg any) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { h.results[id] = contractUpdate{rejected: err} },
			OnComplete: func(v any, err error) { h.results[id] = contractUpdate{value: v, err: err} },
		}, arg)
	}, d)
}

// claim claims an entitlement for an incident after d.
func (h *contractHarness) claim(d time.Duration, incident string, kind aftercare.EntitlementKind) {
	h.update(d, incident+"@"+d.String(), workflows.UpdateClaimEntitlement,
		aftercare.EntitlementClaim{ContractID: testContractID, IncidentID: incident, Kind: kind})
}

// run executes the workflow until it completes or continues as new.
func (h *contractHarness) run(in workflows.ContractInput) {
	in.ContractID = testContractID
	h.env.ExecuteWorkflow(workflows.ContractWorkflowName, in)
	require.True(h.t, h.env.IsWorkflowCompleted())
}

// kinds lists the recorded changes as "kind from→to at-day [reminder]".
func (h *contractHarness) kinds() []string {
	var out []string
	for _, c := range h.changes {
		s := c.Kind + " " + string(c.FromStatus) + "→" + string(c.ToStatus) + " " + c.At.Format(time.DateOnly)
		if c.Reminder != nil {
			s += fmt.Sprintf(" reminder %d", c.Reminder.DaysBefore)
		}
		out = append(out, s)
	}
	return out
}

// rejection returns the message an update's validator refused it with.
func rejection(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return fmt.Sprint(err)
}

// TestContractRunsItsTerm: a draft activated before its start becomes
// active on the start date, expiring with the 90-day reminder, is reminded
// at 60 and 30 days once each, and expires the day after its end.
func TestContractRunsItsTerm(t *testing.T) {
	h := newContractHarness(t, date("2026-02-20").Add(9*time.Hour), aftercare.Contract{Tier: aftercare.TierPremium,
		Status: aftercare.ContractDraft, StartsOn: date("2026-03-01"), EndsOn: date("2027-02-28"),
		Entitlements: []aftercare.Entitlement{{Kind: aftercare.EntitlementOnSite}}})
	h.update(time.Hour, "activate", workflows.ActionActivateContract, workflows.ContractActionInput{By: "u1", ByRole: aftercare.RoleAccountManager})
	h.update(2*time.Hour, "again", workflows.ActionActivateContract, workflows.ContractActionInput{By: "u1"})
	var mid aftercare.ContractUsage
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.QueryContract)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
	}, date("2027-01-10").Sub(date("2026-02-20")))
	h.run(workflows.ContractInput{})
	require.NoError(t, h.env.GetWorkflowError())

	require.NoError(t, h.results["activate"].err)
	assert.Equal(t, aftercare.ContractDraft, h.results["activate"].value.(workflows.ContractResult).Status,
		"activated before its start date, it stays a draft until then")
	assert.ErrorContains(t, h.results["again"].rejected, "already activated and becomes active on 2026-03-01")
	assert.Equal(t, []string{
		"activation_scheduled draft→draft 2026-02-20",
		"activated draft→active 2026-03-01",
		"expiring active→expiring 2026-11-30 reminder 90",
		"reminder expiring→expiring 2026-12-30 reminder 60",
		"reminder expiring→expiring 2027-01-29 reminder 30",
		"expired expiring→expired 2027-03-01",
	}, h.kinds())
	assert.NotNil(t, h.changes[0].Audit, "the user's activation is audited")
	assert.True(t, h.changes[0].Activated)
	assert.Nil(t, h.changes[1].Audit, "the system's own changes are not")
	assert.Equal(t, aftercare.ContractExpiring, mid.Status)
	assert.Equal(t, []int{90, 60}, mid.RemindersSent)
}

// TestContractRenewal: a renewed contract sends no more reminders and ends
// at its end date, its successor named.
func TestContractRenewal(t *testing.T) {
	h := newContractHarness(t, date("2026-03-02").Add(9*time.Hour), aftercare.Contract{Tier: aftercare.TierPlatinum,
		Status: aftercare.ContractActive, StartsOn: date("2025-07-01"), EndsOn: date("2026-06-30")})
	h.update(24*time.Hour, "draft-only", workflows.ActionActivateContract, workflows.ContractActionInput{By: "u1"})
	h.update(40*24*time.Hour, "renew", workflows.ActionRenewContract, workflows.ContractActionInput{By: "u1", Years: 3})
	h.update(41*24*time.Hour, "renew-again", workflows.ActionRenewContract, workflows.ContractActionInput{By: "u1"})
	h.run(workflows.ContractInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.ErrorContains(t, h.results["draft-only"].rejected, "only a draft can be activated")
	require.NoError(t, h.results["renew"].err)
	assert.Equal(t, workflows.ContractResult{Status: aftercare.ContractRenewed, SuccessorID: "00000000-0000-4000-8000-0000000000c2"},
		h.results["renew"].value)
	assert.ErrorContains(t, h.results["renew-again"].rejected, "already renewed")
	assert.Equal(t, []string{
		"expiring active→expiring 2026-04-01 reminder 90",
		"renewed expiring→renewed 2026-04-11",
		"ended renewed→renewed 2026-07-01",
	}, h.kinds())
	assert.Equal(t, &aftercare.ContractRenewal{ContractID: testContractID, Years: 3}, h.changes[1].Renewal)
}

// TestContractCancel: a cancellation needs a reason and ends the workflow.
func TestContractCancel(t *testing.T) {
	h := newContractHarness(t, date("2026-03-02"), aftercare.Contract{Tier: aftercare.TierStandard,
		Status: aftercare.ContractActive, StartsOn: date("2026-01-01"), EndsOn: date("2028-12-31")})
	h.update(time.Hour, "no-reason", workflows.ActionCancelContract, workflows.ContractActionInput{By: "u1"})
	h.update(2*time.Hour, "cancel", workflows.ActionCancelContract, workflows.ContractActionInput{By: "u1", Reason: "customer left"})
	h.run(workflows.ContractInput{})
	require.NoError(t, h.env.GetWorkflowError())
	assert.ErrorContains(t, h.results["no-reason"].rejected, "a cancellation needs a reason")
	require.NoError(t, h.results["cancel"].err)
	assert.Equal(t, []string{"cancelled active→cancelled 2026-03-02"}, h.kinds())
	assert.Equal(t, "customer left", h.changes[0].Reason)
	assert.Equal(t, "contract.cancel", h.changes[0].Audit.Action)
}

// TestClaimRefusedPastTheLimit: claims count once per incident, and the
// claim past the annual limit is refused with the count and the reset day.
func TestClaimRefusedPastTheLimit(t *testing.T) {
	adp := aftercare.EntitlementAccidentalDamageProtection
	h := newContractHarness(t, date("2026-05-04"), aftercare.Contract{Tier: aftercare.TierPlatinum,
		Status: aftercare.ContractActive, StartsOn: date("2026-03-01"), EndsOn: date("2029-02-28"),
		Entitlements: []aftercare.Entitlement{{Kind: adp, AnnualLimit: 2}, {Kind: aftercare.EntitlementOnSite}}})
	h.claim(time.Hour, "inc-1", adp)
	h.claim(2*time.Hour, "inc-2", adp)
	h.claim(3*time.Hour, "inc-1", adp) // a retried delivery
	h.claim(4*time.Hour, "inc-3", adp)
	h.claim(5*time.Hour, "inc-3", aftercare.EntitlementDataRecovery)
	h.claim(6*time.Hour, "inc-4", aftercare.EntitlementOnSite) // unlimited
	var usage aftercare.ContractUsage
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.QueryContract)
		require.NoError(t, err)
		require.NoError(t, v.Get(&usage))
		h.env.CancelWorkflow()
	}, 7*time.Hour)
	h.run(workflows.ContractInput{})

	for _, id := range []string{"inc-1@1h0m0s", "inc-2@2h0m0s", "inc-1@3h0m0s", "inc-4@6h0m0s"} {
		require.NoError(t, h.results[id].rejected, id)
		require.NoError(t, h.results[id].err, id)
	}
	assert.Equal(t, 2, h.results["inc-1@3h0m0s"].value.(workflows.ClaimResult).Used, "a repeated claim is not counted again")
	assert.Equal(t, "accidental damage protection: 2 of 2 claims used this contract year (resets 2027-03-01)",
		rejection(h.results["inc-3@4h0m0s"].rejected))
	assert.ErrorContains(t, h.results["inc-3@5h0m0s"].rejected, "contract CT-2026-0042 does not include data recovery")
	var claims []string
	for _, c := range h.changes {
		claims = append(claims, c.Claim.IncidentID)
	}
	assert.Equal(t, []string{"inc-1", "inc-2", "inc-4"}, claims, "each claim mirrored once")
	assert.Equal(t, []aftercare.EntitlementUsage{{Kind: adp, AnnualLimit: 2, Used: 2}, {Kind: aftercare.EntitlementOnSite, Used: 1}},
		usage.Entitlements)
	assert.Equal(t, date("2027-03-01"), usage.ResetsOn)
}

// TestContractYearContinuesAsNew: a new contract year resets the counters
// and continues the workflow as new; the claims of the year before are
// still answered as they were.
func TestContractYearContinuesAsNew(t *testing.T) {
	adp := aftercare.EntitlementAccidentalDamageProtection
	c := aftercare.Contract{Tier: aftercare.TierPlatinum, Status: aftercare.ContractActive,
		StartsOn: date("2026-03-01"), EndsOn: date("2029-02-28"), Entitlements: []aftercare.Entitlement{{Kind: adp, AnnualLimit: 2}}}
	h := newContractHarness(t, date("2027-02-20"), c)
	h.claim(time.Hour, "inc-1", adp)
	h.claim(2*time.Hour, "inc-2", adp)
	h.run(workflows.ContractInput{})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, h.env.GetWorkflowError(), &can)
	var next workflows.ContractInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.State)
	assert.Equal(t, 1, next.State.Year)
	assert.Empty(t, next.State.Used, "the counters reset with the year")
	assert.Len(t, next.State.Claims, 2, "last year's claims are remembered")

	// The next run: last year's claim is answered again, not counted; two
	// new ones are, and the third is refused.
	h2 := newContractHarness(t, date("2027-03-01").Add(time.Minute), c)
	h2.claim(time.Hour, "inc-1", adp)
	h2.claim(2*time.Hour, "inc-5", adp)
	h2.claim(3*time.Hour, "inc-6", adp)
	h2.claim(4*time.Hour, "inc-7", adp)
	h2.env.RegisterDelayedCallback(h2.env.CancelWorkflow, 5*time.Hour)
	h2.run(workflows.ContractInput{State: next.State})
	assert.NoError(t, h2.results["inc-1@1h0m0s"].rejected)
	assert.Equal(t, "accidental damage protection: 2 of 2 claims used this contract year (resets 2028-03-01)",
		rejection(h2.results["inc-7@4h0m0s"].rejected))
	require.Len(t, h2.changes, 2)
	assert.Equal(t, 1, h2.changes[0].Claim.Year)
}

// TestContractContinuesAsNewWithItsCounters: a long history continues the
// run as new mid-year, carrying the counters.
func TestContractContinuesAsNewWithItsCounters(t *testing.T) {
	adp := aftercare.EntitlementAccidentalDamageProtection
	h := newContractHarness(t, date("2026-05-04"), aftercare.Contract{Tier: aftercare.TierPlatinum,
		Status: aftercare.ContractActive, StartsOn: date("2026-03-01"), EndsOn: date("2029-02-28"),
		Entitlements: []aftercare.Entitlement{{Kind: adp, AnnualLimit: 5}}})
	h.claim(time.Hour, "inc-1", adp)
	h.env.RegisterDelayedCallback(func() { h.env.SetCurrentHistoryLength(50) }, 90*time.Minute)
	h.claim(2*time.Hour, "inc-2", adp)
	h.run(workflows.ContractInput{ContinueAfter: 50})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, h.env.GetWorkflowError(), &can)
	var next workflows.ContractInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.State)
	assert.Equal(t, 50, next.ContinueAfter)
	assert.Equal(t, map[aftercare.EntitlementKind]int{adp: 2}, next.State.Used)
	assert.Equal(t, 0, next.State.Year)
}
