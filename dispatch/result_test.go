package dispatch

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSortedRejectionsEqualsSort checks the packed-key sort against the
// obvious one, sorting by distance then ID, on lists with equal distances,
// distances a few units in the last place apart (which the packed keys
// cannot tell apart) and a list too long for the packed positions.
func TestSortedRejectionsEqualsSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 6))
	for _, tc := range []struct {
		name string
		n    int
	}{{"empty", 0}, {"one", 1}, {"tail query", 300}, {"many", 5000}, {"beyond the packed positions", 1<<posBits + 10}} {
		t.Run(tc.name, func(t *testing.T) {
			rejected := make([]Rejection, tc.n)
			for i := range rejected {
				km := rng.Float64() * 100
				switch rng.IntN(4) {
				case 0: // the distance of an earlier rejection
					if i > 0 {
						km = rejected[rng.IntN(i)].DistanceKm
					}
				case 1: // a hair from an earlier rejection's
					if i > 0 {
						km = math.Float64frombits(math.Float64bits(rejected[rng.IntN(i)].DistanceKm) + uint64(rng.IntN(7)) - 3)
					}
				}
				rejected[i] = Rejection{EngineerID: fmt.Sprintf("E%06d", rng.IntN(1_000_000)), Reason: ReasonOffShift, DistanceKm: max(km, 0)}
			}
			keep := func(r *Rejection) bool { return r.DistanceKm <= 90 }
			var want []Rejection
			for _, r := range rejected {
				if keep(&r) {
					want = append(want, r)
				}
			}
			slices.SortStableFunc(want, func(a, b Rejection) int {
				if c := cmpKm(a.DistanceKm, b.DistanceKm); c != 0 {
					return c
				}
				return strings.Compare(a.EngineerID, b.EngineerID)
			})
			got := sortedRejections(rejected, keep)
			// Equal distance and ID may come in either order; compare the keys.
			assert.Equal(t, keysOf(want), keysOf(got))
		})
	}
}

func cmpKm(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func keysOf(rs []Rejection) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%x %s", math.Float64bits(r.DistanceKm), r.EngineerID)
	}
	return out
}
