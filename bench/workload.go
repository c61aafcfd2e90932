package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/aftercare/aftercare/dispatch"
)

// Workload is a fleet and a stream of incidents to benchmark dispatch with.
type Workload struct {
	Engineers []dispatch.Engineer
	Depots    []dispatch.Depot
	Requests  []dispatch.Request
}

// The shape of a workload.
const (
	// WorkloadProductLines and WorkloadParts are the catalogue sizes.
	WorkloadProductLines = 10
	WorkloadParts        = 500
	// WorkloadSpeedKmh and WorkloadShortlist go into every request.
	WorkloadSpeedKmh  = 40
	WorkloadShortlist = 5
)

// workloadStart returns the Monday the incidents fall in the week after.
func workloadStart() time.Time { return time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC) }

// NewWorkload generates a workload from seed, the same one for the same
// arguments. Engineers are spread around the cities with σ = 15 km, except
// 5 % spread uniformly over 22–42° N, 98–122° E (most of mainland China,
// each in the time zone of the nearest city); each is certified on one to
// three of the product lines at level 1 to 3, 30 % are cleared for
// platinum, each works a daily 14.4-hour shift (on shift 60 % of the time,
// with a day off for one engineer in ten), has capacity 3 and a load of 0 to
// 3, and carries 10 parts at 0 to 3 units. Depots are spread around the
// cities with σ = 15 km and hold 150 parts at 0 to 5 units. Incidents fall
// around the cities with σ = 20 km within one week, each needing one
// product line at a level of 1 to 3, platinum in 30 % (premium and standard
// otherwise) and one unit of one part, with an on-site deadline of 4, 8 or
// 24 hours by tier. The cities' time zones must load (time.LoadLocation);
// the shifts are written in them.
func NewWorkload(seed int64, engineers, depots, incidents int, cities []data.City) (*Workload, error) {
	if len(cities) == 0 || engineers < 0 || depots < 0 || incidents < 0 {
		return nil, aftercare.Errorf(aftercare.EINVALID, "workload of %d engineers, %d depots, %d incidents over %d cities",
			engineers, depots, incidents, len(cities))
	}
	g := workloadGen{rng: rand.New(rand.NewPCG(uint64(seed), 0x61667465726361)), cities: make([]workloadCity, len(cities))}
	for i, c := range cities {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			return nil, aftercare.Errorf(aftercare.EINVALID, "workload: city %s: %v", c.Name, err)
		}
		g.cities[i] = workloadCity{City: c, location: loc}
	}
	w := &Workload{
		Engineers: make([]dispatch.Engineer, engineers),
		Depots:    make([]dispatch.Depot, depots),
		Requests:  make([]dispatch.Request, incidents),
	}
	china := engineers * 5 / 100
	for i := range w.Engineers {
		w.Engineers[i] = g.engineer(fmt.Sprintf("E%06d", i), i < china)
	}
	for i := range w.Depots {
		w.Depots[i] = g.depot(fmt.Sprintf("D%04d", i))
	}
	for i := range w.Requests {
		w.Requests[i] = g.request()
	}
	return w, nil
}

// workloadCity is a city of a workload with its time zone loaded.
type workloadCity struct {
	data.City
	location *time.Location
}

// workloadGen draws the parts of a workload from one random source.
type workloadGen struct {
	rng    *rand.Rand
	cities []workloadCity
}

func (g *workloadGen) engineer(id string, inChina bool) dispatch.Engineer {
	var lat, lng float64
	if inChina {
		lat, lng = 22+g.rng.Float64()*20, 98+g.rng.Float64()*24
	} else {
		c := g.cities[g.rng.IntN(len(g.cities))]
		lat, lng = g.around(c, 15)
	}
	e := dispatch.Engineer{
		ID:        id,
		Lat:       lat,
		Lng:       lng,
		Skills:    make(map[string]int),
		Clearance: g.tier(),
		Capacity:  3,
		Load:      g.rng.IntN(4),
		Van:       make(map[string]int),
		Calendar:  g.calendar(g.nearestCity(lat, lng).location),
	}
	for n := 1 + g.rng.IntN(3); len(e.Skills) < n; {
		e.Skills[workloadLine(g.rng.IntN(WorkloadProductLines))] = 1 + g.rng.IntN(dispatch.MaxLevel)
	}
	for len(e.Van) < 10 {
		e.Van[workloadPart(g.rng.IntN(WorkloadParts))] = g.rng.IntN(4)
	}
	return e
}

