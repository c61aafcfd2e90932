package workflows

import (
	"context"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
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

// approveDispatchVersion gates the dispatch the workflow starts by itself
// when a quote is approved, so that histories recorded before it replay
// unchanged.
const approveDispatchVersion = "dispatch-on-approve"

// dispatchOnApprove asks the main loop to dispatch once the customer has
// approved the quote: approved work goes ahead without a dispatcher.
func (r *run) dispatchOnApprove(ctx workflow.Context, in TransitionInput) {
	if in.Action != aftercare.ActionApprove || !r.inc.wantsDispatch() {
		return
	}
	if workflow.GetVersion(ctx, approveDispatchVersion, workflow.DefaultVersion, 1) == 1 {
		r.pendingDispatch = "quote approved"
	}
}

// QuoteExpirer is what the quote expiry activity needs of the database.
type QuoteExpirer interface {
	// ExpireQuote expires the incident's sent quote if it has lapsed and
	// returns it; a sent quote still valid comes back unchanged, and nil
	// means the incident has no sent quote.
	ExpireQuote(ctx context.Context, incidentID string) (*aftercare.Quote, error)
}

// ExpireQuoteInput names the incident whose quote is due to lapse.
type ExpireQuoteInput struct {
	IncidentID string
}

// ExpireQuoteResult says what became of the incident's quote: Expired, or
// still valid until ValidUntil (the database's clock is behind the
// workflow's), or neither when no sent quote was waiting.
type ExpireQuoteResult struct {
	Expired    bool
	QuoteID    string
	ValidUntil time.Time
}

// ExpireQuote expires the incident's lapsed quote. It is idempotent: a
// quote expires once, and again there is no sent quote.
func (a *Activities) ExpireQuote(ctx context.Context, in ExpireQuoteInput) (ExpireQuoteResult, error) {
	if a.Quotes == nil {
		return ExpireQuoteResult{}, temporal.NewNonRetryableApplicationError(
			"this worker has no quote store; no quote is expired", aftercare.EINTERNAL, nil)
	}
	q, err := a.Quotes.ExpireQuote(ctx, in.IncidentID)
	if err != nil || q == nil {
		return ExpireQuoteResult{}, activityError(err)
	}
	res := ExpireQuoteResult{Expired: q.State == aftercare.QuoteExpired, QuoteID: q.ID}
	if !res.Expired && q.ValidUntil != nil {
		res.ValidUntil = *q.ValidUntil
	}
	return res, nil
}

// quoteExpiryVersion gates the timer on a sent quote's validity, so that
// histories recorded before it replay unchanged.
const quoteExpiryVersion = "quote-expiry"

// quoteExpiryRetryVersion gates trying again to expire a quote whose
// expiry failed, so that histories recorded before it replay unchanged.
const quoteExpiryRetryVersion = "quote-expiry-retry"

// QuoteExpiryRetry is how long after a failed attempt to expire a lapsed
// quote the workflow tries again (the activity itself retries transient
// errors; this outlasts the ones it gives up on, such as a worker without
// a quote store).
const QuoteExpiryRetry = time.Hour

// watchQuote starts the wait on a quote when the incident is put on hold
// for its approval, to lapse aftercare.QuoteValidFor later (the quote was
// sent, and its validity began, just before), and ends it when the
// incident leaves awaiting_customer.
func (r *run) watchQuote(ctx workflow.Context, in TransitionInput) {
	switch {
	case in.Action == aftercare.ActionAwaitCustomer && aftercare.PauseReason(in.Reason) == aftercare.PauseQuoteApproval:
		if workflow.GetVersion(ctx, quoteExpiryVersion, workflow.DefaultVersion, 1) == 1 {
			r.inc.QuoteLapses = workflow.Now(ctx).Add(aftercare.QuoteValidFor)
		}
	case r.inc.Status != aftercare.StatusAwaitingCustomer:
		r.inc.QuoteLapses = time.Time{}
	}
}

// expireQuote, once the quote the incident waits on has lapsed, expires it
// and cancels the incident. A lapsed quote counts as declined, as
// rejectQuote does: the work is not covered, so it cannot go ahead
// unapproved, and putting the incident back to triaged would resume its
// on-site and restore clocks for time the customer spent not answering,
// charging the maker breaches and service credits for it (DESIGN.md §4
// pauses them exactly while the customer holds things up). The clocks stop
// where they were paused; the customer files again for a new quote. A
// quote answered in time ends the wait; one the database still holds valid
// moves the wait to its validity.
func (r *run) expireQuote(ctx workflow.Context) {
	lapses := r.inc.QuoteLapses
	if lapses.IsZero() || workflow.Now(ctx).Before(lapses) {
		return
	}
	var res ExpireQuoteResult
	if err := local(ctx, ExpireQuoteActivityName, ExpireQuoteInput{IncidentID: r.in.IncidentID}, &res); err != nil {
		workflow.GetLogger(ctx).Warn("quote not expired", "err", err)
		r.inc.QuoteLapses = time.Time{}
		// The quote still lapses: try again later rather than leave the
		// incident waiting on it for ever.
		if workflow.GetVersion(ctx, quoteExpiryRetryVersion, workflow.DefaultVersion, 1) == 1 {
			r.inc.QuoteLapses = workflow.Now(ctx).Add(QuoteExpiryRetry)
		}
		return
	}
	if !res.ValidUntil.IsZero() {
		r.inc.QuoteLapses = workflow.Now(ctx).Add(time.Second)
		if res.ValidUntil.After(r.inc.QuoteLapses) {
			r.inc.QuoteLapses = res.ValidUntil
		}
		return
	}
	r.inc.QuoteLapses = time.Time{}
	if !res.Expired || r.inc.Status != aftercare.StatusAwaitingCustomer {
		return
	}
	reason := fmt.Sprintf("quote %s expired unanswered after %d days", res.QuoteID, int(aftercare.QuoteValidFor.Hours()/24))
	if _, err := r.transition(ctx, TransitionInput{Action: aftercare.ActionCancel, Reason: reason}); err != nil {
		workflow.GetLogger(ctx).Warn("incident not cancelled after its quote expired", "err", err)
	}
}
