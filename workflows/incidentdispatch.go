package workflows

import (
	"errors"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// dispatchRetry bounds the dispatch activity: a few tries, then the
// workflow carries on and the dispatcher's queue shows the incident.
var dispatchRetry = &temporal.RetryPolicy{
	InitialInterval:    time.Second,
	BackoffCoefficient: 2,
	MaximumAttempts:    3,
}

// dispatchTimeout bounds one try of the dispatch activity.
const dispatchTimeout = 30 * time.Second

// ClaimPendingRetry is how long the workflow waits before dispatching
// again work whose entitlement claim was still being checked.
const ClaimPendingRetry = time.Minute

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
	res := r.dispatch(ctx, why)
	if res.AssignmentID == "" {
		return nil
	}
	if err := r.mu.Lock(ctx); err != nil {
		return err
	}
	defer r.mu.Unlock()
	return r.recordDispatch(ctx, why, res)
}

// dispatch runs the dispatch activity and returns the engineer it
// reserved, or in Skipped why it reserved nobody. Work whose entitlement
// claim is still being checked is dispatched again ClaimPendingRetry
// later.
func (r *run) dispatch(ctx workflow.Context, why string) DispatchIncidentResult {
	var res DispatchIncidentResult
	in := DispatchIncidentInput{IncidentID: r.in.IncidentID, Why: why}
	var err error
	if r.localDispatch {
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: dispatchTimeout, RetryPolicy: dispatchRetry})
		err = workflow.ExecuteLocalActivity(lctx, DispatchIncidentActivityName, in).Get(lctx, &res)
	} else { // a run started before VersionLocalDispatch
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: dispatchTimeout, RetryPolicy: dispatchRetry})
		err = workflow.ExecuteActivity(actx, DispatchIncidentActivityName, in).Get(actx, &res)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == ClaimPendingErrorType {
		workflow.GetLogger(ctx).Info("dispatch waits for the entitlement claim", "why", why)
		workflow.Go(ctx, func(ctx workflow.Context) {
			if workflow.Sleep(ctx, ClaimPendingRetry) == nil && r.inc.wantsDispatch() {
				r.pendingDispatch, r.changed = why, true
			}
		})
		return DispatchIncidentResult{Skipped: app.Message()}
	}
	if err != nil {
		workflow.GetLogger(ctx).Warn("dispatch failed; the incident waits in the dispatcher's queue", "why", why, "err", err)
		return DispatchIncidentResult{Skipped: "dispatch failed; the incident waits in the dispatcher's queue"}
	}
	if res.AssignmentID == "" {
		workflow.GetLogger(ctx).Info("nothing dispatched", "why", why, "skipped", res.Skipped)
	}
	return res
}

// recordDispatch moves the incident to dispatched for the job a dispatch
// created, when the lifecycle allows; otherwise the job stands and the
// status moves when the lifecycle allows. The caller holds r.mu.
func (r *run) recordDispatch(ctx workflow.Context, why string, res DispatchIncidentResult) error {
	in := TransitionInput{Action: aftercare.ActionDispatch, By: systemActor, Reason: why, AssignmentID: res.AssignmentID}
	from, to, err := r.inc.transition(in, workflow.Now(ctx))
	if err != nil {
		return nil
	}
	r.changed = true
	return r.record(ctx, string(aftercare.ActionDispatch), from, to, in,
		map[string]any{"assignment_id": res.AssignmentID, "engineer_id": res.EngineerID})
}

// dispatchAfterDecline gives a declined incident to the next candidate,
// within the decline's update (which holds r.mu), so that the engineer who
// declined hears where the incident went: the next job, or why nobody
// took it.
func (r *run) dispatchAfterDecline(ctx workflow.Context) (assignmentID, unassigned string, err error) {
	const why = "declined"
	res := r.dispatch(ctx, why)
	if res.AssignmentID == "" {
		return "", res.Skipped, nil
	}
	return res.AssignmentID, "", r.recordDispatch(ctx, why, res)
}

// redispatchOnRequest asks the main loop to find another engineer after a
// re-dispatch by hand (a dispatch of an incident already dispatched or en
// route), whose record ended the active job.
func (r *run) redispatchOnRequest(in TransitionInput, from aftercare.IncidentStatus) {
	if in.Action == aftercare.ActionDispatch && in.AssignmentID == "" &&
		(from == aftercare.StatusDispatched || from == aftercare.StatusEnRoute) && r.inc.wantsDispatch() {
		r.pendingDispatch = "re-dispatch"
	}
}

// dispatchOnApprove asks the main loop to dispatch once the customer has
// approved the quote: approved work goes ahead without a dispatcher.
func (r *run) dispatchOnApprove(in TransitionInput) {
	if in.Action == aftercare.ActionApprove && r.inc.wantsDispatch() {
		r.pendingDispatch = "quote approved"
	}
}
