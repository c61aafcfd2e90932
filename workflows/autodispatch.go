package workflows

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

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

// dispatchOptions bound the dispatch activity: a few tries, then the
// workflow carries on and the dispatcher's queue shows the incident.
var dispatchOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumAttempts:    3,
	},
}

// ClaimPendingErrorType is the type of the dispatch activity's error when
// the incident's entitlement claim is still being checked: the store does
// not dispatch the work before the contract's workflow counts the claim.
const ClaimPendingErrorType = "ClaimPending"

// ClaimPendingRetry is how long the workflow waits before dispatching
// again work whose entitlement claim was still being checked.
const ClaimPendingRetry = time.Minute

// claimPendingVersion gates dispatching again after a pending claim, so
// that histories recorded before it replay unchanged.
const claimPendingVersion = "dispatch-claim-pending"

// autoDispatchVersion gates the workflow's own dispatching, so that
// histories recorded before it replay unchanged.
const autoDispatchVersion = "auto-dispatch"

// dispatchStatuses are the statuses from which the workflow dispatches by
// itself: before an engineer is on the way.
var dispatchStatuses = []aftercare.IncidentStatus{
	aftercare.StatusNew, aftercare.StatusTriaged, aftercare.StatusApproved, aftercare.StatusDispatched,
}

// wantsDispatch reports whether the workflow should dispatch now: the
// incident needs someone on site, nobody is on the way yet, and work that
// is not covered has its quote approved.
func (inc *incident) wantsDispatch() bool {
	if _, onSite := inc.clocks[aftercare.ClockOnSite]; !onSite {
		return false
	}
	if inc.Inputs.NeedsQuote && (inc.Status == aftercare.StatusNew || inc.Status == aftercare.StatusTriaged) {
		return false // the store refuses it too; this spares the activity
	}
	for _, s := range dispatchStatuses {
		if inc.Status == s {
			return true
		}
	}
	return false
}

// autoDispatch runs the dispatch activity and, when it reserved an engineer
// and the lifecycle allows, moves the incident to dispatched. A failure is
// logged, never fatal: dispatch must not hold up the clocks.
func (r *run) autoDispatch(ctx workflow.Context, why string) error {
	if workflow.GetVersion(ctx, autoDispatchVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	var res DispatchIncidentResult
	actx := workflow.WithActivityOptions(ctx, dispatchOptions)
	err := workflow.ExecuteActivity(actx, DispatchIncidentActivityName,
		DispatchIncidentInput{IncidentID: r.in.IncidentID, Why: why}).Get(actx, &res)
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == ClaimPendingErrorType &&
		workflow.GetVersion(ctx, claimPendingVersion, workflow.DefaultVersion, 1) == 1 {
		workflow.GetLogger(ctx).Info("dispatch waits for the entitlement claim", "why", why)
		workflow.Go(ctx, func(ctx workflow.Context) {
			if workflow.Sleep(ctx, ClaimPendingRetry) == nil && r.inc.wantsDispatch() {
				r.pendingDispatch, r.changed = why, true
			}
		})
		return nil
	}
	if err != nil {
		workflow.GetLogger(ctx).Warn("dispatch failed; the incident waits in the dispatcher's queue", "why", why, "err", err)
		return nil
	}
	if res.AssignmentID == "" {
		workflow.GetLogger(ctx).Info("nothing dispatched", "why", why, "skipped", res.Skipped)
		return nil
	}
	if err := r.mu.Lock(ctx); err != nil {
		return err
	}
	defer r.mu.Unlock()
	in := TransitionInput{Action: aftercare.ActionDispatch, By: systemActor, Reason: why}
	from, to, err := r.inc.transition(in, workflow.Now(ctx))
	if err != nil {
		return nil // the assignment stands; the status moves when the lifecycle allows
	}
	r.changed = true
	return r.record(ctx, string(aftercare.ActionDispatch), from, to, in,
		map[string]any{"assignment_id": res.AssignmentID, "engineer_id": res.EngineerID})
}
