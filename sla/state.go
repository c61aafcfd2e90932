package sla

import (
	"time"

	"github.com/aftercare/aftercare"
)

// StateAt returns the state at now of a clock with the given deadline (the
// zero time if it has none, see Deadline), stop instant (the zero time if it
// has not stopped) and pauses. A clock stopped at or before now is met if it
// stopped no later than its deadline and breached otherwise; a clock still
// going is breached once now is after its deadline, paused if now is in a
// pause, and running otherwise. A clock that stops exactly at its deadline is
// met.
func StateAt(now, deadline, stop time.Time, pauses []Pause) aftercare.ClockState {
	if !stop.IsZero() && !stop.After(now) {
		if !deadline.IsZero() && stop.After(deadline) {
			return aftercare.ClockBreached
		}
		return aftercare.ClockMet
	}
	if !deadline.IsZero() && now.After(deadline) {
		return aftercare.ClockBreached
	}
	for _, p := range pauses {
		if !now.Before(p.From) && (p.open() || now.Before(p.To)) {
			return aftercare.ClockPaused
		}
	}
	return aftercare.ClockRunning
}
