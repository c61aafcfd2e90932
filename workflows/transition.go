package workflows

import (
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// TransitionInput is the argument of the transition update: one lifecycle
// action, by someone.
type TransitionInput struct {
	Action aftercare.LifecycleAction
	// Reason is the pause reason of ActionAwaitCustomer, or free text.
	Reason string
	// Priority is the new priority of ActionChangePriority.
	Priority aftercare.Priority
	Note     string
	// By is the user ID of who acted, "" for the system.
	By string
	// ByRole and RequestID name the user's role and the API request, for
	// the audit event the change is mirrored with.
	ByRole    aftercare.Role
	RequestID string
	// AssignmentID names the job the action is about (accepting,
	// declining, departing, arriving; a dispatch names the job it
	// created); "" for the incident's active job. The change's record
	// moves it (aftercare.JobStateAfter).
	AssignmentID string
	// Location is where the engineer reports being on arrival.
	Location *aftercare.Location
}

// TransitionResult is what the transition update returns: the status the
// incident moved from and to, and its SLA as it stands after.
type TransitionResult struct {
	From aftercare.IncidentStatus
	To   aftercare.IncidentStatus
	SLA  SLAStatus
	// AssignmentID is, after a decline, the job of the next candidate the
	// incident went to, "" when nobody could take it (Unassigned says
	// why).
	AssignmentID string
	Unassigned   string
}

// systemActor stands for the workflow itself in clock events.
const systemActor = "system"

// check returns why the incident, as it is, rejects in: an EINVALID error
// for a malformed request or an ECONFLICT error for an action its status
// does not allow. It changes nothing.
func (inc *incident) check(in TransitionInput) (aftercare.IncidentStatus, error) {
	if !in.Action.Valid() {
		return "", aftercare.Errorf(aftercare.EINVALID, "unknown lifecycle action %q", in.Action)
	}
	to, err := aftercare.NextStatus(inc.Status, inc.Held, in.Action)
	if err != nil {
		return "", err
	}
	switch in.Action {
	case aftercare.ActionAwaitCustomer:
		if r := aftercare.PauseReason(in.Reason); !r.AwaitingCustomer() {
			return "", aftercare.Errorf(aftercare.EINVALID,
				"waiting on the customer needs a reason: quote_approval, site_access or customer_unreachable, not %q", in.Reason)
		}
	case aftercare.ActionArrive:
		if in.Location != nil {
			if err := in.Location.Validate(); err != nil {
				return "", err
			}
		}
	case aftercare.ActionChangePriority:
		switch {
		case !in.Priority.Valid():
			return "", aftercare.Errorf(aftercare.EINVALID, "priority %q is not one of P1, P2, P3, P4", in.Priority)
		case in.Priority == inc.Priority:
			return "", aftercare.Errorf(aftercare.ECONFLICT, "the incident is already %s", in.Priority)
		}
	}
	return to, nil
}

// transition applies in at now: the clock events the action implies, then
// the new status. On error nothing has changed.
func (inc *incident) transition(in TransitionInput, now time.Time) (from, to aftercare.IncidentStatus, err error) {
	to, err = inc.check(in)
	if err != nil {
		return "", "", err
	}
	by := in.By
	if by == "" {
		by = systemActor
	}
	// Clock events are checked by sla first; apply them to copies so a
	// rejected one leaves the incident as it was.
	saved := inc.clone()
	if err := inc.clockEvents(in, by, now); err != nil {
		inc.restore(saved)
		return "", "", err
	}
	from = inc.Status
	switch {
	case in.Action == aftercare.ActionAwaitCustomer:
		inc.Held = inc.Status
	case in.Action == aftercare.ActionCustomerResponded:
		inc.Held = ""
	case in.Action == aftercare.ActionChangePriority:
		inc.Priority = in.Priority
	}
	inc.Status = to
	return from, to, nil
}

// clockEvents applies to the clocks what action in means for them.
func (inc *incident) clockEvents(in TransitionInput, by string, now time.Time) error {
	stop := func(kinds ...aftercare.ClockKind) error {
		for _, k := range kinds {
			if c, ok := inc.clocks[k]; ok && c.Stop().IsZero() {
				if err := inc.apply(k, aftercare.ClockEvent{Kind: aftercare.ClockEventStopped, At: now, By: by}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	switch in.Action {
	case aftercare.ActionAcknowledge, aftercare.ActionAccept:
		return stop(aftercare.ClockResponse)
	case aftercare.ActionArrive:
		return stop(aftercare.ClockOnSite)
	case aftercare.ActionRepair:
		return stop(aftercare.ClockRestore)
	case aftercare.ActionResolve, aftercare.ActionClose, aftercare.ActionCancel:
		return stop(aftercare.ClockKinds...)
	case aftercare.ActionAwaitCustomer:
		for _, k := range inc.going() {
			e := aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: now, By: by, Reason: aftercare.PauseReason(in.Reason)}
			if err := inc.apply(k, e); err != nil {
				return err
			}
		}
	case aftercare.ActionCustomerResponded:
		for _, k := range inc.going() {
			if _, held := inc.clocks[k].Hold(); held {
				if err := inc.apply(k, aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: now, By: by}); err != nil {
					return err
				}
			}
		}
	case aftercare.ActionChangePriority:
		return inc.retarget(in.Priority, by, now)
	case aftercare.ActionRecomputeSLA:
		return inc.retarget(inc.Priority, by, now)
	}
	return nil
}

// reload puts new SLA inputs in place and replays every clock's events
// under their calendar, which recomputes the clocks' past as well: a new
// holiday counts from the start. The registration instant stays, and so
// does the escalation ladder when the incident was filed with one: an open
// incident keeps its ladder, since its fired levels are counted by position
// (ClockRecord.Fired) and a different ladder would fire a level again or
// skip one; only its deadlines follow the new terms. On error nothing
// changes.
func (inc *incident) reload(in SLAInputs) error {
	st := inc.clone()
	in.CreatedAt = st.Inputs.CreatedAt
	if len(st.Inputs.Policy.Ladder) > 0 {
		in.Policy.Ladder = st.Inputs.Policy.Ladder
	}
	st.Inputs = in
	fresh, err := newIncident(st)
	if err != nil {
		return err
	}
	*inc = *fresh
	return nil
}

// retarget gives every clock still going the terms of the new priority,
// keeping its start and pauses. A clock the new priority does not have
// stops; one it adds starts from registration, as if it had always run.
func (inc *incident) retarget(pri aftercare.Priority, by string, now time.Time) error {
	for _, k := range aftercare.ClockKinds {
		terms, applies, err := inc.terms(pri, k)
		if err != nil {
			return err
		}
		c, started := inc.clocks[k]
		switch {
		case started && !c.Stop().IsZero():
		case started && applies:
			if err := inc.apply(k, aftercare.ClockEvent{Kind: aftercare.ClockEventRetargeted, At: now, By: by, Terms: terms}); err != nil {
				return err
			}
		case started:
			if err := inc.apply(k, aftercare.ClockEvent{Kind: aftercare.ClockEventStopped, At: now, By: by}); err != nil {
				return err
			}
		case applies && inc.startsWith(k):
			if err := inc.startClock(k, terms, now, by); err != nil {
				return err
			}
		}
	}
	return nil
}

// startsWith reports whether a clock that did not run could still start:
// the response clock only before acknowledgement, the on-site clock only
// before arrival, the restore clock only before repair.
func (inc *incident) startsWith(k aftercare.ClockKind) bool {
	switch k {
	case aftercare.ClockResponse:
		return inc.Status == aftercare.StatusNew
	case aftercare.ClockOnSite:
		return !inc.reached(aftercare.StatusOnSite)
	}
	return !inc.reached(aftercare.StatusRepaired)
}

// reached reports whether the incident has got as far as s.
func (inc *incident) reached(s aftercare.IncidentStatus) bool {
	order := map[aftercare.IncidentStatus]int{
		aftercare.StatusOnSite: 1, aftercare.StatusRepaired: 2, aftercare.StatusVerified: 3, aftercare.StatusResolved: 4,
		aftercare.StatusClosed: 5,
	}
	cur := inc.Status
	if cur == aftercare.StatusAwaitingCustomer {
		cur = inc.Held
	}
	return order[cur] >= order[s] && order[cur] > 0
}

// startClock starts a clock from registration; if now is already later, the
// clock's hold (if the incident is on one) begins now.
func (inc *incident) startClock(k aftercare.ClockKind, terms aftercare.SLATerms, now time.Time, by string) error {
	if err := inc.apply(k, aftercare.ClockEvent{Kind: aftercare.ClockEventStarted, At: inc.Inputs.CreatedAt, By: by, Terms: terms}); err != nil {
		return err
	}
	if inc.Status == aftercare.StatusAwaitingCustomer {
		if h, ok := inc.anyHold(); ok {
			return inc.apply(k, aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: now, By: h.By, Reason: h.Reason})
		}
	}
	return nil
}

// anyHold returns the current hold as some going clock records it.
func (inc *incident) anyHold() (sla.Hold, bool) {
	for _, k := range inc.going() {
		if h, ok := inc.clocks[k].Hold(); ok {
			return h, true
		}
	}
	return sla.Hold{}, false
}

// terms returns what a clock of priority pri is held to and whether it
// applies, which it does where the policy's cell has a target. On-site
// service is entitled by the contract's on_site entitlement or by the tier
// table itself, which grants it wherever its on-site cell has a target, so
// the cell alone decides.
func (inc *incident) terms(pri aftercare.Priority, k aftercare.ClockKind) (aftercare.SLATerms, bool, error) {
	t, err := inc.Inputs.Policy.Terms(pri, k)
	if err != nil {
		return aftercare.SLATerms{}, false, err
	}
	return t, t.Target.Applies(), nil
}

// clone returns a deep copy of the state, to restore on failure.
func (inc *incident) clone() IncidentState {
	st := inc.IncidentState
	st.Clocks = make(map[aftercare.ClockKind]*ClockRecord, len(inc.Clocks))
	for k, rec := range inc.Clocks {
		cp := *rec
		cp.Events = append([]aftercare.ClockEvent(nil), rec.Events...)
		cp.Fires = append([]Fire(nil), rec.Fires...)
		st.Clocks[k] = &cp
	}
	return st
}

// restore puts back a state saved by clone and rebuilds the clocks from it.
func (inc *incident) restore(st IncidentState) {
	if fresh, err := newIncident(st); err == nil {
		*inc = *fresh
	}
}
