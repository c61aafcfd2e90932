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
// The search runs in two passes. When the request needs parts, the first
// goes best-first through the vans that hold the part fewest vans hold
// (a cell tree of those vans alone) and offers every qualified engineer
// whose van holds all the parts: their trip is the straight one. It stops
// once no unopened cell can hold anyone who would enter the shortlist. The
// second pass walks H3 rings outward from the site's cell over the engineers
// who hold the product line, for two things only: the engineers whose van
// lacks a part, whose trip goes through a depot and so is no shorter than
// the distance from the site to the nearest depot holding a needed part; and
// the rejections to list. It stops as soon as no unvisited ring can hold
// anyone who would enter the shortlist or the list (the proof is in
// bound.go). So when the depots are far, or hold none of the part, the rings
// stop at the nearest rejections instead of walking out to the first van
// that holds the part. Within the rings the search skips the cells whose
// centre bound is already beyond reach. When the rings grow large without
// stopping — a sparse region, or too few qualified engineers anywhere — it
// finishes with a best-first search over the line's cell tree, which is
// exact too and ends at the last occupied cell.
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
	site     Point
	tier     uint8
	minLevel uint8
	now      instant // the request's Now, for certification expiries
	short    shortlist
	listing  nearestRejections
	listed   []Rejection // the rejections newResult chooses from
	walked   []h3.Cell   // the leaves the ring walk examined, sorted once it ends
	origin   h3.Cell     // the site's cell at the fine resolution
	disks    [][][]h3.Cell
	clocks   []zoneClock // by zone
	nodes    minHeap[nodeBound]
	trips    tripPlanner
	line     *line
	// declined holds the slots of the engineers of Request.Declined that
	// the index holds.
	declined []int32
	// vans is true in the first pass, through the vans holding a part.
	vans bool
	// detourKm bounds from below, in the second pass, the trip of anyone
	// the pass may offer: the distance from the site to the nearest depot
	// holding a needed part (+Inf when none does), or 0 when the request
	// needs no parts and the pass offers everyone.
	detourKm float64

	// farChord2 is a squared chord from the site beyond which everyone is
	// beyond reach (+Inf until the shortlist is full), so most engineers
	// out of reach cost a few multiplications and no arcsine. In the second
	// pass, listChord2 is the one beyond which no rejection is listed, so
	// that the rules an engineer beyond it fails need not be told apart.
	farChord2, listChord2 float64
	// vanChord2 is farChord2 widened by the rounding of vanPoint: whoever
	// shows a greater squared chord in a tree of vans is beyond reach.
	vanChord2 float64
	// tripCapKm is a trip beyond which nobody can enter the full
	// shortlist (+Inf until it is full), so that planning the trip of an
	// engineer nobody lists stops at the depots that cannot beat it.
	tripCapKm float64
}

// newSearch returns a search for req with a shortlist of k, from the pool.
func (x *Index) newSearch(req *Request, k int) *search {
	s, _ := x.searches.Get().(*search)
	if s == nil {
		s = new(search)
	}
	s.x, s.req = x, req
	s.site = NewPoint(req.Lat, req.Lng)
	s.tier, s.minLevel, s.now = uint8(req.Tier.Rank()), uint8(req.MinLevel), instantOf(req.Now)
	s.short = shortlist{k: k, picks: s.short.picks[:0]}
	s.farChord2, s.listChord2, s.tripCapKm, s.vanChord2 = math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)
	s.listing.reset(x, req.Rejections)
	s.walked = s.walked[:0]
	clear(s.disks)
	s.disks = s.disks[:0]
	s.clocks = slices.Grow(s.clocks[:0], len(x.zones))[:len(x.zones)]
	clear(s.clocks)
	s.nodes.items = s.nodes.items[:0]
	s.line, s.vans, s.detourKm = nil, false, 0
	s.trips.reset(x, s.site, req.Parts)
	s.declined = s.declined[:0]
	for _, id := range req.Declined {
		if slot, ok := x.slotOf[id]; ok {
			s.declined = append(s.declined, slot)
		}
	}
	return s
}

// release returns a finished search to the pool.
func (x *Index) release(s *search) {
	s.x, s.req, s.line = nil, nil, nil
	s.trips.x, s.trips.depots.x = nil, nil
	s.listing.reset(nil, 0) // drop the reference to the index
	clear(s.listed)
	x.searches.Put(s)
}

// run searches and assembles the result.
func (s *search) run() Result {
	unskilled := s.find()
	return newResult(s.req, s.candidates(), s.rejections(), s.listing.tally, unskilled)
}

// find fills the shortlist and the rejections and returns the number of
// engineers without the product line.
func (s *search) find() (unskilled int) {
	ln := s.x.lines[s.req.ProductLine]
	if ln == nil {
		return s.x.size
	}
	s.line = ln
	if len(s.trips.needs) > 0 {
		s.detourKm = math.Inf(1)
		if hit, ok := s.trips.depots.at(0); ok {
			s.detourKm = hit.toSiteKm
		}
		if vans := s.rarestVans(); vans != nil {
			s.vans = true
			s.updateReach()
			if !s.nearVans(&vans.tree) {
				s.bestFirst(&vans.tree)
			}
			s.vans = false
		}
		s.updateReach()
	}
	if !s.walkRings(&ln.tree) {
		s.bestFirst(&ln.tree)
	}
	return s.x.size - ln.size
}

