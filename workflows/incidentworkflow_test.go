package workflows_test

import (
	"context"
	"strconv"
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

// start is when the test incidents are registered: a Monday morning.
var start = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// harness runs the incident workflow in the time-skipping test
// environment with its activities mocked, and records what they were
// asked to write.
type harness struct {
	t           *testing.T
	env         *testsuite.TestWorkflowEnvironment
	inputs      workflows.SLAInputs
	changes     []aftercare.IncidentChange
	escalations []aftercare.EscalationFired
	results     []updateResult
}

// updateResult is how one update ended.
type updateResult struct {
	action   aftercare.LifecycleAction
	rejected error
	err      error
	result   workflows.TransitionResult
}

// newHarness prepares a platinum P1 incident in UTC; edit adjusts its
// inputs.
func newHarness(t *testing.T, edit func(*workflows.SLAInputs)) *harness {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	workflows.Register(env, &workflows.Activities{})
	policy, err := aftercare.DefaultSLAPolicy(aftercare.TierPlatinum)
	require.NoError(t, err)
	h := &harness{t: t, env: env, inputs: workflows.SLAInputs{
		IncidentID: "00000000-0000-4000-8000-000000000001", AccountID: "00000000-0000-4000-8000-0000000000aa",
		Number: 1, Tier: aftercare.TierPlatinum, Priority: aftercare.P1, Status: aftercare.StatusNew,
		CreatedAt: start, TimeZone: "UTC", Policy: policy, OnSiteEntitled: true,
	}}
	if edit != nil {
		edit(&h.inputs)
	}
	env.OnActivity(workflows.MarkWorkflowStartedActivityName, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(workflows.LoadSLAInputsActivityName, mock.Anything, mock.Anything).Return(
		func(context.Context, workflows.LoadSLAInputsInput) (workflows.SLAInputs, error) { return h.inputs, nil })
	env.OnActivity(workflows.RecordIncidentChangeActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, c aftercare.IncidentChange) error {
			h.changes = append(h.changes, c)
			return nil
		})
	env.OnActivity(workflows.RecordEscalationActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e aftercare.EscalationFired) error {
			h.escalations = append(h.escalations, e)
			return nil
		})
	return h
}

// at sends a lifecycle action after d of workflow time.
func (h *harness) at(d time.Duration, in workflows.TransitionInput) {
	h.env.RegisterDelayedCallback(func() {
		r := updateResult{action: in.Action}
		h.env.UpdateWorkflow(workflows.UpdateTransition, string(in.Action)+d.String(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { r.rejected = err; h.results = append(h.results, r) },
			OnComplete: func(v any, err error) {
				if res, ok := v.(workflows.TransitionResult); ok {
					r.result = res
				}
				r.err = err
				h.results = append(h.results, r)
			},
		}, in)
	}, d)
}

// query reads the sla query after d of workflow time into *out.
func (h *harness) query(d time.Duration, out *workflows.SLAStatus) {
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.QuerySLA)
		require.NoError(h.t, err)
		require.NoError(h.t, v.Get(out))
	}, d)
}

// run executes the workflow to its end.
func (h *harness) run(in workflows.IncidentInput) {
	if in.IncidentID == "" {
		in.IncidentID = h.inputs.IncidentID
	}
	h.env.ExecuteWorkflow(workflows.IncidentWorkflowName, in)
	require.True(h.t, h.env.IsWorkflowCompleted())
}

// fired lists the escalations as "clock level due-offset fired-offset".
type firing struct {
	Clock   aftercare.ClockKind
	Level   int
	Percent int
	Due     time.Duration
	Late    time.Duration
}

func (h *harness) firings() []firing {
	var out []firing
	for _, e := range h.escalations {
		out = append(out, firing{Clock: e.Clock.Kind, Level: e.Level, Percent: e.Percent,
			Due: e.DueAt.Sub(start), Late: e.FiredAt.Sub(e.DueAt)})
	}
	return out
}

func act(a aftercare.LifecycleAction) workflows.TransitionInput {
	return workflows.TransitionInput{Action: a, By: "00000000-0000-4000-8000-0000000000bb"}
}

