package dispatch

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/uber/h3-go/v4"
)

// Index holds engineers and depots filed by H3 cell for Candidates and
// Assign, and follows location, load and stock changes without a rebuild.
//
// Engineers are filed per product line, so a search only meets engineers who
// hold the line, in a tree of cells whose leaves are the fine cells of the
// ring walk (see cellTree). Each entry carries what the cheap rules and the
// distance need — level on the line, clearance, free capacity, location — so
// an engineer far away or failing them costs no memory access beyond the
// entry. Engineers are filed a second time per part their van holds, in
// trees of entries alone: when few vans hold a part, as when 10 parts of 500
// are in each, the search for those who need no depot reads those vans only
// (see search.go). Depots are filed per part they hold, at a coarse
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
	vans      map[int32]*line // engineers by part in the van, entries alone
	size      int
	zones     []*time.Location // interned by name, so entries hold a small index
	zoneOf    map[string]uint16

	parts     map[string]int32 // part IDs interned for the stock maps
	depots    []depot
	depotSlot map[string]int32
	holders   map[int32]*holders // by part

	searches sync.Pool // of *search
}

// layout is the H3 geometry of an index: the fine resolution of the ring
// walk, the disk radii it asks H3 for in turn before it falls back to the
// best-first search, the resolution depots are filed at, and that of the
// leaves of the trees of vans.
type layout struct {
	fine  int
	rings []int
	depot int
	vans  int
}

// defaultLayout walks resolution-4 rings (cells of about 1,770 km², 22.6 km
// edges; ringGapKm 17.9 km per ring) out to a disk of radius 3, 37 cells that
// certify 54 km, and files depots at resolution 3. BenchmarkResolution on the
// issue's workload (100,000 engineers, 10,000 incidents, 2-core shared VM,
// two runs each) measured, per query:
//
//	resolution, disk radius   median     p99
//	3, 1                      51 µs      109–126 µs
//	4, 3                      46 µs      103–111 µs
//	5, 4                      45 µs      120–122 µs
//	6, 8                      69 µs      182–187 µs
//	7, 16                     171 µs     454–505 µs
//
// The fifth candidate's trip, usually through a depot, is 20 km at the
// median incident and 57 km at the 99th percentile, so finer cells mostly add
// cells to look up (a radius-8 disk is 217 cells, radius 16 is 817) and the loose
// bound of bound.go costs more rings; coarser ones put more engineers beyond
// reach into each cell examined. Resolutions 4 and 5 tie on the median and 4
// has the shorter tail.
// vanResolution is the resolution of the leaves of the trees of vans:
// resolution 1 (cells of about 609,000 km², 418 km edges). A part's vans are
// few — about 1,500 of 100,000 in the workload — so coarse leaves
// hold enough of them to fill a shortlist in a few cells, and with depots
// the first pass reads the site's cell and its neighbours, where the nearest
// depot holding the part always lies. Per query, thread CPU time over the
// workload's 10,000 incidents (the lower of two passes per incident, two
// runs, 2-core shared VM; BenchmarkVanResolution times the same in wall
// time):
//
//	resolution   with depots, p50 / p99   without, p50 / p99
//	1            39–41 / 69–73 µs         33 / 47–48 µs
//	2            40–41 / 72–73 µs         38 / 57–60 µs
//	3            38–39 / 69–71 µs         39–42 / 76–83 µs
//	4            41–42 / 75–76 µs         49–52 / 116–128 µs
const vanResolution = 1

func defaultLayout() layout {
	return layout{fine: 4, rings: []int{3}, depot: 3, vans: vanResolution}
}

// engineer is an Engineer as the index keeps it. What the rules read for
// every engineer in reach is copied into its entries.
type engineer struct {
	van       []stockRow
	load      int
	calendar  weekShifts
	mask      calendarMask // of calendar, for the search through the vans
	id        string
	at        point
	fine      h3.Cell
	vanCell   h3.Cell // at layout.vans
	zone      uint16
	clearance uint8
	lines     []*line // of the engineer's skills
	levels    []uint8 // the level on each of lines
	capacity  int
}

// level returns the engineer's level on ln, or 0 without the line.
func (e *engineer) level(ln *line) uint8 {
	for i, l := range e.lines {
		if l == ln {
			return e.levels[i]
		}
	}
	return 0
}

// line files the engineers who hold one product line, or whose vans hold
// one part.
type line struct {
	tree  cellTree
	size  int
	index int // the order in which the index met the product line
}

// entry is an engineer as a product line files it: what the distance and
// the cheap rules read, so most engineers cost a short sequential read.
type entry struct {
	at        point
	slot      int32
	skills    skillSet // in the trees of vans; 0 in those of lines
	zone      uint16   // in Index.zones
	level     uint8
	clearance uint8
	free      bool // load below capacity
}

