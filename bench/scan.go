package bench

import (
	"math"
	"slices"
	"time"

	"github.com/aftercare/aftercare/dispatch"
)

// fleetScan is the brute-force comparison of `aftercare bench dispatch`: a
// linear scan over every engineer per incident, made reasonably efficient so
// the comparison is fair. The fleet is laid out flat (levels per product
// line, clearance, load, location as a dispatch.Point, the van as a short
// list) and the cheap rules come first. Distances and travel times are
// dispatch's own (Point.DistanceKm, TravelTime), so the scan and the index
// agree to the bit and break ties the same way. A detour is priced only through the
// depots holding the part, listed per part once and sorted by distance to
// the site per incident; the walk stops when the triangle inequality rules
// out the rest. Without bound every qualified engineer is priced; with it,
// an engineer whose straight trip cannot beat the best trip found so far is
// dropped before the shift and the van are read. It returns the top
// candidate only, with dispatch's ranking.
type fleetScan struct {
	bound     bool
	engineers []scanEngineer
	lines     map[string]int // product line → column of levels
	levels    []uint8        // engineer i's level on line l at i*len(lines)+l; 0 without the line
	parts     map[string]int32
	holders   [][]scanHolder // by part: the depots holding some of it
	sorted    []scanHolder   // scratch: one incident's depots, nearest the site first
}

type scanEngineer struct {
	id        string
	at        dispatch.Point
	clearance int
	load      int
	capacity  int
	calendar  *dispatch.Calendar
	van       []scanStock
}

type scanStock struct{ part, qty int32 }

type scanHolder struct {
	at       dispatch.Point
	qty      int32
	toSiteKm float64
}

// newFleetScan lays the fleet out for scanning.
func newFleetScan(engineers []dispatch.Engineer, depots []dispatch.Depot, bound bool) *fleetScan {
	s := &fleetScan{bound: bound, lines: map[string]int{}, parts: map[string]int32{}}
	for _, e := range engineers {
		for line := range e.Skills {
			if _, ok := s.lines[line]; !ok {
				s.lines[line] = len(s.lines)
			}
		}
	}
	s.levels = make([]uint8, len(engineers)*len(s.lines))
	s.engineers = make([]scanEngineer, len(engineers))
	for i := range engineers {
		e := &engineers[i]
		for line, level := range e.Skills {
			s.levels[i*len(s.lines)+s.lines[line]] = uint8(level)
		}
		se := scanEngineer{id: e.ID, at: dispatch.NewPoint(e.Lat, e.Lng), clearance: e.Clearance.Rank(),
			load: e.Load, capacity: e.Capacity, calendar: &e.Calendar}
		for part, qty := range e.Van {
			se.van = append(se.van, scanStock{s.part(part), int32(qty)})
		}
		s.engineers[i] = se
	}
	for _, d := range depots {
		for part, qty := range d.Stock {
			if qty > 0 {
				p := s.part(part)
				s.holders[p] = append(s.holders[p], scanHolder{at: dispatch.NewPoint(d.Lat, d.Lng), qty: int32(qty)})
			}
		}
	}
	return s
}

func (s *fleetScan) part(id string) int32 {
	p, ok := s.parts[id]
	if !ok {
		p = int32(len(s.parts))
		s.parts[id] = p
		s.holders = append(s.holders, nil)
	}
	return p
}

// top returns the ID of the request's top candidate, "" when nobody
// qualifies. It handles requests for one unit of one part, as the
// workload's are.
func (s *fleetScan) top(req *dispatch.Request) string {
	line, ok := s.lines[req.ProductLine]
	if !ok || len(req.Parts) != 1 {
		return ""
	}
	part, ok := s.parts[req.Parts[0].PartID]
	if !ok {
		part = -1
	}
	need := int32(req.Parts[0].Quantity)
	site := dispatch.NewPoint(req.Lat, req.Lng)
	s.sorted = s.sorted[:0]
	if part >= 0 {
		for _, h := range s.holders[part] {
			if h.qty >= need {
				h.toSiteKm = h.at.DistanceKm(site)
				s.sorted = append(s.sorted, h)
			}
		}
	}
	slices.SortFunc(s.sorted, func(a, b scanHolder) int { return cmpFloat(a.toSiteKm, b.toSiteKm) })

	rank, stride := req.Tier.Rank(), len(s.lines)
	var best *scanEngineer
	var bestTravel time.Duration
	var bestMakes bool
	for i := range s.engineers {
		e := &s.engineers[i]
		if int(s.levels[i*stride+line]) < req.MinLevel || e.clearance < rank || e.load >= e.capacity {
			continue
		}
		straight := e.at.DistanceKm(site)
		if s.bound && best != nil && dispatch.TravelTime(straight, req.SpeedKmh) > bestTravel {
			continue
		}
		if !e.calendar.OnShift(req.Now) {
			continue
		}
		route := straight
		if e.vanQty(part) < need {
			if route = s.detourKm(e.at, straight); math.IsInf(route, 1) {
				continue
			}
		}
		travel := dispatch.TravelTime(route, req.SpeedKmh)
		makes := req.Deadline.IsZero() || !req.Now.Add(travel).After(req.Deadline)
		if best == nil || ranksBefore(makes, travel, e, bestMakes, bestTravel, best) {
			best, bestTravel, bestMakes = e, travel, makes
		}
	}
	if best == nil {
		return ""
	}
	return best.id
}

// detourKm returns the shortest trip from at through a depot of s.sorted to
// the site, or +Inf when there is none. A depot D makes a trip of at least
// 2·dist(D, site) − straight, so the walk stops once that exceeds the best.
func (s *fleetScan) detourKm(at dispatch.Point, straight float64) float64 {
	best := math.Inf(1)
	for _, h := range s.sorted {
		if 2*h.toSiteKm-straight > best {
			break
		}
		best = min(best, max(at.DistanceKm(h.at)+h.toSiteKm, straight))
	}
	return best
}

func (e *scanEngineer) vanQty(part int32) int32 {
	for _, r := range e.van {
		if r.part == part {
			return r.qty
		}
	}
	return 0
}

// ranksBefore is dispatch's ranking: making the deadline, then travel time,
// then load, then engineer ID.
func ranksBefore(makes bool, travel time.Duration, e *scanEngineer, bestMakes bool, bestTravel time.Duration, best *scanEngineer) bool {
	switch {
	case makes != bestMakes:
		return makes
	case travel != bestTravel:
		return travel < bestTravel
	case e.load != best.load:
		return e.load < best.load
	}
	return e.id < best.id
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
