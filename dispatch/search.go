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
	site     point
	tier     uint8
	minLevel uint8
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
	s.site = newPoint(req.Lat, req.Lng)
	s.tier, s.minLevel = uint8(tierRank(req.Tier)), uint8(req.MinLevel)
	s.short = shortlist{k: k, picks: s.short.picks[:0]}
	s.farChord2, s.listChord2, s.tripCapKm = math.Inf(1), math.Inf(1), math.Inf(1)
	s.listing.reset(req.Rejections)
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
	s.listing.reset(0) // drop the references to leaves
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
			if n := t.leaf(c); n != nil && !s.needless(distanceKm(n.centre, s.site)-radius) {
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
				if n := t.leaf(c); n != nil && !s.needless(distanceKm(n.centre, s.site)-radius) {
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
		h.items = append(h.items, nodeBound{distanceKm(n.centre, s.site) - t.radius[0], n})
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
			h.push(nodeBound{distanceKm(c.centre, s.site) - t.radius[c.level], c})
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
	return math.IsInf(km, 1) || travelTime(max(km, 0), s.req.SpeedKmh) > s.short.worst().Travel
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
		d := &n.details[i]
		if c2 > s.listChord2 {
			// Not to be listed: only a candidate matters, so the rules
			// need not be told apart, and the cheap ones go first.
			if en.level < s.minLevel || en.clearance < s.tier || !en.free || s.declines(en.slot) ||
				!s.onShift(en.zone, &d.calendar, en.slot) {
				continue
			}
			if straight := chordKm(c2); !s.beyondReach(max(straight, s.detourKm)) {
				s.offerTrip(en, d, straight, s.tripCapKm)
			}
			continue
		}
		reason := Reason("")
		switch {
		case en.level < s.minLevel:
			reason = ReasonLevelTooLow
		case en.clearance < s.tier:
			reason = ReasonNoClearance
		case !s.onShift(en.zone, &d.calendar, en.slot):
			reason = ReasonOffShift
		case !en.free:
			reason = ReasonAtCapacity
		}
		if reason != "" {
			s.reject(n, i, reason, c2)
			continue
		}
		if s.declines(en.slot) {
			// No part comes before declined: plan the trip, offer nothing.
			reason = ReasonDeclined
			if _, ok := s.trips.plan(en, d, chordKm(c2), math.Inf(1)); !ok {
				reason = ReasonNoPart
			}
			s.reject(n, i, reason, c2)
			continue
		}
		if !s.offerTrip(en, d, chordKm(c2), math.Inf(1)) {
			s.reject(n, i, ReasonNoPart, c2)
		}
	}
}

// declines reports whether the engineer in slot declined the incident.
func (s *search) declines(slot int32) bool {
	return len(s.declined) > 0 && slices.Contains(s.declined, slot)
}

// offerTrip plans the trip of a qualified engineer straight km from the
// site and offers it to the shortlist, and reports false when the van lacks
// a part no single depot holds on a trip no longer than capKm. Whoever the
// first pass offered is not offered again.
func (s *search) offerTrip(en *entry, d *detail, straight, capKm float64) bool {
	trip, ok := s.trips.plan(en, d, straight, capKm)
	if !ok {
		return false
	}
	if trip.depot < 0 && straight < s.detourKm {
		return true // the first pass offered them
	}
	travel := travelTime(trip.routeKm, s.req.SpeedKmh)
	makes := s.req.makesDeadline(travel)
	if s.short.outranked(makes, travel) {
		return true
	}
	s.short.offer(pick{
		Candidate: Candidate{
			EngineerID:    d.id,
			DistanceKm:    straight,
			RouteKm:       trip.routeKm,
			Travel:        travel,
			MakesDeadline: makes,
			Load:          s.x.engineers[en.slot].load,
		},
		slot:  en.slot,
		depot: trip.depot,
	})
	s.updateReach()
	return true
}

// reject records a rejection of the engineer at position i of leaf n, at
// squared chord c2 from the site.
func (s *search) reject(n *node, i int, reason Reason, c2 float64) {
	if s.listing.offer(n, i, reason, c2) && s.listing.full() && s.beyondReach(s.detourKm) {
		s.updateReach() // the list alone sets the reach
	}
}

