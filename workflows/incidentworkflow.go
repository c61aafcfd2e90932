package workflows

import (
	"fmt"
	"slices"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// IncidentInput starts an incident's workflow, or continues it as new.
type IncidentInput struct {
	IncidentID string
	// State carries the incident across continue-as-new; nil on the first
	// run, which loads it.
	State *IncidentState
	// ContinueAfter is the history length after which the workflow continues
	// as new; 0 means DefaultContinueAfter.
	ContinueAfter int
}

// DefaultContinueAfter is the history length at which an incident's
// workflow continues as new: far below Temporal's limits (50,000 events),
// and a long-lived incident's whole life fits a few such runs.
const DefaultContinueAfter = 2000

// activityOptions are the options of the incident workflow's activities:
// short, idempotent database writes, retried with backoff until they
// succeed. They run as local activities, in the workflow task that needs
// them, which saves each change and each escalation a round trip through
// the server's activity queue; a worker that dies mid-write repeats the
// write on replay, which its idempotency key makes harmless.
var activityOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// local runs one of the workflow's activities, by its registered name.
func local(ctx workflow.Context, name string, in, out any) error {
	ctx = workflow.WithLocalActivityOptions(ctx, activityOptions)
	return workflow.ExecuteLocalActivity(ctx, name, in).Get(ctx, out)
}

// run is one run of an incident's workflow.
type run struct {
	in  IncidentInput
	inc *incident // nil until loaded
	// mu serialises changes that write to the database, so that records go
	// out in the order the changes happened.
	mu workflow.Mutex
	// changed wakes the main loop after an update changed the clocks.
	changed bool
	// pendingDispatch, when set, says why the main loop should dispatch
	// next (see autoDispatch).
	pendingDispatch string
	// pendingSurvey, when set, is when the incident resolved: the main loop
	// sends its survey next (see sendSurvey).
	pendingSurvey time.Time
	// searchable says the run keeps its workflow's search attributes up to
	// date: every run but those started before they existed.
	searchable bool
	// localDispatch says the run dispatches in a local activity: every run
	// started since VersionLocalDispatch.
	localDispatch bool
}

// IncidentWorkflow owns one incident for its whole life (DESIGN.md §5–§6):
// it runs the incident's three SLA clocks on durable timers, fires each
// level of their escalation ladders once, takes lifecycle actions as
// updates whose validators reject invalid transitions, answers the sla
// query, mirrors every change into PostgreSQL through idempotent
// activities, keeps its search attributes (number, account, tier,
// priority, status, region) up to date, and continues as new before its
// history grows long. It ends when the incident is closed or cancelled.
func IncidentWorkflow(ctx workflow.Context, in IncidentInput) error {
	r := &run{in: in, mu: workflow.NewMutex(ctx)}
	v := workflow.GetVersion(ctx, ChangeSearchAttributes, workflow.DefaultVersion, VersionLocalDispatch)
	r.searchable, r.localDispatch = v >= VersionSearchAttributes, v >= VersionLocalDispatch
	if err := r.register(ctx); err != nil {
		return err
	}
	if err := r.load(ctx); err != nil {
		return err
	}
	return r.loop(ctx)
}

// register sets up the sla query and the transition update.
func (r *run) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QuerySLA, func() (SLAStatus, error) {
		if r.inc == nil {
			return SLAStatus{}, aftercare.Errorf(aftercare.ECONFLICT, "the incident's clocks are still starting")
		}
		return r.inc.status(workflow.Now(ctx)), nil
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateTransition, r.transition, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in TransitionInput) error {
			if r.inc == nil {
				return nil // checked again by the handler once loaded
			}
			_, err := r.inc.check(in)
			return updateError(err)
		},
	})
}

// load loads the incident on the first run, starting its clocks from
// registration, or rebuilds it from the state carried over.
func (r *run) load(ctx workflow.Context) error {
	if r.in.State != nil {
		inc, err := newIncident(*r.in.State)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), aftercare.ErrorCode(err), err)
		}
		r.inc = inc
		return nil
	}
	if err := local(ctx, MarkWorkflowStartedActivityName, MarkWorkflowStartedInput{IncidentID: r.in.IncidentID}, nil); err != nil {
		return err
	}
	var inputs SLAInputs
	if err := local(ctx, LoadSLAInputsActivityName, LoadSLAInputsInput{IncidentID: r.in.IncidentID}, &inputs); err != nil {
		return err
	}
	inc, err := newIncident(IncidentState{Inputs: inputs, Status: inputs.Status, Priority: inputs.Priority})
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), aftercare.ErrorCode(err), err)
	}
	for _, k := range aftercare.ClockKinds {
		terms, applies, err := inc.terms(inc.Priority, k)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), aftercare.ErrorCode(err), err)
		}
		if applies {
			if err := inc.apply(k, aftercare.ClockEvent{Kind: aftercare.ClockEventStarted, At: inputs.CreatedAt, By: systemActor, Terms: terms}); err != nil {
				return temporal.NewNonRetryableApplicationError(err.Error(), aftercare.ErrorCode(err), err)
			}
		}
	}
	r.inc = inc
	if err := r.record(ctx, "clocks_started", inc.Status, inc.Status, TransitionInput{}, nil); err != nil {
		return err
	}
	if inputs.AdvanceParts && inc.wantsDispatch() {
		r.pendingDispatch = "advance parts replacement" // parts leave before diagnosis
	}
	return nil
}