func TestLadderFiresEveryLevelOfEveryClockOnTime(t *testing.T) {
	h := newHarness(t, nil)
	h.at(7*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	want := []firing{
		{aftercare.ClockResponse, 1, 50, 7*time.Minute + 30*time.Second, 0},
		{aftercare.ClockResponse, 2, 75, 11*time.Minute + 15*time.Second, 0},
		{aftercare.ClockResponse, 3, 90, 13*time.Minute + 30*time.Second, 0},
		{aftercare.ClockResponse, 4, 100, 15 * time.Minute, 0},
		{aftercare.ClockOnSite, 1, 50, 2 * time.Hour, 0},
		{aftercare.ClockOnSite, 2, 75, 3 * time.Hour, 0},
		{aftercare.ClockRestore, 1, 50, 3 * time.Hour, 0},
		{aftercare.ClockOnSite, 3, 90, 3*time.Hour + 36*time.Minute, 0},
		{aftercare.ClockOnSite, 4, 100, 4 * time.Hour, 0},
		{aftercare.ClockRestore, 2, 75, 4*time.Hour + 30*time.Minute, 0},
		{aftercare.ClockRestore, 3, 90, 5*time.Hour + 24*time.Minute, 0},
		{aftercare.ClockRestore, 4, 100, 6 * time.Hour, 0},
	}
	assert.Equal(t, want, h.firings())
	for _, e := range h.escalations {
		if e.Percent == 100 {
			assert.Equal(t, aftercare.ClockBreached, e.Clock.State, "the %s clock at its deadline", e.Clock.Kind)
			assert.Contains(t, e.Actions, aftercare.EscalationBreach)
		}
		assert.Equal(t, "escalation:"+h.inputs.IncidentID+":"+string(e.Clock.Kind)+":"+strconv.Itoa(e.Level), e.Key)
	}
}

func TestStoppedClocksFireNothingMore(t *testing.T) {
	h := newHarness(t, nil)
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(10*time.Minute, act(aftercare.ActionDispatch))
	h.at(30*time.Minute, act(aftercare.ActionDepart))
	h.at(90*time.Minute, act(aftercare.ActionArrive))
	h.at(150*time.Minute, act(aftercare.ActionRepair))
	h.at(160*time.Minute, act(aftercare.ActionVerify))
	h.at(170*time.Minute, act(aftercare.ActionResolve))
	h.at(24*time.Hour, act(aftercare.ActionClose))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.Empty(t, h.firings(), "every clock stopped before its 50 %% level")
	var path []string
	for _, c := range h.changes {
		path = append(path, c.Kind+":"+string(c.ToStatus))
	}
	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "depart:en_route",
		"arrive:on_site", "repair:repaired", "verify:verified", "resolve:resolved", "close:closed"}, path)
	last := h.changes[len(h.changes)-1]
	for _, c := range last.Clocks {
		assert.Equal(t, aftercare.ClockMet, c.State, "the %s clock", c.Kind)
	}
	for i, c := range h.changes {
		assert.Equal(t, int64(i+1), c.Version, "change %d", i)
		assert.Equal(t, aftercare.IncidentWorkflowID(h.inputs.IncidentID)+":"+strconv.Itoa(i+1), c.Key)
	}
}

