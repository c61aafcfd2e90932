package workflows

import (
	"context"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/temporal"
)

// IncidentStore is what the incident activities need of the database.
type IncidentStore interface {
	// MarkWorkflowStarted records, once, that the incident's workflow runs.
	MarkWorkflowStarted(ctx context.Context, incidentID string) error
}

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
}

// MarkWorkflowStartedInput names the incident whose workflow started.
type MarkWorkflowStartedInput struct {
	IncidentID string
}

// MarkWorkflowStarted records that the incident's workflow runs. It is
// idempotent, so Temporal may retry it freely.
func (a *Activities) MarkWorkflowStarted(ctx context.Context, in MarkWorkflowStartedInput) error {
	return activityError(a.Incidents.MarkWorkflowStarted(ctx, in.IncidentID))
}

// activityError makes errors that retrying cannot mend (bad input, a missing
// object) non-retryable, and leaves the rest to the retry policy.
func activityError(err error) error {
	switch aftercare.ErrorCode(err) {
	case "", aftercare.EINTERNAL, aftercare.ECONFLICT:
		return err
	default:
		return temporal.NewNonRetryableApplicationError(aftercare.ErrorMessage(err), aftercare.ErrorCode(err), err)
	}
}
