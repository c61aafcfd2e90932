package dispatch

// stockRow is a part held in a van; a van's rows are sorted by part.
type stockRow struct {
	part int32
	qty  int32
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

// vanQty returns the units of part in the engineer's van.
func (e *engineer) vanQty(part int32) int32 {
	for _, r := range e.van {
		if r.part >= part {
			if r.part == part {
				return r.qty
			}
			return 0
		}
	}
	return 0
}