// loop fires escalations as they fall due and sleeps on a durable timer
// until the next one or until an update changes the clocks, until the
// incident ends or the run should continue as new.
func (r *run) loop(ctx workflow.Context) error {
	limit := r.in.ContinueAfter
	if limit <= 0 {
		limit = DefaultContinueAfter
	}
	for {
		if err := r.fireDue(ctx); err != nil {
			return err
		}
		if why := r.pendingDispatch; why != "" {
			r.pendingDispatch = ""
			if err := r.autoDispatch(ctx, why); err != nil {
				return err
			}
		}
		if !r.pendingSurvey.IsZero() {
			r.sendSurvey(ctx)
		}
		r.expireQuote(ctx)
		if err := r.publish(ctx); err != nil {
			return err
		}
		if r.inc.Status.Terminal() {
			return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
		}
		info := workflow.GetInfo(ctx)
		if info.GetCurrentHistoryLength() >= limit || info.GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			if r.pendingDispatch != "" || !r.pendingSurvey.IsZero() {
				continue // an update asked for a dispatch or a survey meanwhile; run it before continuing
			}
			st := r.inc.clone()
			return workflow.NewContinueAsNewError(ctx, IncidentWorkflowName,
				IncidentInput{IncidentID: r.in.IncidentID, State: &st, ContinueAfter: r.in.ContinueAfter})
		}
		r.changed = false
		wake := func() bool { return r.changed }
		next := r.inc.nextWake()
		if q := r.inc.QuoteLapses; !q.IsZero() && (next.IsZero() || q.Before(next)) {
			next = q
		}
		if next.IsZero() {
			if err := workflow.Await(ctx, wake); err != nil {
				return err
			}
			continue
		}
		if _, err := workflow.AwaitWithTimeout(ctx, max(next.Sub(workflow.Now(ctx)), time.Millisecond), wake); err != nil {
			return err
		}
	}
}

// publish sets the workflow's search attributes that changed since they
// were last set: all of them first, then the status after each
// transition, the priority after a change, the region once known.
func (r *run) publish(ctx workflow.Context) error {
	if !r.searchable {
		return nil
	}
	in := r.inc.Inputs
	inc := aftercare.Incident{Number: in.Number, AccountID: in.AccountID, Tier: in.Tier, Priority: r.inc.Priority, Status: r.inc.Status}
	return upsertSearchAttributes(ctx, in.Number, incidentKeywords(&inc, in.Region))
}

// fireDue fires every escalation level that has fallen due, each recorded
// by an activity before the next.
func (r *run) fireDue(ctx workflow.Context) error {
	if err := r.mu.Lock(ctx); err != nil {
		return err
	}
	defer r.mu.Unlock()
	return r.fireDueLocked(ctx, workflow.Now(ctx))
}

// fireDueLocked fires every level due at now; the caller holds r.mu.
func (r *run) fireDueLocked(ctx workflow.Context, now time.Time) error {
	for _, d := range r.inc.dueAt(now) {
		r.inc.Seq++
		fired := r.inc.fire(d, now, r.inc.Seq)
		if slices.Contains(fired.Actions, aftercare.EscalationRedispatch) && r.inc.wantsDispatch() {
			r.pendingDispatch = "escalation: redispatch" // nobody is on the way yet
		}
		if err := local(ctx, RecordEscalationActivityName, fired, nil); err != nil {
			return err
		}
	}
	return nil
}

