package aftercare

import (
	"context"
	"math"
	"strings"
	"time"
)

// QuoteState is where a quote stands.
type QuoteState string

// The quote states: prepared, sent to the customer, and the customer's
// answer.
const (
	QuoteDraft    QuoteState = "draft"
	QuoteSent     QuoteState = "sent"
	QuoteApproved QuoteState = "approved"
	QuoteRejected QuoteState = "rejected"
	QuoteExpired  QuoteState = "expired"
)

// QuoteLine is one line of a quote, priced from the price list.
type QuoteLine struct {
	Line int
	Kind PriceKind
	// PartID and FRU name the part of a PricePart line.
	PartID      string
	FRU         string
	Description string
	// Quantity is units, hours of labour or call-outs.
	Quantity float64
	// UnitPrice and Total are in the minor unit of Currency, the quote's.
	UnitPrice int64
	Total     int64
	Currency  string
}

// Quote prices work that is not covered by warranty or entitlement, for the
// customer to approve before it goes ahead (DESIGN.md §5).
type Quote struct {
	ID         string
	IncidentID string
	AccountID  string
	State      QuoteState
	// Tier and Region are the price list the quote was built from.
	Tier     Tier
	Region   string
	Currency string
	Lines    []QuoteLine
	// Total is the sum of the lines, in the minor unit of Currency.
	Total     int64
	CreatedAt time.Time
	CreatedBy string
	SentAt    *time.Time
	SentBy    string
	// ValidUntil is when a sent quote lapses, QuoteValidFor after it was
	// sent: it can no longer be approved, and the incident's workflow
	// expires it.
	ValidUntil   *time.Time
	DecidedAt    *time.Time
	DecidedBy    string
	DecisionNote string
}

// Lapsed reports whether a sent quote has lapsed at now: its validity has
// run out, so it can no longer be approved.
func (q *Quote) Lapsed(now time.Time) bool {
	return q.State == QuoteSent && q.ValidUntil != nil && !now.Before(*q.ValidUntil)
}

// CheckSend reports whether sending q changes it: a draft is sent, a quote
// already sent stays as it is (so a send interrupted before the incident
// moved can be repeated), and any other is an ECONFLICT error.
func (q *Quote) CheckSend() (changes bool, err error) {
	switch q.State {
	case QuoteSent:
		return false, nil
	case QuoteDraft:
		return true, nil
	}
	return false, Errorf(ECONFLICT, "the quote is %s; only a draft is sent", q.State)
}

// CheckDecision returns the state the customer's answer d moves q to at
// now, and whether that changes q: the same answer again changes nothing;
// approving a quote that expired or has lapsed, or answering one that is
// not sent, is an ECONFLICT error. A lapsed quote may still be rejected: the
// outcome, a cancelled incident, is the same, and the reason is kept.
func (q *Quote) CheckDecision(d QuoteDecision, now time.Time) (to QuoteState, changes bool, err error) {
	to = QuoteRejected
	if d.Approve {
		to = QuoteApproved
	}
	switch {
	case q.State == to:
		return to, false, nil
	case q.State == QuoteExpired || d.Approve && q.Lapsed(now):
		return "", false, Errorf(ECONFLICT,
			"the quote expired unanswered at %s (quotes hold %d days); it can no longer be approved, ask for a new quote",
			q.ValidUntil.UTC().Format(time.RFC3339), int(QuoteValidFor.Hours()/24))
	case q.State != QuoteSent:
		return "", false, Errorf(ECONFLICT, "the quote is %s; only a sent quote can be %s", q.State, to)
	}
	return to, true, nil
}

// QuoteValidFor is how long a sent quote holds: the customer approves
// within it or the quote expires, and with it the incident that waited on
// it is cancelled (an unanswered quote is treated as declined; the clocks
// stay paused so the wait is not charged to the maker).
const QuoteValidFor = 14 * 24 * time.Hour

// MaxLabourHours bounds the labour of one quote.
const MaxLabourHours = 200

// QuoteCreate asks for a quote for an incident, priced from the price list
// of the incident's tier and its site's region.
type QuoteCreate struct {
	IncidentID string
	// LabourHours is the labour, in quarter hours; 0 for none.
	LabourHours float64
	// Parts are the parts to quote; empty quotes the parts the incident
	// needs.
	Parts []PartRequest
	// CallOut adds the call-out charge of a visit.
	CallOut bool
}

// Validate returns EINVALID when the request is out of range.
func (c *QuoteCreate) Validate() error {
	switch {
	case c.LabourHours < 0 || c.LabourHours > MaxLabourHours:
		return Errorf(EINVALID, "labour must be 0 to %d hours", MaxLabourHours)
	case c.LabourHours*4 != math.Trunc(c.LabourHours*4):
		return Errorf(EINVALID, "labour is quoted in quarter hours, not %g", c.LabourHours)
	}
	return validateParts(c.Parts)
}

