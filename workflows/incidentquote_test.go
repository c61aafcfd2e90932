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
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
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

// quoteExpiries mocks the quote expiry activity of h: each call is answered
// by the next of answers (the last repeats) and its workflow time recorded.
func quoteExpiries(h *harness, answers ...workflows.ExpireQuoteResult) *[]time.Duration {
	var calls []time.Duration
	h.env.OnActivity(workflows.ExpireQuoteActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in workflows.ExpireQuoteInput) (workflows.ExpireQuoteResult, error) {
			assert.Equal(h.t, h.inputs.IncidentID, in.IncidentID)
			calls = append(calls, h.env.Now().Sub(start))
			return answers[min(len(calls), len(answers))-1], nil
		})
	return &calls
}

// awaitQuote acknowledges an incident whose work needs a quote, quotes it
// and puts it on hold for the quote's approval at 10 minutes.
func awaitQuote(h *harness) {
	h.at(5*time.Minute, act(aftercare.ActionAcknowledge))
	h.at(9*time.Minute, act(aftercare.ActionQuote))
	wait := act(aftercare.ActionAwaitCustomer)
	wait.Reason = string(aftercare.PauseQuoteApproval)
	h.at(10*time.Minute, wait)
}

func TestUnansweredQuoteExpiresAndCancelsTheIncident(t *testing.T) {
	h := newHarness(t, func(in *workflows.SLAInputs) { in.NeedsQuote = true })
	calls := quoteExpiries(h, workflows.ExpireQuoteResult{Expired: true, QuoteID: "q-1"})
	awaitQuote(h)
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError(), "the workflow ends with the cancelled incident")

	lapse := 10*time.Minute + aftercare.QuoteValidFor
	assert.Equal(t, []time.Duration{lapse}, *calls, "the quote is expired exactly when it lapses")
	last := h.changes[len(h.changes)-1]
	assert.Equal(t, string(aftercare.ActionCancel), last.Kind)
	assert.Equal(t, aftercare.StatusAwaitingCustomer, last.FromStatus)
	assert.Equal(t, aftercare.StatusCancelled, last.ToStatus)
	assert.Equal(t, "quote q-1 expired unanswered after 14 days", last.Reason)
	assert.Equal(t, start.Add(lapse), last.At)
	assert.Empty(t, h.firings(), "the on-site and restore clocks stayed paused: two weeks without an answer breach nothing")
	for _, c := range last.Clocks {
		assert.False(t, c.StoppedAt == nil, "%s clock stopped", c.Kind)
	}
}

func TestQuoteAnsweredInTimeDoesNotExpire(t *testing.T) {
	h := newHarness(t, func(in *workflows.SLAInputs) { in.NeedsQuote = true })
	calls := quoteExpiries(h, workflows.ExpireQuoteResult{Expired: true, QuoteID: "q-1"})
	awaitQuote(h)
	h.at(3*24*time.Hour, act(aftercare.ActionCustomerResponded))
	h.at(20*24*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	assert.Empty(t, *calls, "the customer answered: no expiry")
	assert.Equal(t, string(aftercare.ActionCancel), h.changes[len(h.changes)-1].Kind)
	assert.Equal(t, start.Add(20*24*time.Hour), h.changes[len(h.changes)-1].At, "cancelled by hand, not by the quote")
}

func TestQuoteStillValidInTheDatabaseIsWaitedFor(t *testing.T) {
	h := newHarness(t, func(in *workflows.SLAInputs) { in.NeedsQuote = true })
	lapse := 10*time.Minute + aftercare.QuoteValidFor
	calls := quoteExpiries(h,
		workflows.ExpireQuoteResult{QuoteID: "q-1", ValidUntil: start.Add(lapse + 3*time.Second)},
		workflows.ExpireQuoteResult{Expired: true, QuoteID: "q-1"})
	awaitQuote(h)
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	assert.Equal(t, []time.Duration{lapse, lapse + 3*time.Second}, *calls,
		"a database clock behind the workflow's moves the expiry to the quote's own validity")
	assert.Equal(t, aftercare.StatusCancelled, h.changes[len(h.changes)-1].ToStatus)
}

func TestQuoteExpiryCarriesAcrossContinueAsNew(t *testing.T) {
	h := newHarness(t, func(in *workflows.SLAInputs) { in.NeedsQuote = true })
	quoteExpiries(h, workflows.ExpireQuoteResult{Expired: true, QuoteID: "q-1"})
	awaitQuote(h)
	// The history grows long; the hold for the quote makes the run continue.
	h.env.RegisterDelayedCallback(func() { h.env.SetCurrentHistoryLength(30) }, 9*time.Minute+30*time.Second)
	h.run(workflows.IncidentInput{ContinueAfter: 30})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, h.env.GetWorkflowError(), &can)
	var next workflows.IncidentInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.State)
	lapse := start.Add(10*time.Minute + aftercare.QuoteValidFor)
	assert.Equal(t, lapse, next.State.QuoteLapses, "the wait on the quote is carried over")

	h2 := newHarness(t, func(in *workflows.SLAInputs) { in.NeedsQuote = true })
	h2.env.SetStartTime(start.Add(time.Hour))
	calls := quoteExpiries(h2, workflows.ExpireQuoteResult{Expired: true, QuoteID: "q-1"})
	h2.run(workflows.IncidentInput{IncidentID: next.IncidentID, State: next.State})
	require.NoError(t, h2.env.GetWorkflowError())
	assert.Equal(t, []time.Duration{lapse.Sub(start)}, *calls, "the next run expires it on time")
	assert.Equal(t, aftercare.StatusCancelled, h2.changes[len(h2.changes)-1].ToStatus)
}

func TestFailedQuoteExpiryIsTriedAgain(t *testing.T) {
	h := newHarness(t, func(in *workflows.SLAInputs) { in.NeedsQuote = true })
	calls := failOnce[workflows.ExpireQuoteInput](h, workflows.ExpireQuoteActivityName,
		temporal.NewNonRetryableApplicationError("this worker has no quote store; no quote is expired", aftercare.EINTERNAL, nil),
		workflows.ExpireQuoteResult{Expired: true, QuoteID: "q-1"})
	awaitQuote(h)
	h.at(30*24*time.Hour, act(aftercare.ActionCancel))
	h.run(workflows.IncidentInput{})
	require.NoError(t, h.env.GetWorkflowError())
	lapse := 10*time.Minute + aftercare.QuoteValidFor
	assert.Equal(t, []time.Duration{lapse, lapse + workflows.QuoteExpiryRetry}, *calls,
		"a failed expiry is tried again later, not dropped")
	last := h.changes[len(h.changes)-1]
	assert.Equal(t, "quote q-1 expired unanswered after 14 days", last.Reason, "the quote expired, not the cancel by hand")
	assert.Equal(t, start.Add(lapse+workflows.QuoteExpiryRetry), last.At)
}

// failOnce mocks activity name of h: its first call fails with err, the
// next ones return ok; the workflow time of each call is recorded.
func failOnce[I, O any](h *harness, name string, err error, ok O) *[]time.Duration {
	var calls []time.Duration
	h.env.OnActivity(name, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ I) (O, error) {
			calls = append(calls, h.env.Now().Sub(start))
			if len(calls) == 1 {
				var zero O
				return zero, err
			}
			return ok, nil
		})
	return &calls
}
