package dispatch

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
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
		if date.Year < 1 || date.Year > 9999 {
			return fmt.Errorf("exception in the year %d", date.Year)
		}
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

// weekShifts is a Calendar as the index keeps it, a deep copy in at most
// two allocations rather than eight and a map: every shift in one slice,
// the week's first (weekday d's are shifts[day[d]:day[d+1]]), then the
// exceptions', which are listed by date. A shift check the calendar mask
// cannot answer chases one pointer fewer.
type weekShifts struct {
	shifts     []Shift
	day        [8]int32
	exceptions []dateShifts // by date
}

// dateShifts are the shifts of an exception: shifts[from:to] of its
// weekShifts on the date of days since 1970-01-01.
type dateShifts struct {
	days     int32
	from, to int32
}

// compact returns the calendar as weekShifts, sharing nothing with it. An
// exception on a date that does not exist (February 30) is left out: no
// instant falls on it.
func (c *Calendar) compact() weekShifts {
	var w weekShifts
	n := 0
	for _, shifts := range c.Week {
		n += len(shifts)
	}
	for _, shifts := range c.Exceptions {
		n += len(shifts)
	}
	w.shifts = make([]Shift, 0, n)
	for d, shifts := range c.Week {
		w.shifts = append(w.shifts, shifts...)
		w.day[d+1] = int32(len(w.shifts))
	}
	for date, shifts := range c.Exceptions {
		if !date.exists() {
			continue
		}
		from := int32(len(w.shifts))
		w.shifts = append(w.shifts, shifts...)
		w.exceptions = append(w.exceptions, dateShifts{days: date.days(), from: from, to: int32(len(w.shifts))})
	}
	slices.SortFunc(w.exceptions, func(a, b dateShifts) int { return cmp.Compare(a.days, b.days) })
	return w
}

// exists reports whether the date is one of the calendar's, as a wall
// clock reads it: not February 30, nor month 13.
func (d Date) exists() bool {
	y, m, day := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Date()
	return y == d.Year && m == d.Month && day == d.Day
}

func (w *weekShifts) onShiftAt(wc wallClock) bool {
	shifts := w.shifts[w.day[wc.weekday]:w.day[wc.weekday+1]]
	if i, ok := slices.BinarySearchFunc(w.exceptions, wc.days, func(e dateShifts, days int32) int {
		return cmp.Compare(e.days, days)
	}); ok {
		shifts = w.shifts[w.exceptions[i].from:w.exceptions[i].to]
	}
	return inShifts(shifts, wc.since)
}

// sharedCalendar is a calendar as the index keeps it, once for all the
// engineers whose calendars are equal: its zone, its mask and its shifts.
type sharedCalendar struct {
	mask calendarMask
	week weekShifts
	zone uint16 // in Index.zones
}

// key appends to b what tells the calendar in zone apart from any other:
// equal calendars have equal keys.
func (c *Calendar) key(b []byte, zone uint16) []byte {
	b = binary.AppendUvarint(b, uint64(zone))
	for _, shifts := range c.Week {
		b = appendShifts(b, shifts)
	}
	dates := slices.SortedFunc(maps.Keys(c.Exceptions), func(a, b Date) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Day, b.Day))
	})
	for _, d := range dates {
		b = binary.AppendVarint(b, int64(d.Year))
		b = binary.AppendVarint(b, int64(d.Month))
		b = binary.AppendVarint(b, int64(d.Day))
		b = appendShifts(b, c.Exceptions[d])
	}
	return b
}

func appendShifts(b []byte, shifts []Shift) []byte {
	b = binary.AppendUvarint(b, uint64(len(shifts)))
	for _, s := range shifts {
		b = appendTimeOfDay(b, s.Start)
		b = appendTimeOfDay(b, s.End)
	}
	return b
}

// appendTimeOfDay appends a valid shift's start or end: in whole minutes
// (two bytes) when it is one, else in nanoseconds, the low bit telling
// which.
func appendTimeOfDay(b []byte, d time.Duration) []byte {
	if d%time.Minute == 0 {
		return binary.AppendUvarint(b, uint64(d/time.Minute)<<1)
	}
	return binary.AppendUvarint(b, uint64(d)<<1|1)
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
