package workflows

import (
	"context"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/temporal"
)

// Activities holds the dependencies of the incident workflow's activities.
type Activities struct {
	Incidents IncidentStore
	SLA       SLAStore
	// Webhooks are the URLs every escalation is delivered to.
	Webhooks []string
	// Dispatch finds and reserves engineers.
	Dispatch aftercare.DispatchService
	// Contracts loads contracts and mirrors what their workflows decide.
	Contracts ContractStore
	// Surveys sends the satisfaction survey of each resolved incident.
	Surveys SurveyStore
	// Quotes expires the quotes customers left unanswered.
	Quotes QuoteExpirer
	// Escalations is told of every escalation level recorded; nil tells
	// nobody.
	Escalations EscalationObserver
}

// EscalationObserver is told of every escalation level recorded, with how
// late it fired: its firing instant less the instant it fell due.
type EscalationObserver interface {
	ObserveEscalation(clock aftercare.ClockKind, level int, lateness time.Duration)
}

// IncidentStore is what the incident activities need of the database.
type IncidentStore interface {
	// MarkWorkflowStarted records, once, that the incident's workflow runs.
	MarkWorkflowStarted(ctx context.Context, incidentID string) error
}

// SLAStore is what the SLA activities need of the database.
type SLAStore interface {
	// FindSLAFacts returns what the incident's clocks depend on.
	FindSLAFacts(ctx context.Context, incidentID string) (*aftercare.SLAFacts, error)
	// RecordIncidentChange records a change once per key: the event, the
	// incident's new status and priority, and the clock snapshots.
	RecordIncidentChange(ctx context.Context, change aftercare.IncidentChange) error
	// RecordEscalation records a fired level once per clock and level, with
	// its event, its clock's snapshot, one notification per recipient its
	// actions route it to, and one outbox message per webhook naming them.
	RecordEscalation(ctx context.Context, esc aftercare.EscalationFired, webhooks []string) error
}

// SurveyStore is what the survey activity needs of the database.
type SurveyStore interface {
	// CreateSurvey sends an incident's survey once, or records that it was
	// suppressed; again it returns what the first call did.
	CreateSurvey(ctx context.Context, incidentID string, now time.Time) (*aftercare.SurveyOutcome, error)
}

// QuoteExpirer is what the quote expiry activity needs of the database.
type QuoteExpirer interface {
	// ExpireQuote expires the incident's sent quote if it has lapsed and
	// returns it; a sent quote still valid comes back unchanged, and nil
	// means the incident has no sent quote.
	ExpireQuote(ctx context.Context, incidentID string) (*aftercare.Quote, error)
}

// ContractStore is what the contract activities and the contract relay
// need of the database.
type ContractStore interface {
	// LoadContractFacts returns a contract with the claims counted against
	// it, the reminders sent and its successor.
	LoadContractFacts(ctx context.Context, id string) (*aftercare.ContractFacts, error)
	// RecordContractChange mirrors one change once per key, with one
	// webhook notification per URL for a reminder, and returns a renewal's
	// successor.
	RecordContractChange(ctx context.Context, change aftercare.ContractChange, webhooks []string) (string, error)
	// RefuseClaim records that a claim was refused: the incident's work is
	// not covered, for the reason given.
	RefuseClaim(ctx context.Context, claim aftercare.EntitlementClaim, reason string) error
}

// activityError makes errors that retrying cannot mend (bad input, a missing
// object) non-retryable, and leaves the rest to the retry policy.
func activityError(err error) error {
	switch aftercare.ErrorCode(err) {
	case "", aftercare.EINTERNAL, aftercare.ECONFLICT, aftercare.EUNAVAILABLE:
		return err
	default:
		return temporal.NewNonRetryableApplicationError(aftercare.ErrorMessage(err), aftercare.ErrorCode(err), err)
	}
}
