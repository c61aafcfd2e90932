package dispatch

import (
	"cmp"
	"math"
	"slices"
)

// stockRow is a part held in a van or a depot.
type stockRow struct {
	part int32
	qty  int32
}

// stockRows are the parts a van or a depot holds, sorted by part, each at
// one unit or more.
type stockRows []stockRow

func byPart(r stockRow, part int32) int { return cmp.Compare(r.part, part) }

// qty returns the units of part held.
func (rs stockRows) qty(part int32) int32 {
	if i, found := slices.BinarySearchFunc(rs, part, byPart); found {
		return rs[i].qty
	}
	return 0
}

// set records qty units of part, and reports whether the part was held
// before.
func (rs *stockRows) set(part, qty int32) (held bool) {
	i, found := slices.BinarySearchFunc(*rs, part, byPart)
	switch {
	case found && qty == 0:
		*rs = slices.Delete(*rs, i, i+1)
	case found:
		(*rs)[i].qty = qty
	case qty > 0:
		*rs = slices.Insert(*rs, i, stockRow{part: part, qty: qty})
	}
	return found
}

// newStockRows returns the rows of the parts in stock with one unit or
// more, interning their IDs in x.
func (x *Index) newStockRows(stock map[string]int) stockRows {
	n := 0
	for _, qty := range stock {
		if qty > 0 {
			n++
		}
	}
	rows := make(stockRows, 0, n)
	for part, qty := range stock {
		if qty > 0 {
			rows = append(rows, stockRow{part: x.part(part), qty: int32(qty)})
		}
	}
	slices.SortFunc(rows, func(a, b stockRow) int { return cmp.Compare(a.part, b.part) })
	return rows
}

// partSet is a 128-bit summary of a set of parts: bit p mod 128 for each
// part p. A clear bit proves the part absent, so a search learns that a van
// lacks the needed parts without reading the van (a van of 10 parts sets
// under 8 % of the bits).
type partSet [2]uint64

func newPartSet(rows []stockRow) partSet {
	var s partSet
	for _, r := range rows {
		s[r.part>>6&1] |= 1 << (r.part & 63)
	}
	return s
}

// mayHold reports whether part may be in the set; part -1, never seen by
// the index, is in none.
func (s *partSet) mayHold(part int32) bool {
	return part >= 0 && s[part>>6&1]&(1<<(part&63)) != 0
}

// vanPoint is a Point rounded to 16 bits a coordinate, how the trees of
// vans keep an engineer's location: each coordinate within vanRounding of
// the exact one, so the chord from a site differs from the exact chord by
// less than vanChordSlack. A search rules out on it the vans beyond reach
// and reads the exact location from the engineer for the others.
type vanPoint struct {
	x, y, z int16
}

const (
	vanScale      = 32767
	vanRounding   = 0.5 / vanScale
	vanChordSlack = 1.8 * vanRounding // > √3·vanRounding and the rounding of chord2
)

func newVanPoint(p Point) vanPoint {
	return vanPoint{x: int16(math.Round(p.x * vanScale)), y: int16(math.Round(p.y * vanScale)), z: int16(math.Round(p.z * vanScale))}
}

// chord2 returns the squared chord from the rounded point to p.
func (v vanPoint) chord2(p Point) float64 {
	dx := float64(v.x)/vanScale - p.x
	dy := float64(v.y)/vanScale - p.y
	dz := float64(v.z)/vanScale - p.z
	return dx*dx + dy*dy + dz*dz
}

// widenChord2 returns the squared chord a rounded point may show when the
// exact one is at c2: whoever shows more is farther than c2.
func widenChord2(c2 float64) float64 {
	if math.IsInf(c2, 1) {
		return c2
	}
	c := math.Sqrt(c2) + vanChordSlack
	return c * c * (1 + 1e-9)
}
