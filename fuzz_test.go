package aftercare_test

import (
	"testing"

	"github.com/aftercare/aftercare"
)

// FuzzParseSLATarget feeds the SLA target parser what an administrator
// might type: it never panics, refuses with EINVALID, and what it accepts is
// valid and reads back the same from its own spelling.
func FuzzParseSLATarget(f *testing.F) {
	for _, s := range []string{"15m", "15 min", "1h30m", "4BH", "3 BD", "NBD", "—", "-", "30s", "999999H", "1h61m", "0m", "", "BD", "1H1H"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		target, err := aftercare.ParseSLATarget(s)
		if err != nil {
			if code := aftercare.ErrorCode(err); code != aftercare.EINVALID {
				t.Fatalf("ParseSLATarget(%q) = %v (%s), want EINVALID", s, err, code)
			}
			return
		}
		if err := target.Validate(); err != nil {
			t.Fatalf("ParseSLATarget(%q) = %v, which is not valid: %v", s, target, err)
		}
		again, err := aftercare.ParseSLATarget(target.String())
		if err != nil || again != target {
			t.Fatalf("ParseSLATarget(%q) = %v, but its spelling %q reads as %v, %v", s, target, target.String(), again, err)
		}
	})
}
