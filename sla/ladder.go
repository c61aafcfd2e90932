package sla

import (
	"time"

	"github.com/aftercare/aftercare"
)

// LadderInstants returns, for each level of ladder in order, the instant
// at which the clock, given its events so far, falls due for that level:
// the instant it has used the level's percentage of its budget
// (PercentInstant). A level has the zero time when it never falls due on
// these events: the clock has not started, an open pause begins before
// the level's share is used, or the clock stopped at or before the
// instant (a stopped clock fires nothing more, as an incident's workflow
// runs it).
func (c *Clock) LadderInstants(ladder aftercare.EscalationLadder) []time.Time {
	out := make([]time.Time, len(ladder))
	for i, lv := range ladder {
		at := c.PercentInstant(lv.Percent)
		if at.IsZero() || (!c.stop.IsZero() && !at.Before(c.stop)) {
			continue
		}
		out[i] = at
	}
	return out
}
