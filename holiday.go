package aftercare

import (
	"strings"
	"time"
)

// DayKind says how a special day departs from the Monday-to-Friday week.
type DayKind string

// The kinds of special day.
const (
	// DayHoliday is a public holiday: a day off, even on a weekday.
	DayHoliday DayKind = "holiday"
	// DayWorkday is a make-up working day: a weekend day that is a working
	// day, as China's holiday schedule declares every year.
	DayWorkday DayKind = "workday"
)

// SpecialDay is one entry of a region's business calendar: a public holiday
// or a make-up working day. 9x5 SLA clocks follow them (DESIGN.md §4).
type SpecialDay struct {
	Date Date
	Kind DayKind
	Name string
}

// Validate returns an EINVALID error unless d is a sound special day: a
// real date, a known kind, a make-up workday on a weekend, and a name.
func (d SpecialDay) Validate() error {
	switch {
	case !d.Date.Valid():
		return Errorf(EINVALID, "date %s does not exist", d.Date)
	case d.Kind != DayHoliday && d.Kind != DayWorkday:
		return Errorf(EINVALID, `kind "%s" is neither holiday nor workday`, d.Kind)
	case d.Kind == DayWorkday && !isWeekend(d.Date.Weekday()):
		return Errorf(EINVALID, "make-up workday %s is a %s, but a make-up workday must fall on a weekend",
			d.Date, d.Date.Weekday())
	case strings.TrimSpace(d.Name) == "":
		return Errorf(EINVALID, "the name is empty")
	}
	return nil
}

// isWeekend reports whether w is Saturday or Sunday.
func isWeekend(w time.Weekday) bool { return w == time.Saturday || w == time.Sunday }

// Holiday is a public holiday or a make-up working day of a country.
type Holiday struct {
	// Country is an ISO 3166 alpha-2 code such as CN.
	Country string
	SpecialDay
}