// transition is the handler of the transition update: it applies one
// lifecycle action, records it, and returns the SLA as it stands after.
func (r *run) transition(ctx workflow.Context, in TransitionInput) (TransitionResult, error) {
	if err := workflow.Await(ctx, func() bool { return r.inc != nil }); err != nil {
		return TransitionResult{}, err
	}
	if err := r.mu.Lock(ctx); err != nil {
		return TransitionResult{}, err
	}
	defer r.mu.Unlock()
	if in.Action == aftercare.ActionRecomputeSLA {
		if err := r.reload(ctx, in); err != nil {
			return TransitionResult{}, err
		}
	}
	now := workflow.Now(ctx)
	// A level that fell due before this instant fires first: a change
	// arriving with its timer (an acknowledgement in the moment the
	// response clock breaches) must not stop the clock past a level
	// nobody was told of.
	if err := r.fireDueLocked(ctx, now); err != nil {
		return TransitionResult{}, err
	}
	from, to, err := r.inc.transition(in, now)
	if err != nil {
		return TransitionResult{}, updateError(err)
	}
	r.changed = true
	var data map[string]any
	if in.Action == aftercare.ActionChangePriority {
		data = map[string]any{"priority": in.Priority}
	}
	if err := r.record(ctx, string(in.Action), from, to, in, data); err != nil {
		return TransitionResult{}, err
	}
	if in.Action == aftercare.ActionAcknowledge && r.inc.wantsDispatch() {
		r.pendingDispatch = "triaged"
	}
	r.dispatchOnApprove(in)
	r.redispatchOnRequest(in, from)
	r.wantSurvey(ctx, in)
	r.watchQuote(ctx, in)
	res := TransitionResult{From: from, To: to, SLA: r.inc.status(now)}
	if in.Action == aftercare.ActionDecline {
		res.AssignmentID, res.Unassigned, err = r.dispatchAfterDecline(ctx)
	}
	return res, err
}

// reload loads the incident's SLA inputs again (policy with the contract's
// overrides, time zone, holidays) and rebuilds the clocks from their events
// under them; the transition that follows retargets the clocks still going.
func (r *run) reload(ctx workflow.Context, in TransitionInput) error {
	if _, err := r.inc.check(in); err != nil {
		return updateError(err)
	}
	var inputs SLAInputs
	if err := local(ctx, LoadSLAInputsActivityName, LoadSLAInputsInput{IncidentID: r.in.IncidentID}, &inputs); err != nil {
		return err
	}
	return updateError(r.inc.reload(inputs))
}

// record mirrors one change, with every clock as it stands, to the
// database.
func (r *run) record(ctx workflow.Context, kind string, from, to aftercare.IncidentStatus, in TransitionInput, data map[string]any) error {
	now := workflow.Now(ctx)
	snaps := r.inc.snapshots(now)
	r.inc.Seq++
	if in.Note != "" {
		if data == nil {
			data = map[string]any{}
		}
		data["note"] = in.Note
	}
	if in.AssignmentID != "" || in.Location != nil {
		if data == nil {
			data = map[string]any{}
		}
		if in.AssignmentID != "" {
			data["assignment_id"] = in.AssignmentID
		}
		if l := in.Location; l != nil {
			data["location"] = map[string]any{"lat": l.Lat, "lng": l.Lng}
		}
	}
	change := aftercare.IncidentChange{
		IncidentID: r.inc.Inputs.IncidentID,
		Key:        fmt.Sprintf("%s:%d", aftercare.IncidentWorkflowID(r.inc.Inputs.IncidentID), r.inc.Seq),
		Version:    r.inc.Seq,
		Kind:       kind, FromStatus: from, ToStatus: to, Reason: in.Reason, ActorID: in.By, At: now,
		Data: data, Clocks: snaps, AssignmentID: in.AssignmentID, Location: in.Location,
	}
	if in.Action == aftercare.ActionChangePriority {
		change.Priority = in.Priority
	}
	if in.By != "" && in.By != systemActor {
		after := map[string]any{"status": to, "priority": r.inc.Priority}
		if in.Reason != "" {
			after["reason"] = in.Reason
		}
		if in.Note != "" {
			after["note"] = in.Note
		}
		if in.AssignmentID != "" {
			after["assignment_id"] = in.AssignmentID
		}
		change.Audit = &aftercare.ChangeAudit{Action: "incident." + string(in.Action), ActorRole: string(in.ByRole),
			RequestID: in.RequestID, Before: map[string]any{"status": from}, After: after}
	}
	return local(ctx, RecordIncidentChangeActivityName, change, nil)
}

// updateError turns a domain error into the application error an update
// caller receives, typed by its code so the caller can map it back.
func updateError(err error) error {
	if err == nil {
		return nil
	}
	return temporal.NewNonRetryableApplicationError(aftercare.ErrorMessage(err), aftercare.ErrorCode(err), nil)
}
