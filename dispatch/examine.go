package dispatch

import (
	"math"
	"slices"
)

// This file holds what the search does with each engineer it meets: the
// rules in the order of the Reason constants, the offer of the qualified to
// the shortlist with their trip, the listing of the rejected, and the
// result they make.

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
		t := en.traits
		if c2 > s.listChord2 {
			// Not to be listed: only a candidate matters, so the rules
			// need not be told apart, and the cheap ones go first.
			if t.level() < s.minLevel || t.clearance() < s.tier || !t.free() || s.lapsed(en) ||
				s.declines(en.slot) || !s.onShift(t.calendar()) {
				continue
			}
			if straight := chordKm(c2); !s.beyondReach(max(straight, s.detourKm)) {
				s.offerTrip(en, straight, s.tripCapKm)
			}
			continue
		}
		reason := Reason("")
		switch {
		case s.lapsed(en):
			reason = ReasonCertificationExpired
		case t.level() < s.minLevel:
			reason = ReasonLevelTooLow
		case t.clearance() < s.tier:
			reason = ReasonNoClearance
		case !s.onShift(t.calendar()):
			reason = ReasonOffShift
		case !t.free():
			reason = ReasonAtCapacity
		}
		if reason != "" {
			s.reject(en.slot, reason, c2)
			continue
		}
		if s.declines(en.slot) {
			// No part comes before declined: plan the trip, offer nothing.
			reason = ReasonDeclined
			if _, ok := s.trips.plan(en, chordKm(c2), math.Inf(1)); !ok {
				reason = ReasonNoPart
			}
			s.reject(en.slot, reason, c2)
			continue
		}
		if !s.offerTrip(en, chordKm(c2), math.Inf(1)) {
			s.reject(en.slot, ReasonNoPart, c2)
		}
	}
}

// lapsed reports whether the certification of en's engineer on the line
// has lapsed at the request's Now.
func (s *search) lapsed(en *entry) bool {
	return en.traits.lapses() && s.x.lapsed(en.slot, s.line, s.now)
}

// declines reports whether the engineer in slot declined the incident.
func (s *search) declines(slot int32) bool {
	return len(s.declined) > 0 && slices.Contains(s.declined, slot)
}

// offerTrip plans the trip of a qualified engineer straight km from the
// site and offers it to the shortlist, and reports false when the van lacks
// a part no single depot holds on a trip no longer than capKm. Whoever the
// first pass offered is not offered again.
func (s *search) offerTrip(en *entry, straight, capKm float64) bool {
	trip, ok := s.trips.plan(en, straight, capKm)
	if !ok {
		return false
	}
	if trip.depot < 0 && straight < s.detourKm {
		return true // the first pass offered them
	}
	travel := TravelTime(trip.routeKm, s.req.SpeedKmh)
	makes := s.req.makesDeadline(travel)
	if s.short.outranked(makes, travel) {
		return true
	}
	s.short.offer(pick{
		Candidate: Candidate{
			EngineerID:    s.x.engineers[en.slot].id,
			DistanceKm:    straight,
			RouteKm:       trip.routeKm,
			Travel:        travel,
			MakesDeadline: makes,
			Load:          int(s.x.engineers[en.slot].load),
		},
		slot:  en.slot,
		depot: trip.depot,
	})
	s.updateReach()
	return true
}

// reject records a rejection of the engineer in slot, at squared chord c2
// from the site.
func (s *search) reject(slot int32, reason Reason, c2 float64) {
	if s.listing.offer(slot, reason, c2) && s.listing.full() && s.beyondReach(s.detourKm) {
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
	s.updateChords()
	s.vanChord2 = widenChord2(s.farChord2)
}

// updateChords sets farChord2, listChord2 and tripCapKm for updateReach.
func (s *search) updateChords() {
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
// second pass lists whoever the rules reject. The rounded location rules out
// most vans beyond reach; the exact one, in the engineer's record, decides.
func (s *search) examineVans(n *node) {
	for i := range n.vans {
		v := &n.vans[i]
		if v.at.chord2(s.site) > s.vanChord2 || v.clearance() < s.tier || !v.free() || s.declines(v.slot) {
			continue
		}
		level, known := v.skills.level(s.line)
		if known && level < s.minLevel {
			continue
		}
		e := &s.x.engineers[v.slot]
		c2 := chord2(e.at, s.site)
		if c2 > s.farChord2 {
			continue
		}
		straight := chordKm(c2)
		if straight >= s.detourKm || s.beyondReach(straight) {
			continue
		}
		if !known && s.x.skills.values[e.skills].level(s.line) < s.minLevel || s.x.lapsed(v.slot, s.line, s.now) ||
			!s.trips.vanHoldsAll(e) || !s.onShift(e.calendar) {
			continue
		}
		travel := TravelTime(straight, s.req.SpeedKmh)
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
				Load:          int(e.load),
			},
			slot:  v.slot,
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

// onShift reports whether the calendar in its slot of Index.calendars
// works at the request's Now.
func (s *search) onShift(slot int32) bool {
	cal := &s.x.calendars.values[slot]
	c := &s.clocks[cal.zone]
	if !c.known {
		*c = zoneClock{known: true, at: wallClockOf(s.req.Now, s.x.zones[cal.zone])}
	}
	if on, known := cal.mask.lookup(c.at); known {
		return on
	}
	return cal.week.onShiftAt(c.at)
}

// candidates turns the shortlist into Candidates with their parts plans.
func (s *search) candidates() []Candidate {
	out := make([]Candidate, len(s.short.picks))
	for i, p := range s.short.picks {
		e := &s.x.engineers[p.slot]
		c := p.Candidate
		c.ETA = s.req.Now.Add(c.Travel)
		c.Plan = planParts(s.req.Parts, func(i int) int { return int(e.van.qty(s.trips.needs[i].part)) })
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
			s.listed = append(s.listed, Rejection{EngineerID: s.x.engineers[r.slot].id, Reason: r.reason, DistanceKm: r.km})
		}
	}
	return s.listed
}
