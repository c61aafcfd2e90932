package sla

import (
	"time"

	"github.com/aftercare/aftercare"
)

// Budget returns the business time target t grants a clock started at start
// on calendar cal (see the package comment): the duration of a wall or
// business-hours target, and for business days and next business day the
// business time from start to the close of business the target names. A
// target that does not apply has no budget.
func Budget(start time.Time, t aftercare.SLATarget, cal Calendar) time.Duration {
	switch t.Kind() {
	case aftercare.TargetWall, aftercare.TargetBusinessHours:
		return t.Duration()
	case aftercare.TargetBusinessDays:
		return cal.between(start, cal.dayDeadline(start, t.Days(), cal.closing()))
	case aftercare.TargetNextBusinessDay:
		return cal.between(start, cal.dayDeadline(start, 1, nbdCutoff))
	}
	return 0
}

// Deadline returns the earliest instant at which a clock started at start on
// calendar cal, paused during pauses, has used the budget of target t. It
// returns the zero time if t does not apply, or if an open pause begins
// before the budget is used up, since the clock then has no deadline until
// it resumes.
func Deadline(start time.Time, t aftercare.SLATarget, cal Calendar, pauses []Pause) time.Time {
	if !t.Applies() {
		return time.Time{}
	}
	return spend(start, Budget(start, t, cal), cal, pauses)
}

// PercentInstant returns the earliest instant at which a clock started at
// start on calendar cal, paused during pauses, has used percent % of the
// budget of target t: the instant at which the escalation level of that
// percentage fires. 100 % is the deadline, a percentage of zero or less is
// start, and the result is the zero time under the same conditions as
// Deadline. It never decreases as percent grows.
func PercentInstant(start time.Time, t aftercare.SLATarget, percent int, cal Calendar, pauses []Pause) time.Time {
	if !t.Applies() {
		return time.Time{}
	}
	return spend(start, scale(Budget(start, t, cal), percent), cal, pauses)
}

// Elapsed returns the business time a clock started at start on calendar cal
// has used by now: the business time in [start, now) outside pauses, zero
// if now is not after start.
func Elapsed(start, now time.Time, cal Calendar, pauses []Pause) time.Duration {
	var used time.Duration
	cursor := start
	for _, p := range mergePauses(start, pauses) {
		if !p.from.Before(now) {
			break
		}
		used += cal.between(cursor, p.from)
		if p.to.IsZero() {
			return used
		}
		cursor = p.to
	}
	return used + cal.between(cursor, now)
}

// Remaining returns the business time a clock started at start on calendar
// cal, paused during pauses, has left of target t's budget at now. It is
// negative once the clock has run past its deadline.
func Remaining(start, now time.Time, t aftercare.SLATarget, cal Calendar, pauses []Pause) time.Duration {
	return Budget(start, t, cal) - Elapsed(start, now, cal, pauses)
}

// spend returns the earliest instant at which a clock started at start has
// used budget of business time outside pauses, or the zero time if an open
// pause begins first.
func spend(start time.Time, budget time.Duration, cal Calendar, pauses []Pause) time.Time {
	cursor := start
	for _, p := range mergePauses(start, pauses) {
		if avail := cal.between(cursor, p.from); budget > avail {
			budget -= avail
		} else {
			return cal.add(cursor, budget)
		}
		if p.to.IsZero() {
			return time.Time{}
		}
		cursor = p.to
	}
	return cal.add(cursor, budget)
}

// scale returns percent % of d, rounded down, without overflowing for any
// budget a valid target grants.
func scale(d time.Duration, percent int) time.Duration {
	if percent <= 0 {
		return 0
	}
	p := time.Duration(percent)
	return d/100*p + d%100*p/100
}
