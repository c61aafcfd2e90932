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

// clone returns a deep copy, so the index does not share slices or maps
// with its caller.
func (c *Calendar) clone() *Calendar {
	out := &Calendar{Location: c.Location}
	for day, shifts := range c.Week {
		out.Week[day] = append([]Shift(nil), shifts...)
	}
	if len(c.Exceptions) > 0 {
		out.Exceptions = make(map[Date][]Shift, len(c.Exceptions))
		for date, shifts := range c.Exceptions {
			out.Exceptions[date] = append([]Shift(nil), shifts...)
		}
	}
	return out
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
	for _, s := range shifts {
		if w.since >= s.Start && w.since < s.End {
			return true
		}
	}
	return false
}
