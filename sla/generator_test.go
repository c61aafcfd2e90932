package sla_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// generator makes random calendars, instants, targets, pauses and event
// histories from a fixed seed, so a failure names a case that replays.
type generator struct {
	rng    *rand.Rand
	zones  []*time.Location
	china  sla.HolidaySet
	events int
}

// newGenerator returns a generator seeded with seed.
func newGenerator(tb testing.TB, seed uint64) *generator {
	tb.Helper()
	return &generator{
		rng:   rand.New(rand.NewPCG(seed, seed^0x5eed)),
		zones: MustCityZones(tb),
		china: MustChinaHolidays(tb),
	}
}

// scenario is one random clock: a calendar, its reference, a start, a
// target and pauses.
type scenario struct {
	cal    sla.Calendar
	ref    reference
	start  time.Time
	target aftercare.SLATarget
	pauses []sla.Pause
}

// String describes the scenario for failure messages.
func (s scenario) String() string {
	return fmt.Sprintf("%s %s start %s target %s pauses %v", s.cal.Coverage(), s.cal.Location(),
		s.start.In(s.cal.Location()).Format(time.DateTime), s.target, s.pauses)
}

// holidays returns China's real 2026 schedule a third of the time, and
// otherwise random holidays (one weekday in twenty, sometimes in runs) and
// make-up working days (one weekend day in ten) from 2026 to mid-2027.
func (g *generator) holidays(tb testing.TB) sla.HolidaySet {
	tb.Helper()
	if g.rng.IntN(3) == 0 {
		return g.china
	}
	var days []aftercare.SpecialDay
	first := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 540; i++ {
		day := first.AddDate(0, 0, i)
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		switch {
		case !weekend && g.rng.IntN(20) == 0:
			run := 1 + g.rng.IntN(6)
			for j := 0; j < run && i+j < 540; j++ {
				days = append(days, aftercare.SpecialDay{Date: aftercare.DateOf(first.AddDate(0, 0, i+j)), Kind: aftercare.DayHoliday, Name: "random"})
			}
			i += run - 1
		case weekend && g.rng.IntN(10) == 0:
			days = append(days, aftercare.SpecialDay{Date: aftercare.DateOf(day), Kind: aftercare.DayWorkday, Name: "random make-up"})
		}
	}
	set, err := sla.NewHolidaySet(days)
	require.NoError(tb, err)
	return set
}

// calendar returns a random calendar: a zone of cities.csv, a coverage, and
// holidays.
func (g *generator) calendar(tb testing.TB, cov aftercare.SLACoverage) (sla.Calendar, reference) {
	tb.Helper()
	loc := g.zones[g.rng.IntN(len(g.zones))]
	holidays := g.holidays(tb)
	return MustCalendar(tb, cov, loc, holidays), reference{coverage: cov, loc: loc, holidays: holidays}
}

// coverage returns a random coverage.
func (g *generator) coverage() aftercare.SLACoverage {
	if g.rng.IntN(2) == 0 {
		return aftercare.Coverage24x7
	}
	return aftercare.Coverage9x5
}

// instant returns a random whole minute of 2026 in loc: a quarter of the
// time just before a daylight-saving change, a quarter of the time at a
// boundary of the business day, otherwise anywhere.
func (g *generator) instant(loc *time.Location) time.Time {
	t := time.Date(2026, time.January, 1, 0, 0, 0, 0, loc).Add(time.Duration(g.rng.IntN(355*24*60)) * time.Minute)
	switch g.rng.IntN(4) {
	case 0:
		if _, end := t.ZoneBounds(); !end.IsZero() && end.Year() == 2026 {
			return end.Add(-time.Duration(g.rng.IntN(4*24*60)) * time.Minute)
		}
	case 1:
		hm := [][2]int{{0, 0}, {8, 59}, {9, 0}, {15, 59}, {16, 0}, {16, 1}, {17, 59}, {18, 0}, {23, 59}}[g.rng.IntN(9)]
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, hm[0], hm[1], 0, 0, loc)
	}
	return t
}

// target returns a random target that suits the coverage.
func (g *generator) target(cov aftercare.SLACoverage) aftercare.SLATarget {
	switch g.rng.IntN(4) {
	case 0:
		if cov == aftercare.Coverage24x7 {
			return aftercare.WallTarget(time.Duration(1+g.rng.IntN(48*60)) * time.Minute)
		}
		fallthrough
	case 1:
		return aftercare.BusinessHoursTarget(1 + g.rng.IntN(40))
	case 2:
		return aftercare.BusinessDaysTarget(1 + g.rng.IntN(5))
	}
	return aftercare.NextBusinessDayTarget()
}

// pauses returns up to four random pauses around start, possibly
// overlapping, the last one sometimes open.
func (g *generator) pauses(start time.Time) []sla.Pause {
	var pauses []sla.Pause
	for range g.rng.IntN(5) {
		from := start.Add(time.Duration(g.rng.IntN(12*24*60)-24*60) * time.Minute)
		pauses = append(pauses, sla.Pause{From: from, To: from.Add(time.Duration(1+g.rng.IntN(3*24*60)) * time.Minute)})
	}
	if n := len(pauses); n > 0 && g.rng.IntN(8) == 0 {
		pauses[n-1].To = time.Time{}
	}
	return pauses
}

// scenario returns a random scenario.
func (g *generator) scenario(tb testing.TB) scenario {
	tb.Helper()
	cal, ref := g.calendar(tb, g.coverage())
	start := g.instant(cal.Location())
	return scenario{cal: cal, ref: ref, start: start, target: g.target(cal.Coverage()), pauses: g.pauses(start)}
}

// terms returns random terms for a clock.
func (g *generator) terms() aftercare.SLATerms {
	cov := g.coverage()
	return aftercare.SLATerms{Target: g.target(cov), Coverage: cov, PartsPause: g.rng.IntN(2) == 0}
}

// history returns a random, valid event history of a clock: a start, then
// pauses and resumes, changes of terms, and perhaps a stop, at times that
// never go back.
func (g *generator) history(start time.Time) []aftercare.ClockEvent {
	events := []aftercare.ClockEvent{{Kind: aftercare.ClockEventStarted, At: start, Terms: g.terms()}}
	at, onHold := start, false
	for range g.rng.IntN(10) {
		at = at.Add(time.Duration(g.rng.IntN(3*24*60)) * time.Minute)
		g.events++
		who := fmt.Sprintf("user-%d", g.events)
		switch roll := g.rng.IntN(10); {
		case roll < 1:
			return append(events, aftercare.ClockEvent{Kind: aftercare.ClockEventStopped, At: at, By: who})
		case roll < 3:
			events = append(events, aftercare.ClockEvent{Kind: aftercare.ClockEventRetargeted, At: at, By: who, Terms: g.terms()})
		case onHold:
			events = append(events, aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: at, By: who})
			onHold = false
		default:
			reason := aftercare.PauseReasons[g.rng.IntN(len(aftercare.PauseReasons))]
			events = append(events, aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: at, By: who, Reason: reason})
			onHold = true
		}
	}
	return events
}
