package dispatch

import (
	"github.com/uber/h3-go/v4"
)

// Index holds engineers and depots filed by H3 cell for Candidates and
// Assign, and follows location, load and stock changes without a rebuild.
//
// Engineers are filed per product line, so a search only meets engineers who
// hold the line: at a fine resolution for the ring walk and at a coarse one
// for the exact fallback scan when rings grow large. Each entry carries the
// engineer's level on the line and clearance, so those rules cost no memory
// access beyond the entry. Depots are filed per part they hold, at the coarse
// resolution.
//
// An Index is not safe for concurrent use when one of the calls updates it;
// concurrent Candidates and Assign calls alone are safe.
type Index struct {
	layout layout

	engineers []engineer // by slot; a free slot has an empty id
	free      []int32
	slotOf    map[string]int32
	lines     map[string]*line
	size      int

	parts     map[string]int32 // part IDs interned for the stock maps
	depots    []depot
	depotSlot map[string]int32
	holders   map[int32]*cellList[int32] // part → depots holding ≥ 1 unit
}

// layout is the H3 geometry of an index: the fine resolution of the ring
// walk, the coarse resolution of the fallback scan and the depot index, and
// the disk radii the ring walk asks H3 for in turn before it falls back.
type layout struct {
	fine, coarse int
	rings        []int
}

// defaultLayout is measured by BenchmarkResolution; see the comment there
// for the numbers.
func defaultLayout() layout {
	return layout{fine: 6, coarse: 3, rings: []int{3, 6, 10}}
}

// engineer is an Engineer as the index keeps it.
type engineer struct {
	id           string
	at           point
	fine, coarse h3.Cell
	skills       []skill
	clearance    uint8
	calendar     *Calendar
	capacity     int
	load         int
	van          map[int32]int32
}

// skill is one product line of an engineer, with its level.
type skill struct {
	line  *line
	level uint8
}

// line files the engineers who hold one product line.
type line struct {
	fine   map[h3.Cell][]entry
	coarse cellList[entry]
	size   int
}

// entry is an engineer as a product line files it.
type entry struct {
	slot      int32
	level     uint8
	clearance uint8
}

// depot is a Depot as the index keeps it.
type depot struct {
	id    string
	at    point
	cell  h3.Cell // coarse
	stock map[int32]int32
}

// NewIndex returns an index of the engineers and depots. IDs must be unique.
func NewIndex(engineers []Engineer, depots []Depot) (*Index, error) {
	return newIndex(defaultLayout(), engineers, depots)
}

