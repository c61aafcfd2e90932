package workflows_test

import (
	"slices"
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
		if slices.Contains(e.Actions, "redispatch") {
			redispatching = append(redispatching, e.Clock.Kind)
		}
	}
	assert.Equal(t, []aftercare.ClockKind{aftercare.ClockOnSite, aftercare.ClockRestore}, redispatching,
		"both clocks reached their 75 %% level while the engineer was on the way")
}
