package dispatch

// tripPlanner works out, for one request, how each engineer gets the parts
// to the site: from the van, or through the depot that makes the shortest
// trip engineer → depot → site among those holding everything the van lacks.
type tripPlanner struct {
	x       *Index
	site    Point
	needs   []need
	missing []int32 // scratch: units the current engineer's van lacks, per need
	depots  depotStream
}

// need is one PartNeed with the part interned (-1 when the index has never
// seen the part, so nobody holds it).
type need struct {
	part int32
	qty  int32
}

// trip is how one engineer reaches the site.
type trip struct {
	routeKm float64
	depot   int32 // -1 when the van holds every part
}

// depotSlack absorbs rounding in the triangle inequality that stops the
// depot scan early; it is far below any distance that matters (1 mm).
const depotSlack = 1e-6

// reset readies the planner for a request, keeping its buffers.
func (t *tripPlanner) reset(x *Index, site Point, parts []PartNeed) {
	t.x, t.site = x, site
	t.needs, t.missing = t.needs[:0], t.missing[:0]
	for _, p := range parts {
		id, ok := x.parts[p.PartID]
		if !ok {
			id = -1
		}
		t.needs = append(t.needs, need{part: id, qty: int32(p.Quantity)})
		t.missing = append(t.missing, 0)
	}
	t.depots.reset(x, site, t.needs)
}

// plan returns the trip of the engineer of en, or false when the van lacks
// a part and no single depot holds all that is missing on a trip no longer
// than capKm (+Inf for any trip).
func (t *tripPlanner) plan(en *entry, straight, capKm float64) (trip, bool) {
	short, all := len(t.needs) > 0, true
	e := &t.x.engineers[en.slot]
	for _, n := range t.needs {
		all = all && !e.vanParts.mayHold(n.part)
	}
	if !all {
		short = false
		for i, n := range t.needs {
			t.missing[i] = max(n.qty-e.van.qty(n.part), 0)
			short = short || t.missing[i] > 0
			all = all && t.missing[i] == n.qty
		}
	}
	if !short {
		return trip{routeKm: straight, depot: -1}, true
	}
	// Depots come nearest the site first. A depot D makes a trip of at least
	// 2·dist(D, site) − straight (triangle inequality), so once that exceeds
	// the best trip found, no later depot can match it.
	best, bestSlot := capKm, int32(-1)
	for i := 0; ; i++ {
		hit, ok := t.depots.at(i)
		if !ok || 2*hit.toSiteKm-straight > best+depotSlack {
			break
		}
		if all && !hit.holdsAll || !all && !t.holdsMissing(&t.x.depots[hit.slot]) {
			continue
		}
		route := routeKm(en.at.DistanceKm(hit.at), hit.toSiteKm, straight)
		if route < best || route == best && (bestSlot < 0 || t.x.depots[hit.slot].id < t.x.depots[bestSlot].id) {
			best, bestSlot = route, hit.slot
		}
	}
	return trip{routeKm: best, depot: bestSlot}, bestSlot >= 0
}

func (t *tripPlanner) holdsMissing(d *depot) bool {
	for i, n := range t.needs {
		if t.missing[i] > 0 && d.stock.qty(n.part) < t.missing[i] {
			return false
		}
	}
	return true
}

// planParts splits the needed parts between the van, which holds van(i)
// units of parts[i], and the depot.
func planParts(parts []PartNeed, van func(i int) int) PartsPlan {
	var plan PartsPlan
	for i, p := range parts {
		have := min(van(i), p.Quantity)
		if have > 0 {
			plan.FromVan = append(plan.FromVan, PartNeed{PartID: p.PartID, Quantity: have})
		}
		if have < p.Quantity {
			plan.FromDepot = append(plan.FromDepot, PartNeed{PartID: p.PartID, Quantity: p.Quantity - have})
		}
	}
	return plan
}

// vanHoldsAll reports whether the engineer's van holds every needed part in
// full.
func (t *tripPlanner) vanHoldsAll(e *engineer) bool {
	for _, n := range t.needs {
		if n.part < 0 || e.van.qty(n.part) < n.qty {
			return false
		}
	}
	return true
}
