package aftercare

import (
	"context"
	"slices"
	"time"
)

// LifecycleAction is something that happens to an incident and moves it
// through the lifecycle of DESIGN.md §5.
type LifecycleAction string

// The lifecycle actions.
const (
	// ActionAcknowledge: a qualified person has acknowledged and triaged the
	// incident; it stops the response clock.
	ActionAcknowledge LifecycleAction = "acknowledge"
	// ActionQuote: a quote was sent for work not covered.
	ActionQuote LifecycleAction = "quote"
	// ActionApprove: the customer approved the quote.
	ActionApprove LifecycleAction = "approve"
	// ActionDispatch: an engineer was assigned. From dispatched or en
	// route it is a re-dispatch: the active job ends and another engineer
	// is sought.
	ActionDispatch LifecycleAction = "dispatch"
	// ActionAccept: the engineer accepted the job. It is the engineer's
	// acknowledgement of the incident: one still new has been seen by a
	// qualified person, so it stops the response clock too.
	ActionAccept LifecycleAction = "accept"
	// ActionDecline: the engineer declined the job; the status stays and
	// the next candidate is sought.
	ActionDecline LifecycleAction = "decline"
	// ActionDepart: the engineer is on the way.
	ActionDepart LifecycleAction = "depart"
	// ActionArrive: the engineer is on site; it stops the on-site clock.
	ActionArrive LifecycleAction = "arrive"
	// ActionAwaitCustomer: the incident waits on the customer for a reason;
	// it pauses the on-site and restore clocks.
	ActionAwaitCustomer LifecycleAction = "await_customer"
	// ActionCustomerResponded: the customer acted; the incident returns to
	// where it was and its clocks resume.
	ActionCustomerResponded LifecycleAction = "customer_responded"
	// ActionRepair: service is restored; it stops the restore clock.
	ActionRepair LifecycleAction = "repair"
	// ActionVerify: the repair passed its test.
	ActionVerify LifecycleAction = "verify"
	// ActionResolve: the incident is resolved (on site after verification,
	// or remotely after triage); every clock still running stops.
	ActionResolve LifecycleAction = "resolve"
	// ActionClose: the customer or the desk closed the resolved incident.
	ActionClose LifecycleAction = "close"
	// ActionCancel: the incident was withdrawn; every clock stops.
	ActionCancel LifecycleAction = "cancel"
	// ActionChangePriority: the priority changed; the status stays and the
	// clocks are retargeted, keeping their pause time.
	ActionChangePriority LifecycleAction = "change_priority"
	// ActionRecomputeSLA: the tier policy, the contract's overrides or the
	// holidays changed and the incident should follow them; the status
	// stays and the clocks are recomputed from their events under the new
	// terms and calendar, keeping their pause time.
	ActionRecomputeSLA LifecycleAction = "recompute_sla"
)

// LifecycleActions lists every lifecycle action.
var LifecycleActions = []LifecycleAction{
	ActionAcknowledge, ActionQuote, ActionApprove, ActionDispatch, ActionAccept, ActionDecline, ActionDepart, ActionArrive,
	ActionAwaitCustomer, ActionCustomerResponded, ActionRepair, ActionVerify, ActionResolve, ActionClose,
	ActionCancel, ActionChangePriority, ActionRecomputeSLA,
}

// Valid reports whether a is a known action.
func (a LifecycleAction) Valid() bool { return slices.Contains(LifecycleActions, a) }

// transition is one row of the lifecycle table: an action allowed from
// some statuses, and the status it leads to ("" keeps the status, and for
// ActionCustomerResponded returns to the status before the hold).
type transition struct {
	from []IncidentStatus
	to   IncidentStatus
}

// open lists the statuses in which an incident is still being worked on.
var open = []IncidentStatus{
	StatusNew, StatusTriaged, StatusQuoted, StatusApproved, StatusDispatched, StatusEnRoute, StatusOnSite,
	StatusRepaired, StatusVerified, StatusAwaitingCustomer,
}

// jobStatuses lists the statuses in which an engineer's job may still be
// waiting for the engineer's answer: from filing (advance parts replacement
// sends the engineer before triage) to dispatched.
var jobStatuses = []IncidentStatus{StatusNew, StatusTriaged, StatusApproved, StatusDispatched}

// lifecycle is the transition table of DESIGN.md §5.
var lifecycle = map[LifecycleAction]transition{
	ActionAcknowledge: {from: []IncidentStatus{StatusNew}, to: StatusTriaged},
	ActionQuote:       {from: []IncidentStatus{StatusTriaged, StatusOnSite}, to: StatusQuoted},
	ActionApprove:     {from: []IncidentStatus{StatusQuoted}, to: StatusApproved},
	ActionDispatch:    {from: []IncidentStatus{StatusTriaged, StatusApproved, StatusDispatched, StatusEnRoute}, to: StatusDispatched},
	ActionAccept:      {from: jobStatuses, to: StatusDispatched},
	ActionDecline:     {from: jobStatuses},
	ActionDepart:      {from: []IncidentStatus{StatusDispatched}, to: StatusEnRoute},
	ActionArrive:      {from: []IncidentStatus{StatusDispatched, StatusEnRoute}, to: StatusOnSite},
	ActionAwaitCustomer: {from: []IncidentStatus{StatusTriaged, StatusQuoted, StatusApproved, StatusDispatched,
		StatusEnRoute, StatusOnSite, StatusRepaired}, to: StatusAwaitingCustomer},
	ActionCustomerResponded: {from: []IncidentStatus{StatusAwaitingCustomer}},
	ActionRepair:            {from: []IncidentStatus{StatusOnSite}, to: StatusRepaired},
	ActionVerify:            {from: []IncidentStatus{StatusRepaired}, to: StatusVerified},
	ActionResolve:           {from: []IncidentStatus{StatusTriaged, StatusVerified}, to: StatusResolved},
	ActionClose:             {from: []IncidentStatus{StatusResolved}, to: StatusClosed},
	ActionCancel:            {from: slices.DeleteFunc(slices.Clone(open), func(s IncidentStatus) bool { return s == StatusRepaired || s == StatusVerified }), to: StatusCancelled},
	ActionChangePriority:    {from: open},
	ActionRecomputeSLA:      {from: open},
}

