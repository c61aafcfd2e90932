package sla

import (
	"time"

	"github.com/aftercare/aftercare"
)

// epochDay returns the number of days from 1970-01-01 to d, by Howard
// Hinnant's days_from_civil; it is exact for every proleptic Gregorian date.
func epochDay(d aftercare.Date) int {
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
