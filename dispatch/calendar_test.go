package dispatch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCalendarOnShift(t *testing.T) {
	shanghai, chicago := mustZone(t, "Asia/Shanghai"), mustZone(t, "America/Chicago")
	week := func(loc *time.Location, day time.Weekday, shifts ...Shift) Calendar {
		c := Calendar{Location: loc}
		c.Week[day] = shifts
		return c
	}
	nineToFive := Shift{Start: 9 * time.Hour, End: 17 * time.Hour}
	// Monday 2 March 2026 in Shanghai; Sunday 8 March 2026 is when Chicago
	// moves its clocks from 02:00 to 03:00.
	monday := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, shanghai) }
	tests := []struct {
		name     string
		calendar Calendar
		at       time.Time
		want     bool
	}{
		{"inside", week(shanghai, time.Monday, nineToFive), monday(12, 0), true},
		{"start is inclusive", week(shanghai, time.Monday, nineToFive), monday(9, 0), true},
		{"end is exclusive", week(shanghai, time.Monday, nineToFive), monday(17, 0), false},
		{"other weekday", week(shanghai, time.Tuesday, nineToFive), monday(12, 0), false},
		{"read on the engineer's wall clock", week(shanghai, time.Monday, nineToFive), time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), true},
		{"second shift of the day", week(shanghai, time.Monday, Shift{0, time.Hour}, Shift{20 * time.Hour, 24 * time.Hour}), monday(23, 59), true},
		{"a day off", Calendar{Location: shanghai, Week: week(shanghai, time.Monday, nineToFive).Week,
			Exceptions: map[Date][]Shift{{2026, 3, 2}: nil}}, monday(12, 0), false},
		{"a changed day", Calendar{Location: shanghai, Week: week(shanghai, time.Monday, nineToFive).Week,
			Exceptions: map[Date][]Shift{{2026, 3, 2}: {{Start: 18 * time.Hour, End: 22 * time.Hour}}}}, monday(19, 0), true},
		{"a make-up working Sunday", Calendar{Location: shanghai,
			Exceptions: map[Date][]Shift{{2026, 3, 1}: {nineToFive}}}, time.Date(2026, 3, 1, 10, 0, 0, 0, shanghai), true},
		{"the exception is for another date", Calendar{Location: shanghai, Week: week(shanghai, time.Monday, nineToFive).Week,
			Exceptions: map[Date][]Shift{{2026, 3, 9}: nil}}, monday(12, 0), true},
		{"after the spring-forward gap", week(chicago, time.Sunday, Shift{Start: 3 * time.Hour, End: 4 * time.Hour}),
			time.Date(2026, 3, 8, 8, 30, 0, 0, time.UTC), true}, // 03:30 CDT
		{"before the spring-forward gap", week(chicago, time.Sunday, Shift{Start: 3 * time.Hour, End: 4 * time.Hour}),
			time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), false}, // 01:30 CST
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.calendar.OnShift(tt.at), "OnShift(%v)", tt.at)
			mask := newCalendarMask(&tt.calendar)
			if on, known := mask.lookup(wallClockOf(tt.at, tt.calendar.Location)); known {
				assert.Equal(t, tt.want, on, "the hour mask")
			}
		})
	}
}

// TestCalendarMaskAgrees checks the hour masks, and the compact copy the
// index keeps, against the calendars they summarise at random instants,
// minute-aligned shifts or not.
func TestCalendarMaskAgrees(t *testing.T) {
	g := newFleetGen(t, 3)
	known := 0
	for range 2000 {
		c := g.calendar()
		mask := newCalendarMask(&c)
		week := c.compact()
		for range 50 {
			at := testWeek().Add(time.Duration(g.rng.Int64N(int64(21 * 24 * time.Hour))))
			w := wallClockOf(at, c.Location)
			if !assert.Equal(t, c.onShiftAt(w), week.onShiftAt(w), "compact %+v at %v", c, at) {
				return
			}
			if on, ok := mask.lookup(w); ok {
				known++
				if !assert.Equal(t, c.onShiftAt(w), on, "%+v at %v", c, at) {
					return
				}
			}
		}
	}
	assert.Greater(t, known, 80000, "the mask decides most instants")
}

// TestCompactLeavesOutDatesThatDoNotExist checks that an exception on a
// date no wall clock reads (February 30, which time.Date would take for
// March 2) changes nothing, as in the calendar itself.
func TestCompactLeavesOutDatesThatDoNotExist(t *testing.T) {
	c := Calendar{Location: time.UTC, Exceptions: map[Date][]Shift{
		{2026, time.February, 30}: nil,
		{2026, time.March, 3}:     {{Start: 0, End: time.Hour}},
	}}
	for day := range c.Week {
		c.Week[day] = []Shift{{Start: 9 * time.Hour, End: 17 * time.Hour}}
	}
	week := c.compact()
	for _, at := range []time.Time{
		time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC),
		time.Date(2026, time.March, 3, 0, 30, 0, 0, time.UTC),
		time.Date(2026, time.March, 3, 10, 0, 0, 0, time.UTC),
	} {
		w := wallClockOf(at, time.UTC)
		assert.Equal(t, c.onShiftAt(w), week.onShiftAt(w), "at %v", at)
	}
	assert.True(t, week.onShiftAt(wallClockOf(time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC), time.UTC)))
	assert.Len(t, week.exceptions, 1)
}