// NextStatus returns the status an incident in status from moves to on
// action a. held is the status the incident had before it began to wait on
// the customer, which ActionCustomerResponded returns to. An unknown action
// is an EINVALID error; an action the status does not allow is an
// ECONFLICT error that names the statuses that would.
func NextStatus(from, held IncidentStatus, a LifecycleAction) (IncidentStatus, error) {
	t, ok := lifecycle[a]
	if !ok {
		return "", Errorf(EINVALID, "unknown lifecycle action %q", a)
	}
	if !slices.Contains(t.from, from) {
		return "", Errorf(ECONFLICT, "cannot %s an incident that is %s; it must be %s",
			a, from, orList(t.from))
	}
	switch {
	case a == ActionCustomerResponded:
		if held == "" {
			return StatusTriaged, nil
		}
		return held, nil
	case t.to == "":
		return from, nil
	}
	return t.to, nil
}

// Terminal reports whether s ends the incident's life: closed or cancelled.
func (s IncidentStatus) Terminal() bool { return s == StatusClosed || s == StatusCancelled }

// orList writes statuses as "a, b or c".
func orList(statuses []IncidentStatus) string {
	var b []byte
	for i, s := range statuses {
		switch {
		case i == 0:
		case i == len(statuses)-1:
			b = append(b, " or "...)
		default:
			b = append(b, ", "...)
		}
		b = append(b, s...)
	}
	return string(b)
}

// LifecycleRequest asks for one lifecycle action on an incident.
type LifecycleRequest struct {
	IncidentID string
	Action     LifecycleAction
	// Reason is why the incident waits on the customer (ActionAwaitCustomer:
	// quote_approval, site_access or customer_unreachable) and, free text,
	// why it was cancelled or reprioritised.
	Reason string
	// Priority is the new priority, for ActionChangePriority.
	Priority Priority
	// Note is free text recorded with the event.
	Note string
	// AssignmentID names the job an action on a job is about (ActionAccept,
	// ActionDecline, ActionDepart, ActionArrive); "" means the incident's
	// active job.
	AssignmentID string
	// Location is where the engineer reports being on arrival, nil if they
	// report nothing.
	Location *Location
}

// LifecycleService moves incidents through their lifecycle. Each action is
// handed to the incident's workflow, which owns its clocks, and the caller
// gets the incident as it is after the action.
type LifecycleService interface {
	// Transition applies one lifecycle action. It returns ENOTFOUND for an
	// incident the caller may not see, EINVALID for a malformed request and
	// ECONFLICT for an action the incident's status does not allow.
	Transition(ctx context.Context, req LifecycleRequest) (*Incident, error)
}

// IncidentEvent is one thing that happened to an incident: a lifecycle
// transition, a pause or resume of its clocks, a priority change or an
// escalation.
type IncidentEvent struct {
	ID         int64
	IncidentID string
	AccountID  string
	// Kind is the lifecycle action, "created", "workflow_started",
	// "clocks_started" or "escalation".
	Kind       string
	FromStatus IncidentStatus
	ToStatus   IncidentStatus
	Reason     string
	ActorID    string
	At         time.Time
	// Data is the event's details as a JSON object.
	Data []byte
}

// RegionEvent is one change in a region: an incident's event, or an
// engineer as they stand after a change (where they are, their load).
// Exactly one of the two is set.
type RegionEvent struct {
	IncidentEvent *IncidentEvent
	Engineer      *Engineer
}

// IncidentEventService finds incident events and follows new ones live.
type IncidentEventService interface {
	// FindIncidentEvents returns an incident's events, oldest first, or
	// ENOTFOUND for an incident the caller may not see.
	FindIncidentEvents(ctx context.Context, incidentID string) ([]*IncidentEvent, error)
	// FindEventsOfIncidents is FindIncidentEvents for many incidents in two
	// queries: the events of each, in the order of incidentIDs, nil where
	// FindIncidentEvents would answer ENOTFOUND.
	FindEventsOfIncidents(ctx context.Context, incidentIDs []string) ([][]*IncidentEvent, error)
	// SubscribeIncidentEvents returns the events of one incident from now
	// on, until ctx ends, or ENOTFOUND for an incident the caller may not
	// see. Events written by any process arrive.
	SubscribeIncidentEvents(ctx context.Context, incidentID string) (<-chan *IncidentEvent, error)
	// SubscribeAccountEvents returns the events of every incident of an
	// account from now on, until ctx ends, or ENOTFOUND for an account the
	// caller may not see.
	SubscribeAccountEvents(ctx context.Context, accountID string) (<-chan *IncidentEvent, error)
	// SubscribeRegionEvents returns, from now on until ctx ends, what
	// changes in a region for its dispatchers' board: the events of the
	// incidents at its sites that the caller may see, and its engineers as
	// they move or their load changes. ENOTFOUND for a region that does not
	// exist.
	SubscribeRegionEvents(ctx context.Context, region string) (<-chan *RegionEvent, error)
}