func (g *workloadGen) depot(id string) dispatch.Depot {
	lat, lng := g.around(g.cities[g.rng.IntN(len(g.cities))], 15)
	d := dispatch.Depot{ID: id, Lat: lat, Lng: lng, Stock: make(map[string]int)}
	for len(d.Stock) < 150 {
		d.Stock[workloadPart(g.rng.IntN(WorkloadParts))] = g.rng.IntN(6)
	}
	return d
}

func (g *workloadGen) request() dispatch.Request {
	lat, lng := g.around(g.cities[g.rng.IntN(len(g.cities))], 20)
	now := workloadStart().Add(time.Duration(g.rng.IntN(7*24*60)) * time.Minute)
	tier := aftercare.TierPlatinum
	if g.rng.IntN(10) >= 3 {
		tier = []aftercare.Tier{aftercare.TierPremium, aftercare.TierStandard}[g.rng.IntN(2)]
	}
	onSite := 24 * time.Hour
	switch tier {
	case aftercare.TierPlatinum:
		onSite = 4 * time.Hour
	case aftercare.TierPremium:
		onSite = 8 * time.Hour
	}
	return dispatch.Request{
		Lat:         lat,
		Lng:         lng,
		ProductLine: workloadLine(g.rng.IntN(WorkloadProductLines)),
		MinLevel:    1 + g.rng.IntN(dispatch.MaxLevel),
		Tier:        tier,
		Parts:       []dispatch.PartNeed{{PartID: workloadPart(g.rng.IntN(WorkloadParts)), Quantity: 1}},
		Now:         now,
		Deadline:    now.Add(onSite),
		SpeedKmh:    WorkloadSpeedKmh,
		Shortlist:   WorkloadShortlist,
		Rejections:  dispatch.DefaultRejections,
	}
}

// tier draws a clearance: platinum 30 %, premium and standard 35 % each.
func (g *workloadGen) tier() aftercare.Tier {
	switch n := g.rng.IntN(20); {
	case n < 6:
		return aftercare.TierPlatinum
	case n < 13:
		return aftercare.TierPremium
	}
	return aftercare.TierStandard
}

// calendar draws a daily shift of 14.4 hours starting at a random minute,
// split at midnight, and for one engineer in ten a day off in the week.
func (g *workloadGen) calendar(loc *time.Location) dispatch.Calendar {
	const length = 864 * time.Minute
	start := time.Duration(g.rng.IntN(24*60)) * time.Minute
	c := dispatch.Calendar{Location: loc}
	for day := range c.Week {
		end := start + length
		c.Week[day] = append(c.Week[day], dispatch.Shift{Start: start, End: min(end, 24*time.Hour)})
		if end > 24*time.Hour {
			next := (day + 1) % 7
			c.Week[next] = append(c.Week[next], dispatch.Shift{Start: 0, End: end - 24*time.Hour})
		}
	}
	if g.rng.IntN(10) == 0 {
		y, m, d := workloadStart().AddDate(0, 0, g.rng.IntN(7)).Date()
		c.Exceptions = map[dispatch.Date][]dispatch.Shift{{Year: y, Month: m, Day: d}: nil}
	}
	return c
}

// around returns a point at a normal offset of σ km from the city.
func (g *workloadGen) around(c workloadCity, sigmaKm float64) (lat, lng float64) {
	const degree = math.Pi / 180
	const kmPerDegree = dispatch.EarthRadiusKm * degree
	lat = math.Max(-90, math.Min(90, c.Lat+g.rng.NormFloat64()*sigmaKm/kmPerDegree))
	lng = c.Lng + g.rng.NormFloat64()*sigmaKm/(kmPerDegree*math.Max(math.Cos(lat*degree), 0.01))
	lng = math.Mod(lng+540, 360) - 180
	return lat, lng
}

func (g *workloadGen) nearestCity(lat, lng float64) workloadCity {
	p, best, bestKm := dispatch.NewPoint(lat, lng), g.cities[0], math.Inf(1)
	for _, c := range g.cities {
		if km := p.DistanceKm(dispatch.NewPoint(c.Lat, c.Lng)); km < bestKm {
			best, bestKm = c, km
		}
	}
	return best
}

func workloadLine(i int) string { return fmt.Sprintf("PL%02d", i) }
func workloadPart(i int) string { return fmt.Sprintf("P%03d", i) }
