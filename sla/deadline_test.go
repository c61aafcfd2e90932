package sla_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// pauseSpec is a pause in a table test, in the site's local time; an empty
// to is a pause still open.
type pauseSpec struct{ from, to string }

// mustPauses turns pause specs into pauses.
func mustPauses(tb testing.TB, loc *time.Location, specs []pauseSpec) []sla.Pause {
	tb.Helper()
	var pauses []sla.Pause
	for _, s := range specs {
		p := sla.Pause{From: MustLocal(tb, loc, s.from), Reason: aftercare.PauseQuoteApproval}
		if s.to != "" {
			p.To = MustLocal(tb, loc, s.to)
		}
		pauses = append(pauses, p)
	}
	return pauses
}

func TestDeadline(t *testing.T) {
	china := MustChinaHolidays(t)
	none := sla.HolidaySet{}
	tests := []struct {
		name     string
		zone     string
		coverage aftercare.SLACoverage
		holidays sla.HolidaySet
		start    string
		target   string
		pauses   []pauseSpec
		want     string
		budget   time.Duration
	}{
		// The Friday before the Spring Festival: Saturday 2026-02-14 is a
		// make-up workday, 02-15..02-23 are holidays, Saturday 02-28 is
		// another make-up workday.
		{"spring festival 4BH", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-02-13 17:59", "4BH", nil,
			"2026-02-14 12:59 CST", 4 * time.Hour},
		{"spring festival 10BH", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-02-13 17:59", "10BH", nil,
			"2026-02-24 09:59 CST", 10 * time.Hour},
		{"spring festival NBD after cut-off", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-02-13 17:59", "NBD", nil,
			"2026-02-24 18:00 CST", 18*time.Hour + time.Minute},
		{"spring festival NBD before cut-off", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-02-13 15:59", "NBD", nil,
			"2026-02-14 18:00 CST", 11*time.Hour + time.Minute},
		{"spring festival 1BD", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-02-13 17:59", "1BD", nil,
			"2026-02-14 18:00 CST", 9*time.Hour + time.Minute},
		{"spring festival 3BD", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-02-13 17:59", "3BD", nil,
			"2026-02-25 18:00 CST", 27*time.Hour + time.Minute},
		{"spring festival 6BD ends on the make-up Saturday", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-02-13 17:59", "6BD", nil,
			"2026-02-28 18:00 CST", 54*time.Hour + time.Minute},
		{"request on a holiday", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-02-17 10:00", "4BH", nil,
			"2026-02-24 13:00 CST", 4 * time.Hour},
		{"request on a holiday, 1BD", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-02-17 10:00", "1BD", nil,
			"2026-02-25 18:00 CST", 18 * time.Hour},
		{"platinum runs through the holiday", "Asia/Shanghai", aftercare.Coverage24x7, china, "2026-02-13 17:59", "4h", nil,
			"2026-02-13 21:59 CST", 4 * time.Hour},
		// National Day: 10-01..10-07 are holidays, Saturday 10-10 and
		// Sunday 09-20 are make-up workdays.
		{"national day 3BD ends on the make-up Saturday", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-09-30 17:59", "3BD", nil,
			"2026-10-10 18:00 CST", 27*time.Hour + time.Minute},
		{"national day NBD", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-09-30 17:59", "NBD", nil,
			"2026-10-09 18:00 CST", 18*time.Hour + time.Minute},
		{"national day 4BH", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-09-30 17:59", "4BH", nil,
			"2026-10-08 12:59 CST", 4 * time.Hour},
		{"make-up Sunday", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-09-18 17:00", "4BH", nil,
			"2026-09-20 12:00 CST", 4 * time.Hour},
		// The 16:00 cut-off of NBD.
		{"NBD at 15:59", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-03-02 15:59", "NBD", nil,
			"2026-03-03 18:00 CST", 11*time.Hour + time.Minute},
		{"NBD at 16:00", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-03-02 16:00", "NBD", nil,
			"2026-03-03 18:00 CST", 11 * time.Hour},
		{"NBD at 16:01", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-03-02 16:01", "NBD", nil,
			"2026-03-04 18:00 CST", 19*time.Hour + 59*time.Minute},
		{"NBD before opening", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-03-02 07:00", "NBD", nil,
			"2026-03-03 18:00 CST", 18 * time.Hour},
		{"NBD on a Saturday", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-03-07 10:00", "NBD", nil,
			"2026-03-10 18:00 CST", 18 * time.Hour},
		{"NBD at 16:01 on 24x7", "Asia/Shanghai", aftercare.Coverage24x7, china, "2026-03-02 16:01", "NBD", nil,
			"2026-03-05 00:00 CST", 55*time.Hour + 59*time.Minute},
		// Daylight saving: business hours stay 09:00-18:00 local, and 24x7
		// time is wall time.
		{"New York spring forward 9x5", "America/New_York", aftercare.Coverage9x5, none, "2026-03-06 17:00", "4BH", nil,
			"2026-03-09 12:00 EDT", 4 * time.Hour},
		{"New York spring forward 1BD", "America/New_York", aftercare.Coverage9x5, none, "2026-03-06 10:00", "1BD", nil,
			"2026-03-09 18:00 EDT", 17 * time.Hour},
		{"New York spring forward 24x7", "America/New_York", aftercare.Coverage24x7, none, "2026-03-07 23:00", "4h", nil,
			"2026-03-08 04:00 EDT", 4 * time.Hour},
		{"New York 24x7 1BD over the short day", "America/New_York", aftercare.Coverage24x7, none, "2026-03-07 10:00", "1BD", nil,
			"2026-03-09 00:00 EDT", 37 * time.Hour},
		{"London spring forward 9x5", "Europe/London", aftercare.Coverage9x5, none, "2026-03-27 17:00", "4BH", nil,
			"2026-03-30 12:00 BST", 4 * time.Hour},
		{"London 24x7 1BD over the short day", "Europe/London", aftercare.Coverage24x7, none, "2026-03-28 10:00", "1BD", nil,
			"2026-03-30 00:00 BST", 37 * time.Hour},
		{"London 24x7 NBD after cut-off", "Europe/London", aftercare.Coverage24x7, none, "2026-03-28 17:00", "NBD", nil,
			"2026-03-31 00:00 BST", 54 * time.Hour},
		{"London 24x7 1BD over the long day", "Europe/London", aftercare.Coverage24x7, none, "2026-10-24 10:00", "1BD", nil,
			"2026-10-26 00:00 GMT", 39 * time.Hour},
		{"Sydney fall back 9x5", "Australia/Sydney", aftercare.Coverage9x5, none, "2026-04-03 17:00", "4BH", nil,
			"2026-04-06 12:00 AEST", 4 * time.Hour},
		// Pauses.
		{"pause spanning the mid-autumn holiday", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-09-24 10:00", "3BD",
			[]pauseSpec{{"2026-09-24 15:00", "2026-09-28 11:00"}}, "2026-10-08 14:00 CST", 35 * time.Hour},
		{"pause over a holiday weekend, 4BH", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-09-24 16:00", "4BH",
			[]pauseSpec{{"2026-09-24 17:00", "2026-09-28 10:00"}}, "2026-09-28 13:00 CST", 4 * time.Hour},
		{"overlapping pauses", "Asia/Shanghai", aftercare.Coverage24x7, china, "2026-03-02 10:00", "4h",
			[]pauseSpec{{"2026-03-02 11:00", "2026-03-02 12:00"}, {"2026-03-02 11:30", "2026-03-02 12:30"}},
			"2026-03-02 15:30 CST", 4 * time.Hour},
		{"pause from before the start", "Asia/Shanghai", aftercare.Coverage24x7, china, "2026-03-02 10:00", "4h",
			[]pauseSpec{{"2026-03-01 10:00", "2026-03-02 11:00"}}, "2026-03-02 15:00 CST", 4 * time.Hour},
		{"open pause", "Asia/Shanghai", aftercare.Coverage24x7, china, "2026-03-02 10:00", "4h",
			[]pauseSpec{{"2026-03-02 11:00", ""}}, "none", 4 * time.Hour},
		{"open pause after the deadline", "Asia/Shanghai", aftercare.Coverage24x7, china, "2026-03-02 10:00", "4h",
			[]pauseSpec{{"2026-03-02 15:00", ""}}, "2026-03-02 14:00 CST", 4 * time.Hour},
		{"pause at the deadline", "Asia/Shanghai", aftercare.Coverage24x7, china, "2026-03-02 10:00", "4h",
			[]pauseSpec{{"2026-03-02 14:00", ""}}, "2026-03-02 14:00 CST", 4 * time.Hour},
		{"pause outside business hours changes nothing", "Asia/Shanghai", aftercare.Coverage9x5, china, "2026-03-02 17:00", "4BH",
			[]pauseSpec{{"2026-03-02 18:00", "2026-03-03 09:00"}}, "2026-03-03 12:00 CST", 4 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := MustLoadLocation(t, tt.zone)
			cal := MustCalendar(t, tt.coverage, loc, tt.holidays)
			start := MustLocal(t, loc, tt.start)
			target := MustTarget(t, tt.target)
			pauses := mustPauses(t, loc, tt.pauses)

			budget := sla.Budget(start, target, cal)
			assert.Equal(t, tt.budget, budget, "Budget(%s, %s) = %s, want %s", tt.start, tt.target, budget, tt.budget)
			deadline := sla.Deadline(start, target, cal, pauses)
			assert.Equal(t, tt.want, local(deadline, loc), "Deadline(%s, %s) = %s, want %s",
				tt.start, tt.target, local(deadline, loc), tt.want)
			if !deadline.IsZero() {
				assert.Equal(t, loc, deadline.Location(), "the deadline is in the site's zone")
				used := sla.Elapsed(start, deadline, cal, pauses)
				assert.Equal(t, budget, used, "Elapsed(%s, Deadline) = %s, want the budget %s", tt.start, used, budget)
			}
		})
	}
}

