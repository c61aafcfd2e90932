package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
)

// onDispatch mocks the dispatch activity, recording why it was asked and
// answering with an assignment (or, when skip is set, with nothing).
func (h *harness) onDispatch(skip string) *[]string {
	var asked []string
	h.env.OnActivity(workflows.DispatchIncidentActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in workflows.DispatchIncidentInput) (workflows.DispatchIncidentResult, error) {
			asked = append(asked, in.Why)
			if skip != "" {
				return workflows.DispatchIncidentResult{Skipped: skip}, nil
			}
			return workflows.DispatchIncidentResult{AssignmentID: "asg-1", EngineerID: "eng-1"}, nil
		})
	return &asked
}

func (h *harness) path() []string {
	var out []string
	for _, c := range h.changes {
		out = append(out, c.Kind+":"+string(c.ToStatus))
	}
	return out
}

func TestAdvancePartsDispatchAtFiling(t *testing.T) {
	h := newHarness(t, func(in *workflows.SLAInputs) { in.AdvanceParts = true })
	asked := h.onDispatch("")
	h.at(10*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	require.NotEmpty(t, *asked)
	assert.Equal(t, "advance parts replacement", (*asked)[0], "parts leave when the incident is filed")
	// At filing the incident is new, which the lifecycle does not move to
	// dispatched; triage then dispatches again (an incident that has an
	// engineer keeps it) and moves it.
	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "cancel:cancelled"}, h.path())
}

func TestTriageDispatchesWhenOnSiteIsNeeded(t *testing.T) {
	h := newHarness(t, nil)
	asked := h.onDispatch("")
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.Equal(t, []string{"triaged"}, *asked)
	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "cancel:cancelled"}, h.path())
	assert.Equal(t, "asg-1", h.changes[2].Data["assignment_id"])
}

func TestNoOnSiteNoDispatch(t *testing.T) {
	// Platinum P4 has no on-site clock ("1 BD / — / 5 BD").
	h := newHarness(t, func(in *workflows.SLAInputs) { in.OnSiteEntitled, in.Priority = false, aftercare.P4 })
	asked := h.onDispatch("")
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	assert.Empty(t, *asked, "remote work needs no engineer")
}

func TestRedispatchEscalationWhenNobodyTookIt(t *testing.T) {
	h := newHarness(t, nil)
	asked := h.onDispatch("no engineer can take the incident (3 off_shift)")
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(5*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	// Triage found nobody; at 75 % of the on-site clock (3 h) and of the
	// restore clock (4.5 h) the ladder re-runs dispatch. The clocks keep
	// firing throughout.
	assert.Equal(t, []string{"triaged", "escalation: redispatch", "escalation: redispatch"}, *asked)
	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "cancel:cancelled"}, h.path())
	assert.NotEmpty(t, h.firings())
}

func TestFailingDispatchNeverBlocksTheClocks(t *testing.T) {
	h := newHarness(t, nil)
	h.env.OnActivity(workflows.DispatchIncidentActivityName, mock.Anything, mock.Anything).Return(
		workflows.DispatchIncidentResult{}, aftercare.Errorf(aftercare.EINTERNAL, "database down"))
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(7*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	var onSite int
	for _, f := range h.firings() {
		if f.Clock == aftercare.ClockOnSite {
			onSite++
			assert.Zero(t, f.Late, "level %d fired on time", f.Level)
		}
	}
	assert.Equal(t, 4, onSite, "the whole on-site ladder fired")
}

// claimDispatch is a dispatch service whose store refuses to dispatch while
// the incident's entitlement claim is pending.
type claimDispatch struct{ aftercare.DispatchService }

func (claimDispatch) Assign(context.Context, string, string, string) (*aftercare.Assignment, error) {
	return nil, aftercare.Errorf(aftercare.ECONFLICT, "%s", aftercare.ClaimPendingMessage)
}

func TestPendingClaimDispatchIsTriedAgain(t *testing.T) {
	_, err := (&workflows.Activities{Dispatch: claimDispatch{}}).DispatchIncident(context.Background(),
		workflows.DispatchIncidentInput{IncidentID: "i-1"})
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app, "a pending claim is an error, not a skipped dispatch")
	assert.Equal(t, workflows.ClaimPendingErrorType, app.Type())

	h := newHarness(t, nil)
	asked := failOnce[workflows.DispatchIncidentInput](h, workflows.DispatchIncidentActivityName,
		temporal.NewNonRetryableApplicationError(aftercare.ClaimPendingMessage, workflows.ClaimPendingErrorType, nil),
		workflows.DispatchIncidentResult{AssignmentID: "asg-1", EngineerID: "eng-1"})
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	assert.Equal(t, []time.Duration{5 * time.Minute, 5*time.Minute + workflows.ClaimPendingRetry}, *asked,
		"the claim still being checked, the workflow asks again later")
	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "cancel:cancelled"}, h.path())
}
