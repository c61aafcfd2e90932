package dispatch

import (
	"slices"

	"github.com/uber/h3-go/v4"
)

// cellTree files the entries of one product line in a tree of H3 cells:
// leaves at the fine resolution of the ring walk, and above them the
// occupied cells every second resolution up to the coarsest, so a best-first
// search can bound whole regions at once. Every node keeps the centre of its
// cell for the bound of descendantRadiusKm: an entry is filed under the
// ancestors of its leaf, which stick out of their own outlines.
type cellTree struct {
	levels []int               // resolutions, coarsest first; the last is the leaves'
	radius []float64           // descendantRadiusKm per level
	nodes  []map[h3.Cell]*node // occupied cells per level
	roots  []*node
}

// node is an occupied cell of a cellTree. A leaf holds entries — those of
// a product line, or in the trees of vans those of one part — and any other
// node its occupied children.
type node struct {
	cell     h3.Cell
	centre   Point
	level    int
	parent   *node
	pos      int // in parent.children, or in roots
	children []*node
	entries  []entry
	vans     []vanEntry
}

// newCellTree returns an empty tree with leaves at resolution fine.
func newCellTree(fine int) cellTree {
	var levels []int
	for res := fine % 2; res <= fine; res += 2 {
		levels = append(levels, res)
	}
	t := cellTree{levels: levels, radius: make([]float64, len(levels)), nodes: make([]map[h3.Cell]*node, len(levels))}
	for i, res := range levels {
		t.radius[i] = descendantRadiusKm(res, fine)
		t.nodes[i] = make(map[h3.Cell]*node)
	}
	return t
}

// leaf returns the leaf of fine cell c, or nil when nobody is filed there.
func (t *cellTree) leaf(c h3.Cell) *node {
	return t.nodes[len(t.levels)-1][c]
}

// add files en in fine cell c.
func (t *cellTree) add(c h3.Cell, en entry) {
	n := t.node(len(t.levels)-1, c)
	n.entries = append(n.entries, en)
}

// addVan files v in fine cell c.
func (t *cellTree) addVan(c h3.Cell, v vanEntry) {
	n := t.node(len(t.levels)-1, c)
	n.vans = append(n.vans, v)
}

// node returns the node of cell c at level i, creating it and its missing
// ancestors.
func (t *cellTree) node(i int, c h3.Cell) *node {
	if n := t.nodes[i][c]; n != nil {
		return n
	}
	ll := h3.CellToLatLng(c)
	n := &node{cell: c, centre: NewPoint(ll.Lat, ll.Lng), level: i}
	t.nodes[i][c] = n
	if i == 0 {
		n.pos = len(t.roots)
		t.roots = append(t.roots, n)
		return n
	}
	n.parent = t.node(i-1, c.Parent(t.levels[i-1]))
	n.pos = len(n.parent.children)
	n.parent.children = append(n.parent.children, n)
	return n
}

// remove takes the entry of slot out of fine cell c, dropping the cells
// that empty.
func (t *cellTree) remove(c h3.Cell, slot int32) {
	n := t.leaf(c)
	if n == nil {
		return
	}
	if i := n.find(slot); i >= 0 {
		n.entries[i] = n.entries[len(n.entries)-1]
		n.entries = n.entries[:len(n.entries)-1]
	}
	if i := n.findVan(slot); i >= 0 {
		n.vans[i] = n.vans[len(n.vans)-1]
		n.vans = n.vans[:len(n.vans)-1]
	}
	for n != nil && len(n.entries) == 0 && len(n.vans) == 0 && len(n.children) == 0 {
		t.detach(n)
		n = n.parent
	}
}

// detach takes an empty node out of its parent (or the roots) and the index.
func (t *cellTree) detach(n *node) {
	siblings := &t.roots
	if n.parent != nil {
		siblings = &n.parent.children
	}
	last := len(*siblings) - 1
	moved := (*siblings)[last]
	(*siblings)[n.pos], moved.pos = moved, n.pos
	(*siblings)[last] = nil
	*siblings = (*siblings)[:last]
	delete(t.nodes[n.level], n.cell)
}

// entry returns the entry of slot in fine cell c; the engineer must be
// filed there.
func (t *cellTree) entry(c h3.Cell, slot int32) *entry {
	if n := t.leaf(c); n != nil {
		if i := n.find(slot); i >= 0 {
			return &n.entries[i]
		}
	}
	panic("dispatch: engineer missing from its cell")
}

// van returns the van entry of slot in fine cell c; the engineer must be
// filed there.
func (t *cellTree) van(c h3.Cell, slot int32) *vanEntry {
	if n := t.leaf(c); n != nil {
		if i := n.findVan(slot); i >= 0 {
			return &n.vans[i]
		}
	}
	panic("dispatch: van missing from its cell")
}

// find returns the position of slot's entry in the leaf, or -1.
func (n *node) find(slot int32) int {
	for i := range n.entries {
		if n.entries[i].slot == slot {
			return i
		}
	}
	return -1
}

// findVan returns the position of slot's van entry in the leaf, or -1.
func (n *node) findVan(slot int32) int {
	for i := range n.vans {
		if n.vans[i].slot == slot {
			return i
		}
	}
	return -1
}

// trim gives every leaf's entries the room they take and no more, the
// spare room that filing them one by one left behind.
func (t *cellTree) trim() {
	for _, n := range t.nodes[len(t.levels)-1] {
		if cap(n.entries) > len(n.entries) {
			n.entries = slices.Clone(n.entries)
		}
		if cap(n.vans) > len(n.vans) {
			n.vans = slices.Clone(n.vans)
		}
	}
}
