package dispatch

import "math"

// depotStream yields, lazily and nearest the site first, every depot that
// holds at least one unit of a part a request needs. It opens the coarse
// cells where such depots are filed in order of a lower bound on their
// distance (cell centre distance minus cellRadiusKm, see bound.go) and
// releases a depot once no unopened cell can hold a nearer one.
type depotStream struct {
	x       *Index
	site    Point
	needs   []need
	started bool
	cells   minHeap[depotCell]
	found   minHeap[depotHit]
	sorted  []depotHit
}

// depotCell is an occupied coarse cell of one needed part's depots.
type depotCell struct {
	boundKm float64
	holders []holder
	need    int
}

func (c depotCell) heapKey() float64 { return c.boundKm }

// depotHit is a depot with its distance to the site, its location, and
// whether it holds every needed part in full (what most engineers' vans
// leave to the depot), so that scanning depots for an engineer touches no
// depot record.
type depotHit struct {
	slot     int32
	holdsAll bool
	toSiteKm float64
	at       Point
}

func (h depotHit) heapKey() float64 { return h.toSiteKm }

// reset readies the stream for a request, keeping its buffers.
func (s *depotStream) reset(x *Index, site Point, needs []need) {
	s.x, s.site, s.needs, s.started = x, site, needs, false
	s.cells.items, s.found.items, s.sorted = s.cells.items[:0], s.found.items[:0], s.sorted[:0]
}

// at returns the i-th nearest depot, or false when there are fewer.
func (s *depotStream) at(i int) (depotHit, bool) {
	if !s.started {
		s.start()
	}
	for len(s.sorted) <= i {
		nextBound := math.Inf(1)
		if s.cells.len() > 0 {
			nextBound = s.cells.top().boundKm
		}
		if s.found.len() > 0 && s.found.top().toSiteKm <= nextBound {
			s.sorted = append(s.sorted, s.found.pop())
			continue
		}
		if s.cells.len() == 0 {
			return depotHit{}, false
		}
		s.open(s.cells.pop())
	}
	return s.sorted[i], true
}

func (s *depotStream) start() {
	s.started = true
	radius := cellRadiusKm(s.x.layout.depot)
	for i, n := range s.needs {
		hs := s.x.holders[n.part]
		if hs == nil {
			continue
		}
		for j := range hs.cells {
			c := &hs.cells[j]
			s.cells.items = append(s.cells.items, depotCell{boundKm: c.centre.DistanceKm(s.site) - radius, holders: c.holders, need: i})
		}
	}
	s.cells.init()
}

// open moves the depots of a cell to found. A depot holding several needed
// parts is filed under each; it is taken from the first need only. With a
// single need, as most requests have, the holder says it all; otherwise the
// depot's stock is read.
func (s *depotStream) open(c depotCell) {
	for _, h := range c.holders {
		holdsAll := h.qty >= s.needs[c.need].qty
		if len(s.needs) > 1 {
			d := &s.x.depots[h.slot]
			if s.heldEarlier(d, c.need) {
				continue
			}
			for _, n := range s.needs {
				holdsAll = holdsAll && d.stock.qty(n.part) >= n.qty
			}
		}
		at := s.x.depots[h.slot].at
		s.found.push(depotHit{slot: h.slot, holdsAll: holdsAll, toSiteKm: at.DistanceKm(s.site), at: at})
	}
}

func (s *depotStream) heldEarlier(d *depot, need int) bool {
	for _, n := range s.needs[:need] {
		if d.stock.qty(n.part) > 0 {
			return true
		}
	}
	return false
}
