package dispatch

import (
	"math"

	"github.com/aftercare/aftercare"
)

// invalidf returns an EINVALID domain error.
func invalidf(format string, args ...any) error {
	return aftercare.Errorf(aftercare.EINVALID, format, args...)
}

// notFound reports an ID the index does not hold.
func notFound(kind, id string) error {
	return aftercare.Errorf(aftercare.ENOTFOUND, "%s %s is not in the index", kind, id)
}

// firstBad returns the smallest key of m whose entry is bad, so that
// validation errors do not depend on map order.
func firstBad(m map[string]int, bad func(key string, value int) bool) (string, bool) {
	found, first := false, ""
	for k, v := range m {
		if bad(k, v) && (!found || k < first) {
			found, first = true, k
		}
	}
	return first, found
}

// badStock reports a stock row without a part, or with a quantity that is
// negative or beyond what the index counts (math.MaxInt32).
func badStock(part string, qty int) bool {
	return part == "" || qty < 0 || qty > math.MaxInt32
}
