package dispatch

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/uber/h3-go/v4"
)

// This file holds how engineers and depots are filed in an Index, and how
// the Index follows their changes (location, load, van and depot stock)
// without a rebuild.

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
		at:        NewPoint(e.Lat, e.Lng),
		fine:      cellAt(e.Lat, e.Lng, x.layout.fine),
		vanCell:   cellAt(e.Lat, e.Lng, x.layout.vans),
		zone:      zone,
		clearance: uint8(e.Clearance.Rank()),
		calendar:  e.Calendar.compact(),
		mask:      mask,
		capacity:  e.Capacity,
		load:      e.Load,
		van:       van,
	}
	x.slotOf[e.ID] = slot
	x.size++
	x.file(slot, e.Skills, e.Expires, entry{
		at:        NewPoint(e.Lat, e.Lng),
		slot:      slot,
		zone:      zone,
		clearance: uint8(e.Clearance.Rank()),
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
	at, fine := NewPoint(lat, lng), cellAt(lat, lng, x.layout.fine)
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

// Load returns how many jobs the index holds for an engineer, and false
// for an engineer it does not hold.
func (x *Index) Load(id string) (int, bool) {
	e, err := x.engineer(id)
	if err != nil {
		return 0, false
	}
	return e.load, true
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
		at:    NewPoint(d.Lat, d.Lng),
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
// completed by the level on each line and d by the certification's expiry.
func (x *Index) file(slot int32, skills map[string]int, expires map[string]time.Time, en entry, d detail) {
	e := &x.engineers[slot]
	for name, level := range skills {
		ln := x.lines[name]
		if ln == nil {
			ln = &line{tree: newCellTree(x.layout.fine), index: len(x.lines)}
			x.lines[name] = ln
		}
		en.level = uint8(level)
		d.expires = expiryOf(expires, name)
		ln.tree.add(e.fine, en, d)
		ln.size++
		e.lines = append(e.lines, ln)
		e.levels = append(e.levels, uint8(level))
		if len(expires) > 0 {
			e.expires = append(e.expires, d.expires)
		}
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
	e.lines, e.levels, e.expires = nil, nil, nil
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
