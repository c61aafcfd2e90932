package sla

import (
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
)

// Replay recomputes a clock of the given kind, at a site in loc with the
// given holidays, from its whole history of events. It folds the events'
// facts and then computes the clock's usage and deadline once from all of
// them, where Clock.Apply keeps those up to date one event at a time; both
// give the same clock. An event that does not fit the history before it is
// an error naming its position.
func Replay(kind aftercare.ClockKind, loc *time.Location, holidays HolidaySet, events []aftercare.ClockEvent) (*Clock, error) {
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
