package sla

import (
	"slices"
	"time"

	"github.com/aftercare/aftercare"
)

// Hold is an incident's current hold as one clock sees it.
type Hold struct {
	From   time.Time
	Reason aftercare.PauseReason
	By     string
	// Pauses says whether the hold pauses this clock, decided by
	// ClockKind.PausedBy when the hold began.
	Pauses bool
}

// Clock is one SLA clock of an incident, folded from its events one at a
// time as the incident's workflow sees them (Apply), or all at once
// (Replay). The zero Clock is not usable; make one with NewClock.
type Clock struct {
	kind     aftercare.ClockKind
	loc      *time.Location
	holidays HolidaySet

	// The facts, folded from the events.
	started bool
	start   time.Time
	terms   aftercare.SLATerms
	cal     Calendar
	budget  time.Duration
	pauses  []Pause // ended pauses of this clock, in order
	hold    *Hold
	stop    time.Time
	last    time.Time // the instant of the latest event

	// What the facts imply, kept up to date by Apply and computed once by
	// recompute.
	used     time.Duration // business time used by last
	deadline time.Time
}

// NewClock returns a clock of the given kind, not yet started, for a site in
// loc with the given holidays. It returns an EINVALID error for an unknown
// kind or a nil location.
func NewClock(kind aftercare.ClockKind, loc *time.Location, holidays HolidaySet) (*Clock, error) {
	if !slices.Contains(aftercare.ClockKinds, kind) {
		return nil, aftercare.Errorf(aftercare.EINVALID, "unknown clock kind %q", kind)
	}
	if loc == nil {
		return nil, aftercare.Errorf(aftercare.EINVALID, "a clock needs the site's time zone")
	}
	return &Clock{kind: kind, loc: loc, holidays: holidays}, nil
}

// Apply folds one event into the clock. It returns an EINVALID error for a
// malformed event or one earlier than the event before it, and an ECONFLICT
// error for an event that does not fit the clock's state: anything before
// the start or after the stop, a second start, a pause while on hold or a
// resume while not. A rejected event leaves the clock as it was.
func (c *Clock) Apply(e aftercare.ClockEvent) error {
	if err := c.check(e); err != nil {
		return err
	}
	if c.running() {
		c.used += c.cal.between(c.last, e.At)
	}
	ended := c.record(e)
	switch e.Kind {
	case aftercare.ClockEventStarted:
		c.deadline = c.cal.add(c.start, c.budget)
	case aftercare.ClockEventRetargeted:
		c.recompute()
	case aftercare.ClockEventPaused:
		if c.hold.Pauses && c.used < c.budget {
			c.deadline = time.Time{}
		}
	}
	if ended && c.used < c.budget {
		c.deadline = c.cal.add(e.At, c.budget-c.used)
	}
	return nil
}

// check returns the error Apply gives for e, or nil if e fits.
func (c *Clock) check(e aftercare.ClockEvent) error {
	if err := e.Validate(); err != nil {
		return err
	}
	switch {
	case !c.started && e.Kind != aftercare.ClockEventStarted:
		return aftercare.Errorf(aftercare.ECONFLICT, "%s event before the %s clock started", e.Kind, c.kind)
	case c.started && e.Kind == aftercare.ClockEventStarted:
		return aftercare.Errorf(aftercare.ECONFLICT, "the %s clock already started at %s", c.kind, c.start.Format(time.RFC3339))
	case !c.stop.IsZero():
		return aftercare.Errorf(aftercare.ECONFLICT, "%s event after the %s clock stopped at %s",
			e.Kind, c.kind, c.stop.Format(time.RFC3339))
	case c.started && e.At.Before(c.last):
		return aftercare.Errorf(aftercare.EINVALID, "%s event at %s is before the previous event at %s",
			e.Kind, e.At.Format(time.RFC3339), c.last.Format(time.RFC3339))
	case e.Kind == aftercare.ClockEventPaused && c.hold != nil:
		return aftercare.Errorf(aftercare.ECONFLICT, "the incident is already on hold (%s) since %s",
			c.hold.Reason, c.hold.From.Format(time.RFC3339))
	case e.Kind == aftercare.ClockEventResumed && c.hold == nil:
		return aftercare.Errorf(aftercare.ECONFLICT, "resumed event while the incident is not on hold")
	}
	return nil
}