func TestPauseMovesOnSiteAndRestoreButNotResponse(t *testing.T) {
	h := newHarness(t, nil)
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	wait := act(aftercare.ActionAwaitCustomer)
	wait.Reason = string(aftercare.PauseSiteAccess)
	h.at(time.Hour, wait)
	var paused, resumed workflows.SLAStatus
	h.query(2*time.Hour, &paused)
	h.at(3*time.Hour, act(aftercare.ActionCustomerResponded))
	h.query(3*time.Hour+time.Minute, &resumed)
	h.at(9*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	// Two hours paused: on-site (4h) and restore (6h) levels come two hours
	// later than without the pause.
	want := []firing{
		{aftercare.ClockOnSite, 1, 50, 4 * time.Hour, 0},
		{aftercare.ClockOnSite, 2, 75, 5 * time.Hour, 0},
		{aftercare.ClockRestore, 1, 50, 5 * time.Hour, 0},
		{aftercare.ClockOnSite, 3, 90, 5*time.Hour + 36*time.Minute, 0},
		{aftercare.ClockOnSite, 4, 100, 6 * time.Hour, 0},
		{aftercare.ClockRestore, 2, 75, 6*time.Hour + 30*time.Minute, 0},
		{aftercare.ClockRestore, 3, 90, 7*time.Hour + 24*time.Minute, 0},
		{aftercare.ClockRestore, 4, 100, 8 * time.Hour, 0},
	}
	assert.Equal(t, want, h.firings())
	require.Len(t, paused.Clocks, 3)
	assert.Equal(t, aftercare.StatusAwaitingCustomer, paused.Status)
	assert.Equal(t, aftercare.ClockMet, paused.Clocks[0].State, "the response clock stopped at acknowledgement")
	assert.Equal(t, aftercare.ClockPaused, paused.Clocks[1].State)
	assert.True(t, paused.Clocks[1].Deadline.IsZero(), "a paused clock has no deadline")
	assert.Equal(t, time.Hour, paused.Clocks[1].Elapsed)
	assert.Equal(t, aftercare.StatusTriaged, resumed.Status, "the incident returns to where it was")
	assert.Equal(t, start.Add(6*time.Hour), resumed.Clocks[1].Deadline)
	assert.Equal(t, time.Hour+time.Minute, resumed.Clocks[1].Elapsed)
	require.Len(t, resumed.Clocks[1].Pauses, 1)
	assert.Equal(t, aftercare.PauseSiteAccess, resumed.Clocks[1].Pauses[0].Reason)
}

func TestPriorityChangeRetargetsKeepingPauseTime(t *testing.T) {
	h := newHarness(t, func(in *workflows.SLAInputs) { in.Priority = aftercare.P3 })
	// Platinum P3: response 2h, on-site NBD, restore 3BD (24x7).
	h.at(10*time.Minute, act(aftercare.ActionAcknowledge))
	wait := act(aftercare.ActionAwaitCustomer)
	wait.Reason = string(aftercare.PauseQuoteApproval)
	h.at(20*time.Minute, wait)
	h.at(50*time.Minute, act(aftercare.ActionCustomerResponded))
	up := act(aftercare.ActionChangePriority)
	up.Priority = aftercare.P1
	h.at(time.Hour, up)
	var after workflows.SLAStatus
	h.query(time.Hour+time.Second, &after)
	h.at(10*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	require.Len(t, after.Clocks, 3)
	assert.Equal(t, aftercare.P1, after.Priority)
	assert.Equal(t, "2h", after.Clocks[0].Target, "a stopped clock keeps its target")
	assert.Equal(t, "4h", after.Clocks[1].Target)
	// P1 on-site is 4h from registration plus the 30 minutes paused.
	assert.Equal(t, start.Add(4*time.Hour+30*time.Minute), after.Clocks[1].Deadline)
	assert.Equal(t, start.Add(6*time.Hour+30*time.Minute), after.Clocks[2].Deadline)
	onSite := []firing{}
	for _, f := range h.firings() {
		if f.Clock == aftercare.ClockOnSite {
			onSite = append(onSite, f)
		}
	}
	assert.Equal(t, []firing{
		{aftercare.ClockOnSite, 1, 50, 2*time.Hour + 30*time.Minute, 0},
		{aftercare.ClockOnSite, 2, 75, 3*time.Hour + 30*time.Minute, 0},
		{aftercare.ClockOnSite, 3, 90, 4*time.Hour + 6*time.Minute, 0},
		{aftercare.ClockOnSite, 4, 100, 4*time.Hour + 30*time.Minute, 0},
	}, onSite)
}

func TestPriorityRaisedPastLevelsFiresThemAtOnce(t *testing.T) {
	h := newHarness(t, func(in *workflows.SLAInputs) { in.Priority = aftercare.P2 })
	// Platinum P2 response is 30m; at 20 minutes it becomes P1 (15m), so
	// 50, 75 and 90 % (and 100 %) of the new target already passed.
	up := act(aftercare.ActionChangePriority)
	up.Priority = aftercare.P1
	h.at(10*time.Minute, up)
	h.at(20*time.Minute, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	var got []firing
	for _, f := range h.firings() {
		if f.Clock == aftercare.ClockResponse {
			got = append(got, f)
		}
	}
	assert.Equal(t, []firing{
		{aftercare.ClockResponse, 1, 50, 7*time.Minute + 30*time.Second, 2*time.Minute + 30*time.Second},
		{aftercare.ClockResponse, 2, 75, 11*time.Minute + 15*time.Second, 0},
		{aftercare.ClockResponse, 3, 90, 13*time.Minute + 30*time.Second, 0},
		{aftercare.ClockResponse, 4, 100, 15 * time.Minute, 0},
	}, got, "levels already due fire at the change, later ones on time")
}

func TestInvalidTransitionsAreRejected(t *testing.T) {
	h := newHarness(t, nil)
	h.at(time.Minute, act(aftercare.ActionArrive))
	bad := act(aftercare.ActionAwaitCustomer)
	bad.Reason = "lunch"
	h.at(2*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(3*time.Minute, bad)
	same := act(aftercare.ActionChangePriority)
	same.Priority = aftercare.P1
	h.at(4*time.Minute, same)
	h.at(5*time.Minute, act(aftercare.ActionClose))
	h.at(6*time.Minute, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	tests := []struct {
		action aftercare.LifecycleAction
		code   string
		msg    string
	}{
		{aftercare.ActionArrive, aftercare.ECONFLICT, "cannot arrive an incident that is new; it must be dispatched or en_route"},
		{aftercare.ActionAcknowledge, "", ""},
		{aftercare.ActionAwaitCustomer, aftercare.EINVALID, `not "lunch"`},
		{aftercare.ActionChangePriority, aftercare.ECONFLICT, "already P1"},
		{aftercare.ActionClose, aftercare.ECONFLICT, "it must be resolved"},
		{aftercare.ActionCancel, "", ""},
	}
	require.Len(t, h.results, len(tests))
	for i, tt := range tests {
		r := h.results[i]
		assert.Equal(t, tt.action, r.action)
		if tt.code == "" {
			assert.NoError(t, r.rejected, "%s", tt.action)
			assert.NoError(t, r.err, "%s", tt.action)
			continue
		}
		var app *temporal.ApplicationError
		require.ErrorAs(t, r.rejected, &app, "%s is rejected by the validator", tt.action)
		assert.Equal(t, tt.code, app.Type())
		assert.Contains(t, app.Message(), tt.msg)
	}
	assert.Len(t, h.changes, 3, "rejected updates record nothing: start, acknowledge, cancel")
}

func TestContinueAsNewCarriesTheClocks(t *testing.T) {
	h := newHarness(t, nil)
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	wait := act(aftercare.ActionAwaitCustomer)
	wait.Reason = string(aftercare.PauseCustomerUnreachable)
	// The history grows long; the next change makes the run continue.
	h.env.RegisterDelayedCallback(func() { h.env.SetCurrentHistoryLength(30) }, 20*time.Minute)
	h.at(30*time.Minute, wait)
	h.run(workflows.IncidentInput{ContinueAfter: 30})

	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, h.env.GetWorkflowError(), &can)
	assert.Equal(t, workflows.IncidentWorkflowName, can.WorkflowType.Name)
	var next workflows.IncidentInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.State)
	assert.Equal(t, 30, next.ContinueAfter)
	assert.Equal(t, aftercare.StatusAwaitingCustomer, next.State.Status)
	assert.Equal(t, aftercare.StatusTriaged, next.State.Held)
	require.Len(t, next.State.Clocks, 3)
	assert.Len(t, next.State.Clocks[aftercare.ClockResponse].Events, 2, "started, stopped")
	assert.Len(t, next.State.Clocks[aftercare.ClockOnSite].Events, 2, "started, paused")

	// The next run picks up where the first stopped: resume, and the
	// on-site clock's levels come 30 minutes late for the pause it kept.
	h2 := newHarness(t, nil)
	h2.env.SetStartTime(start.Add(time.Hour))
	h2.at(30*time.Minute, act(aftercare.ActionCustomerResponded))
	h2.at(6*time.Hour, act(aftercare.ActionCancel))
	h2.run(workflows.IncidentInput{IncidentID: next.IncidentID, State: next.State})
	require.NoError(t, h2.env.GetWorkflowError())
	var onSite []time.Duration
	for _, f := range h2.firings() {
		if f.Clock == aftercare.ClockOnSite {
			onSite = append(onSite, f.Due)
		}
	}
	assert.Equal(t, []time.Duration{3 * time.Hour, 4 * time.Hour, 4*time.Hour + 36*time.Minute, 5 * time.Hour}, onSite)
	assert.Equal(t, next.State.Seq+1, h2.changes[0].Version, "versions continue across runs")
}

func TestRecomputeFollowsNewTermsKeepingPauseTime(t *testing.T) {
	h := newHarness(t, nil)
	wait := act(aftercare.ActionAwaitCustomer)
	wait.Reason = string(aftercare.PauseSiteAccess)
	h.at(30*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, wait)
	h.at(90*time.Minute, act(aftercare.ActionCustomerResponded))
	// The contract's on-site target becomes 8h; the next load returns it.
	h.env.RegisterDelayedCallback(func() {
		p, err := h.inputs.Policy.WithOverrides([]aftercare.SLAOverride{{Priority: aftercare.P1, Clock: aftercare.ClockOnSite, Target: aftercare.WallTarget(8 * time.Hour)}})
		require.NoError(t, err)
		h.inputs.Policy = p
	}, 100*time.Minute)
	h.at(110*time.Minute, act(aftercare.ActionRecomputeSLA))
	var after workflows.SLAStatus
	h.query(2*time.Hour, &after)
	h.at(12*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	require.Len(t, after.Clocks, 3)
	assert.Equal(t, aftercare.StatusTriaged, after.Status, "recomputing keeps the status")
	assert.Equal(t, "8h", after.Clocks[1].Target)
	assert.Equal(t, start.Add(8*time.Hour+30*time.Minute), after.Clocks[1].Deadline, "8h plus the 30 minutes paused")
	assert.Equal(t, "6h", after.Clocks[2].Target, "restore keeps its target")
	var onSite []time.Duration
	for _, f := range h.firings() {
		if f.Clock == aftercare.ClockOnSite {
			onSite = append(onSite, f.Due)
		}
	}
	assert.Equal(t, []time.Duration{4*time.Hour + 30*time.Minute, 6*time.Hour + 30*time.Minute,
		7*time.Hour + 42*time.Minute, 8*time.Hour + 30*time.Minute}, onSite)
	assert.Equal(t, "recompute_sla", h.changes[len(h.changes)-2].Kind)
}
