package sla_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// benchCase is a year-long clock for the benchmarks: a busy holiday
// calendar, a target that takes about a year of business time, and a pause a
// fortnight.
type benchCase struct {
	name   string
	cal    sla.Calendar
	start  time.Time
	target aftercare.SLATarget
	pauses []sla.Pause
}

// benchCases returns the benchmarks' clocks, in Shanghai with China's 2026
// holidays and in New York across both daylight-saving changes with 40
// holidays.
func benchCases(b *testing.B) []benchCase {
	b.Helper()
	shanghai := MustLoadLocation(b, "Asia/Shanghai")
	newYork := MustLoadLocation(b, "America/New_York")
	var days []aftercare.SpecialDay
	for d := time.Date(2026, time.January, 2, 12, 0, 0, 0, time.UTC); d.Year() == 2026; d = d.AddDate(0, 0, 9) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			days = append(days, aftercare.SpecialDay{Date: aftercare.DateOf(d), Kind: aftercare.DayHoliday, Name: "bench"})
		}
	}
	usHolidays, err := sla.NewHolidaySet(days)
	require.NoError(b, err)
	china := MustChinaHolidays(b)

	pauses := func(loc *time.Location) []sla.Pause {
		var ps []sla.Pause
		for from := time.Date(2026, time.January, 7, 11, 0, 0, 0, loc); from.Year() == 2026; from = from.AddDate(0, 0, 14) {
			ps = append(ps, sla.Pause{From: from, To: from.Add(26 * time.Hour)})
		}
		return ps
	}
	return []benchCase{
		{"9x5/Shanghai/2000BH", MustCalendar(b, aftercare.Coverage9x5, shanghai, china),
			time.Date(2026, time.January, 5, 10, 0, 0, 0, shanghai), aftercare.BusinessHoursTarget(2000), pauses(shanghai)},
		{"9x5/Shanghai/240BD", MustCalendar(b, aftercare.Coverage9x5, shanghai, china),
			time.Date(2026, time.January, 5, 10, 0, 0, 0, shanghai), aftercare.BusinessDaysTarget(240), pauses(shanghai)},
		{"9x5/New_York/2000BH", MustCalendar(b, aftercare.Coverage9x5, newYork, usHolidays),
			time.Date(2026, time.January, 5, 10, 0, 0, 0, newYork), aftercare.BusinessHoursTarget(2000), pauses(newYork)},
		{"24x7/New_York/300BD", MustCalendar(b, aftercare.Coverage24x7, newYork, usHolidays),
			time.Date(2026, time.January, 5, 10, 0, 0, 0, newYork), aftercare.BusinessDaysTarget(300), pauses(newYork)},
	}
}

func BenchmarkDeadline(b *testing.B) {
	for _, bc := range benchCases(b) {
		b.Run(bc.name, func(b *testing.B) {
			var d time.Time
			for b.Loop() {
				d = sla.Deadline(bc.start, bc.target, bc.cal, bc.pauses)
			}
			require.False(b, d.IsZero())
		})
	}
}

func BenchmarkElapsed(b *testing.B) {
	for _, bc := range benchCases(b) {
		b.Run(bc.name, func(b *testing.B) {
			end := bc.start.AddDate(1, 0, 0)
			var used time.Duration
			for b.Loop() {
				used = sla.Elapsed(bc.start, end, bc.cal, bc.pauses)
			}
			require.Positive(b, used)
		})
	}
}

func BenchmarkReplay(b *testing.B) {
	bc := benchCases(b)[0]
	events := []aftercare.ClockEvent{{Kind: aftercare.ClockEventStarted, At: bc.start, Terms: aftercare.SLATerms{Target: bc.target, Coverage: aftercare.Coverage9x5}}}
	for _, p := range bc.pauses {
		events = append(events,
			aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: p.From, By: "bench", Reason: aftercare.PauseQuoteApproval},
			aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: p.To, By: "bench"})
	}
	holidays := MustChinaHolidays(b)
	for b.Loop() {
		_, err := sla.Replay(aftercare.ClockRestore, bc.cal.Location(), holidays, events)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeadlineTypical(b *testing.B) {
	loc := MustLoadLocation(b, "Asia/Shanghai")
	cal := MustCalendar(b, aftercare.Coverage9x5, loc, MustChinaHolidays(b))
	start := time.Date(2026, time.February, 13, 17, 59, 0, 0, loc)
	pauses := []sla.Pause{{From: start.Add(time.Hour), To: start.Add(50 * time.Hour)}}
	for _, target := range []aftercare.SLATarget{aftercare.BusinessHoursTarget(4), aftercare.NextBusinessDayTarget(), aftercare.BusinessDaysTarget(3)} {
		b.Run(target.String(), func(b *testing.B) {
			var d time.Time
			for b.Loop() {
				d = sla.Deadline(start, target, cal, pauses)
			}
			require.False(b, d.IsZero())
		})
	}
}