// record folds the facts of a checked event into the clock, and reports
// whether the event ended a pause of this clock.
func (c *Clock) record(e aftercare.ClockEvent) (endedPause bool) {
	c.last = e.At
	switch e.Kind {
	case aftercare.ClockEventStarted, aftercare.ClockEventRetargeted:
		if e.Kind == aftercare.ClockEventStarted {
			c.started, c.start = true, e.At
		}
		c.terms = e.Terms
		c.cal = Calendar{coverage: e.Terms.Coverage, loc: c.loc, holidays: c.holidays}
		c.budget = Budget(c.start, c.terms.Target, c.cal)
	case aftercare.ClockEventPaused:
		c.hold = &Hold{From: e.At, Reason: e.Reason, By: e.By, Pauses: c.kind.PausedBy(e.Reason, c.terms.PartsPause)}
	case aftercare.ClockEventResumed, aftercare.ClockEventStopped:
		if e.Kind == aftercare.ClockEventStopped {
			c.stop = e.At
		}
		if c.hold != nil && c.hold.Pauses {
			c.pauses = append(c.pauses, Pause{From: c.hold.From, To: e.At, Reason: c.hold.Reason,
				PausedBy: c.hold.By, ResumedBy: e.By})
			endedPause = true
		}
		c.hold = nil
	}
	return endedPause
}

// recompute sets the clock's usage and deadline from its facts alone.
func (c *Clock) recompute() {
	pauses := c.Pauses()
	c.used = Elapsed(c.start, c.last, c.cal, pauses)
	c.deadline = spend(c.start, c.budget, c.cal, pauses)
}

// running reports whether the clock is counting: started, not stopped, and
// not paused.
func (c *Clock) running() bool {
	return c.started && c.stop.IsZero() && (c.hold == nil || !c.hold.Pauses)
}

// Kind returns which of the incident's clocks this is.
func (c *Clock) Kind() aftercare.ClockKind { return c.kind }

// Start returns when the clock started, or the zero time before it has.
func (c *Clock) Start() time.Time { return c.start }

// Stop returns when the clock stopped, or the zero time if it has not.
func (c *Clock) Stop() time.Time { return c.stop }

// Terms returns what the clock is held to now.
func (c *Clock) Terms() aftercare.SLATerms { return c.terms }

// Calendar returns the calendar the clock runs on now.
func (c *Clock) Calendar() Calendar { return c.cal }

// Budget returns the business time the clock's target grants it.
func (c *Clock) Budget() time.Duration { return c.budget }

// Hold returns the incident's current hold, and false if it is not on hold.
func (c *Clock) Hold() (Hold, bool) {
	if c.hold == nil {
		return Hold{}, false
	}
	return *c.hold, true
}

// Pauses returns every pause of this clock in order, the last one open if
// the clock is paused now.
func (c *Clock) Pauses() []Pause {
	pauses := slices.Clone(c.pauses)
	if c.hold != nil && c.hold.Pauses {
		pauses = append(pauses, Pause{From: c.hold.From, Reason: c.hold.Reason, PausedBy: c.hold.By})
	}
	return pauses
}

// Deadline returns the clock's deadline, or the zero time while it is paused
// with budget left (see the package function Deadline).
func (c *Clock) Deadline() time.Time { return c.deadline }

// Elapsed returns the business time the clock has used by now.
func (c *Clock) Elapsed(now time.Time) time.Duration {
	switch {
	case !c.started:
		return 0
	case now.Before(c.last):
		return Elapsed(c.start, now, c.cal, c.Pauses())
	case c.running():
		return c.used + c.cal.between(c.last, now)
	}
	return c.used
}

// Remaining returns the business time the clock has left at now, negative
// once it has run past its deadline.
func (c *Clock) Remaining(now time.Time) time.Duration { return c.budget - c.Elapsed(now) }

// PercentInstant returns the instant at which the clock will have used
// percent % of its budget given its pauses so far, as the package function
// PercentInstant defines it: where the escalation level of that percentage
// fires.
func (c *Clock) PercentInstant(percent int) time.Time {
	if !c.started {
		return time.Time{}
	}
	return PercentInstant(c.start, c.terms.Target, percent, c.cal, c.Pauses())
}

// State returns the clock's state at now; "" before it started.
func (c *Clock) State(now time.Time) aftercare.ClockState {
	if !c.started || now.Before(c.start) {
		return ""
	}
	return StateAt(now, c.deadline, c.stop, c.Pauses())
}
