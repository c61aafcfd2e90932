package sla_test

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

func TestParseHolidaySetChina2026(t *testing.T) {
	set := MustChinaHolidays(t)
	days := set.Days()
	require.Len(t, days, 39)
	assert.Equal(t, "2026-01-01", days[0].Date.String())
	assert.Equal(t, "2026-10-10", days[len(days)-1].Date.String())
	tests := []struct {
		date string
		kind sla.DayKind
		ok   bool
	}{
		{"2026-02-14", sla.DayWorkday, true},
		{"2026-02-15", sla.DayHoliday, true},
		{"2026-02-23", sla.DayHoliday, true},
		{"2026-02-24", "", false},
		{"2026-02-28", sla.DayWorkday, true},
		{"2026-09-20", sla.DayWorkday, true},
		{"2026-10-07", sla.DayHoliday, true},
		{"2026-10-10", sla.DayWorkday, true},
		{"2026-12-25", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			d, err := sla.ParseDate(tt.date)
			require.NoError(t, err)
			kind, ok := set.Kind(d)
			assert.Equal(t, tt.ok, ok, "Kind(%q) ok = %v, want %v", tt.date, ok, tt.ok)
			assert.Equal(t, tt.kind, kind, "Kind(%q) = %q, want %q", tt.date, kind, tt.kind)
		})
	}
}

func TestParseHolidaySetErrors(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want string
	}{
		{"empty", "", "no header"},
		{"only comments", "# nothing\n", "no header"},
		{"wrong header", "# c\nday,kind,name\n", "line 2: header is"},
		{"bad date", "date,kind,name\n2026-02-30,holiday,X\n", "line 2: date"},
		{"not a date", "date,kind,name\n2026-01-01,holiday,A\n01/02/2026,holiday,B\n", `line 3: date "01/02/2026"`},
		{"bad kind", "date,kind,name\n2026-01-01,vacation,A\n", `line 2: kind "vacation"`},
		{"weekday workday", "date,kind,name\n2026-03-04,workday,A\n", "line 2: make-up workday 2026-03-04 is a Wednesday"},
		{"no name", "date,kind,name\n2026-01-01,holiday, \n", "line 2: the name is empty"},
		{"too few fields", "date,kind,name\n2026-01-01,holiday\n", "line 2: 2 fields"},
		{"too many fields", "# c\n# c\ndate,kind,name\n2026-01-01,holiday,A,B\n", "line 4: 4 fields"},
		{"duplicate", "date,kind,name\n2026-01-01,holiday,A\n2026-01-02,holiday,B\n2026-01-01,holiday,C\n", "line 4: date 2026-01-01 repeats line 2"},
		{"bad quote", "date,kind,name\n2026-01-01,holiday,\"A\n", "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sla.ParseHolidaySet(strings.NewReader(tt.csv))
			require.Error(t, err)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "ParseHolidaySet error %v", err)
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
		})
	}
}

func TestParseHolidaySetAccepts(t *testing.T) {
	in := "\ufeff# spreadsheet export\ndate,kind,name\n 2026-05-09 , workday , \"Labour Day, make-up\"\n\n2026-05-01,holiday,Labour Day\n"
	set, err := sla.ParseHolidaySet(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, []sla.SpecialDay{
		{Date: sla.Date{Year: 2026, Month: time.May, Day: 1}, Kind: sla.DayHoliday, Name: "Labour Day"},
		{Date: sla.Date{Year: 2026, Month: time.May, Day: 9}, Kind: sla.DayWorkday, Name: "Labour Day, make-up"},
	}, set.Days())
}

func TestParseHolidaySetReadFailure(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := sla.ParseHolidaySet(iotest.ErrReader(boom))
	require.ErrorIs(t, err, boom)
	assert.Equal(t, aftercare.EINTERNAL, aftercare.ErrorCode(err), "a failing reader is not the input's fault")
}

func TestNewHolidaySet(t *testing.T) {
	d := func(s string) sla.Date {
		date, err := sla.ParseDate(s)
		require.NoError(t, err)
		return date
	}
	tests := []struct {
		name string
		days []sla.SpecialDay
		want string
	}{
		{"valid", []sla.SpecialDay{{Date: d("2026-12-25"), Kind: sla.DayHoliday, Name: "Christmas"}}, ""},
		{"impossible date", []sla.SpecialDay{{Date: sla.Date{Year: 2026, Month: 2, Day: 29}, Kind: sla.DayHoliday, Name: "X"}}, "does not exist"},
		{"duplicate", []sla.SpecialDay{
			{Date: d("2026-12-25"), Kind: sla.DayHoliday, Name: "Christmas"},
			{Date: d("2026-12-25"), Kind: sla.DayHoliday, Name: "Again"},
		}, "special day 2: date 2026-12-25 repeats special day 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := sla.NewHolidaySet(tt.days)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.days, set.Days())
				return
			}
			require.Error(t, err)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
		})
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		in      string
		weekday time.Weekday
	}{
		{"1970-01-01", time.Thursday},
		{"1969-12-31", time.Wednesday},
		{"2000-02-29", time.Tuesday},
		{"2026-02-14", time.Saturday},
		{"2026-09-20", time.Sunday},
		{"2100-03-01", time.Monday},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := sla.ParseDate(tt.in)
			require.NoError(t, err)
			assert.True(t, d.Valid(), "ParseDate(%q).Valid() = false", tt.in)
			assert.Equal(t, tt.in, d.String())
			assert.Equal(t, tt.weekday, d.Weekday(), "ParseDate(%q).Weekday() = %v, want %v", tt.in, d.Weekday(), tt.weekday)
		})
	}
	for _, bad := range []string{"2026-13-01", "2026-02-29", "26-01-01", ""} {
		_, err := sla.ParseDate(bad)
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "ParseDate(%q) error = %v, want EINVALID", bad, err)
	}
	assert.False(t, sla.Date{Year: 2026, Month: 4, Day: 31}.Valid(), "2026-04-31 is not a date")
}
