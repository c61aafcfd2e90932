package dispatch

import "time"

// calendarMask summarises a calendar by the hour of the week, so most shift
// checks read neither the calendar nor its slices: bit h of on is set when
// one weekly shift covers all of hour h (Sunday 00:00 is hour 0), bit h of
// off when no weekly shift touches it. Instants in an hour with neither bit,
// or on one of the exception dates, are checked against the calendar.
type calendarMask struct {
	on, off    [3]uint64
	exceptDays [2]int32 // exception dates as days since 1970-01-01
	exceptions uint8    // how many of exceptDays are set; more means all
}

const hoursPerWeek = 7 * 24

func newCalendarMask(c *Calendar) calendarMask {
	var m calendarMask
	for h := range hoursPerWeek {
		from := time.Duration(h%24) * time.Hour
		to := from + time.Hour
		covered, touched := false, false
		for _, s := range c.Week[h/24] {
			covered = covered || s.Start <= from && s.End >= to
			touched = touched || s.Start < to && s.End > from
		}
		if covered {
			m.on[h/64] |= 1 << (h % 64)
		}
		if !touched {
			m.off[h/64] |= 1 << (h % 64)
		}
	}
	m.exceptions = uint8(min(len(c.Exceptions), len(m.exceptDays)+1))
	if int(m.exceptions) <= len(m.exceptDays) {
		i := 0
		for date := range c.Exceptions {
			m.exceptDays[i] = date.days()
			i++
		}
	}
	return m
}

// lookup returns whether the calendar's weekly shifts cover w, and false for
// known when the calendar must be read instead.
func (m *calendarMask) lookup(w wallClock) (on, known bool) {
	if int(m.exceptions) > len(m.exceptDays) {
		return false, false
	}
	for _, d := range m.exceptDays[:m.exceptions] {
		if d == w.days {
			return false, false
		}
	}
	h := int(w.weekday)*24 + int(w.since/time.Hour)
	bit := uint64(1) << (h % 64)
	switch {
	case m.on[h/64]&bit != 0:
		return true, true
	case m.off[h/64]&bit != 0:
		return false, true
	}
	return false, false
}

// days returns the date as days since 1970-01-01.
func (d Date) days() int32 {
	return int32(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
