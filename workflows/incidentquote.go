package workflows

import (
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/workflow"
)

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
		r.inc.QuoteLapses = workflow.Now(ctx).Add(aftercare.QuoteValidFor)
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
		// The quote still lapses: try again later rather than leave the
		// incident waiting on it for ever.
		r.inc.QuoteLapses = workflow.Now(ctx).Add(QuoteExpiryRetry)
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
