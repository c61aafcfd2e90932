package dispatch

import (
	"math"
	"slices"

	"github.com/uber/h3-go/v4"
)

// Candidates returns the shortlist for the request and the reasons the
// engineers around it were rejected. The result equals BruteForce over the
// same engineers and depots.
//
// The search walks H3 rings outward from the site's cell over the engineers
// who hold the product line, and stops as soon as no unvisited ring can hold
// anyone who would enter the shortlist (the proof is in bound.go). Within
// the rings it skips the cells whose centre bound is already beyond reach.
// When the rings grow large without stopping — a sparse region, or too few
// qualified engineers anywhere — it finishes with a best-first search over
// the line's cell tree, which is exact too and ends at the last occupied cell.
func (x *Index) Candidates(req Request) (Result, error) {
	if err := req.validate(); err != nil {
		return Result{}, err
	}
	s := x.newSearch(&req, req.Shortlist)
	defer x.release(s)
	return s.run(), nil
}

// search is one query against an index. Its buffers outlive it in the
// index's pool, so a query allocates little more than its result.
type search struct {
	x        *Index
	req      *Request
	site     point
	tier     uint8
	minLevel uint8
	short    shortlist
	rejected []rejected
	listed   []Rejection // the rejections newResult chooses from
	walked   []h3.Cell   // the leaves the ring walk examined, sorted once it ends
	clocks   []zoneClock // by zone
	nodes    minHeap[nodeBound]
	trips    tripPlanner

	// farChord2 is a squared chord from the site beyond which everyone is
	// beyond reach (+Inf until the shortlist is full), so most engineers
	// out of reach cost a few multiplications and no arcsine.
	farChord2 float64
}

// rejected is a rejection as the search collects it: the leaf and the
// position of the engineer's entry, so only the listed IDs are read.
type rejected struct {
	leaf     *node
	i        int32
	reason   Reason
	straight float64
}

// newSearch returns a search for req with a shortlist of k, from the pool.
func (x *Index) newSearch(req *Request, k int) *search {
	s, _ := x.searches.Get().(*search)
	if s == nil {
		s = new(search)
	}
	s.x, s.req = x, req
	s.site = newPoint(req.Lat, req.Lng)
	s.tier, s.minLevel = uint8(tierRank(req.Tier)), uint8(req.MinLevel)
	s.short = shortlist{k: k, picks: s.short.picks[:0]}
	s.farChord2 = math.Inf(1)
	s.rejected = s.rejected[:0]
	s.walked = s.walked[:0]
	s.clocks = slices.Grow(s.clocks[:0], len(x.zones))[:len(x.zones)]
	clear(s.clocks)
	s.nodes.items = s.nodes.items[:0]
	s.trips.reset(x, s.site, req.Parts)
	return s
}

// release returns a finished search to the pool.
func (x *Index) release(s *search) {
	s.x, s.req = nil, nil
	s.trips.x, s.trips.depots.x = nil, nil
	clear(s.rejected) // drop the references to leaves and IDs
	clear(s.listed)
	x.searches.Put(s)
}

// run searches and assembles the result.
func (s *search) run() Result {
	unskilled := s.find()
	return newResult(s.req, s.candidates(), s.rejections(), unskilled)
}

// find fills the shortlist and the rejections and returns the number of
// engineers without the product line.
func (s *search) find() (unskilled int) {
	ln := s.x.lines[s.req.ProductLine]
	if ln == nil {
		return s.x.size
	}
	if !s.walkRings(&ln.tree) {
		s.bestFirst(&ln.tree)
	}
	return s.x.size - ln.size
}

