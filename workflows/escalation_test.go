package workflows_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoRedispatchOnceAnEngineerIsEnRoute: the 75 % level re-runs dispatch
// only while nobody is on the way (DESIGN.md §6). Here the engineer that
// triage dispatched departs before the on-site and restore clocks reach
// 75 %; the levels fire, and dispatch is not asked again.
func TestNoRedispatchOnceAnEngineerIsEnRoute(t *testing.T) {
	h := newHarness(t, nil)
	asked := h.onDispatch("")
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, act(aftercare.ActionDepart))
	h.at(5*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.Equal(t, []string{"triaged"}, *asked, "dispatched once, at triage")
	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "depart:en_route",
		"cancel:cancelled"}, h.path())
	var redispatching []aftercare.ClockKind
	for _, e := range h.escalations {
		if slices.Contains(e.Actions, aftercare.EscalationRedispatch) {
			redispatching = append(redispatching, e.Clock.Kind)
		}
	}
	assert.Equal(t, []aftercare.ClockKind{aftercare.ClockOnSite, aftercare.ClockRestore}, redispatching,
		"both clocks reached their 75 %% level while the engineer was on the way")
}

// TestRecomputeKeepsTheLadderItWasFiledWith: an admin changes the tier's
// ladder to 25/50/100 and the on-site target to 8h, then recomputes an open
// incident whose on-site clock has fired its 50 % level. The incident keeps
// its 50/75/90/100 ladder: the 50 % level does not fire again, the rest of
// the ladder fires once each at the new deadline, and the restore clock,
// which had fired nothing, does not take up the new 25 % level.
func TestRecomputeKeepsTheLadderItWasFiledWith(t *testing.T) {
	h := newHarness(t, nil)
	h.onDispatch("")
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.env.RegisterDelayedCallback(func() {
		p, err := h.inputs.Policy.WithOverrides([]aftercare.SLAOverride{{Priority: aftercare.P1, Clock: aftercare.ClockOnSite, Target: aftercare.WallTarget(8 * time.Hour)}})
		require.NoError(t, err)
		p.Ladder = aftercare.EscalationLadder{
			{Percent: 25, Actions: []aftercare.EscalationAction{aftercare.EscalationWarnEngineer}},
			{Percent: 50, Actions: []aftercare.EscalationAction{aftercare.EscalationWarnDispatcher}},
			{Percent: 100, Actions: []aftercare.EscalationAction{aftercare.EscalationBreach}},
		}
		require.NoError(t, p.Ladder.Validate())
		h.inputs.Policy = p
	}, 140*time.Minute)
	h.at(150*time.Minute, act(aftercare.ActionRecomputeSLA))
	h.at(12*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	var got []firing
	keys := map[string]int{}
	percents := map[string]int{}
	for i, f := range h.firings() {
		keys[h.escalations[i].Key]++
		percents[string(f.Clock)+" at "+strconv.Itoa(f.Percent)+" %"]++
		if f.Clock != aftercare.ClockResponse {
			got = append(got, f)
		}
	}
	for k, n := range keys {
		assert.Equal(t, 1, n, "escalation %s fired once", k)
	}
	for p, n := range percents {
		assert.Equal(t, 1, n, "the %s level fired once", p)
	}
	assert.Equal(t, []firing{
		{aftercare.ClockOnSite, 1, 50, 2 * time.Hour, 0}, // before the recompute, on the 4h target
		{aftercare.ClockRestore, 1, 50, 3 * time.Hour, 0},
		{aftercare.ClockRestore, 2, 75, 4*time.Hour + 30*time.Minute, 0},
		{aftercare.ClockRestore, 3, 90, 5*time.Hour + 24*time.Minute, 0},
		{aftercare.ClockOnSite, 2, 75, 6 * time.Hour, 0}, // the rest on the 8h target
		{aftercare.ClockRestore, 4, 100, 6 * time.Hour, 0},
		{aftercare.ClockOnSite, 3, 90, 7*time.Hour + 12*time.Minute, 0},
		{aftercare.ClockOnSite, 4, 100, 8 * time.Hour, 0},
	}, got)
}
