package workflows

import (
	"slices"
	"strconv"
	"time"

	"github.com/aftercare/aftercare"
)

// due is one escalation level whose instant has come.
type due struct {
	clock aftercare.ClockKind
	level int // 1-based rung of the ladder
	at    time.Time
}

// nextLevel returns the next unfired level of a clock and its instant, and
// false if the clock has stopped, fired its whole ladder, or is paused
// before that level (it then has no instant until it resumes).
func (inc *incident) nextLevel(k aftercare.ClockKind) (level int, at time.Time, ok bool) {
	c, started := inc.clocks[k]
	ladder := inc.Inputs.Policy.Ladder
	rec := inc.Clocks[k]
	if !started || !c.Stop().IsZero() || rec.Fired >= len(ladder) {
		return 0, time.Time{}, false
	}
	at = c.PercentInstant(ladder[rec.Fired].Percent)
	if at.IsZero() {
		return 0, time.Time{}, false
	}
	return rec.Fired + 1, at, true
}

// dueAt returns the levels due at now, clock by clock in order and each
// clock's levels lowest first, marking none fired.
func (inc *incident) dueAt(now time.Time) []due {
	var out []due
	for _, k := range aftercare.ClockKinds {
		rec, ok := inc.Clocks[k]
		if !ok {
			continue
		}
		fired := rec.Fired
		for {
			level, at, ok := inc.nextLevel(k)
			if !ok || at.After(now) {
				break
			}
			out = append(out, due{clock: k, level: level, at: at})
			rec.Fired++ // look past this level; restored below
		}
		rec.Fired = fired
	}
	return out
}

// nextWake returns the earliest instant at which a level falls due, or the
// zero time if none will without a change.
func (inc *incident) nextWake() time.Time {
	var next time.Time
	for _, k := range aftercare.ClockKinds {
		if _, at, ok := inc.nextLevel(k); ok && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// fire marks a due level fired at now and returns what to record of it.
func (inc *incident) fire(d due, now time.Time, seq int64) aftercare.EscalationFired {
	rec := inc.Clocks[d.clock]
	lv := inc.Inputs.Policy.Ladder[d.level-1]
	rec.Fired = d.level
	rec.Fires = append(rec.Fires, Fire{Level: d.level, Percent: lv.Percent, DueAt: d.at, FiredAt: now})
	actions := slices.Clone(lv.Actions)
	var snap aftercare.ClockSnapshot
	for _, s := range inc.snapshots(now) {
		if s.Kind == d.clock {
			snap = s
		}
	}
	if lv.Percent >= 100 && snap.State != aftercare.ClockMet {
		// The deadline has come; a clock exactly at it is breached from now.
		snap.State = aftercare.ClockBreached
	}
	esc := aftercare.Escalation{
		IncidentID: inc.Inputs.IncidentID, Clock: d.clock, Level: d.level, Percent: lv.Percent,
		Actions: actions, DueAt: d.at, FiredAt: now,
	}
	body := aftercare.EscalationNotice{
		Kind: "escalation", IncidentID: inc.Inputs.IncidentID, IncidentNumber: inc.Inputs.Number,
		AccountID: inc.Inputs.AccountID, Tier: inc.Inputs.Tier, Priority: inc.Priority, Status: inc.Status,
		Clock: d.clock, Level: d.level, Percent: lv.Percent, Actions: actions, Breach: lv.Percent >= 100,
		DueAt: d.at, FiredAt: now, Deadline: snap.Deadline, Target: snap.Target.String(),
	}
	return aftercare.EscalationFired{
		Escalation: esc, AccountID: inc.Inputs.AccountID, Version: seq, Clock: snap, Notification: body,
		Key: escalationKey(inc.Inputs.IncidentID, d.clock, d.level),
	}
}

// escalationKey identifies one level of one clock of one incident.
func escalationKey(incidentID string, clock aftercare.ClockKind, level int) string {
	return "escalation:" + incidentID + ":" + string(clock) + ":" + strconv.Itoa(level)
}