// walkRings examines the line's engineers ring by ring from the site's cell
// and reports whether it could stop (see bound.go). It gives up, reporting
// false, after the largest disk of the layout, or if H3 returns a disk with a
// missing ring.
func (s *search) walkRings(t *cellTree) bool {
	origin := h3.LatLngToCell(h3.NewLatLng(s.req.Lat, s.req.Lng), s.x.layout.fine)
	gap := ringGapKm(s.x.layout.fine)
	radius := t.radius[len(t.radius)-1]
	next := 0 // the first ring not examined
	for _, k := range s.x.layout.rings {
		disk := h3.GridDiskDistances(origin, k)
		if !wholeDisk(disk, origin) {
			return false
		}
		for ; next <= k; next++ {
			if next > 0 && s.beyondReach(float64(next-1)*gap) {
				return true
			}
			for _, c := range disk[next] {
				if n := t.leaf(c); n != nil && !s.beyondReach(distanceKm(n.centre, s.site)-radius) {
					s.examine(n)
					s.walked = append(s.walked, c)
				}
			}
		}
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

// nodeBound is a node of a cellTree with a lower bound on the distance from
// the site to anyone filed under it.
type nodeBound struct {
	boundKm float64
	node    *node
}

func (b nodeBound) heapKey() float64 { return b.boundKm }

// bestFirst examines the tree's leaves in order of their distance bound,
// opening nodes as their bound comes up, until the next bound is beyond
// reach. It skips the leaves the ring walk examined.
func (s *search) bestFirst(t *cellTree) {
	slices.Sort(s.walked)
	h := &s.nodes
	for _, n := range t.roots {
		h.items = append(h.items, nodeBound{distanceKm(n.centre, s.site) - t.radius[0], n})
	}
	h.init()
	for h.len() > 0 {
		b := h.pop()
		if s.beyondReach(b.boundKm) {
			return
		}
		if b.node.children == nil {
			if _, walked := slices.BinarySearch(s.walked, b.node.cell); !walked {
				s.examine(b.node)
			}
			continue
		}
		for _, c := range b.node.children {
			h.push(nodeBound{distanceKm(c.centre, s.site) - t.radius[c.level], c})
		}
	}
}

// beyondReach reports whether nobody at least km from the site can enter
// the shortlist: it is full and even the straight trip of km takes longer
// than its last candidate's.
func (s *search) beyondReach(km float64) bool {
	return s.short.full() && travelTime(max(km, 0), s.req.SpeedKmh) > s.short.worst().Travel
}

// examine applies the rules to the engineers of a leaf, in the order of the
// Reason constants, and offers the qualified to the shortlist. Engineers
// beyond reach are skipped: they can be neither candidates nor listed.
func (s *search) examine(n *node) {
	for i := range n.entries {
		en := &n.entries[i]
		c2 := chord2(en.at, s.site)
		if c2 > s.farChord2 {
			continue
		}
		straight := chordKm(c2)
		if s.beyondReach(straight) {
			continue
		}
		if en.level < s.minLevel {
			s.rejected = append(s.rejected, rejected{n, int32(i), ReasonLevelTooLow, straight})
			continue
		}
		if en.clearance < s.tier {
			s.rejected = append(s.rejected, rejected{n, int32(i), ReasonNoClearance, straight})
			continue
		}
		d := &n.details[i]
		if !s.onShift(en, d) {
			s.rejected = append(s.rejected, rejected{n, int32(i), ReasonOffShift, straight})
			continue
		}
		if !en.free {
			s.rejected = append(s.rejected, rejected{n, int32(i), ReasonAtCapacity, straight})
			continue
		}
		trip, ok := s.trips.plan(en, d, straight)
		if !ok {
			s.rejected = append(s.rejected, rejected{n, int32(i), ReasonNoPart, straight})
			continue
		}
		travel := travelTime(trip.routeKm, s.req.SpeedKmh)
		makes := s.req.makesDeadline(travel)
		if s.short.outranked(makes, travel) {
			continue
		}
		e := &s.x.engineers[en.slot]
		s.short.offer(pick{
			Candidate: Candidate{
				EngineerID:    d.id,
				DistanceKm:    straight,
				RouteKm:       trip.routeKm,
				Travel:        travel,
				MakesDeadline: makes,
				Load:          e.load,
			},
			slot:  en.slot,
			depot: trip.depot,
		})
		s.updateReach()
	}
}

// updateReach recomputes farChord2 after an offer to the shortlist. It takes
// a distance a hair beyond the last candidate's trip, keeps it only if
// beyondReach confirms it (travel times are whole nanoseconds, so a distance
// a hair longer may take as long), and widens its chord by more than the
// rounding of chord2 and chordKm, so that an engineer whose squared chord
// exceeds farChord2 is at least that far: beyond reach.
func (s *search) updateReach() {
	s.farChord2 = math.Inf(1)
	if !s.short.full() {
		return
	}
	km := s.short.worst().RouteKm*(1+1e-9) + 1e-9
	if !s.beyondReach(km) {
		return
	}
	c := chordOfKm(km)
	s.farChord2 = c * c * (1 + 1e-9)
}

// zoneClock is the request's Now on the wall clock of one zone, once known.
type zoneClock struct {
	known bool
	at    wallClock
}

// onShift reports whether the engineer of en works at the request's Now.
func (s *search) onShift(en *entry, d *detail) bool {
	c := &s.clocks[en.zone]
	if !c.known {
		*c = zoneClock{known: true, at: wallClockOf(s.req.Now, s.x.zones[en.zone])}
	}
	if on, known := d.calendar.lookup(c.at); known {
		return on
	}
	return s.x.engineers[en.slot].calendar.onShiftAt(c.at)
}

// candidates turns the shortlist into Candidates with their parts plans.
func (s *search) candidates() []Candidate {
	out := make([]Candidate, len(s.short.picks))
	for i, p := range s.short.picks {
		e := &s.x.engineers[p.slot]
		c := p.Candidate
		c.ETA = s.req.Now.Add(c.Travel)
		c.Plan = planParts(s.req.Parts, func(i int) int { return int(e.vanQty(s.trips.needs[i].part)) })
		if p.depot >= 0 {
			c.Plan.DepotID = s.x.depots[p.depot].id
		}
		out[i] = c
	}
	return out
}

// rejections turns the rejected slots that newResult keeps into
// Rejections in the search's buffer, reading the IDs of those only.
func (s *search) rejections() []Rejection {
	farthest := math.Inf(1)
	if s.short.full() {
		farthest = 0
		for _, p := range s.short.picks {
			farthest = max(farthest, p.DistanceKm)
		}
	}
	s.listed = s.listed[:0]
	for _, r := range s.rejected {
		if r.straight <= farthest {
			s.listed = append(s.listed, Rejection{EngineerID: r.leaf.details[r.i].id, Reason: r.reason, DistanceKm: r.straight})
		}
	}
	return s.listed
}
