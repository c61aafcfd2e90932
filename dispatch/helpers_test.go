package dispatch

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the tests resolve zones without the host's database

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"
)

// workload is a fleet and incidents from the benchmark workload generator,
// bench.NewWorkload, around the cities of data/cities.csv.
type workload struct {
	Engineers []Engineer
	Depots    []Depot
	Requests  []Request
}

// NewBenchWorkload draws bench.NewWorkload(seed, engineers, depots,
// incidents, data.Cities()). Package bench imports dispatch, so these
// tests, inside dispatch, cannot import it; the external test package sets
// NewBenchWorkload in its init (workload_hook_test.go), which runs before
// any test.
var NewBenchWorkload func(seed int64, engineers, depots, incidents int) ([]Engineer, []Depot, []Request, error)

// newWorkload draws a benchmark workload.
func newWorkload(seed int64, engineers, depots, incidents int) (*workload, error) {
	if NewBenchWorkload == nil {
		return nil, errors.New("NewBenchWorkload is not set: workload_hook_test.go sets it")
	}
	e, d, r, err := NewBenchWorkload(seed, engineers, depots, incidents)
	if err != nil {
		return nil, err
	}
	return &workload{Engineers: e, Depots: d, Requests: r}, nil
}

// mustWorkload draws a benchmark workload, failing the test on error.
func mustWorkload(tb testing.TB, seed int64, engineers, depots, incidents int) *workload {
	tb.Helper()
	w, err := newWorkload(seed, engineers, depots, incidents)
	require.NoError(tb, err)
	return w
}

// testWeek returns the Monday of the week the benchmark workload's
// incidents fall in; generated requests and exceptions fall in the two
// weeks from it.
func testWeek() time.Time { return time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC) }

// mustIndex builds an index with layout l, failing the test on error.
func mustIndex(tb testing.TB, l layout, engineers []Engineer, depots []Depot) *Index {
	tb.Helper()
	x, err := newIndex(l, engineers, depots)
	require.NoError(tb, err)
	return x
}

// mustZone loads an IANA zone.
func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(tb, err)
	return loc
}

// fleetGen draws random fleets and requests for the property tests, with
// more variety than the benchmark workload: several parts at several units,
// parts nobody stocks, shortlists of 1 to 8, deadlines from none to tight.
type fleetGen struct {
	rng   *rand.Rand
	zones []*time.Location
	lines int
	parts int
}

func newFleetGen(tb testing.TB, seed uint64) *fleetGen {
	return &fleetGen{
		rng:   rand.New(rand.NewPCG(seed, 7)),
		zones: []*time.Location{time.UTC, mustZone(tb, "Asia/Shanghai"), mustZone(tb, "Pacific/Fiji"), mustZone(tb, "America/Chicago")},
		lines: 4,
		parts: 12,
	}
}

// place is where a generator puts things.
type place func(rng *rand.Rand) (lat, lng float64)

// around returns a place at a normal offset of sigma km from lat, lng,
// wrapping across the antimeridian.
func around(lat, lng, sigmaKm float64) place {
	return func(rng *rand.Rand) (float64, float64) {
		const kmPerDegree = EarthRadiusKm * degree
		la := math.Max(-89.9, math.Min(89.9, lat+rng.NormFloat64()*sigmaKm/kmPerDegree))
		lo := lng + rng.NormFloat64()*sigmaKm/(kmPerDegree*math.Max(math.Cos(la*degree), 0.05))
		return la, math.Mod(lo+540, 360) - 180
	}
}

// anyOf picks one of the places at random.
func anyOf(places ...place) place {
	return func(rng *rand.Rand) (float64, float64) { return places[rng.IntN(len(places))](rng) }
}

func (g *fleetGen) line() string { return fmt.Sprintf("L%d", g.rng.IntN(g.lines)) }
func (g *fleetGen) part() string { return fmt.Sprintf("F%02d", g.rng.IntN(g.parts)) }

func (g *fleetGen) tier() aftercare.Tier { return aftercare.Tiers[g.rng.IntN(len(aftercare.Tiers))] }

func (g *fleetGen) engineers(n int, at place) []Engineer {
	out := make([]Engineer, n)
	for i := range out {
		lat, lng := at(g.rng)
		e := Engineer{
			ID:        fmt.Sprintf("e%06d", i),
			Lat:       lat,
			Lng:       lng,
			Skills:    map[string]int{},
			Clearance: g.tier(),
			Capacity:  g.rng.IntN(4),
			Van:       map[string]int{},
			Calendar:  g.calendar(),
		}
		e.Load = g.rng.IntN(e.Capacity + 2)
		for range 1 + g.rng.IntN(3) {
			e.Skills[g.line()] = 1 + g.rng.IntN(MaxLevel)
		}
		for range g.rng.IntN(4) {
			e.Van[g.part()] = g.rng.IntN(3)
		}
		out[i] = e
	}
	return out
}

