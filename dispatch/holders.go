package dispatch

import (
	"slices"

	"github.com/uber/h3-go/v4"
)

// holders files the depots that hold at least one unit of one part by H3
// cell, with the units, and keeps the occupied cells side by side so a
// search bounds them all in one sequential pass and reads the records of
// the depots in the cells it opens only. A stock change finds its cell by
// that pass too: a part is in a few hundred cells at most.
type holders struct {
	cells []holderCell
}

// holderCell is one occupied cell of holders.
type holderCell struct {
	cell    h3.Cell
	centre  Point
	holders []holder
}

// holder is a depot holding units of the part; its location is in the
// depot's record.
type holder struct {
	slot int32
	qty  int32
}

// set records that the depot in slot, in cell c, holds qty units: it
// files, updates or, for zero units, removes the depot.
func (h *holders) set(c h3.Cell, slot int32, qty int32) {
	i := slices.IndexFunc(h.cells, func(hc holderCell) bool { return hc.cell == c })
	if i < 0 {
		if qty == 0 {
			return
		}
		ll := h3.CellToLatLng(c)
		i = len(h.cells)
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
		hc.holders = append(hc.holders, holder{slot: slot, qty: qty})
	}
}

// drop removes the empty cell at position i.
func (h *holders) drop(i int) {
	last := len(h.cells) - 1
	h.cells[i] = h.cells[last]
	h.cells[last] = holderCell{}
	h.cells = h.cells[:last]
}