// QuoteDecision is the customer's answer to a sent quote.
type QuoteDecision struct {
	QuoteID string
	Approve bool
	// Note is the customer's comment; a rejection needs one.
	Note string
}

// Normalize trims space around the note.
func (d *QuoteDecision) Normalize() { d.Note = strings.TrimSpace(d.Note) }

// Validate returns EINVALID for a rejection without a reason or a note that
// is too long.
func (d *QuoteDecision) Validate() error {
	switch {
	case !d.Approve && d.Note == "":
		return Errorf(EINVALID, "a rejection needs a reason")
	case len(d.Note) > MaxRepairTextLength:
		return Errorf(EINVALID, "the note must be at most %d characters", MaxRepairTextLength)
	}
	return nil
}

// CheckQuotable returns an ECONFLICT error unless a quote may be prepared
// for inc: its coverage was recorded when it was filed and does not cover
// the work, and it is triaged, not yet dispatched.
func (inc *Incident) CheckQuotable() error {
	switch {
	case inc.Coverage == nil:
		return Errorf(ECONFLICT,
			"incident %d was filed before coverage was recorded; it is served as covered and is not quoted", inc.Number)
	case !inc.Coverage.NeedsQuote():
		return Errorf(ECONFLICT, "the work of incident %d is covered (%s); covered work is not quoted",
			inc.Number, inc.Coverage.Reason)
	case inc.Status != StatusTriaged:
		return Errorf(ECONFLICT, "incident %d is %s; a quote is prepared once it is triaged, before dispatch",
			inc.Number, inc.Status)
	}
	return nil
}

// QuoteService prepares quotes, sends them to the customer and takes the
// customer's answer, moving the incident through its lifecycle: a sent quote
// holds the incident in awaiting_customer with its on-site and restore
// clocks paused; approval resumes them and lets the work be dispatched;
// rejection cancels the incident.
type QuoteService interface {
	// CreateQuote prepares a draft quote for a triaged incident whose work
	// is not covered (ECONFLICT for covered work or another open quote).
	CreateQuote(ctx context.Context, create QuoteCreate) (*Quote, error)
	// SendQuote sends a draft quote to the customer.
	SendQuote(ctx context.Context, id string) (*Quote, error)
	// DecideQuote records the customer's answer to a sent quote.
	DecideQuote(ctx context.Context, d QuoteDecision) (*Quote, error)
	// FindQuoteByID returns a quote of an incident the caller may see, or
	// ENOTFOUND.
	FindQuoteByID(ctx context.Context, id string) (*Quote, error)
	// FindQuotes returns an incident's quotes, newest first.
	FindQuotes(ctx context.Context, incidentID string) ([]*Quote, error)
	// FindQuotesOfIncidents is FindQuotes for many incidents in two
	// queries: the quotes of each, in the order of incidentIDs, nil where
	// FindQuotes would answer ENOTFOUND.
	FindQuotesOfIncidents(ctx context.Context, incidentIDs []string) ([][]*Quote, error)
}

// QuoteStore keeps quotes; QuoteService implementations add the incident's
// lifecycle to it.
type QuoteStore interface {
	// CreateQuote prices and stores a draft quote, with its audit event.
	CreateQuote(ctx context.Context, create QuoteCreate) (*Quote, error)
	// MarkQuoteSent moves a draft quote to sent; a sent one stays as it is.
	MarkQuoteSent(ctx context.Context, id string) (*Quote, error)
	// DecideQuote moves a sent quote to approved or rejected; the same
	// answer again leaves it as it is, another is ECONFLICT.
	DecideQuote(ctx context.Context, d QuoteDecision) (*Quote, error)
	// ExpireQuote expires the incident's sent quote if it has lapsed and
	// returns it; a sent quote still valid is returned unchanged (state
	// sent), and nil means the incident has no sent quote.
	ExpireQuote(ctx context.Context, incidentID string) (*Quote, error)
	// FindQuoteByID returns a quote of an incident the caller may see.
	FindQuoteByID(ctx context.Context, id string) (*Quote, error)
	// FindQuotes returns an incident's quotes, newest first.
	FindQuotes(ctx context.Context, incidentID string) ([]*Quote, error)
	// FindQuotesOfIncidents is FindQuotes for many incidents in two
	// queries: the quotes of each, in the order of incidentIDs, nil where
	// FindQuotes would answer ENOTFOUND.
	FindQuotesOfIncidents(ctx context.Context, incidentIDs []string) ([][]*Quote, error)
}
