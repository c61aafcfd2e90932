package dispatch

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/aftercare/aftercare/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exactScenario is a fleet and requests for which Candidates must equal
// BruteForce.
type exactScenario struct {
	name      string
	engineers []Engineer
	depots    []Depot
	requests  []Request
}

// exactScenarios returns 10,000 incidents in five settings: dense cities
// (the benchmark workload, with varied requests), the same without depots, a
// sparse world where the nearest qualified engineer is hundreds or
// thousands of km away, the antimeridian around Suva, and the twelve H3
// pentagons. In each, about a third of the certifications lapse, most of
// them while the requests come in (see withExpiries).
func exactScenarios(t *testing.T) []exactScenario {
	w := mustWorkload(t, 7, 4000, 80, 4000)
	g := newFleetGen(t, 11)
	for i := range w.Requests {
		if i%2 == 1 {
			varied := g.request(func(*rand.Rand) (float64, float64) { return w.Requests[i].Lat, w.Requests[i].Lng })
			varied.ProductLine = w.Requests[i].ProductLine
			if i%4 == 1 {
				varied.Parts = w.Requests[i].Parts
			}
			w.Requests[i] = varied
		}
	}
	half := len(w.Requests) / 2
	dense := exactScenario{name: "dense cities", engineers: w.Engineers, depots: w.Depots, requests: w.Requests[:half]}
	// Without depots only vans bring parts: the first pass finds the
	// nearest van holding them, and the rings list the nearest rejections.
	vansOnly := exactScenario{name: "dense cities, vans only", engineers: w.Engineers, requests: w.Requests[half:]}

	world := func(rng *rand.Rand) (float64, float64) { return -60 + rng.Float64()*130, -180 + rng.Float64()*360 }
	sparse := exactScenario{name: "sparse world", engineers: g.engineers(800, world), depots: g.depots(40, world)}
	for range 2000 {
		sparse.requests = append(sparse.requests, g.request(world))
	}

	var suva data.City
	for _, c := range data.Cities() {
		if c.Name == "Suva" {
			suva = c
		}
	}
	require.Equal(t, "Suva", suva.Name, "cities.csv lists Suva, the antimeridian test's anchor")
	pacific := anyOf(around(suva.Lat, suva.Lng, 40), around(suva.Lat, 180, 150), around(-16, -179.9, 300), around(-30, 178, 800))
	antimeridian := exactScenario{name: "antimeridian", engineers: g.engineers(1500, pacific), depots: g.depots(40, pacific)}
	for range 2000 {
		antimeridian.requests = append(antimeridian.requests, g.request(anyOf(around(suva.Lat, suva.Lng, 20), around(suva.Lat, 179.99, 30), around(-17, -179.99, 30))))
	}

	var nearPentagon, atPentagon []place
	for _, c := range pentagonCentres() {
		nearPentagon = append(nearPentagon, around(c.Lat, c.Lng, 60), around(c.Lat, c.Lng, 600))
		atPentagon = append(atPentagon, around(c.Lat, c.Lng, 15))
	}
	pentagons := exactScenario{name: "pentagons", engineers: g.engineers(1500, anyOf(nearPentagon...)), depots: g.depots(40, anyOf(nearPentagon...))}
	for range 2000 {
		pentagons.requests = append(pentagons.requests, g.request(anyOf(atPentagon...)))
	}
	scenarios := []exactScenario{dense, vansOnly, sparse, antimeridian, pentagons}
	for i := range scenarios {
		scenarios[i].engineers = withExpiries(scenarios[i].engineers, uint64(i))
	}
	return scenarios
}

// TestCandidatesEqualsBruteForce is the exactness property: for 10,000
// incidents the whole result of the index — shortlist, parts plans,
// rejections and counts — equals the reference scan. Each scenario runs on
// the default layout and on one finer layout that walks more rings. A
// third of the requests come with engineers who declined (see declines).
func TestCandidatesEqualsBruteForce(t *testing.T) {
	scenarios := exactScenarios(t)
	total := 0
	for _, sc := range scenarios {
		total += len(sc.requests)
	}
	require.Equal(t, 10000, total)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			layouts := []layout{defaultLayout(), {fine: 6, rings: []int{2, 5}, depot: 4, vans: 5}}
			indexes := make([]*Index, len(layouts))
			for i, l := range layouts {
				indexes[i] = mustIndex(t, l, sc.engineers, sc.depots)
			}
			full, short, declined, lapsed := 0, 0, 0, 0
			for i, req := range sc.requests {
				if i%3 == 0 {
					req.Declined = declines(t, sc, req, uint64(i))
				}
				want, err := BruteForce(sc.engineers, sc.depots, req)
				require.NoError(t, err)
				if len(want.Candidates) == req.Shortlist {
					full++
				} else {
					short++
				}
				if want.Counts[ReasonDeclined] > 0 {
					declined++
				}
				if want.Counts[ReasonCertificationExpired] > 0 {
					lapsed++
				}
				x := indexes[i%len(indexes)]
				got, err := x.Candidates(req)
				require.NoError(t, err)
				if !assert.Equal(t, want, got, "request %d: %+v", i, req) {
					return
				}
			}
			t.Logf("%d requests with a full shortlist, %d short; %d count a decline, %d a lapsed certification",
				full, short, declined, lapsed)
			assert.Positive(t, full)
			assert.Positive(t, short)
			assert.Positive(t, declined)
			assert.Positive(t, lapsed)
		})
	}
}

