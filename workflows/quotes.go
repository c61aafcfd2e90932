package workflows

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
)

// Quotes implements aftercare.QuoteService: the store keeps each quote, and
// sending and answering it move the incident through its workflow by
// lifecycle actions (DESIGN.md §5, triaged → quoted → approved →
// dispatched):
//
//   - send: quote, then await_customer (quote_approval), which pauses the
//     on-site and restore clocks while the customer decides;
//   - approve: customer_responded (the clocks resume), then approve, after
//     which the workflow dispatches by itself;
//   - reject: customer_responded, then cancel.
//
// The quote's state is written first and each step looks at where the
// incident is, so a call cut short between the two is completed by calling
// it again.
type Quotes struct {
	Store     aftercare.QuoteStore
	Lifecycle aftercare.LifecycleService
	Incidents aftercare.IncidentService
}

var _ aftercare.QuoteService = (*Quotes)(nil)

// CreateQuote prepares a draft quote.
func (q *Quotes) CreateQuote(ctx context.Context, c aftercare.QuoteCreate) (*aftercare.Quote, error) {
	return q.Store.CreateQuote(ctx, c)
}

// FindQuoteByID returns a quote the caller may see.
func (q *Quotes) FindQuoteByID(ctx context.Context, id string) (*aftercare.Quote, error) {
	return q.Store.FindQuoteByID(ctx, id)
}

// FindQuotes returns an incident's quotes, newest first.
func (q *Quotes) FindQuotes(ctx context.Context, incidentID string) ([]*aftercare.Quote, error) {
	return q.Store.FindQuotes(ctx, incidentID)
}

// FindQuotesOfIncidents returns the quotes of many incidents at once.
func (q *Quotes) FindQuotesOfIncidents(ctx context.Context, incidentIDs []string) ([][]*aftercare.Quote, error) {
	return q.Store.FindQuotesOfIncidents(ctx, incidentIDs)
}

// SendQuote sends a draft quote and puts the incident on hold for the
// customer's answer.
func (q *Quotes) SendQuote(ctx context.Context, id string) (*aftercare.Quote, error) {
	quote, err := q.Store.FindQuoteByID(ctx, id)
	if err != nil {
		return nil, err
	}
	inc, err := q.Incidents.FindIncidentByID(ctx, quote.IncidentID)
	if err != nil {
		return nil, err
	}
	resuming := quote.State == aftercare.QuoteSent // a send cut short before the incident moved
	switch {
	case inc.Status == aftercare.StatusTriaged:
	case resuming && (inc.Status == aftercare.StatusQuoted || inc.Status == aftercare.StatusAwaitingCustomer):
	default:
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "incident %d is %s; a quote is sent while it is triaged", inc.Number, inc.Status)
	}
	if quote, err = q.Store.MarkQuoteSent(ctx, id); err != nil {
		return nil, err
	}
	note := fmt.Sprintf("quote %s sent: %s", quote.ID, money(quote.Total, quote.Currency))
	if inc.Status == aftercare.StatusTriaged {
		if inc, err = q.Lifecycle.Transition(ctx, aftercare.LifecycleRequest{
			IncidentID: inc.ID, Action: aftercare.ActionQuote, Note: note}); err != nil {
			return nil, err
		}
	}
	if inc.Status == aftercare.StatusQuoted {
		if _, err = q.Lifecycle.Transition(ctx, aftercare.LifecycleRequest{IncidentID: inc.ID,
			Action: aftercare.ActionAwaitCustomer, Reason: string(aftercare.PauseQuoteApproval), Note: note}); err != nil {
			return nil, err
		}
	}
	return quote, nil
}

// DecideQuote records the customer's answer and moves the incident on:
// approved work goes to dispatch, rejected work ends the incident.
func (q *Quotes) DecideQuote(ctx context.Context, d aftercare.QuoteDecision) (*aftercare.Quote, error) {
	quote, err := q.Store.FindQuoteByID(ctx, d.QuoteID)
	if err != nil {
		return nil, err
	}
	inc, err := q.Incidents.FindIncidentByID(ctx, quote.IncidentID)
	if err != nil {
		return nil, err
	}
	if inc.Status != aftercare.StatusAwaitingCustomer && inc.Status != aftercare.StatusQuoted && quote.State == aftercare.QuoteSent {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "incident %d is %s, not waiting for an answer to its quote", inc.Number, inc.Status)
	}
	if quote, err = q.Store.DecideQuote(ctx, d); err != nil {
		return nil, err
	}
	verb := map[bool]string{true: "approved", false: "rejected"}[d.Approve]
	note := fmt.Sprintf("quote %s %s", quote.ID, verb)
	if d.Note != "" {
		note += ": " + d.Note
	}
	if inc.Status == aftercare.StatusAwaitingCustomer {
		if inc, err = q.Lifecycle.Transition(ctx, aftercare.LifecycleRequest{
			IncidentID: inc.ID, Action: aftercare.ActionCustomerResponded, Note: note}); err != nil {
			return nil, err
		}
	}
	if inc.Status == aftercare.StatusQuoted {
		req := aftercare.LifecycleRequest{IncidentID: inc.ID, Action: aftercare.ActionApprove, Note: note}
		if !d.Approve {
			req = aftercare.LifecycleRequest{IncidentID: inc.ID, Action: aftercare.ActionCancel, Reason: note}
		}
		if _, err = q.Lifecycle.Transition(ctx, req); err != nil {
			return nil, err
		}
	}
	return quote, nil
}

// money writes an amount in minor units as "1234.50 CNY".
func money(minor int64, currency string) string {
	return fmt.Sprintf("%d.%02d %s", minor/100, minor%100, currency)
}
