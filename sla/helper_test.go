package sla_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the tests' zones must not depend on the machine's zoneinfo

	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// dataDir is shared/data of the Aftercare checkout: the repository and
// shared sit side by side, in development and in CI.
const dataDir = "../../shared/data"

// MustOpenData opens a file of shared/data, failing the test with a clear
// message if it is missing.
func MustOpenData(tb testing.TB, name string) *os.File {
	tb.Helper()
	path := filepath.Join(dataDir, name)
	f, err := os.Open(path)
	require.NoError(tb, err, "the sla tests need %s: check out shared/ beside the repository (../shared from its root)", path)
	tb.Cleanup(func() { f.Close() })
	return f
}

// MustChinaHolidays returns the real 2026 holiday schedule of mainland China
// from shared/data/cn-holidays-2026.csv.
func MustChinaHolidays(tb testing.TB) sla.HolidaySet {
	tb.Helper()
	set, err := sla.ParseHolidaySet(MustOpenData(tb, "cn-holidays-2026.csv"))
	require.NoError(tb, err)
	return set
}

// MustCityZones returns the distinct IANA zones of shared/data/cities.csv,
// sorted, loaded.
func MustCityZones(tb testing.TB) []*time.Location {
	tb.Helper()
	r := csv.NewReader(MustOpenData(tb, "cities.csv"))
	r.Comment = '#'
	records, err := r.ReadAll()
	require.NoError(tb, err)
	require.Greater(tb, len(records), 1, "cities.csv has no cities")
	col := slices.Index(records[0], "tz")
	require.GreaterOrEqual(tb, col, 0, "cities.csv has no tz column")
	var names []string
	for _, rec := range records[1:] {
		if !slices.Contains(names, rec[col]) {
			names = append(names, rec[col])
		}
	}
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
