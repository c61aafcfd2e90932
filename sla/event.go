package sla

import (
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
)

// EventKind says what happened to an SLA clock.
type EventKind string

// The events of a clock's life.
const (
	// EventStarted starts the clock at registration, with its Terms.
	EventStarted EventKind = "started"
	// EventPaused puts the incident on hold for a Reason, by someone. The
	// hold pauses the clock only if PausedBy says so for the clock's kind
	// and terms at that moment.
	EventPaused EventKind = "paused"
	// EventResumed ends the hold, by someone.
	EventResumed EventKind = "resumed"
	// EventRetargeted gives the clock new Terms after a change of priority
	// or policy. The clock keeps its start and its pauses; its budget and
	// deadline are recomputed from them.
	EventRetargeted EventKind = "retargeted"
	// EventStopped stops the clock because its goal was reached: the
	// incident was acknowledged, the engineer arrived, or service was
	// restored. A hold still open ends with it. The clock is then met or
	// breached for good.
	EventStopped EventKind = "stopped"
)

// Event is one thing that happened to an SLA clock; a clock's state is the
// fold of its events (see Clock.Apply and Replay).
type Event struct {
	Kind EventKind
	At   time.Time
	// By is who caused the event: a user ID, or the system. Pauses and
	// resumes require it.
	By string
	// Reason is why the incident went on hold, for EventPaused.
	Reason PauseReason
	// Terms are the clock's new terms, for EventStarted and EventRetargeted.
	Terms Terms
}

// validate returns an EINVALID error unless e is well formed on its own.
func (e Event) validate() error {
	if e.At.IsZero() {
		return aftercare.Errorf(aftercare.EINVALID, "%s event has no time", e.Kind)
	}
	switch e.Kind {
	case EventStarted, EventRetargeted:
		if err := e.Terms.Validate(); err != nil {
			return aftercare.Errorf(aftercare.EINVALID, "%s event: %s", e.Kind, aftercare.ErrorMessage(err))
		}
	case EventPaused:
		if !e.Reason.Valid() {
			return aftercare.Errorf(aftercare.EINVALID, "paused event: unknown reason %q", e.Reason)
		}
		if e.By == "" {
			return aftercare.Errorf(aftercare.EINVALID, "paused event: who paused the clock is missing")
		}
	case EventResumed:
		if e.By == "" {
			return aftercare.Errorf(aftercare.EINVALID, "resumed event: who resumed the clock is missing")
		}
	case EventStopped:
	default:
		return aftercare.Errorf(aftercare.EINVALID, "unknown clock event %q", e.Kind)
	}
	return nil
}

// Replay recomputes a clock of the given kind, at a site in loc with the
// given holidays, from its whole history of events. It folds the events'
// facts and then computes the clock's usage and deadline once from all of
// them, where Clock.Apply keeps those up to date one event at a time; both
// give the same clock. An event that does not fit the history before it is
// an error naming its position.
func Replay(kind aftercare.ClockKind, loc *time.Location, holidays HolidaySet, events []Event) (*Clock, error) {
	c, err := NewClock(kind, loc, holidays)
	if err != nil {
		return nil, err
	}
	for i, e := range events {
		if err := c.check(e); err != nil {
			return nil, fmt.Errorf("replay %s clock event %d: %w", kind, i+1, err)
		}
		c.record(e)
	}
	if c.started {
		c.recompute()
	}
	return c, nil
}
