package dispatch

import (
	"fmt"
	"time"
)

// Shift is one working window of a day, from Start to End measured in wall-
// clock time since local midnight. End is after Start and at most 24 hours;
// a night shift is split in two at midnight.
type Shift struct {
	Start time.Duration
	End   time.Duration
}

// Date is a calendar day in the engineer's time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Calendar is an engineer's working time: weekly shifts in the engineer's
// IANA time zone, and exceptions that replace the week's shifts on given
// dates (an exception without shifts is a day off).
type Calendar struct {
	Location   *time.Location
	Week       [7][]Shift // indexed by time.Weekday
	Exceptions map[Date][]Shift
}

// OnShift reports whether t falls in one of the calendar's shifts, read on
// the wall clock of the calendar's time zone.
func (c *Calendar) OnShift(t time.Time) bool {
	return c.onShiftAt(wallClockOf(t, c.Location))
}

// validate checks the zone and every shift.
func (c *Calendar) validate() error {
	if c.Location == nil {
		return fmt.Errorf("calendar has no time zone")
	}
	for day, shifts := range c.Week {
		if err := validateShifts(shifts); err != nil {
			return fmt.Errorf("%s: %w", time.Weekday(day), err)
		}
	}
	for date, shifts := range c.Exceptions {
		if err := validateShifts(shifts); err != nil {
			return fmt.Errorf("%d-%02d-%02d: %w", date.Year, date.Month, date.Day, err)
		}
	}
	return nil
}

func validateShifts(shifts []Shift) error {
	for _, s := range shifts {
		if s.Start < 0 || s.End > 24*time.Hour || s.Start >= s.End {
			return fmt.Errorf("shift %v–%v is not within one day", s.Start, s.End)
		}
	}
	return nil
}

// weekShifts is a Calendar as the index keeps it, a deep copy in two
// allocations rather than eight: the week's shifts in one slice (weekday
// d's are shifts[day[d]:day[d+1]]) and the exceptions, nil when there are
// none. It keeps the index's heap per engineer smaller than a map of
// slices would, and a shift check the calendar mask cannot answer chases
// one pointer fewer.
type weekShifts struct {
	shifts     []Shift
	day        [8]int32
	exceptions map[Date][]Shift
}

// compact returns the calendar as weekShifts, sharing nothing with it.
func (c *Calendar) compact() weekShifts {
	var w weekShifts
	for d, shifts := range c.Week {
		w.shifts = append(w.shifts, shifts...)
		w.day[d+1] = int32(len(w.shifts))
	}
	if len(c.Exceptions) > 0 {
		w.exceptions = make(map[Date][]Shift, len(c.Exceptions))
		for date, shifts := range c.Exceptions {
			w.exceptions[date] = append([]Shift(nil), shifts...)
		}
	}
	return w
}

func (w *weekShifts) onShiftAt(wc wallClock) bool {
	shifts, ok := w.exceptions[wc.date]
	if !ok {
		shifts = w.shifts[w.day[wc.weekday]:w.day[wc.weekday+1]]
	}
	return inShifts(shifts, wc.since)
}

// wallClock is an instant read in one time zone.
type wallClock struct {
	date    Date
	days    int32 // date as days since 1970-01-01
	weekday time.Weekday
	since   time.Duration // since local midnight, by the wall clock
}

func wallClockOf(t time.Time, loc *time.Location) wallClock {
	local := t.In(loc)
	y, m, d := local.Date()
	h, mi, s := local.Clock()
	since := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(local.Nanosecond())
	date := Date{y, m, d}
	return wallClock{date: date, days: date.days(), weekday: local.Weekday(), since: since}
}

func (c *Calendar) onShiftAt(w wallClock) bool {
	shifts, ok := c.Exceptions[w.date]
	if !ok {
		shifts = c.Week[w.weekday]
	}
	return inShifts(shifts, w.since)
}

// inShifts reports whether the time since local midnight falls in a shift.
func inShifts(shifts []Shift, since time.Duration) bool {
	for _, s := range shifts {
		if since >= s.Start && since < s.End {
			return true
		}
	}
	return false
}
