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
		kind aftercare.DayKind
		ok   bool
	}{
		{"2026-02-14", aftercare.DayWorkday, true},
		{"2026-02-15", aftercare.DayHoliday, true},
		{"2026-02-23", aftercare.DayHoliday, true},
		{"2026-02-24", "", false},
		{"2026-02-28", aftercare.DayWorkday, true},
		{"2026-09-20", aftercare.DayWorkday, true},
		{"2026-10-07", aftercare.DayHoliday, true},
		{"2026-10-10", aftercare.DayWorkday, true},
		{"2026-12-25", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			d, err := aftercare.ParseDate(tt.date)
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
	assert.Equal(t, []aftercare.SpecialDay{
		{Date: aftercare.Date{Year: 2026, Month: time.May, Day: 1}, Kind: aftercare.DayHoliday, Name: "Labour Day"},
		{Date: aftercare.Date{Year: 2026, Month: time.May, Day: 9}, Kind: aftercare.DayWorkday, Name: "Labour Day, make-up"},
	}, set.Days())
}

func TestParseHolidaySetReadFailure(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := sla.ParseHolidaySet(iotest.ErrReader(boom))
	require.ErrorIs(t, err, boom)
	assert.Equal(t, aftercare.EINTERNAL, aftercare.ErrorCode(err), "a failing reader is not the input's fault")
}

func TestNewHolidaySet(t *testing.T) {
	d := func(s string) aftercare.Date {
		date, err := aftercare.ParseDate(s)
		require.NoError(t, err)
		return date
	}
	tests := []struct {
		name string
		days []aftercare.SpecialDay
		want string
	}{
		{"valid", []aftercare.SpecialDay{{Date: d("2026-12-25"), Kind: aftercare.DayHoliday, Name: "Christmas"}}, ""},
		{"impossible date", []aftercare.SpecialDay{{Date: aftercare.Date{Year: 2026, Month: 2, Day: 29}, Kind: aftercare.DayHoliday, Name: "X"}}, "does not exist"},
		{"duplicate", []aftercare.SpecialDay{
			{Date: d("2026-12-25"), Kind: aftercare.DayHoliday, Name: "Christmas"},
			{Date: d("2026-12-25"), Kind: aftercare.DayHoliday, Name: "Again"},
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
