package sla

import (
	"time"

	"github.com/aftercare/aftercare"
)

// Date is a civil calendar date with no time of day and no zone, such as a
// public holiday.
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
		return Date{}, aftercare.Errorf(aftercare.EINVALID, "date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// Valid reports whether d names a real day, which Date{2026, 2, 30} does not.
func (d Date) Valid() bool {
	return fromEpochDay(d.epochDay()) == d
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return epochWeekday(d.epochDay()) }

// epochDay returns the number of days from 1970-01-01 to d, by Howard
// Hinnant's days_from_civil; it is exact for every proleptic Gregorian date.
func (d Date) epochDay() int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// fromEpochDay is the inverse of epochDay (Hinnant's civil_from_days).
func fromEpochDay(n int) Date {
	n += 719468
	era := floorDiv(n, 146097)
	doe := n - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month := mp + 3
	if month > 12 {
		month -= 12
	}
	year := yoe + era*400
	if month <= 2 {
		year++
	}
	return Date{Year: year, Month: time.Month(month), Day: day}
}

// epochWeekday returns the day of the week of epoch day n; 1970-01-01 was a
// Thursday.
func epochWeekday(n int) time.Weekday {
	return time.Weekday((n%7 + 7 + int(time.Thursday)) % 7)
}

// floorDiv divides rounding towards negative infinity.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