// nearVans examines, in the first pass, the vans in the site's cell and
// the cells next to it when that is as far as the pass looks: when the
// nearest depot holding a part is no farther than ringGapKm, the distance
// the cells two rings out keep from the site. It reports false, leaving the
// pass to the best-first search, when the depot is farther or H3 returns a
// disk with a missing ring.
func (s *search) nearVans(t *cellTree) bool {
	res := s.x.layout.vans
	if !(s.detourKm <= ringGapKm(res)) {
		return false
	}
	origin := cellAt(s.req.Lat, s.req.Lng, res)
	disk := h3.GridDiskDistances(origin, 1)
	if !wholeDisk(disk, origin) {
		return false
	}
	radius := t.radius[len(t.radius)-1]
	for _, ring := range disk {
		for _, c := range ring {
			if n := t.leaf(c); n != nil && !s.needless(n.centre.DistanceKm(s.site)-radius) {
				s.examineVans(n)
			}
		}
	}
	return true
}

// rarestVans returns the vans filed under the needed part the fewest vans
// hold, or nil when some needed part is in no van: then no van holds them
// all.
func (s *search) rarestVans() *line {
	var rarest *line
	for _, n := range s.trips.needs {
		vans := s.x.vans[n.part]
		if vans == nil || vans.size == 0 {
			return nil
		}
		if rarest == nil || vans.size < rarest.size {
			rarest = vans
		}
	}
	return rarest
}

// walkRings examines the tree's engineers ring by ring from the site's cell
// and reports whether it could stop (see bound.go). It gives up, reporting
// false, after the largest disk of the layout, or if H3 returns a disk with a
// missing ring.
func (s *search) walkRings(t *cellTree) bool {
	gap := ringGapKm(s.x.layout.fine)
	radius := t.radius[len(t.radius)-1]
	next := 0 // the first ring not examined
	for i := range s.x.layout.rings {
		disk, ok := s.disk(i)
		if !ok {
			return false
		}
		k := s.x.layout.rings[i]
		for ; next <= k; next++ {
			if next > 0 && s.needless(float64(next-1)*gap) {
				return true
			}
			for _, c := range disk[next] {
				if n := t.leaf(c); n != nil && !s.needless(n.centre.DistanceKm(s.site)-radius) {
					s.examineLeaf(n)
					s.walked = append(s.walked, c)
				}
			}
		}
	}
	return s.needless(float64(next-1) * gap)
}

// disk returns the i-th disk of the layout around the site's cell, asking
// H3 once per search, and false if H3 returns it with a missing ring.
func (s *search) disk(i int) ([][]h3.Cell, bool) {
	for len(s.disks) <= i {
		if len(s.disks) == 0 {
			s.origin = h3.LatLngToCell(h3.NewLatLng(s.req.Lat, s.req.Lng), s.x.layout.fine)
		}
		s.disks = append(s.disks, h3.GridDiskDistances(s.origin, s.x.layout.rings[len(s.disks)]))
	}
	return s.disks[i], wholeDisk(s.disks[i], s.origin)
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
// reach. It skips the leaves the ring walk examined. In the first pass the
// tree is one part's vans.
func (s *search) bestFirst(t *cellTree) {
	slices.Sort(s.walked)
	h := &s.nodes
	for _, n := range t.roots {
		h.items = append(h.items, nodeBound{n.centre.DistanceKm(s.site) - t.radius[0], n})
	}
	h.init()
	for h.len() > 0 {
		b := h.pop()
		if s.needless(b.boundKm) {
			h.items = h.items[:0]
			return
		}
		if b.node.children == nil {
			if _, walked := slices.BinarySearch(s.walked, b.node.cell); !walked {
				s.examineLeaf(b.node)
			}
			continue
		}
		for _, c := range b.node.children {
			h.push(nodeBound{c.centre.DistanceKm(s.site) - t.radius[c.level], c})
		}
	}
}

// beyondReach reports whether nobody whose trip is at least km can enter
// the shortlist: it is full and even the straight trip of km takes longer
// than its last candidate's.
func (s *search) beyondReach(km float64) bool {
	if !s.short.full() {
		return false
	}
	return math.IsInf(km, 1) || TravelTime(max(km, 0), s.req.SpeedKmh) > s.short.worst().Travel
}

// needless reports whether nobody at least km from the site matters to the
// pass any more. In the first pass that is beyondReach. In the second,
// whoever the pass may offer travels at least max(km, detourKm), and a
// rejection at least km away must not be listed: it is farther than the
// farthest candidate will be, or than the nearest Request.Rejections
// rejections already found.
func (s *search) needless(km float64) bool {
	if s.vans {
		return km >= s.detourKm || s.beyondReach(km)
	}
	return s.beyondReach(max(km, s.detourKm)) && s.unlisted(km)
}

// unlisted reports whether no rejection at least km from the site can be
// listed. When the shortlist is full, every candidate still to come travels
// no longer than its last one, so whoever is beyond its reach is farther
// than the farthest candidate will be; and once Request.Rejections
// rejections are nearer than km, whoever is at least km away is not among
// the nearest. When the shortlist is not full, every rejection counts.
func (s *search) unlisted(km float64) bool {
	if !s.short.full() {
		return false
	}
	if s.beyondReach(km) {
		return true
	}
	return s.listing.k == 0 || s.listing.full() && km > s.listing.farthestKm()
}
