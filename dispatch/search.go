package dispatch

import (
	"time"

	"github.com/uber/h3-go/v4"
)

// Candidates returns the shortlist for the request and the reasons the
// engineers around it were rejected. The result equals BruteForce over the
// same engineers and depots.
//
// The search walks H3 rings outward from the site's cell over the engineers
// who hold the product line, and stops as soon as no unvisited ring can hold
// anyone who would enter the shortlist (the proof is in bound.go). When the
// rings grow large without that happening — a sparse region, or too few
// qualified engineers anywhere — it starts again over the line's coarse
// cells in order of their distance bound, which is exact too and ends at the
// last occupied cell.
func (x *Index) Candidates(req Request) (Result, error) {
	if err := req.validate(); err != nil {
		return Result{}, err
	}
	s := x.newSearch(&req, req.Shortlist)
	return s.run(), nil
}

// search is one query against an index.
type search struct {
	x        *Index
	req      *Request
	site     point
	tier     uint8
	minLevel uint8
	short    shortlist
	rejected []rejected
	clocks   map[*time.Location]wallClock
	trips    tripPlanner
}

// rejected is a rejection before the distance is computed.
type rejected struct {
	slot   int32
	reason Reason
}

func (x *Index) newSearch(req *Request, k int) *search {
	s := &search{
		x:        x,
		req:      req,
		site:     newPoint(req.Lat, req.Lng),
		tier:     uint8(tierRank(req.Tier)),
		minLevel: uint8(req.MinLevel),
		short:    shortlist{k: k},
		clocks:   make(map[*time.Location]wallClock),
	}
	s.trips = newTripPlanner(x, s.site, req.Parts)
	return s
}

// run searches and assembles the result.
func (s *search) run() Result {
	ln := s.x.lines[s.req.ProductLine]
	unskilled := s.x.size
	if ln != nil {
		unskilled -= ln.size
		if !s.walkRings(ln) {
			s.short.reset()
			s.rejected = s.rejected[:0]
			s.scanCoarse(ln)
		}
	}
	return newResult(s.req, s.candidates(), s.rejections(), unskilled)
}

// walkRings examines the line's engineers ring by ring from the site's cell
// and reports whether it could stop (see bound.go). It gives up, reporting
// false, after the largest disk of the layout, or if H3 returns a disk with a
// missing ring.
func (s *search) walkRings(ln *line) bool {
	origin := h3.LatLngToCell(h3.NewLatLng(s.req.Lat, s.req.Lng), s.x.layout.fine)
	gap := ringGapKm(s.x.layout.fine)
	next := 0 // the first ring not examined
	for _, radius := range s.x.layout.rings {
		disk := h3.GridDiskDistances(origin, radius)
		if !wholeDisk(disk, origin) {
			return false
		}
		for k := next; k <= radius; k++ {
			if k > 0 && s.beyondReach(float64(k-1)*gap) {
				return true
			}
			for _, c := range disk[k] {
				for _, en := range ln.fine[c] {
					s.consider(en)
				}
			}
		}
		next = radius + 1
	}
	return s.beyondReach(float64(next-1) * gap)
}

// wholeDisk reports whether disk, as GridDiskDistances returns it, starts at
// origin and has every ring; the binding drops H3's error codes, so this is
// how a failed call shows.
func wholeDisk(disk [][]h3.Cell, origin h3.Cell) bool {
	found := false
	for _, c := range disk[0] {
		found = found || c == origin
	}
	if !found {
		return false
	}
	for _, ring := range disk[1:] {
		nonzero := false
		for _, c := range ring {
			nonzero = nonzero || c != 0
		}
		if !nonzero {
			return false
		}
	}
	return true
}

// coarseCell is an occupied coarse cell with a lower bound on the distance
// from the site to anyone in it.
type coarseCell struct {
	boundKm float64
	cell    *cellItems[entry]
}

