package dispatch

import "github.com/uber/h3-go/v4"

// holders files the depots that hold at least one unit of one part by H3
// cell, with the units and the depot's location, and keeps the occupied
// cells side by side so a search bounds them all in one sequential pass and
// rarely needs a depot record.
type holders struct {
	at    map[h3.Cell]int // position in cells
	cells []holderCell
}

// holderCell is one occupied cell of holders.
type holderCell struct {
	cell    h3.Cell
	centre  Point
	holders []holder
}

// holder is a depot holding units of the part.
type holder struct {
	slot int32
	qty  int32
	at   Point
}

func newHolders() *holders {
	return &holders{at: make(map[h3.Cell]int)}
}

// set records that the depot in slot, at `at` in cell c, holds qty units:
// it files, updates or, for zero units, removes the depot.
func (h *holders) set(c h3.Cell, slot int32, at Point, qty int32) {
	i, ok := h.at[c]
	if !ok {
		if qty == 0 {
			return
		}
		ll := h3.CellToLatLng(c)
		i = len(h.cells)
		h.at[c] = i
		h.cells = append(h.cells, holderCell{cell: c, centre: NewPoint(ll.Lat, ll.Lng)})
	}
	hc := &h.cells[i]
	for j := range hc.holders {
		if hc.holders[j].slot != slot {
			continue
		}
		if qty > 0 {
			hc.holders[j].qty = qty
			return
		}
		last := len(hc.holders) - 1
		hc.holders[j] = hc.holders[last]
		hc.holders = hc.holders[:last]
		if last == 0 {
			h.drop(i)
		}
		return
	}
	if qty > 0 {
		hc.holders = append(hc.holders, holder{slot: slot, qty: qty, at: at})
	}
}

// drop removes the empty cell at position i.
func (h *holders) drop(i int) {
	last := len(h.cells) - 1
	delete(h.at, h.cells[i].cell)
	if i != last {
		h.cells[i] = h.cells[last]
		h.at[h.cells[i].cell] = i
	}
	h.cells[last] = holderCell{}
	h.cells = h.cells[:last]
}
