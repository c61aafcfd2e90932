package workflows

import (
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/workflow"
)

// wantSurvey marks, when an incident has just resolved, that the main loop
// should send its survey.
func (r *run) wantSurvey(ctx workflow.Context, in TransitionInput) {
	if in.Action == aftercare.ActionResolve {
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
