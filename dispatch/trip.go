package dispatch

import "math"

// tripPlanner works out, for one request, how each engineer gets the parts
// to the site: from the van, or through the depot that makes the shortest
// trip engineer → depot → site among those holding everything the van lacks.
type tripPlanner struct {
	x       *Index
	site    point
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

func newTripPlanner(x *Index, site point, parts []PartNeed) tripPlanner {
	t := tripPlanner{x: x, site: site, needs: make([]need, len(parts)), missing: make([]int32, len(parts))}
	for i, p := range parts {
		id, ok := x.parts[p.PartID]
		if !ok {
			id = -1
		}
		t.needs[i] = need{part: id, qty: int32(p.Quantity)}
	}
	t.depots = depotStream{x: x, site: site, needs: t.needs}
	return t
}

// plan returns the engineer's trip, or false when the van lacks a part and
// no single depot holds all that is missing.
func (t *tripPlanner) plan(e *engineer, straight float64) (trip, bool) {
	short := false
	for i, n := range t.needs {
		t.missing[i] = max(n.qty-e.van[n.part], 0)
		short = short || t.missing[i] > 0
	}
	if !short {
		return trip{routeKm: straight, depot: -1}, true
	}
	// Depots come nearest the site first. A depot D makes a trip of at least
	// 2·dist(D, site) − straight (triangle inequality), so once that exceeds
	// the best trip found, no later depot can match it.
	best, bestSlot := math.Inf(1), int32(-1)
	for i := 0; ; i++ {
		hit, ok := t.depots.at(i)
		if !ok || 2*hit.toSiteKm-straight > best+depotSlack {
			break
		}
		d := &t.x.depots[hit.slot]
		if !t.holdsMissing(d) {
			continue
		}
		route := routeKm(distanceKm(e.at, d.at), hit.toSiteKm, straight)
		if route < best || route == best && d.id < t.x.depots[bestSlot].id {
			best, bestSlot = route, hit.slot
		}
	}
	return trip{routeKm: best, depot: bestSlot}, bestSlot >= 0
}

func (t *tripPlanner) holdsMissing(d *depot) bool {
	for i, n := range t.needs {
		if t.missing[i] > 0 && d.stock[n.part] < t.missing[i] {
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