// updateReach recomputes farChord2 and listChord2 after an offer to the
// shortlist or a nearer rejection. Beyond the last candidate's trip nobody
// can be offered or listed; it takes a distance a hair beyond it, keeps it
// only if beyondReach confirms it (travel times are whole nanoseconds, so a
// distance a hair longer may take as long), and widens its chord by more
// than the rounding of chord2 and chordKm, so that an engineer whose
// squared chord exceeds it is at least that far. In the first pass the
// nearest depot bounds it too. In the second, a full list of rejections
// bounds listChord2: a squared chord greater than the farthest listed one's
// by a relative 10⁻¹² is a greater distance; and when nobody is left to
// offer (beyondReach of the depot), listChord2 is farChord2.
func (s *search) updateReach() {
	s.farChord2, s.listChord2, s.tripCapKm = math.Inf(1), math.Inf(1), math.Inf(1)
	if s.vans {
		s.farChord2 = chord2OfKm(s.detourKm)
	}
	if !s.short.full() {
		return
	}
	worst := math.Inf(1)
	if km := s.short.worst().RouteKm*(1+1e-9) + 1e-9; s.beyondReach(km) {
		worst, s.tripCapKm = chord2OfKm(km), km
	}
	if s.vans {
		s.farChord2 = min(s.farChord2, worst)
		return
	}
	list := worst
	switch {
	case s.listing.k == 0:
		list = -1
	case s.listing.full() && s.listing.heap[0].c2 < 3.9:
		list = min(list, s.listing.heap[0].c2*(1+1e-12))
	}
	offer := worst
	if s.beyondReach(s.detourKm) {
		offer = -1
	}
	s.farChord2, s.listChord2 = max(offer, list), list
}

// chord2OfKm returns a squared chord a little over that of a distance a
// little over km: whoever is farther from the site in squared chord is
// farther than km.
func chord2OfKm(km float64) float64 {
	c := chordOfKm(km*(1+1e-9) + 1e-9)
	return c * c * (1 + 1e-9)
}

// examineLeaf examines a leaf in the pass under way.
func (s *search) examineLeaf(n *node) {
	if s.vans {
		s.examineVans(n)
	} else {
		s.examine(n)
	}
}

// examineVans offers, in the first pass, the qualified engineers of a leaf
// of vans whose van holds every needed part and who have not declined; the
// second pass lists whoever the rules reject.
func (s *search) examineVans(n *node) {
	for i := range n.entries {
		en := &n.entries[i]
		c2 := chord2(en.at, s.site)
		if c2 > s.farChord2 || en.clearance < s.tier || !en.free || s.declines(en.slot) {
			continue
		}
		straight := chordKm(c2)
		if straight >= s.detourKm || s.beyondReach(straight) {
			continue
		}
		level, known := en.skills.level(s.line)
		if known && level < s.minLevel {
			continue
		}
		e := &s.x.engineers[en.slot]
		if !known && e.level(s.line) < s.minLevel || !s.trips.vanHoldsAll(e) || !s.onShift(en.zone, &e.mask, en.slot) {
			continue
		}
		travel := travelTime(straight, s.req.SpeedKmh)
		makes := s.req.makesDeadline(travel)
		if s.short.outranked(makes, travel) {
			continue
		}
		s.short.offer(pick{
			Candidate: Candidate{
				EngineerID:    e.id,
				DistanceKm:    straight,
				RouteKm:       straight,
				Travel:        travel,
				MakesDeadline: makes,
				Load:          e.load,
			},
			slot:  en.slot,
			depot: -1,
		})
		s.updateReach()
	}
}

// zoneClock is the request's Now on the wall clock of one zone, once known.
type zoneClock struct {
	known bool
	at    wallClock
}

// onShift reports whether the engineer in slot, whose zone and calendar
// mask these are, works at the request's Now.
func (s *search) onShift(zone uint16, mask *calendarMask, slot int32) bool {
	c := &s.clocks[zone]
	if !c.known {
		*c = zoneClock{known: true, at: wallClockOf(s.req.Now, s.x.zones[zone])}
	}
	if on, known := mask.lookup(c.at); known {
		return on
	}
	return s.x.engineers[slot].calendar.onShiftAt(c.at)
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
	for i := range s.listing.heap {
		if r := &s.listing.heap[i]; r.km <= farthest {
			s.listed = append(s.listed, Rejection{EngineerID: r.id(), Reason: r.reason, DistanceKm: r.km})
		}
	}
	return s.listed
}
