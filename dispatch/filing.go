package dispatch

import (
	"cmp"
	"encoding/binary"
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
	cal := x.calendars.acquire(e.Calendar.key(nil, zone), func() sharedCalendar {
		return sharedCalendar{mask: newCalendarMask(&e.Calendar), week: e.Calendar.compact(), zone: zone}
	})
	if cal >= maxCalendars {
		x.calendars.release(cal)
		return invalidf("engineer %s: more than %d calendars", e.ID, maxCalendars)
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
	van := x.newStockRows(e.Van)
	x.engineers[slot] = engineer{
		id:        e.ID,
		at:        NewPoint(e.Lat, e.Lng),
		fine:      cellAt(e.Lat, e.Lng, x.layout.fine),
		vanCell:   cellAt(e.Lat, e.Lng, x.layout.vans),
		van:       van,
		vanParts:  newPartSet(van),
		calendar:  cal,
		load:      int32(e.Load),
		capacity:  int32(e.Capacity),
		clearance: uint8(e.Clearance.Rank()),
	}
	x.slotOf[e.ID] = slot
	x.size++
	x.file(slot, e.Skills, e.Expires)
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
	for _, ln := range x.skills.values[e.skills].lines {
		en := ln.tree.entry(e.fine, slot)
		if fine == e.fine {
			en.at = at
			continue
		}
		moved := *en
		moved.at = at
		ln.tree.remove(e.fine, slot)
		ln.tree.add(fine, moved)
	}
	vanCell := cellAt(lat, lng, x.layout.vans)
	for _, r := range e.van {
		t := &x.vans[r.part].tree
		v := t.van(e.vanCell, slot)
		if vanCell == e.vanCell {
			v.at = newVanPoint(at)
			continue
		}
		moved := *v
		moved.at = newVanPoint(at)
		t.remove(e.vanCell, slot)
		t.addVan(vanCell, moved)
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
	return int(e.load), true
}

// SetLoad records how many jobs the engineer holds now.
func (x *Index) SetLoad(id string, load int) error {
	e, err := x.engineer(id)
	if err != nil {
		return err
	}
	if load < 0 || load > math.MaxInt32 {
		return invalidf("engineer %s: load %d", id, load)
	}
	e.load = int32(load)
	slot, free := x.slotOf[id], e.free()
	for _, ln := range x.skills.values[e.skills].lines {
		en := ln.tree.entry(e.fine, slot)
		en.traits = en.traits.withFree(free)
	}
	for _, r := range e.van {
		v := x.vans[r.part].tree.van(e.vanCell, slot)
		v.flags = newVanFlags(e.clearance, free)
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
	switch held := e.van.set(part, int32(qty)); {
	case held && qty == 0:
		x.unfileVan(slot, part)
	case !held && qty > 0:
		x.fileVan(slot, part)
	}
	e.vanParts = newPartSet(e.van)
	return nil
}

// PutDepot adds the depot, or replaces the one with the same ID.
func (x *Index) PutDepot(d Depot) error {
	if err := d.validate(); err != nil {
		return err
	}
	slot, ok := x.depotSlot[d.ID]
	if ok {
		for _, r := range slices.Clone(x.depots[slot].stock) {
			x.setDepotStock(slot, r.part, 0)
		}
	} else {
		slot = int32(len(x.depots))
		x.depots = append(x.depots, depot{})
		x.depotSlot[d.ID] = slot
	}
	stock := x.newStockRows(d.Stock)
	x.depots[slot] = depot{
		id:    d.ID,
		at:    NewPoint(d.Lat, d.Lng),
		cell:  cellAt(d.Lat, d.Lng, x.layout.depot),
		stock: stock,
	}
	for _, r := range stock {
		x.fileDepot(slot, r.part, r.qty)
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
	x.setDepotStock(slot, x.part(partID), int32(qty))
	return nil
}

// setDepotStock sets a stock level and files the depot under the part
// while it holds at least one unit.
func (x *Index) setDepotStock(slot, part, qty int32) {
	x.depots[slot].stock.set(part, qty)
	x.fileDepot(slot, part, qty)
}

// fileDepot files the depot in slot under the part with qty units, or
// takes it out at none.
func (x *Index) fileDepot(slot, part, qty int32) {
	hs := x.holders[part]
	if hs == nil && qty == 0 {
		return
	}
	if hs == nil {
		hs = new(holders)
		x.holders[part] = hs
	}
	hs.set(x.depots[slot].cell, slot, qty)
}

// engineer returns the engineer with the ID.
func (x *Index) engineer(id string) (*engineer, error) {
	slot, ok := x.slotOf[id]
	if !ok {
		return nil, notFound("engineer", id)
	}
	return &x.engineers[slot], nil
}

// file adds the engineer in slot to the lines of its skills, and records
// the skills and their expiries.
func (x *Index) file(slot int32, levels map[string]int, expires map[string]time.Time) {
	e := &x.engineers[slot]
	type skill struct {
		name  string
		ln    *line
		level uint8
	}
	held := make([]skill, 0, len(levels))
	for name, level := range levels {
		ln := x.lines[name]
		if ln == nil {
			ln = &line{tree: newCellTree(x.layout.fine), index: len(x.lines)}
			x.lines[name] = ln
		}
		held = append(held, skill{name, ln, uint8(level)})
	}
	slices.SortFunc(held, func(a, b skill) int { return cmp.Compare(a.ln.index, b.ln.index) })
	var key []byte
	for _, s := range held {
		key = binary.AppendUvarint(key, uint64(s.ln.index))
		key = append(key, s.level)
	}
	e.skills = x.skills.acquire(key, func() skills {
		sk := skills{lines: make([]*line, len(held)), levels: make([]uint8, len(held))}
		for i, s := range held {
			sk.lines[i], sk.levels[i] = s.ln, s.level
		}
		sk.set = newSkillSet(sk.lines, sk.levels)
		return sk
	})
	var lapse []instant
	if len(expires) > 0 {
		lapse = make([]instant, len(held))
		for i, s := range held {
			lapse[i] = expiryOf(expires, s.name)
		}
		x.expires[slot], e.expires = lapse, true
	}
	for i, s := range held {
		lapses := lapse != nil && lapse[i] != never
		s.ln.tree.add(e.fine, entry{at: e.at, slot: slot, traits: newTraits(s.level, e.clearance, e.free(), lapses, e.calendar)})
		s.ln.size++
	}
}

// unfile takes the engineer in slot out of its lines and its parts, and
// lets go of its calendar and skills.
func (x *Index) unfile(slot int32) {
	e := &x.engineers[slot]
	for _, ln := range x.skills.values[e.skills].lines {
		ln.tree.remove(e.fine, slot)
		ln.size--
	}
	for _, r := range e.van {
		x.unfileVan(slot, r.part)
	}
	x.skills.release(e.skills)
	x.calendars.release(e.calendar)
	delete(x.expires, slot)
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
	vans.tree.addVan(e.vanCell, vanEntry{at: newVanPoint(e.at), flags: newVanFlags(e.clearance, e.free()),
		skills: x.skills.values[e.skills].set, slot: slot})
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