// declines returns engineers to decline req: each candidate of its result
// without declines with even odds (so that now and then all of them), now
// and then a listed rejection, an engineer anywhere and an unknown ID.
func declines(t *testing.T, sc exactScenario, req Request, seed uint64) []string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 13))
	res, err := BruteForce(sc.engineers, sc.depots, req)
	require.NoError(t, err)
	var out []string
	for _, c := range res.Candidates {
		if rng.IntN(2) == 0 {
			out = append(out, c.EngineerID)
		}
	}
	if len(res.Rejected) > 0 && rng.IntN(2) == 0 {
		out = append(out, res.Rejected[rng.IntN(len(res.Rejected))].EngineerID)
	}
	if rng.IntN(4) == 0 {
		out = append(out, sc.engineers[rng.IntN(len(sc.engineers))].ID, "nobody-by-this-id")
	}
	return out
}

// TestIndexFollowsUpdates interleaves location reports, load and stock
// changes, engineers joining, leaving and being replaced (their
// certifications renewed or lapsing with them), and depot stock
// changes and replacements with queries, and checks every answer against
// BruteForce on the updated fleet.
func TestIndexFollowsUpdates(t *testing.T) {
	g := newFleetGen(t, 23)
	cities := anyOf(around(31.23, 121.47, 30), around(22.54, 114.06, 30), around(-18.14, 179.9, 60), around(40, 116.4, 400))
	engineers := withExpiries(g.engineers(1200, cities), 1)
	depots := g.depots(30, cities)
	x := mustIndex(t, defaultLayout(), engineers, depots)
	for step := range 3000 {
		i := g.rng.IntN(len(engineers))
		e := &engineers[i]
		switch op := g.rng.IntN(8); op {
		case 0:
			lat, lng := cities(g.rng)
			if g.rng.IntN(2) == 0 { // a short hop, often within the cell
				lat, lng = around(e.Lat, e.Lng, 2)(g.rng)
			}
			require.NoError(t, x.Move(e.ID, lat, lng))
			e.Lat, e.Lng = lat, lng
		case 1:
			load := g.rng.IntN(5)
			require.NoError(t, x.SetLoad(e.ID, load))
			e.Load = load
		case 2:
			part, qty := g.part(), g.rng.IntN(3)
			require.NoError(t, x.SetStock(e.ID, part, qty))
			e.Van = cloneStock(e.Van)
			e.Van[part] = qty
		case 3:
			d := &depots[g.rng.IntN(len(depots))]
			part, qty := g.part(), g.rng.IntN(3)
			require.NoError(t, x.SetDepotStock(d.ID, part, qty))
			d.Stock = cloneStock(d.Stock)
			d.Stock[part] = qty
		case 4:
			replacement := withExpiries(g.engineers(1, cities), uint64(step))[0]
			replacement.ID = e.ID
			if other := engineers[g.rng.IntN(len(engineers))]; g.rng.IntN(2) == 0 {
				// The calendar and skills of a colleague: shared ones.
				replacement.Calendar, replacement.Skills, replacement.Expires = other.Calendar, other.Skills, other.Expires
			}
			require.NoError(t, x.Put(replacement))
			*e = replacement
		case 5:
			require.NoError(t, x.Remove(e.ID))
			engineers = append(engineers[:i], engineers[i+1:]...)
		case 6:
			joining := withExpiries(g.engineers(1, cities), uint64(step))[0]
			joining.ID = fmt.Sprintf("joined%05d", step)
			require.NoError(t, x.Put(joining))
			engineers = append(engineers, joining)
		case 7:
			k := g.rng.IntN(len(depots))
			rebuilt := g.depots(1, cities)[0]
			rebuilt.ID = depots[k].ID
			require.NoError(t, x.PutDepot(rebuilt))
			depots[k] = rebuilt
		}
		require.Equal(t, len(engineers), x.Len())
		if step%100 == 0 {
			requireSharedAsHeld(t, x, engineers)
		}
		if step%3 != 0 {
			continue
		}
		req := g.request(cities)
		want, err := BruteForce(engineers, depots, req)
		require.NoError(t, err)
		got, err := x.Candidates(req)
		require.NoError(t, err)
		if !assert.Equal(t, want, got, "step %d: %+v", step, req) {
			return
		}
	}
}

func cloneStock(m map[string]int) map[string]int {
	out := make(map[string]int, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestConcurrentCandidates checks that searches sharing an index, as a
// worker's concurrent dispatches do, answer as they do one at a time.
func TestConcurrentCandidates(t *testing.T) {
	g := newFleetGen(t, 29)
	city := around(22.54, 114.06, 40)
	engineers, depots := g.engineers(800, city), g.depots(20, city)
	x := mustIndex(t, defaultLayout(), engineers, depots)
	requests := make([]Request, 200)
	want := make([]Result, len(requests))
	for i := range requests {
		requests[i] = g.request(city)
		var err error
		want[i], err = x.Candidates(requests[i])
		require.NoError(t, err)
	}
	got := make([]Result, len(requests))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(requests); i += 4 {
				got[i], _ = x.Candidates(requests[i])
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, want, got)
}
