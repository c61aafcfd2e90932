package sla_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// reference is the obvious, slow definition of business time that the fast
// calendar maths must equal: it steps minute by minute and asks of each
// minute whether the clock runs in it. Every instant given to it must be a
// whole minute, and no daylight-saving change may fall inside 09:00–18:00
// local (none does in the zones of cities.csv).
type reference struct {
	coverage aftercare.SLACoverage
	loc      *time.Location
	holidays sla.HolidaySet
}

// referenceHorizon is how far the reference looks for a deadline.
const referenceHorizon = 120 * 24 * time.Hour

// businessDay reports whether d is a business day.
func (r reference) businessDay(d aftercare.Date) bool {
	if r.coverage == aftercare.Coverage24x7 {
		return true
	}
	if kind, ok := r.holidays.Kind(d); ok {
		return kind == aftercare.DayWorkday
	}
	wd := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// nextBusinessDay returns the first business day after d.
func (r reference) nextBusinessDay(d aftercare.Date) aftercare.Date {
	for {
		d = aftercare.DateOf(time.Date(d.Year, d.Month, d.Day+1, 12, 0, 0, 0, time.UTC))
		if r.businessDay(d) {
			return d
		}
	}
}

// counts reports whether the minute starting at m counts towards a clock.
func (r reference) counts(m time.Time, pauses []sla.Pause) bool {
	for _, p := range pauses {
		if !m.Before(p.From) && (p.To.IsZero() || m.Before(p.To)) {
			return false
		}
	}
	if r.coverage == aftercare.Coverage24x7 {
		return true
	}
	l := m.In(r.loc)
	return r.businessDay(aftercare.DateOf(l)) && l.Hour() >= 9 && l.Hour() < 18
}

// elapsed counts the minutes in [start, now) that count.
func (r reference) elapsed(start, now time.Time, pauses []sla.Pause) time.Duration {
	var used time.Duration
	for m := start; m.Before(now); m = m.Add(time.Minute) {
		if r.counts(m, pauses) {
			used += time.Minute
		}
	}
	return used
}

// spend steps from start until budget minutes have counted, returning the
// end of the last one, or the zero time if the horizon comes first.
func (r reference) spend(start time.Time, budget time.Duration, pauses []sla.Pause) time.Time {
	if budget <= 0 {
		return start
	}
	var used time.Duration
	for m := start; m.Before(start.Add(referenceHorizon)); m = m.Add(time.Minute) {
		if r.counts(m, pauses) {
			used += time.Minute
			if used == budget {
				return m.Add(time.Minute)
			}
		}
	}
	return time.Time{}
}

// budget returns the business time target t grants a clock started at
// start, read off the target's text.
func (r reference) budget(tb testing.TB, start time.Time, t aftercare.SLATarget) time.Duration {
	tb.Helper()
	text := t.String()
	switch t.Kind() {
	case aftercare.TargetWall:
		d, err := time.ParseDuration(text)
		require.NoError(tb, err)
		return d
	case aftercare.TargetBusinessHours:
		n, err := strconv.Atoi(strings.TrimSuffix(text, "BH"))
		require.NoError(tb, err)
		return time.Duration(n) * time.Hour
	case aftercare.TargetBusinessDays:
		n, err := strconv.Atoi(strings.TrimSuffix(text, "BD"))
		require.NoError(tb, err)
		return r.elapsed(start, r.closeOfBusiness(start, n, r.closing()), nil)
	case aftercare.TargetNextBusinessDay:
		return r.elapsed(start, r.closeOfBusiness(start, 1, 16), nil)
	}
	return 0
}

// closing is the local hour at which a business day ends.
func (r reference) closing() int {
	if r.coverage == aftercare.Coverage24x7 {
		return 24
	}
	return 18
}

// closeOfBusiness returns the close of the days-th business day after the
// request day of a request at start, with the cut-off at a local hour.
func (r reference) closeOfBusiness(start time.Time, days, cutoffHour int) time.Time {
	day := aftercare.DateOf(start.In(r.loc))
	cutoff := time.Date(day.Year, day.Month, day.Day, cutoffHour, 0, 0, 0, r.loc)
	if !r.businessDay(day) || start.After(cutoff) {
		day = r.nextBusinessDay(day)
	}
	for range days {
		day = r.nextBusinessDay(day)
	}
	return time.Date(day.Year, day.Month, day.Day, r.closing(), 0, 0, 0, r.loc)
}
