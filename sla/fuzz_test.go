package sla

import (
	"strings"
	"testing"

	"github.com/aftercare/aftercare"
)

// FuzzParseHolidaySet feeds the holiday importer what an administrator
// might upload: it never panics, and refuses bad input with EINVALID naming
// where the file went wrong.
func FuzzParseHolidaySet(f *testing.F) {
	f.Add("date,kind,name\n2026-01-01,holiday,New Year's Day\n2026-01-04,workday,Make-up day\n")
	f.Add("\ufeff# comment\ndate,kind,name\n2026-10-01,holiday,National Day\n")
	f.Add("date,kind,name\n2026-02-30,holiday,No such day\n")
	f.Add("date,kind,name\n2026-01-01,holiday,A\n2026-01-01,workday,B\n")
	f.Add("date,kind\n")
	f.Add("date,kind,name\n\"2026-01-01,holiday,unterminated\n")
	f.Add("date,kind,name\n9999-12-31,holiday,far\n0001-01-01,holiday,near\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, csv string) {
		set, err := ParseHolidaySet(strings.NewReader(csv))
		if err != nil {
			if code := aftercare.ErrorCode(err); code != aftercare.EINVALID {
				t.Fatalf("ParseHolidaySet(%q) = %v (%s), want EINVALID", csv, err, code)
			}
			if msg := aftercare.ErrorMessage(err); !strings.HasPrefix(msg, "holiday CSV") {
				t.Fatalf("ParseHolidaySet(%q): %q does not say where", csv, msg)
			}
			return
		}
		for _, d := range set.Days() {
			if got, ok := set.Kind(d.Date); !ok || got != d.Kind {
				t.Fatalf("ParseHolidaySet(%q): %s is %q in the set, %q in the file", csv, d.Date, got, d.Kind)
			}
		}
	})
}