// withExpiries returns copies of the engineers in which about a third of
// the certifications lapse: most within the two weeks from testWeek, when
// the requests fall, so that requests come both before and after, some
// exactly at an hour (as a date's end in a zone is), some long before. It
// draws from a stream of its own, so the fleets are otherwise unchanged.
func withExpiries(engineers []Engineer, seed uint64) []Engineer {
	rng := rand.New(rand.NewPCG(seed, 17))
	out := make([]Engineer, len(engineers))
	for i, e := range engineers {
		e.Expires = nil
		for _, line := range slices.Sorted(maps.Keys(e.Skills)) {
			if rng.IntN(3) != 0 {
				continue
			}
			if e.Expires == nil {
				e.Expires = map[string]time.Time{}
			}
			switch rng.IntN(4) {
			case 0:
				e.Expires[line] = testWeek().AddDate(-1, 0, 0)
			case 1:
				e.Expires[line] = testWeek().Add(time.Duration(rng.IntN(14*24)) * time.Hour)
			default:
				e.Expires[line] = testWeek().Add(time.Duration(rng.Int64N(int64(14 * 24 * time.Hour))))
			}
		}
		out[i] = e
	}
	return out
}

// calendar draws one to three shifts a day, minute-aligned or not, and now
// and then date exceptions, some of them days off.
func (g *fleetGen) calendar() Calendar {
	c := Calendar{Location: g.zones[g.rng.IntN(len(g.zones))]}
	for day := range c.Week {
		start := time.Duration(0)
		for range g.rng.IntN(3) {
			start += time.Duration(g.rng.Int64N(int64(8 * time.Hour)))
			end := start + time.Duration(1+g.rng.Int64N(int64(10*time.Hour)))
			if end > 24*time.Hour {
				break
			}
			c.Week[day] = append(c.Week[day], Shift{Start: start, End: end})
			start = end
		}
	}
	for range g.rng.IntN(4) - 1 {
		day := testWeek().AddDate(0, 0, g.rng.IntN(14))
		if c.Exceptions == nil {
			c.Exceptions = map[Date][]Shift{}
		}
		var shifts []Shift
		if g.rng.IntN(2) == 0 {
			shifts = []Shift{{Start: time.Duration(g.rng.IntN(12)) * time.Hour, End: 20 * time.Hour}}
		}
		c.Exceptions[Date{day.Year(), day.Month(), day.Day()}] = shifts
	}
	return c
}

func (g *fleetGen) depots(n int, at place) []Depot {
	out := make([]Depot, n)
	for i := range out {
		lat, lng := at(g.rng)
		d := Depot{ID: fmt.Sprintf("d%04d", i), Lat: lat, Lng: lng, Stock: map[string]int{}}
		for range g.rng.IntN(g.parts) {
			d.Stock[g.part()] = g.rng.IntN(4)
		}
		out[i] = d
	}
	return out
}

func (g *fleetGen) request(at place) Request {
	lat, lng := at(g.rng)
	now := testWeek().Add(time.Duration(g.rng.Int64N(int64(14 * 24 * time.Hour))))
	req := Request{
		Lat:         lat,
		Lng:         lng,
		ProductLine: g.line(),
		MinLevel:    1 + g.rng.IntN(MaxLevel),
		Tier:        g.tier(),
		Now:         now,
		SpeedKmh:    []float64{30, 60, 800}[g.rng.IntN(3)],
		Shortlist:   1 + g.rng.IntN(8),
		Rejections:  []int{0, 1, 3, DefaultRejections, 1000}[g.rng.IntN(5)],
	}
	if g.rng.IntN(5) == 0 {
		req.ProductLine = "unheard-of"
	}
	if g.rng.IntN(3) > 0 {
		req.Deadline = now.Add(time.Duration(g.rng.Int64N(int64(12 * time.Hour))))
	}
	seen := map[string]bool{}
	for range g.rng.IntN(4) {
		p := g.part()
		if g.rng.IntN(10) == 0 {
			p = "nobody-stocks-this"
		}
		if !seen[p] {
			seen[p] = true
			req.Parts = append(req.Parts, PartNeed{PartID: p, Quantity: 1 + g.rng.IntN(3)})
		}
	}
	return req
}

// pentagonCentres returns the centres of the twelve H3 pentagons, the
// icosahedron's vertices, which are the same at every resolution.
func pentagonCentres() []h3.LatLng {
	var out []h3.LatLng
	for _, c := range h3.Pentagons(0) {
		out = append(out, h3.CellToLatLng(c))
	}
	return out
}