func TestPercentInstant(t *testing.T) {
	loc := MustLoadLocation(t, "Asia/Shanghai")
	cal := MustCalendar(t, aftercare.Coverage9x5, loc, MustChinaHolidays(t))
	start := MustLocal(t, loc, "2026-03-02 10:00") // NBD budget: 8h today + 9h tomorrow
	tests := []struct {
		percent int
		want    string
	}{
		{-5, "2026-03-02 10:00 CST"},
		{0, "2026-03-02 10:00 CST"},
		{50, "2026-03-03 09:30 CST"},
		{75, "2026-03-03 13:45 CST"},
		{90, "2026-03-03 16:18 CST"},
		{100, "2026-03-03 18:00 CST"},
		{150, "2026-03-04 17:30 CST"},
	}
	for _, tt := range tests {
		got := sla.PercentInstant(start, aftercare.NextBusinessDayTarget(), tt.percent, cal, nil)
		assert.Equal(t, tt.want, local(got, loc), "PercentInstant(NBD, %d) = %s, want %s", tt.percent, local(got, loc), tt.want)
	}
	assert.True(t, sla.PercentInstant(start, aftercare.SLATarget{}, 50, cal, nil).IsZero(), "a target that does not apply has no instants")
	assert.True(t, sla.Deadline(start, aftercare.SLATarget{}, cal, nil).IsZero(), "a target that does not apply has no deadline")
}

