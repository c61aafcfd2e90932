package sla_test

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the tests' zones must not depend on the machine's zoneinfo

	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/aftercare/aftercare/sla"
)

// MustChinaHolidays returns the real 2026 holiday schedule of mainland China
// from data/cn-holidays-2026.csv.
func MustChinaHolidays(tb testing.TB) sla.HolidaySet {
	tb.Helper()
	return data.ChinaHolidays2026()
}

// MustCityZones returns the distinct IANA zones of data/cities.csv, sorted,
// loaded.
func MustCityZones(tb testing.TB) []*time.Location {
	tb.Helper()
	var names []string
	for _, c := range data.Cities() {
		if !slices.Contains(names, c.TimeZone) {
			names = append(names, c.TimeZone)
		}
	}
	require.NotEmpty(tb, names, "data.Cities has no cities")
	slices.Sort(names)
	zones := make([]*time.Location, len(names))
	for i, name := range names {
		zones[i] = MustLoadLocation(tb, name)
	}
	return zones
}

// MustLoadLocation loads an IANA zone.
func MustLoadLocation(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(tb, err)
	return loc
}

// MustCalendar returns a calendar, failing the test on error.
func MustCalendar(tb testing.TB, cov aftercare.SLACoverage, loc *time.Location, holidays sla.HolidaySet) sla.Calendar {
	tb.Helper()
	cal, err := sla.NewCalendar(cov, loc, holidays)
	require.NoError(tb, err)
	return cal
}

// MustTarget parses a target, failing the test on error.
func MustTarget(tb testing.TB, s string) aftercare.SLATarget {
	tb.Helper()
	t, err := aftercare.ParseSLATarget(s)
	require.NoError(tb, err)
	return t
}

// MustLocal returns the instant of a local wall-clock time "2006-01-02 15:04".
func MustLocal(tb testing.TB, loc *time.Location, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	require.NoError(tb, err)
	return t
}

// local formats an instant as local wall-clock time with its zone, the way
// the tests' wants are written.
func local(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "none"
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
