package dispatch

import "github.com/uber/h3-go/v4"

// cellList files items by H3 cell and keeps its occupied cells side by side
// in a slice, so a search can bound every occupied cell in one sequential
// pass.
type cellList[T comparable] struct {
	at    map[h3.Cell]int // position in cells
	cells []cellItems[T]
}

// cellItems is one occupied cell of a cellList.
type cellItems[T comparable] struct {
	cell   h3.Cell
	centre point
	items  []T
}

func newCellList[T comparable]() cellList[T] {
	return cellList[T]{at: make(map[h3.Cell]int)}
}

// add files item in cell c.
func (l *cellList[T]) add(c h3.Cell, item T) {
	i, ok := l.at[c]
	if !ok {
		ll := h3.CellToLatLng(c)
		i = len(l.cells)
		l.at[c] = i
		l.cells = append(l.cells, cellItems[T]{cell: c, centre: newPoint(ll.Lat, ll.Lng)})
	}
	l.cells[i].items = append(l.cells[i].items, item)
}

// remove takes item out of cell c, dropping the cell when it empties.
func (l *cellList[T]) remove(c h3.Cell, item T) {
	i, ok := l.at[c]
	if !ok {
		return
	}
	ci := &l.cells[i]
	for j, it := range ci.items {
		if it == item {
			ci.items[j] = ci.items[len(ci.items)-1]
			ci.items = ci.items[:len(ci.items)-1]
			break
		}
	}
	if len(ci.items) > 0 {
		return
	}
	last := len(l.cells) - 1
	l.cells[i] = l.cells[last]
	l.at[l.cells[i].cell] = i
	l.cells[last] = cellItems[T]{}
	l.cells = l.cells[:last]
	delete(l.at, c)
}