func (c coarseCell) heapKey() float64 { return c.boundKm }

// scanCoarse examines the line's coarse cells in order of their distance
// bound until the next bound is beyond reach.
func (s *search) scanCoarse(ln *line) {
	radius := cellRadiusKm(s.x.layout.coarse)
	h := minHeap[coarseCell]{items: make([]coarseCell, 0, len(ln.coarse.cells))}
	for _, c := range ln.coarse.cells {
		h.items = append(h.items, coarseCell{boundKm: distanceKm(c.centre, s.site) - radius, cell: c})
	}
	h.init()
	for h.len() > 0 {
		c := h.pop()
		if s.beyondReach(max(c.boundKm, 0)) {
			return
		}
		for _, en := range c.cell.items {
			s.consider(en)
		}
	}
}

// beyondReach reports whether nobody at least km from the site can enter
// the shortlist: it is full and even the straight trip of km takes longer
// than its last candidate's.
func (s *search) beyondReach(km float64) bool {
	return s.short.full() && travelTime(km, s.req.SpeedKmh) > s.short.worst().Travel
}

// consider applies the rules to one engineer in the order of the Reason
// constants and offers the qualified to the shortlist.
func (s *search) consider(en entry) {
	if en.level < s.minLevel {
		s.rejected = append(s.rejected, rejected{en.slot, ReasonLevelTooLow})
		return
	}
	if en.clearance < s.tier {
		s.rejected = append(s.rejected, rejected{en.slot, ReasonNoClearance})
		return
	}
	e := &s.x.engineers[en.slot]
	straight := distanceKm(e.at, s.site)
	if s.beyondReach(straight) {
		return // neither a candidate nor within reach for Rejected
	}
	if !e.calendar.onShiftAt(s.clock(e.calendar.Location)) {
		s.rejected = append(s.rejected, rejected{en.slot, ReasonOffShift})
		return
	}
	if e.load >= e.capacity {
		s.rejected = append(s.rejected, rejected{en.slot, ReasonAtCapacity})
		return
	}
	trip, ok := s.trips.plan(e, straight)
	if !ok {
		s.rejected = append(s.rejected, rejected{en.slot, ReasonNoPart})
		return
	}
	travel := travelTime(trip.routeKm, s.req.SpeedKmh)
	s.short.offer(pick{
		Candidate: Candidate{
			EngineerID:    e.id,
			DistanceKm:    straight,
			RouteKm:       trip.routeKm,
			Travel:        travel,
			MakesDeadline: s.req.makesDeadline(travel),
			Load:          e.load,
		},
		slot:  en.slot,
		depot: trip.depot,
	})
}

// clock returns the request's Now on the wall clock of loc, computed once
// per zone and search.
func (s *search) clock(loc *time.Location) wallClock {
	w, ok := s.clocks[loc]
	if !ok {
		w = wallClockOf(s.req.Now, loc)
		s.clocks[loc] = w
	}
	return w
}

// candidates turns the shortlist into Candidates with their parts plans.
func (s *search) candidates() []Candidate {
	out := make([]Candidate, len(s.short.picks))
	for i, p := range s.short.picks {
		e := &s.x.engineers[p.slot]
		c := p.Candidate
		c.ETA = s.req.Now.Add(c.Travel)
		c.Plan = planParts(s.req.Parts, func(i int) int { return int(e.van[s.trips.needs[i].part]) })
		if p.depot >= 0 {
			c.Plan.DepotID = s.x.depots[p.depot].id
		}
		out[i] = c
	}
	return out
}

// rejections turns the rejected slots into Rejections with distances.
func (s *search) rejections() []Rejection {
	out := make([]Rejection, len(s.rejected))
	for i, r := range s.rejected {
		e := &s.x.engineers[r.slot]
		out[i] = Rejection{EngineerID: e.id, Reason: r.reason, DistanceKm: distanceKm(e.at, s.site)}
	}
	return out
}
