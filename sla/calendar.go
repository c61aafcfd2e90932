package sla

import (
	"math"
	"time"

	"github.com/aftercare/aftercare"
)

// The business hours of a 9x5 day and the next-business-day cut-off, as
// local wall-clock times since midnight.
const (
	openOfBusiness  = 9 * time.Hour
	closeOfBusiness = 18 * time.Hour
	nbdCutoff       = 16 * time.Hour
	endOfDay        = 24 * time.Hour
)

// Calendar says when an SLA clock runs at one site: its coverage, the site's
// time zone and, for 9x5, the region's holidays and make-up working days. The
// zero Calendar runs around the clock in UTC. A Calendar is immutable and
// safe to share.
type Calendar struct {
	coverage aftercare.SLACoverage
	loc      *time.Location
	holidays HolidaySet
}

// NewCalendar returns the calendar of a coverage in a site's time zone, which
// the caller loads with time.LoadLocation. Holidays only matter to 9x5
// coverage: 24x7 runs through them. It returns an EINVALID error for an
// unknown coverage or a nil location.
func NewCalendar(coverage aftercare.SLACoverage, loc *time.Location, holidays HolidaySet) (Calendar, error) {
	if !coverage.Valid() {
		return Calendar{}, aftercare.Errorf(aftercare.EINVALID, "unknown coverage %q; want 24x7 or 9x5", coverage)
	}
	if loc == nil {
		return Calendar{}, aftercare.Errorf(aftercare.EINVALID, "a calendar needs the site's time zone")
	}
	return Calendar{coverage: coverage, loc: loc, holidays: holidays}, nil
}

// Coverage returns the calendar's coverage.
func (c Calendar) Coverage() aftercare.SLACoverage {
	if c.coverage == "" {
		return aftercare.Coverage24x7
	}
	return c.coverage
}

// Location returns the time zone whose days and hours the calendar follows.
func (c Calendar) Location() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// IsBusinessDay reports whether d is a business day: every day on a 24x7
// calendar; on a 9x5 one a make-up working day, or a weekday that is not a
// public holiday.
func (c Calendar) IsBusinessDay(d aftercare.Date) bool { return c.businessDay(epochDay(d)) }

// businessDay reports whether epoch day n is a business day.
func (c Calendar) businessDay(n int) bool {
	if c.Coverage() == aftercare.Coverage24x7 {
		return true
	}
	switch c.holidays.kind(n) {
	case aftercare.DayHoliday:
		return false
	case aftercare.DayWorkday:
		return true
	}
	w := epochWeekday(n)
	return w != time.Saturday && w != time.Sunday
}

// nextBusinessDay returns the first business day after epoch day n.
func (c Calendar) nextBusinessDay(n int) int {
	for n++; !c.businessDay(n); n++ {
	}
	return n
}

// closing returns the local time of day at which a business day closes.
func (c Calendar) closing() time.Duration {
	if c.Coverage() == aftercare.Coverage24x7 {
		return endOfDay
	}
	return closeOfBusiness
}

// day returns the epoch day of t's local date.
func (c Calendar) day(t time.Time) int { return epochDay(aftercare.DateOf(t.In(c.Location()))) }

// window returns the open hours [open, close) of epoch day n on a 9x5
// calendar, and false if n is not a business day.
func (c Calendar) window(z *localClock, n int) (open, close time.Time, ok bool) {
	if !c.businessDay(n) {
		return time.Time{}, time.Time{}, false
	}
	return z.at(n, openOfBusiness), z.at(n, closeOfBusiness), true
}

// between returns the business time in [a, b), zero if b is not after a.
func (c Calendar) between(a, b time.Time) time.Duration {
	if !a.Before(b) {
		return 0
	}
	if c.Coverage() == aftercare.Coverage24x7 {
		return b.Sub(a)
	}
	z := c.localClock()
	var sum time.Duration
	for n, last := c.day(a), c.day(b); n <= last; n++ {
		open, close, ok := c.window(&z, n)
		if !ok {
			continue
		}
		from, to := later(a, open), earlier(b, close)
		if from.Before(to) {
			sum += to.Sub(from)
		}
	}
	return sum
}

// add returns the earliest instant t at or after a with d of business time in
// [a, t); a itself when d is not positive.
func (c Calendar) add(a time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return a.In(c.Location())
	}
	if c.Coverage() == aftercare.Coverage24x7 {
		return a.Add(d).In(c.Location())
	}
	z := c.localClock()
	for n := c.day(a); ; n++ {
		open, close, ok := c.window(&z, n)
		if !ok {
			continue
		}
		from := later(a, open)
		if !from.Before(close) {
			continue
		}
		if avail := close.Sub(from); d > avail {
			d -= avail
			continue
		}
		return from.Add(d).In(c.Location())
	}
}

// dayDeadline returns close of business on the days-th business day after
// the request day of a request at start, the request day being start's local
// day if that is a business day and start is no later than cutoff (a local
// time of day) on it, and the next business day otherwise.
func (c Calendar) dayDeadline(start time.Time, days int, cutoff time.Duration) time.Time {
	z := c.localClock()
	n := c.day(start)
	if !c.businessDay(n) || start.After(z.at(n, cutoff)) {
		n = c.nextBusinessDay(n)
	}
	for range days {
		n = c.nextBusinessDay(n)
	}
	return z.at(n, c.closing()).In(c.Location())
}

// localClock returns a converter from the calendar's local wall-clock times
// to instants.
func (c Calendar) localClock() localClock { return localClock{loc: c.Location()} }

// localClock converts local wall-clock times of one location to instants
// exactly as time.Date does. It remembers the zone period of its last
// time.Date call and converts times at least two days from either end of it
// with arithmetic alone: there no other offset is in reach (offsets differ by
// at most a day), so time.Date would find the same one. Walking a year of
// business days then costs a few time.Date calls instead of hundreds.
type localClock struct {
	loc    *time.Location
	lo, hi int64 // unix seconds between which arithmetic is exact
	offset int64 // seconds east of UTC in that period
}

// zoneMargin is how far from a zone transition arithmetic stays exact.
const zoneMargin = 2 * 24 * 60 * 60

// at returns the instant of local time sinceMidnight on epoch day n,
// normalised like time.Date when that wall-clock time falls in a
// daylight-saving gap or fold.
func (z *localClock) at(n int, sinceMidnight time.Duration) time.Time {
	secs := int64(sinceMidnight / time.Second)
	if u := int64(n)*86400 + secs - z.offset; z.lo <= u && u < z.hi {
		return time.Unix(u, 0).In(z.loc)
	}
	t := time.Date(1970, time.January, 1+n, 0, 0, int(secs), 0, z.loc)
	start, end := t.ZoneBounds()
	_, offset := t.Zone()
	z.offset = int64(offset)
	z.lo, z.hi = math.MinInt64, math.MaxInt64
	if !start.IsZero() {
		z.lo = start.Unix() + zoneMargin
	}
	if !end.IsZero() {
		z.hi = end.Unix() - zoneMargin
	}
	return t
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
