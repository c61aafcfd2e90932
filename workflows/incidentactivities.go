package workflows

import (
	"context"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/temporal"
)

// MarkWorkflowStartedInput names the incident whose workflow started.
type MarkWorkflowStartedInput struct {
	IncidentID string
}

// MarkWorkflowStarted records that the incident's workflow runs. It is
// idempotent, so Temporal may retry it freely.
func (a *Activities) MarkWorkflowStarted(ctx context.Context, in MarkWorkflowStartedInput) error {
	return activityError(a.Incidents.MarkWorkflowStarted(ctx, in.IncidentID))
}

// LoadSLAInputsInput names the incident whose SLA inputs to load.
type LoadSLAInputsInput struct {
	IncidentID string
}

// LoadSLAInputs loads what the incident's clocks depend on and computes its
// effective policy: the tier's defaults with the contract's overrides. The
// result is recorded in the workflow's history, so the clocks keep the
// policy they started with until a priority change or a recomputation
// retargets them.
func (a *Activities) LoadSLAInputs(ctx context.Context, in LoadSLAInputsInput) (SLAInputs, error) {
	facts, err := a.SLA.FindSLAFacts(ctx, in.IncidentID)
	if err != nil {
		return SLAInputs{}, activityError(err)
	}
	inputs, err := slaInputs(facts)
	return inputs, activityError(err)
}

// slaInputs turns the facts of an incident into the workflow's inputs.
func slaInputs(f *aftercare.SLAFacts) (SLAInputs, error) {
	inc := f.Incident
	policy, err := aftercare.EffectiveSLAPolicy(inc.Tier, f.TierPolicy, f.Overrides)
	if err != nil {
		return SLAInputs{}, err
	}
	days := make([]aftercare.SpecialDay, len(f.Holidays))
	for i, h := range f.Holidays {
		days[i] = h.SpecialDay
	}
	return SLAInputs{
		IncidentID: inc.ID, AccountID: inc.AccountID, Number: inc.Number, Tier: inc.Tier, Priority: inc.Priority,
		Status: inc.Status, Region: f.Region, CreatedAt: inc.CreatedAt, TimeZone: f.TimeZone, Holidays: days, Policy: policy,
		OnSiteEntitled: f.OnSiteEntitled, AdvanceParts: f.AdvanceParts, NeedsQuote: inc.Coverage.NeedsQuote(),
	}, nil
}

// RecordIncidentChange mirrors one change of the incident into the
// database. It is idempotent by the change's key.
func (a *Activities) RecordIncidentChange(ctx context.Context, change aftercare.IncidentChange) error {
	return activityError(a.SLA.RecordIncidentChange(ctx, change))
}

// RecordEscalation records one fired escalation level, notifies its
// recipients and queues the notification for the webhooks. It is idempotent by clock and level, and
// it only writes outbox rows: delivery happens elsewhere, so a failing
// webhook never holds up the clock. Each successful call is observed, so
// a level recorded again (an attempt whose success the worker did not
// live to report) is observed again.
func (a *Activities) RecordEscalation(ctx context.Context, esc aftercare.EscalationFired) error {
	if err := a.SLA.RecordEscalation(ctx, esc, a.Webhooks); err != nil {
		return activityError(err)
	}
	if a.Escalations != nil {
		a.Escalations.ObserveEscalation(esc.Escalation.Clock, esc.Level, esc.FiredAt.Sub(esc.DueAt))
	}
	return nil
}

// DispatchIncidentInput asks the incident's workflow's dispatch activity to
// find and reserve an engineer.
type DispatchIncidentInput struct {
	IncidentID string
	// Why says what asked: filing with advance parts, triage, an escalation.
	Why string
}

// DispatchIncidentResult is the engineer found, or why none was.
type DispatchIncidentResult struct {
	AssignmentID string
	EngineerID   string
	// Skipped says why nothing was reserved: the incident already has an
	// engineer, or nobody can take it (with the reasons).
	Skipped string
}

// ClaimPendingErrorType is the type of the dispatch activity's error when
// the incident's entitlement claim is still being checked: the store does
// not dispatch the work before the contract's workflow counts the claim.
const ClaimPendingErrorType = "ClaimPending"

// DispatchIncident reserves the best engineer who can take the incident,
// with the system's view of the fleet. An incident that already has an
// engineer, or that nobody can take, is not an error: the result says so
// and the workflow carries on (a dispatcher sees it in the queue).
func (a *Activities) DispatchIncident(ctx context.Context, in DispatchIncidentInput) (DispatchIncidentResult, error) {
	ctx = aftercare.NewContextWithScope(ctx, &aftercare.Scope{All: true})
	asg, err := a.Dispatch.Assign(ctx, in.IncidentID, "", "")
	if aftercare.ErrorCode(err) == aftercare.ECONFLICT {
		msg := aftercare.ErrorMessage(err)
		if strings.Contains(msg, "already has an engineer") || strings.Contains(msg, "no engineer can take") ||
			strings.Contains(msg, "incident is") {
			return DispatchIncidentResult{Skipped: msg}, nil
		}
		if msg == aftercare.ClaimPendingMessage {
			// Trying again at once would not help: the workflow waits
			// ClaimPendingRetry and asks again.
			return DispatchIncidentResult{}, temporal.NewNonRetryableApplicationError(msg, ClaimPendingErrorType, err)
		}
	}
	if err != nil {
		return DispatchIncidentResult{}, activityError(err)
	}
	return DispatchIncidentResult{AssignmentID: asg.ID, EngineerID: asg.EngineerID}, nil
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
