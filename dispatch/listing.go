package dispatch

// rejected is a rejection as the search collects it: the engineer's slot,
// so only the IDs of those listed or tied are read, and the squared chord
// and distance to the site.
type rejected struct {
	slot   int32
	reason Reason
	c2, km float64
}

// farther reports whether a comes after b in Result.Rejected: farther from
// the site, or as far with the greater ID.
func (l *nearestRejections) farther(a, b *rejected) bool {
	if a.km != b.km {
		return a.km > b.km
	}
	return l.x.engineers[a.slot].id > l.x.engineers[b.slot].id
}

// nearestRejections keeps the k rejections nearest the site that it is
// offered (by distance, then engineer ID, as Result.Rejected orders them)
// in a heap with the farthest on top, and tallies every offer by reason.
// Offers farther than the top by more than any rounding are turned away on
// their squared chord, without the arcsine of the distance.
type nearestRejections struct {
	x     *Index
	k     int
	heap  []rejected
	tally [reasonCount]int
}

// reset empties the list for k rejections in x, keeping its buffer.
func (l *nearestRejections) reset(x *Index, k int) {
	l.x, l.k, l.heap, l.tally = x, k, l.heap[:0], [reasonCount]int{}
}

// full reports whether the list holds k rejections.
func (l *nearestRejections) full() bool { return len(l.heap) == l.k }

// farthestKm returns the distance of the farthest listed rejection; the
// list must not be empty.
func (l *nearestRejections) farthestKm() float64 { return l.heap[0].km }

// offer tallies a rejection and lists it if it is among the k nearest, and
// reports whether the list changed.
func (l *nearestRejections) offer(slot int32, reason Reason, c2 float64) bool {
	l.tally[reason.order()]++
	if l.k == 0 {
		return false
	}
	// A squared chord greater by a relative 10⁻¹² gives a greater distance
	// (the arcsine grows at least as fast as its argument), short of the
	// antipodes, where chordKm clamps.
	if l.full() && c2 > l.heap[0].c2*(1+1e-12) && l.heap[0].c2 < 3.9 {
		return false
	}
	r := rejected{slot: slot, reason: reason, c2: c2, km: chordKm(c2)}
	if !l.full() {
		l.heap = append(l.heap, r)
		l.up(len(l.heap) - 1)
		return true
	}
	if !l.farther(&l.heap[0], &r) {
		return false
	}
	l.heap[0] = r
	l.down(0)
	return true
}

func (l *nearestRejections) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !l.farther(&l.heap[i], &l.heap[parent]) {
			return
		}
		l.heap[i], l.heap[parent] = l.heap[parent], l.heap[i]
		i = parent
	}
}

func (l *nearestRejections) down(i int) {
	n := len(l.heap)
	for {
		far := i
		if c := 2*i + 1; c < n && l.farther(&l.heap[c], &l.heap[far]) {
			far = c
		}
		if c := 2*i + 2; c < n && l.farther(&l.heap[c], &l.heap[far]) {
			far = c
		}
		if far == i {
			return
		}
		l.heap[i], l.heap[far] = l.heap[far], l.heap[i]
		i = far
	}
}
