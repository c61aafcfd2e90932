package sla

import "time"

// State is where an SLA clock stands at an instant. The zero State belongs to
// a clock that has not started.
type State string

// The states of a clock, as the sla_clocks table stores them.
const (
	// StateRunning is a clock that is counting towards a deadline it has not
	// passed.
	StateRunning State = "running"
	// StatePaused is a clock on hold before its deadline.
	StatePaused State = "paused"
	// StateMet is a clock stopped no later than its deadline.
	StateMet State = "met"
	// StateBreached is a clock stopped after its deadline, or still going
	// past it.
	StateBreached State = "breached"
)

// StateAt returns the state at now of a clock with the given deadline (the
// zero time if it has none, see Deadline), stop instant (the zero time if it
// has not stopped) and pauses. A clock stopped at or before now is met if it
// stopped no later than its deadline and breached otherwise; a clock still
// going is breached once now is after its deadline, paused if now is in a
// pause, and running otherwise. A clock that stops exactly at its deadline is
// met.
func StateAt(now, deadline, stop time.Time, pauses []Pause) State {
	if !stop.IsZero() && !stop.After(now) {
		if !deadline.IsZero() && stop.After(deadline) {
			return StateBreached
		}
		return StateMet
	}
	if !deadline.IsZero() && now.After(deadline) {
		return StateBreached
	}
	for _, p := range pauses {
		if !now.Before(p.From) && (p.open() || now.Before(p.To)) {
			return StatePaused
		}
	}
	return StateRunning
}
