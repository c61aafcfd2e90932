package aftercare_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
)

// FuzzParseAssetCSV feeds the asset importer what an administrator might
// upload: it never panics; it refuses bad input with EINVALID naming the
// file, each problem on a line of the file after the header; and every row
// it accepts is a valid asset on a line of its own, with a serial number no
// other row has.
func FuzzParseAssetCSV(f *testing.F) {
	h := aftercare.AssetCSVHeader + "\n"
	for _, s := range []string{
		h + "J30ABC12,HQ,thinksystem_sr,ThinkSystem SR650 V3,2025-01-10,2028-01-09\n",
		"\ufeff# comment\n" + h + "pf4xyz01,\"Branch, Pudong\",thinkpad_t,T14,2025-02-01,2025-02-01\n",
		h + "J30ABC12,HQ,thinksystem_sr,SR650,2025-01-10,2028-01-09\nj30abc12,HQ,thinksystem_sr,SR650,2025-01-10,2028-01-09\n",
		h + "X,HQ,thinksystem_sr,SR650,2025-13-01,2024-01-01\n",
		h + "J30ABC12,\"HQ,thinksystem_sr\n",
		h + "J30ABC12,HQ\n",
		h,
		"serial,site\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, csv string) {
		rows, err := aftercare.ParseAssetCSV(strings.NewReader(csv))
		lines := strings.Count(csv, "\n") + 1
		if err != nil {
			if code := aftercare.ErrorCode(err); code != aftercare.EINVALID {
				t.Fatalf("ParseAssetCSV(%q) = %v (%s), want EINVALID", csv, err, code)
			}
			if field := aftercare.ErrorField(err); field != "csv" {
				t.Fatalf("ParseAssetCSV(%q) names field %q, want csv", csv, field)
			}
			var e *aftercare.Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseAssetCSV(%q) = %v, not an *aftercare.Error", csv, err)
			}
			for _, p := range e.Problems {
				if p.Line < 2 || p.Line > lines || p.Field == "" || p.Message == "" {
					t.Fatalf("ParseAssetCSV(%q): problem %+v is on no line after the header or says nothing", csv, p)
				}
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range rows {
			a := r.Asset
			if err := a.Normalize(); err != nil {
				t.Fatalf("ParseAssetCSV(%q) accepted %+v, which is not valid: %v", csv, r, err)
			}
			if a != r.Asset || seen[a.SerialNumber] || r.Line < 2 || r.Line > lines || r.SiteName == "" ||
				a.ShippedOn.Location() != time.UTC {
				t.Fatalf("ParseAssetCSV(%q) accepted %+v", csv, r)
			}
			seen[a.SerialNumber] = true
		}
	})
}
