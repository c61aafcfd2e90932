package sla_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

func TestIsBusinessDay(t *testing.T) {
	loc := MustLoadLocation(t, "Asia/Shanghai")
	china := MustChinaHolidays(t)
	nineToFive := MustCalendar(t, aftercare.Coverage9x5, loc, china)
	aroundTheClock := MustCalendar(t, aftercare.Coverage24x7, loc, china)
	tests := []struct {
		date string
		want bool
	}{
		{"2026-02-13", true},  // Friday
		{"2026-02-14", true},  // Saturday, make-up workday
		{"2026-02-15", false}, // Sunday, Spring Festival
		{"2026-02-23", false}, // Monday, Spring Festival
		{"2026-02-24", true},  // Tuesday
		{"2026-02-28", true},  // Saturday, make-up workday
		{"2026-03-07", false}, // Saturday
		{"2026-09-25", false}, // Friday, Mid-Autumn
		{"2026-10-10", true},  // Saturday, make-up workday
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			d, err := aftercare.ParseDate(tt.date)
			require.NoError(t, err)
			got := nineToFive.IsBusinessDay(d)
			assert.Equal(t, tt.want, got, "9x5 IsBusinessDay(%s) = %v, want %v", tt.date, got, tt.want)
			assert.True(t, aroundTheClock.IsBusinessDay(d), "on 24x7 every day is a business day")
		})
	}
}

func TestZeroCalendar(t *testing.T) {
	var cal sla.Calendar
	assert.Equal(t, aftercare.Coverage24x7, cal.Coverage())
	assert.Equal(t, time.UTC, cal.Location())
	start := time.Date(2026, time.March, 7, 23, 0, 0, 0, time.UTC)
	assert.Equal(t, 5*time.Hour, sla.Elapsed(start, start.Add(5*time.Hour), cal, nil))
	assert.Equal(t, "2026-03-09 00:00 UTC", local(sla.Deadline(start, aftercare.BusinessDaysTarget(1), cal, nil), time.UTC))
}
