package workflows

import (
	"context"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// SurveyStore is what the survey activity needs of the database.
type SurveyStore interface {
	// CreateSurvey sends an incident's survey once, or records that it was
	// suppressed; again it returns what the first call did.
	CreateSurvey(ctx context.Context, incidentID string, now time.Time) (*aftercare.SurveyOutcome, error)
}

// CreateSurveyInput asks for the satisfaction survey of an incident that
// resolved at At.
type CreateSurveyInput struct {
	IncidentID string
	At         time.Time
}

// CreateSurveyResult says what became of the survey.
type CreateSurveyResult struct {
	Sent       bool
	Suppressed bool
	// BecauseOf is the incident whose recent survey suppressed this one.
	BecauseOf string
}

// CreateSurvey sends the survey of a resolved incident, or records its
// suppression. It is idempotent: the store keeps one outcome per incident.
func (a *Activities) CreateSurvey(ctx context.Context, in CreateSurveyInput) (CreateSurveyResult, error) {
	if a.Surveys == nil {
		return CreateSurveyResult{}, temporal.NewNonRetryableApplicationError(
			"this worker has no survey store; no survey is sent", aftercare.EINTERNAL, nil)
	}
	out, err := a.Surveys.CreateSurvey(ctx, in.IncidentID, in.At)
	if err != nil {
		return CreateSurveyResult{}, activityError(err)
	}
	res := CreateSurveyResult{Sent: out.Survey != nil, Suppressed: out.Suppressed != nil}
	if out.Suppressed != nil {
		res.BecauseOf = out.Suppressed.BecauseOf
	}
	return res, nil
}

// surveyVersion gates the survey sent when an incident resolves, so that
// histories recorded before it replay unchanged.
const surveyVersion = "survey-on-resolve"

// wantSurvey marks, when an incident has just resolved, that the main loop
// should send its survey.
func (r *run) wantSurvey(ctx workflow.Context, in TransitionInput) {
	if in.Action != aftercare.ActionResolve {
		return
	}
	if workflow.GetVersion(ctx, surveyVersion, workflow.DefaultVersion, 1) == 1 {
		r.pendingSurvey = workflow.Now(ctx)
	}
}

// sendSurvey runs the survey activity for the resolution the loop was told
// of. It retries what may pass (the database away); a survey that cannot be
// sent is logged, never fatal: it must not hold up the incident.
func (r *run) sendSurvey(ctx workflow.Context) {
	at := r.pendingSurvey
	r.pendingSurvey = time.Time{}
	var res CreateSurveyResult
	if err := local(ctx, CreateSurveyActivityName, CreateSurveyInput{IncidentID: r.in.IncidentID, At: at}, &res); err != nil {
		workflow.GetLogger(ctx).Warn("no survey sent", "err", err)
		return
	}
	workflow.GetLogger(ctx).Info("survey", "sent", res.Sent, "suppressed", res.Suppressed, "because_of", res.BecauseOf)
}
