package aftercare

import "time"

// Date is a civil calendar date with no time of day and no zone, such as a
// public holiday. Its JSON encoding is an object of Year, Month and Day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a date written as YYYY-MM-DD, returning an EINVALID error
// for anything else.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, Errorf(EINVALID, "date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return d.midnight().Format(time.DateOnly) }

// Valid reports whether d names a real day, which Date{2026, 2, 30} does not.
func (d Date) Valid() bool { return DateOf(d.midnight()) == d }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnight().Weekday() }

// midnight returns the start of d in UTC, normalised as time.Date does.
func (d Date) midnight() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
