package aftercare

import "time"

// ClockEventKind says what happened to an SLA clock.
type ClockEventKind string

// The events of a clock's life.
const (
	// ClockEventStarted starts the clock at registration, with its Terms.
	ClockEventStarted ClockEventKind = "started"
	// ClockEventPaused puts the incident on hold for a Reason, by someone.
	// The hold pauses the clock only if ClockKind.PausedBy says so for the
	// clock's kind and terms at that moment.
	ClockEventPaused ClockEventKind = "paused"
	// ClockEventResumed ends the hold, by someone.
	ClockEventResumed ClockEventKind = "resumed"
	// ClockEventRetargeted gives the clock new Terms after a change of
	// priority or policy. The clock keeps its start and its pauses; its
	// budget and deadline are recomputed from them.
	ClockEventRetargeted ClockEventKind = "retargeted"
	// ClockEventStopped stops the clock because its goal was reached: the
	// incident was acknowledged, the engineer arrived, or service was
	// restored. A hold still open ends with it. The clock is then met or
	// breached for good.
	ClockEventStopped ClockEventKind = "stopped"
)

// ClockEvent is one thing that happened to an SLA clock. A clock is the fold
// of its events, which package sla computes; incident workflows record the
// events and the database keeps them, in this type's JSON encoding, so that
// any reader can recompute the clock at any instant.
type ClockEvent struct {
	Kind ClockEventKind
	At   time.Time
	// By is who caused the event: a user ID, or the system. Pauses and
	// resumes require it.
	By string
	// Reason is why the incident went on hold, for ClockEventPaused.
	Reason PauseReason
	// Terms are the clock's new terms, for ClockEventStarted and
	// ClockEventRetargeted.
	Terms SLATerms
}

// Validate returns an EINVALID error unless e is well formed on its own:
// it has a time, a start or retarget has valid terms, and a pause or resume
// says who caused it (and a pause why).
func (e ClockEvent) Validate() error {
	if e.At.IsZero() {
		return Errorf(EINVALID, "%s event has no time", e.Kind)
	}
	switch e.Kind {
	case ClockEventStarted, ClockEventRetargeted:
		if err := e.Terms.Validate(); err != nil {
			return Errorf(EINVALID, "%s event: %s", e.Kind, ErrorMessage(err))
		}
	case ClockEventPaused:
		if !e.Reason.Valid() {
			return Errorf(EINVALID, "paused event: unknown reason %q", e.Reason)
		}
		if e.By == "" {
			return Errorf(EINVALID, "paused event: who paused the clock is missing")
		}
	case ClockEventResumed:
		if e.By == "" {
			return Errorf(EINVALID, "resumed event: who resumed the clock is missing")
		}
	case ClockEventStopped:
	default:
		return Errorf(EINVALID, "unknown clock event %q", e.Kind)
	}
	return nil
}
