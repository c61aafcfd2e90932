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
)

// onQuotedDispatch mocks the dispatch activity as the store answers for
// work that is not covered: nothing until the quote is approved.
func (h *harness) onQuotedDispatch() *[]string {
	var asked []string
	h.env.OnActivity(workflows.DispatchIncidentActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in workflows.DispatchIncidentInput) (workflows.DispatchIncidentResult, error) {
			asked = append(asked, in.Why)
			if in.Why != "quote approved" {
				return workflows.DispatchIncidentResult{Skipped: "incident is awaiting an approved quote"}, nil
			}
			return workflows.DispatchIncidentResult{AssignmentID: "asg-1", EngineerID: "eng-1"}, nil
		})
	return &asked
}

// onSurvey mocks the survey activity, recording what it was asked.
func (h *harness) onSurvey() *[]workflows.CreateSurveyInput {
	var asked []workflows.CreateSurveyInput
	h.env.OnActivity(workflows.CreateSurveyActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in workflows.CreateSurveyInput) (workflows.CreateSurveyResult, error) {
			asked = append(asked, in)
			return workflows.CreateSurveyResult{Sent: true}, nil
		})
	return &asked
}

// clockAt returns a clock as the last recorded change left it.
func (h *harness) clockAt(kind aftercare.ClockKind) aftercare.ClockSnapshot {
	h.t.Helper()
	last := h.changes[len(h.changes)-1]
	for _, c := range last.Clocks {
		if c.Kind == kind {
			return c
		}
	}
	h.t.Fatalf("no %s clock", kind)
	return aftercare.ClockSnapshot{}
}

func TestQuoteHoldsTheClocksUntilApprovedThenDispatches(t *testing.T) {
	h := newHarness(t, nil)
	asked := h.onQuotedDispatch()
	wait := act(aftercare.ActionAwaitCustomer)
	wait.Reason = string(aftercare.PauseQuoteApproval)
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(10*time.Minute, act(aftercare.ActionQuote))
	h.at(11*time.Minute, wait)
	h.at(2*time.Hour+11*time.Minute, act(aftercare.ActionCustomerResponded))
	h.at(2*time.Hour+12*time.Minute, act(aftercare.ActionApprove))
	h.at(3*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	assert.Equal(t, []string{"triaged", "quote approved"}, *asked,
		"triage asks and is told to wait; approval dispatches without a dispatcher")
	assert.Equal(t, []string{"clocks_started:new", "acknowledge:triaged", "quote:quoted", "await_customer:awaiting_customer",
		"customer_responded:quoted", "approve:approved", "dispatch:dispatched", "cancel:cancelled"}, h.path())
	for _, k := range []aftercare.ClockKind{aftercare.ClockOnSite, aftercare.ClockRestore} {
		assert.Equal(t, 2*time.Hour, h.clockAt(k).Paused, "the %s clock waits while the customer decides", k)
	}
	assert.Zero(t, h.clockAt(aftercare.ClockResponse).Paused, "the response clock never pauses")
	for _, f := range h.firings() {
		assert.NotEqual(t, aftercare.ClockOnSite, f.Clock, "the paused on-site clock (4 h, 2 h on hold) fires nothing by 3 h")
	}
}

func TestResolveSendsTheSurveyOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.onDispatch("")
	surveys := h.onSurvey()
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(30*time.Minute, act(aftercare.ActionDepart))
	h.at(90*time.Minute, act(aftercare.ActionArrive))
	h.at(150*time.Minute, act(aftercare.ActionRepair))
	h.at(160*time.Minute, act(aftercare.ActionVerify))
	h.at(170*time.Minute, act(aftercare.ActionResolve))
	h.at(24*time.Hour, act(aftercare.ActionClose))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())

	require.Len(t, *surveys, 1, "one survey per resolution")
	assert.Equal(t, workflows.CreateSurveyInput{IncidentID: h.inputs.IncidentID, At: start.Add(170 * time.Minute)}, (*surveys)[0])
}

func TestCancelledIncidentGetsNoSurvey(t *testing.T) {
	h := newHarness(t, nil)
	h.onDispatch("")
	surveys := h.onSurvey()
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	assert.Empty(t, *surveys)
}

func TestRemoteResolutionSendsTheSurveyBeforeClosing(t *testing.T) {
	// Resolved remotely after triage, and closed before the loop wakes: the
	// survey still goes out before the workflow ends.
	h := newHarness(t, func(in *workflows.SLAInputs) { in.OnSiteEntitled, in.Priority = false, aftercare.P4 })
	surveys := h.onSurvey()
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(time.Hour, act(aftercare.ActionResolve))
	h.at(time.Hour, act(aftercare.ActionClose))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	require.Len(t, *surveys, 1)
	assert.Equal(t, start.Add(time.Hour), (*surveys)[0].At)
}

func TestUncoveredWorkWaitsForTheQuoteBeforeDispatching(t *testing.T) {
	// Advance parts would send an engineer at filing and triage would
	// dispatch; for work that is not covered neither does until approval.
	h := newHarness(t, func(in *workflows.SLAInputs) { in.AdvanceParts, in.NeedsQuote = true, true })
	asked := h.onQuotedDispatch()
	wait := act(aftercare.ActionAwaitCustomer)
	wait.Reason = string(aftercare.PauseQuoteApproval)
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(10*time.Minute, act(aftercare.ActionQuote))
	h.at(11*time.Minute, wait)
	h.at(time.Hour, act(aftercare.ActionCustomerResponded))
	h.at(time.Hour+time.Minute, act(aftercare.ActionApprove))
	h.at(2*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	assert.Equal(t, []string{"quote approved"}, *asked, "the first dispatch comes with the approval")
	assert.Contains(t, h.path(), "dispatch:dispatched")
}
