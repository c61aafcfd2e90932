package workflows_test

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quoteWorld is a QuoteStore, an IncidentService and a LifecycleService in
// memory, around one incident and its quote; failNext makes the next
// lifecycle action fail, as a workflow that is away would.
type quoteWorld struct {
	inc      aftercare.Incident
	held     aftercare.IncidentStatus
	quote    aftercare.Quote
	actions  []aftercare.LifecycleAction
	failNext bool
}

func (w *quoteWorld) CreateQuote(context.Context, aftercare.QuoteCreate) (*aftercare.Quote, error) {
	q := w.quote
	return &q, nil
}

func (w *quoteWorld) FindQuoteByID(context.Context, string) (*aftercare.Quote, error) {
	q := w.quote
	return &q, nil
}

func (w *quoteWorld) FindQuotes(context.Context, string) ([]*aftercare.Quote, error) {
	q := w.quote
	return []*aftercare.Quote{&q}, nil
}

func (w *quoteWorld) FindQuotesOfIncidents(context.Context, []string) ([][]*aftercare.Quote, error) {
	panic("not used")
}

func (w *quoteWorld) FindIncidentsByIDs(context.Context, []string) ([]*aftercare.Incident, error) {
	panic("not used")
}

func (w *quoteWorld) MarkQuoteSent(context.Context, string) (*aftercare.Quote, error) {
	if w.quote.State != aftercare.QuoteDraft && w.quote.State != aftercare.QuoteSent {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "not a draft")
	}
	w.quote.State = aftercare.QuoteSent
	return w.FindQuoteByID(context.Background(), "")
}

func (w *quoteWorld) DecideQuote(_ context.Context, d aftercare.QuoteDecision) (*aftercare.Quote, error) {
	to := map[bool]aftercare.QuoteState{true: aftercare.QuoteApproved, false: aftercare.QuoteRejected}[d.Approve]
	if w.quote.State != aftercare.QuoteSent && w.quote.State != to {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "not sent")
	}
	w.quote.State = to
	return w.FindQuoteByID(context.Background(), "")
}

func (w *quoteWorld) ExpireQuote(context.Context, string) (*aftercare.Quote, error) {
	panic("not used")
}

func (w *quoteWorld) CreateIncident(context.Context, aftercare.IncidentCreate) (*aftercare.Incident, error) {
	panic("not used")
}

func (w *quoteWorld) FindIncidentByID(context.Context, string) (*aftercare.Incident, error) {
	inc := w.inc
	return &inc, nil
}

func (w *quoteWorld) FindIncidents(context.Context, aftercare.IncidentFilter) ([]*aftercare.Incident, aftercare.PageInfo, error) {
	panic("not used")
}

func (w *quoteWorld) SetIncidentNeeds(context.Context, aftercare.IncidentNeeds) (*aftercare.Incident, error) {
	panic("not used")
}

func (w *quoteWorld) Transition(_ context.Context, req aftercare.LifecycleRequest) (*aftercare.Incident, error) {
	if w.failNext {
		w.failNext = false
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "the workflow is away")
	}
	to, err := aftercare.NextStatus(w.inc.Status, w.held, req.Action)
	if err != nil {
		return nil, err
	}
	switch req.Action {
	case aftercare.ActionAwaitCustomer:
		w.held = w.inc.Status
	case aftercare.ActionCustomerResponded:
		w.held = ""
	}
	w.inc.Status = to
	w.actions = append(w.actions, req.Action)
	return w.FindIncidentByID(context.Background(), "")
}

func newQuoteWorld() (*quoteWorld, *workflows.Quotes) {
	w := &quoteWorld{inc: aftercare.Incident{ID: "inc-1", Number: 7, Status: aftercare.StatusTriaged},
		quote: aftercare.Quote{ID: "q-1", IncidentID: "inc-1", State: aftercare.QuoteDraft, Total: 123450, Currency: "CNY"}}
	return w, &workflows.Quotes{Store: w, Lifecycle: w, Incidents: w}
}

func TestQuoteLifecycle(t *testing.T) {
	ctx := context.Background()
	t.Run("approved", func(t *testing.T) {
		w, q := newQuoteWorld()
		_, err := q.SendQuote(ctx, "q-1")
		require.NoError(t, err)
		assert.Equal(t, aftercare.StatusAwaitingCustomer, w.inc.Status)
		_, err = q.DecideQuote(ctx, aftercare.QuoteDecision{QuoteID: "q-1", Approve: true})
		require.NoError(t, err)
		assert.Equal(t, aftercare.StatusApproved, w.inc.Status)
		assert.Equal(t, []aftercare.LifecycleAction{aftercare.ActionQuote, aftercare.ActionAwaitCustomer,
			aftercare.ActionCustomerResponded, aftercare.ActionApprove}, w.actions)
	})
	t.Run("rejected", func(t *testing.T) {
		w, q := newQuoteWorld()
		_, err := q.SendQuote(ctx, "q-1")
		require.NoError(t, err)
		_, err = q.DecideQuote(ctx, aftercare.QuoteDecision{QuoteID: "q-1", Note: "too dear"})
		require.NoError(t, err)
		assert.Equal(t, aftercare.StatusCancelled, w.inc.Status)
		assert.Equal(t, aftercare.QuoteRejected, w.quote.State)
	})
	t.Run("a send cut short is completed by sending again", func(t *testing.T) {
		w, q := newQuoteWorld()
		w.failNext = true
		_, err := q.SendQuote(ctx, "q-1")
		require.Error(t, err)
		assert.Equal(t, aftercare.QuoteSent, w.quote.State, "the quote was sent")
		assert.Equal(t, aftercare.StatusTriaged, w.inc.Status, "the incident did not move")
		_, err = q.SendQuote(ctx, "q-1")
		require.NoError(t, err)
		assert.Equal(t, aftercare.StatusAwaitingCustomer, w.inc.Status)
	})
	t.Run("an answer cut short is completed by answering again", func(t *testing.T) {
		w, q := newQuoteWorld()
		_, err := q.SendQuote(ctx, "q-1")
		require.NoError(t, err)
		w.failNext = true
		_, err = q.DecideQuote(ctx, aftercare.QuoteDecision{QuoteID: "q-1", Approve: true})
		require.Error(t, err)
		assert.Equal(t, aftercare.QuoteApproved, w.quote.State)
		_, err = q.DecideQuote(ctx, aftercare.QuoteDecision{QuoteID: "q-1", Approve: true})
		require.NoError(t, err)
		assert.Equal(t, aftercare.StatusApproved, w.inc.Status)
	})
	t.Run("a draft is not sent for an incident waiting on something else", func(t *testing.T) {
		w, q := newQuoteWorld()
		w.inc.Status = aftercare.StatusAwaitingCustomer
		_, err := q.SendQuote(ctx, "q-1")
		assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
		assert.Equal(t, aftercare.QuoteDraft, w.quote.State)
	})
}
