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

// onJob is an action on job asg-0, as the engineer's job mutations send it.
func onJob(a aftercare.LifecycleAction) workflows.TransitionInput {
	in := act(a)
	in.AssignmentID = "asg-0"
	return in
}

// result returns how the update of action a ended.
func (h *harness) result(a aftercare.LifecycleAction) updateResult {
	h.t.Helper()
	for _, r := range h.results {
		if r.action == a {
			return r
		}
	}
	h.t.Fatalf("no update %s ended", a)
	return updateResult{}
}

// TestAcceptingANewIncidentsJobAcknowledgesIt accepts a job given at
// filing (advance parts): the incident goes straight to dispatched and
// its response clock stops at the acceptance; the change names the job.
func TestAcceptingANewIncidentsJobAcknowledgesIt(t *testing.T) {
	h := newHarness(t, nil)
	var sla workflows.SLAStatus
	h.at(6*time.Minute, onJob(aftercare.ActionAccept))
	h.query(7*time.Minute, &sla)
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.Equal(t, []string{"clocks_started:new", "accept:dispatched", "cancel:cancelled"}, h.path())
	assert.Equal(t, "asg-0", h.changes[1].AssignmentID, "the change names the job it moves")
	for _, c := range sla.Clocks {
		if c.Kind == aftercare.ClockResponse {
			assert.Equal(t, aftercare.ClockMet, c.State, "the engineer's acceptance acknowledges the incident")
			assert.Equal(t, start.Add(6*time.Minute), c.StoppedAt)
		}
	}
	for _, f := range h.firings() {
		assert.NotEqual(t, aftercare.ClockResponse, f.Clock, "no response level fires after the acceptance")
	}
}

// TestDeclineGoesToTheNextCandidate declines a job: the decline is
// recorded naming the job, the workflow dispatches again within the
// update, records the new job's dispatch, and answers with it.
func TestDeclineGoesToTheNextCandidate(t *testing.T) {
	h := newHarness(t, nil)
	asked := h.onDispatch("")
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(10*time.Minute, onJob(aftercare.ActionAccept))
	decline := onJob(aftercare.ActionDecline)
	decline.Reason = "van broke down"
	h.at(20*time.Minute, decline)
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.Equal(t, []string{"triaged", "declined"}, *asked)
	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "accept:dispatched",
		"decline:dispatched", "dispatch:dispatched", "cancel:cancelled"}, h.path())
	assert.Equal(t, "asg-0", h.changes[4].AssignmentID)
	assert.Equal(t, "asg-1", h.changes[5].AssignmentID, "the next job's dispatch names it")
	r := h.result(aftercare.ActionDecline)
	require.NoError(t, r.err)
	assert.Equal(t, "asg-1", r.result.AssignmentID)
	assert.Empty(t, r.result.Unassigned)
}

// TestDeclineWithNobodyElse declines a job nobody else can take: the
// decline stands, the incident stays dispatched, and the update says why.
func TestDeclineWithNobodyElse(t *testing.T) {
	h := newHarness(t, nil)
	h.onDispatch("no engineer can take the incident (3 off_shift)")
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(6*time.Minute, act(aftercare.ActionDispatch))
	h.at(10*time.Minute, onJob(aftercare.ActionDecline))
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "decline:dispatched",
		"cancel:cancelled"}, h.path())
	r := h.result(aftercare.ActionDecline)
	require.NoError(t, r.err)
	assert.Empty(t, r.result.AssignmentID)
	assert.Equal(t, "no engineer can take the incident (3 off_shift)", r.result.Unassigned)
}

// TestRedispatchByHandFindsAnotherEngineer re-dispatches an incident whose
// engineer is on the way: the re-dispatch is recorded without naming a
// job (its record ends the active one), and the workflow dispatches again.
func TestRedispatchByHandFindsAnotherEngineer(t *testing.T) {
	h := newHarness(t, nil)
	asked := h.onDispatch("")
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(20*time.Minute, onJob(aftercare.ActionDepart))
	h.at(40*time.Minute, act(aftercare.ActionDispatch))
	h.at(2*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.Equal(t, []string{"triaged", "re-dispatch"}, *asked)
	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "depart:en_route",
		"dispatch:dispatched", "dispatch:dispatched", "cancel:cancelled"}, h.path())
	assert.Empty(t, h.changes[4].AssignmentID, "the re-dispatch by hand names no job: it ends the active one")
	assert.Equal(t, "asg-1", h.changes[5].AssignmentID)
}

// TestArrivalReportsWhereTheEngineerIs arrives with a location, which the
// change carries, and refuses one off the globe before anything changes.
func TestArrivalReportsWhereTheEngineerIs(t *testing.T) {
	h := newHarness(t, nil)
	h.env.OnActivity(workflows.DispatchIncidentActivityName, mock.Anything, mock.Anything).Return(
		func(context.Context, workflows.DispatchIncidentInput) (workflows.DispatchIncidentResult, error) {
			return workflows.DispatchIncidentResult{Skipped: "no engineer can take the incident"}, nil
		})
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(6*time.Minute, act(aftercare.ActionDispatch))
	bad := onJob(aftercare.ActionArrive)
	bad.Location = &aftercare.Location{Lat: 95, Lng: 121.4}
	h.at(30*time.Minute, bad)
	arrive := onJob(aftercare.ActionArrive)
	arrive.Location = &aftercare.Location{Lat: 31.23, Lng: 121.47}
	h.at(40*time.Minute, arrive)
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "dispatch:dispatched", "arrive:on_site",
		"cancel:cancelled"}, h.path())
	var app *temporal.ApplicationError
	require.ErrorAs(t, h.results[2].rejected, &app, "a location off the globe is refused")
	assert.Equal(t, aftercare.EINVALID, app.Type(), "%v", app)
	assert.Equal(t, &aftercare.Location{Lat: 31.23, Lng: 121.47}, h.changes[3].Location)
	assert.Equal(t, "asg-0", h.changes[3].AssignmentID)
}
