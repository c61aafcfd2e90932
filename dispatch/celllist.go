package dispatch

import "github.com/uber/h3-go/v4"

// cellList files items by H3 cell and keeps its non-empty cells in a slice,
// so a search can bound and visit every occupied cell without walking rings.
type cellList[T comparable] struct {
	byCell map[h3.Cell]*cellItems[T]
	cells  []*cellItems[T]
}

// cellItems is one occupied cell of a cellList.
type cellItems[T comparable] struct {
	cell   h3.Cell
	centre point
	items  []T
	pos    int // in cellList.cells
}

func newCellList[T comparable]() cellList[T] {
	return cellList[T]{byCell: make(map[h3.Cell]*cellItems[T])}
}

// add files item in cell c.
func (l *cellList[T]) add(c h3.Cell, item T) {
	ci := l.byCell[c]
	if ci == nil {
		ll := h3.CellToLatLng(c)
		ci = &cellItems[T]{cell: c, centre: newPoint(ll.Lat, ll.Lng), pos: len(l.cells)}
		l.byCell[c] = ci
		l.cells = append(l.cells, ci)
	}
	ci.items = append(ci.items, item)
}

// remove takes item out of cell c, dropping the cell when it empties.
func (l *cellList[T]) remove(c h3.Cell, item T) {
	ci := l.byCell[c]
	if ci == nil {
		return
	}
	ci.items = removeItem(ci.items, item)
	if len(ci.items) > 0 {
		return
	}
	last := l.cells[len(l.cells)-1]
	l.cells[ci.pos], last.pos = last, ci.pos
	l.cells[len(l.cells)-1] = nil
	l.cells = l.cells[:len(l.cells)-1]
	delete(l.byCell, c)
}

// removeItem deletes the first item equal to x, not keeping order.
func removeItem[T comparable](items []T, x T) []T {
	for i, it := range items {
		if it == x {
			items[i] = items[len(items)-1]
			var zero T
			items[len(items)-1] = zero
			return items[:len(items)-1]
		}
	}
	return items
}
