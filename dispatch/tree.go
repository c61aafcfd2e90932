package dispatch

import "github.com/uber/h3-go/v4"

// cellTree files the entries of one product line in a tree of H3 cells:
// leaves at the fine resolution of the ring walk, and above them the
// occupied cells every second resolution up to the coarsest, so a best-first
// search can bound whole regions at once. Every node keeps the centre of its
// cell for the bound of cellRadiusKm.
type cellTree struct {
	levels []int               // resolutions, coarsest first; the last is the leaves'
	radius []float64           // cellRadiusKm per level
	nodes  []map[h3.Cell]*node // occupied cells per level
	roots  []*node
}

// node is an occupied cell of a cellTree. A leaf holds entries with their
// details side by side (a search reads the details of few entries), any
// other node its occupied children. The trees that file vans by part keep
// entries alone, with no details.
type node struct {
	cell     h3.Cell
	centre   Point
	level    int
	parent   *node
	pos      int // in parent.children, or in roots
	children []*node
	entries  []entry
	details  []detail
}

// newCellTree returns an empty tree with leaves at resolution fine.
func newCellTree(fine int) cellTree {
	var levels []int
	for res := fine % 2; res <= fine; res += 2 {
		levels = append(levels, res)
	}
	t := cellTree{levels: levels, radius: make([]float64, len(levels)), nodes: make([]map[h3.Cell]*node, len(levels))}
	for i, res := range levels {
		t.radius[i] = cellRadiusKm(res)
		t.nodes[i] = make(map[h3.Cell]*node)
	}
	return t
}

// leaf returns the leaf of fine cell c, or nil when nobody is filed there.
func (t *cellTree) leaf(c h3.Cell) *node {
	return t.nodes[len(t.levels)-1][c]
}

// add files en with its details in fine cell c.
func (t *cellTree) add(c h3.Cell, en entry, d detail) {
	n := t.node(len(t.levels)-1, c)
	n.entries = append(n.entries, en)
	n.details = append(n.details, d)
}

// addEntry files en alone, without details, in fine cell c.
func (t *cellTree) addEntry(c h3.Cell, en entry) {
	n := t.node(len(t.levels)-1, c)
	n.entries = append(n.entries, en)
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
		last := len(n.entries) - 1
		n.entries[i] = n.entries[last]
		n.entries = n.entries[:last]
		if n.details != nil {
			n.details[i] = n.details[last]
			n.details[last] = detail{}
			n.details = n.details[:last]
		}
	}
	for n != nil && len(n.entries) == 0 && len(n.children) == 0 {
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

// entry returns the entry of slot in fine cell c and its details (nil in a
// tree without details); the engineer must be filed there.
func (t *cellTree) entry(c h3.Cell, slot int32) (*entry, *detail) {
	n := t.leaf(c)
	i := -1
	if n != nil {
		i = n.find(slot)
	}
	if i < 0 {
		panic("dispatch: engineer missing from its cell")
	}
	if n.details == nil {
		return &n.entries[i], nil
	}
	return &n.entries[i], &n.details[i]
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