// skillSet packs an engineer's levels on the first skillSetLines product
// lines an index meets, two bits each, so the search through the vans reads
// the level on the line from the entry; a high bit marks an engineer with a
// line beyond them, whose level is read from the engineer.
type skillSet uint32

// skillSetLines is how many product lines a skillSet holds.
const skillSetLines = 15

// newSkillSet packs the levels on lines.
func newSkillSet(lines []*line, levels []uint8) skillSet {
	var s skillSet
	for i, ln := range lines {
		if ln.index < skillSetLines {
			s |= skillSet(levels[i]) << (2 * ln.index)
		} else {
			s |= 1 << 31
		}
	}
	return s
}

// level returns the level on ln, and false when the set cannot tell.
func (s skillSet) level(ln *line) (uint8, bool) {
	if ln.index < skillSetLines {
		return uint8(s>>(2*ln.index)) & 3, true
	}
	return 0, s&(1<<31) == 0
}

// detail is the rest of what a line files about an engineer, read for
// those who pass the level and clearance rules.
type detail struct {
	id       string
	calendar calendarMask
	van      partSet // the parts in the van, give or take false positives
}

// depot is a Depot as the index keeps it.
type depot struct {
	id    string
	at    point
	cell  h3.Cell
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
		zoneOf:    make(map[string]uint16),
		lines:     make(map[string]*line),
		vans:      make(map[int32]*line),
		parts:     make(map[string]int32),
		depotSlot: make(map[string]int32, len(depots)),
		holders:   make(map[int32]*holders),
	}
	for i := range engineers {
		if _, ok := x.slotOf[engineers[i].ID]; ok {
			return nil, invalidf("engineer %s appears twice", engineers[i].ID)
		}
		if err := x.put(engineers[i], false); err != nil {
			return nil, err
		}
	}
	// The vans are filed after the lines, so that each tree's leaves are
	// allocated side by side.
	for slot := range x.engineers {
		for _, r := range x.engineers[slot].van {
			x.fileVan(int32(slot), r.part)
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

// Put adds the engineer, or replaces the one with the same ID. Time zones
// are told apart by name: two *time.Location with one name must be the same
// zone, as time.LoadLocation's are.
func (x *Index) Put(e Engineer) error {
	return x.put(e, true)
}

// put is Put, filing the engineer under the van's parts when vans is true.
func (x *Index) put(e Engineer, vans bool) error {
	if err := e.validate(); err != nil {
		return err
	}
	zone, err := x.zone(e.Calendar.Location)
	if err != nil {
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
	var van []stockRow
	for part, qty := range e.Van {
		if qty > 0 {
			van = append(van, stockRow{part: x.part(part), qty: int32(qty)})
		}
	}
	slices.SortFunc(van, func(a, b stockRow) int { return cmp.Compare(a.part, b.part) })
	mask := newCalendarMask(&e.Calendar)
	x.engineers[slot] = engineer{
		id:        e.ID,
		at:        newPoint(e.Lat, e.Lng),
		fine:      cellAt(e.Lat, e.Lng, x.layout.fine),
		vanCell:   cellAt(e.Lat, e.Lng, x.layout.vans),
		zone:      zone,
		clearance: uint8(tierRank(e.Clearance)),
		calendar:  e.Calendar.compact(),
		mask:      mask,
		capacity:  e.Capacity,
		load:      e.Load,
		van:       van,
	}
	x.slotOf[e.ID] = slot
	x.size++
	x.file(slot, e.Skills, entry{
		at:        newPoint(e.Lat, e.Lng),
		slot:      slot,
		zone:      zone,
		clearance: uint8(tierRank(e.Clearance)),
		free:      e.Load < e.Capacity,
	}, detail{id: e.ID, calendar: mask, van: newPartSet(van)})
	if vans {
		for _, r := range van {
			x.fileVan(slot, r.part)
		}
	}
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
	at, fine := newPoint(lat, lng), cellAt(lat, lng, x.layout.fine)
	for _, ln := range e.lines {
		en, d := ln.tree.entry(e.fine, slot)
		if fine == e.fine {
			en.at = at
			continue
		}
		moved, movedDetail := *en, *d
		moved.at = at
		ln.tree.remove(e.fine, slot)
		ln.tree.add(fine, moved, movedDetail)
	}
	vanCell := cellAt(lat, lng, x.layout.vans)
	for _, r := range e.van {
		t := &x.vans[r.part].tree
		en, _ := t.entry(e.vanCell, slot)
		if vanCell == e.vanCell {
			en.at = at
			continue
		}
		moved := *en
		moved.at = at
		t.remove(e.vanCell, slot)
		t.addEntry(vanCell, moved)
	}
	e.at, e.fine, e.vanCell = at, fine, vanCell
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
	slot := x.slotOf[id]
	for _, ln := range e.lines {
		en, _ := ln.tree.entry(e.fine, slot)
		en.free = load < e.capacity
	}
	for _, r := range e.van {
		en, _ := x.vans[r.part].tree.entry(e.vanCell, slot)
		en.free = load < e.capacity
	}
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
	part, slot := x.part(partID), x.slotOf[id]
	i, found := slices.BinarySearchFunc(e.van, part, func(r stockRow, p int32) int { return cmp.Compare(r.part, p) })
	switch {
	case found && qty == 0:
		e.van = slices.Delete(e.van, i, i+1)
		x.unfileVan(slot, part)
	case found:
		e.van[i].qty = int32(qty)
	case qty > 0:
		e.van = slices.Insert(e.van, i, stockRow{part: part, qty: int32(qty)})
		x.fileVan(slot, part)
	}
	for _, ln := range e.lines {
		_, d := ln.tree.entry(e.fine, slot)
		d.van = newPartSet(e.van)
	}
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
			x.setDepotStock(slot, part, 0)
		}
	} else {
		slot = int32(len(x.depots))
		x.depots = append(x.depots, depot{})
		x.depotSlot[d.ID] = slot
	}
	x.depots[slot] = depot{
		id:    d.ID,
		at:    newPoint(d.Lat, d.Lng),
		cell:  cellAt(d.Lat, d.Lng, x.layout.depot),
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

// setDepotStock sets a stock level and files the depot under the part
// while it holds at least one unit.
func (x *Index) setDepotStock(slot, part int32, qty int) {
	d := &x.depots[slot]
	if qty == 0 {
		delete(d.stock, part)
	} else {
		d.stock[part] = int32(qty)
	}
	hs := x.holders[part]
	if hs == nil && qty == 0 {
		return
	}
	if hs == nil {
		hs = newHolders()
		x.holders[part] = hs
	}
	hs.set(d.cell, slot, d.at, int32(qty))
}

// engineer returns the engineer with the ID.
func (x *Index) engineer(id string) (*engineer, error) {
	slot, ok := x.slotOf[id]
	if !ok {
		return nil, notFound("engineer", id)
	}
	return &x.engineers[slot], nil
}

// file adds the engineer in slot to the lines of its skills, with en
// completed by the level on each line.
func (x *Index) file(slot int32, skills map[string]int, en entry, d detail) {
	e := &x.engineers[slot]
	for name, level := range skills {
		ln := x.lines[name]
		if ln == nil {
			ln = &line{tree: newCellTree(x.layout.fine), index: len(x.lines)}
			x.lines[name] = ln
		}
		en.level = uint8(level)
		ln.tree.add(e.fine, en, d)
		ln.size++
		e.lines = append(e.lines, ln)
		e.levels = append(e.levels, uint8(level))
	}
}

// unfile takes the engineer in slot out of its lines and its parts.
func (x *Index) unfile(slot int32) {
	e := &x.engineers[slot]
	for _, ln := range e.lines {
		ln.tree.remove(e.fine, slot)
		ln.size--
	}
	for _, r := range e.van {
		x.unfileVan(slot, r.part)
	}
	e.lines, e.levels = nil, nil
	x.size--
}

// fileVan files the engineer in slot under a part the van now holds, with
// what the search through the vans reads first.
func (x *Index) fileVan(slot, part int32) {
	e := &x.engineers[slot]
	vans := x.vans[part]
	if vans == nil {
		vans = &line{tree: newCellTree(x.layout.vans)}
		x.vans[part] = vans
	}
	vans.tree.addEntry(e.vanCell, entry{at: e.at, slot: slot, skills: newSkillSet(e.lines, e.levels), zone: e.zone,
		clearance: e.clearance, free: e.load < e.capacity})
	vans.size++
}

// unfileVan takes the engineer in slot out of a part's vans.
func (x *Index) unfileVan(slot, part int32) {
	vans := x.vans[part]
	vans.tree.remove(x.engineers[slot].vanCell, slot)
	vans.size--
}

// zone interns a time zone by name, so engineers whose zones were loaded
// one by one still share it.
func (x *Index) zone(loc *time.Location) (uint16, error) {
	z, ok := x.zoneOf[loc.String()]
	if !ok {
		if len(x.zones) > math.MaxUint16 {
			return 0, invalidf("more than %d time zones", math.MaxUint16+1)
		}
		z = uint16(len(x.zones))
		x.zones = append(x.zones, loc)
		x.zoneOf[loc.String()] = z
	}
	return z, nil
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

// cellAt returns the H3 cell of lat, lng at res.
func cellAt(lat, lng float64, res int) h3.Cell {
	return h3.LatLngToCell(h3.NewLatLng(lat, lng), res)
}