func TestElapsedAndRemaining(t *testing.T) {
	loc := MustLoadLocation(t, "Asia/Shanghai")
	cal := MustCalendar(t, aftercare.Coverage9x5, loc, MustChinaHolidays(t))
	start := MustLocal(t, loc, "2026-09-24 10:00")
	pauses := mustPauses(t, loc, []pauseSpec{{"2026-09-24 15:00", "2026-09-28 11:00"}})
	tests := []struct {
		now           string
		elapsed, left time.Duration
	}{
		{"2026-09-24 09:00", 0, 35 * time.Hour},
		{"2026-09-24 12:00", 2 * time.Hour, 33 * time.Hour},
		{"2026-09-25 12:00", 5 * time.Hour, 30 * time.Hour},
		{"2026-09-28 12:00", 6 * time.Hour, 29 * time.Hour},
		{"2026-10-08 14:00", 35 * time.Hour, 0},
		{"2026-10-09 10:00", 40 * time.Hour, -5 * time.Hour},
	}
	target := aftercare.BusinessDaysTarget(3)
	for _, tt := range tests {
		now := MustLocal(t, loc, tt.now)
		got := sla.Elapsed(start, now, cal, pauses)
		assert.Equal(t, tt.elapsed, got, "Elapsed(%s) = %s, want %s", tt.now, got, tt.elapsed)
		left := sla.Remaining(start, now, target, cal, pauses)
		assert.Equal(t, tt.left, left, "Remaining(%s) = %s, want %s", tt.now, left, tt.left)
	}
}

func TestStateAt(t *testing.T) {
	loc := MustLoadLocation(t, "Asia/Shanghai")
	at := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		return MustLocal(t, loc, s)
	}
	pauses := mustPauses(t, loc, []pauseSpec{{"2026-03-02 11:00", "2026-03-02 12:00"}, {"2026-03-02 16:00", ""}})
	tests := []struct {
		name, now, deadline, stop string
		want                      aftercare.ClockState
	}{
		{"running", "2026-03-02 10:30", "2026-03-02 15:00", "", aftercare.ClockRunning},
		{"paused", "2026-03-02 11:00", "2026-03-02 15:00", "", aftercare.ClockPaused},
		{"resumed", "2026-03-02 12:00", "2026-03-02 15:00", "", aftercare.ClockRunning},
		{"at the deadline", "2026-03-02 15:00", "2026-03-02 15:00", "", aftercare.ClockRunning},
		{"past the deadline", "2026-03-02 15:01", "2026-03-02 15:00", "", aftercare.ClockBreached},
		{"paused past the deadline", "2026-03-02 16:30", "2026-03-02 15:00", "", aftercare.ClockBreached},
		{"paused without a deadline", "2026-03-02 17:00", "", "", aftercare.ClockPaused},
		{"met", "2026-03-02 15:30", "2026-03-02 15:00", "2026-03-02 14:00", aftercare.ClockMet},
		{"met at the deadline", "2026-03-02 15:30", "2026-03-02 15:00", "2026-03-02 15:00", aftercare.ClockMet},
		{"met late", "2026-03-02 15:30", "2026-03-02 15:00", "2026-03-02 15:01", aftercare.ClockBreached},
		{"stop still ahead", "2026-03-02 10:30", "2026-03-02 15:00", "2026-03-02 14:00", aftercare.ClockRunning},
		{"stopped while paused without a deadline", "2026-03-02 18:00", "", "2026-03-02 17:00", aftercare.ClockMet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sla.StateAt(at(tt.now), at(tt.deadline), at(tt.stop), pauses)
			assert.Equal(t, tt.want, got, "StateAt(%s, deadline %s, stop %s) = %q, want %q",
				tt.now, tt.deadline, tt.stop, got, tt.want)
		})
	}
}