func newIndex(l layout, engineers []Engineer, depots []Depot) (*Index, error) {
	x := &Index{
		layout:    l,
		slotOf:    make(map[string]int32, len(engineers)),
		lines:     make(map[string]*line),
		parts:     make(map[string]int32),
		depotSlot: make(map[string]int32, len(depots)),
		holders:   make(map[int32]*cellList[int32]),
	}
	for i := range engineers {
		if _, ok := x.slotOf[engineers[i].ID]; ok {
			return nil, invalidf("engineer %s appears twice", engineers[i].ID)
		}
		if err := x.Put(engineers[i]); err != nil {
			return nil, err
		}
	}
	for i := range depots {
		if _, ok := x.depotSlot[depots[i].ID]; ok {
			return nil, invalidf("depot %s appears twice", depots[i].ID)
		}
		if err := x.PutDepot(depots[i]); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// Len returns the number of engineers in the index.
func (x *Index) Len() int { return x.size }

// Put adds the engineer, or replaces the one with the same ID.
func (x *Index) Put(e Engineer) error {
	if err := e.validate(); err != nil {
		return err
	}
	slot, ok := x.slotOf[e.ID]
	if ok {
		x.unfile(slot)
	} else if n := len(x.free); n > 0 {
		slot, x.free = x.free[n-1], x.free[:n-1]
	} else {
		slot = int32(len(x.engineers))
		x.engineers = append(x.engineers, engineer{})
	}
	van := make(map[int32]int32, len(e.Van))
	for part, qty := range e.Van {
		if qty > 0 {
			van[x.part(part)] = int32(qty)
		}
	}
	x.engineers[slot] = engineer{
		id:        e.ID,
		at:        newPoint(e.Lat, e.Lng),
		fine:      x.cell(e.Lat, e.Lng, x.layout.fine),
		coarse:    x.cell(e.Lat, e.Lng, x.layout.coarse),
		clearance: uint8(tierRank(e.Clearance)),
		calendar:  e.Calendar.clone(),
		capacity:  e.Capacity,
		load:      e.Load,
		van:       van,
	}
	x.slotOf[e.ID] = slot
	x.size++
	x.file(slot, e.Skills)
	return nil
}

// Remove takes the engineer out of the index.
func (x *Index) Remove(id string) error {
	slot, ok := x.slotOf[id]
	if !ok {
		return notFound("engineer", id)
	}
	x.unfile(slot)
	x.engineers[slot] = engineer{}
	x.free = append(x.free, slot)
	delete(x.slotOf, id)
	return nil
}

// Move records a new location report for the engineer.
func (x *Index) Move(id string, lat, lng float64) error {
	e, err := x.engineer(id)
	if err != nil {
		return err
	}
	if !validLatLng(lat, lng) {
		return invalidf("engineer %s: location %v, %v is not on the globe", id, lat, lng)
	}
	slot := x.slotOf[id]
	fine, coarse := x.cell(lat, lng, x.layout.fine), x.cell(lat, lng, x.layout.coarse)
	for _, s := range e.skills {
		en := entry{slot: slot, level: s.level, clearance: e.clearance}
		if fine != e.fine {
			s.line.fine[e.fine] = removeItem(s.line.fine[e.fine], en)
			if len(s.line.fine[e.fine]) == 0 {
				delete(s.line.fine, e.fine)
			}
			s.line.fine[fine] = append(s.line.fine[fine], en)
		}
		if coarse != e.coarse {
			s.line.coarse.remove(e.coarse, en)
			s.line.coarse.add(coarse, en)
		}
	}
	e.at, e.fine, e.coarse = newPoint(lat, lng), fine, coarse
	return nil
}

// SetLoad records how many jobs the engineer holds now.
func (x *Index) SetLoad(id string, load int) error {
	e, err := x.engineer(id)
	if err != nil {
		return err
	}
	if load < 0 {
		return invalidf("engineer %s: load %d", id, load)
	}
	e.load = load
	return nil
}

// SetStock records the units of a part in the engineer's van.
func (x *Index) SetStock(id, partID string, qty int) error {
	e, err := x.engineer(id)
	if err != nil {
		return err
	}
	if badStock(partID, qty) {
		return invalidf("engineer %s: van holds %d of part %q", id, qty, partID)
	}
	if qty == 0 {
		delete(e.van, x.part(partID))
		return nil
	}
	e.van[x.part(partID)] = int32(qty)
	return nil
}

// PutDepot adds the depot, or replaces the one with the same ID.
func (x *Index) PutDepot(d Depot) error {
	if err := d.validate(); err != nil {
		return err
	}
	slot, ok := x.depotSlot[d.ID]
	if ok {
		for part := range x.depots[slot].stock {
			x.holders[part].remove(x.depots[slot].cell, slot)
		}
	} else {
		slot = int32(len(x.depots))
		x.depots = append(x.depots, depot{})
		x.depotSlot[d.ID] = slot
	}
	x.depots[slot] = depot{
		id:    d.ID,
		at:    newPoint(d.Lat, d.Lng),
		cell:  x.cell(d.Lat, d.Lng, x.layout.coarse),
		stock: make(map[int32]int32, len(d.Stock)),
	}
	for part, qty := range d.Stock {
		x.setDepotStock(slot, x.part(part), qty)
	}
	return nil
}

// SetDepotStock records the units of a part the depot holds.
func (x *Index) SetDepotStock(depotID, partID string, qty int) error {
	slot, ok := x.depotSlot[depotID]
	if !ok {
		return notFound("depot", depotID)
	}
	if badStock(partID, qty) {
		return invalidf("depot %s: holds %d of part %q", depotID, qty, partID)
	}
	x.setDepotStock(slot, x.part(partID), qty)
	return nil
}

// setDepotStock sets a stock level, filing the depot under the part while
// it holds at least one unit.
func (x *Index) setDepotStock(slot, part int32, qty int) {
	d := &x.depots[slot]
	_, held := d.stock[part]
	switch {
	case qty > 0 && !held:
		hs := x.holders[part]
		if hs == nil {
			l := newCellList[int32]()
			hs = &l
			x.holders[part] = hs
		}
		hs.add(d.cell, slot)
	case qty == 0 && held:
		x.holders[part].remove(d.cell, slot)
	}
	if qty == 0 {
		delete(d.stock, part)
		return
	}
	d.stock[part] = int32(qty)
}

// engineer returns the engineer with the ID.
func (x *Index) engineer(id string) (*engineer, error) {
	slot, ok := x.slotOf[id]
	if !ok {
		return nil, notFound("engineer", id)
	}
	return &x.engineers[slot], nil
}

// file adds the engineer in slot to the lines of its skills.
func (x *Index) file(slot int32, skills map[string]int) {
	e := &x.engineers[slot]
	for name, level := range skills {
		ln := x.lines[name]
		if ln == nil {
			ln = &line{fine: make(map[h3.Cell][]entry), coarse: newCellList[entry]()}
			x.lines[name] = ln
		}
		en := entry{slot: slot, level: uint8(level), clearance: e.clearance}
		ln.fine[e.fine] = append(ln.fine[e.fine], en)
		ln.coarse.add(e.coarse, en)
		ln.size++
		e.skills = append(e.skills, skill{line: ln, level: uint8(level)})
	}
}

// unfile takes the engineer in slot out of its lines.
func (x *Index) unfile(slot int32) {
	e := &x.engineers[slot]
	for _, s := range e.skills {
		en := entry{slot: slot, level: s.level, clearance: e.clearance}
		s.line.fine[e.fine] = removeItem(s.line.fine[e.fine], en)
		if len(s.line.fine[e.fine]) == 0 {
			delete(s.line.fine, e.fine)
		}
		s.line.coarse.remove(e.coarse, en)
		s.line.size--
	}
	e.skills = nil
	x.size--
}

// part interns a part ID.
func (x *Index) part(id string) int32 {
	p, ok := x.parts[id]
	if !ok {
		p = int32(len(x.parts))
		x.parts[id] = p
	}
	return p
}

// cell returns the H3 cell of lat, lng at res.
func (x *Index) cell(lat, lng float64, res int) h3.Cell {
	return h3.LatLngToCell(h3.NewLatLng(lat, lng), res)
}
