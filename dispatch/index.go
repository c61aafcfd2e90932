package dispatch

import (
	"maps"
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
// distance need — level on the line, clearance, free capacity, location, the
// calendar — so an engineer far away or failing them costs no memory access
// beyond the entry. Engineers are filed a second time per part their van
// holds, in trees of smaller entries with a coarse location: when few vans
// hold a part, as when 10 parts of 500 are in each, the search for those who
// need no depot reads those vans only (see search.go). Depots are filed per
// part they hold, at a coarse resolution.
//
// What many engineers share — a calendar, a set of skills — is kept once
// (see interned), and an engineer's record and entries hold its slot. The
// heap per engineer is measured by BenchmarkIndexMemory.
//
// An Index is not safe for concurrent use when one of the calls updates it;
// concurrent Candidates and Assign calls alone are safe.
type Index struct {
	layout layout

	engineers []engineer // by slot; a free slot has an empty id
	free      []int32
	slotOf    map[string]int32
	lines     map[string]*line
	vans      map[int32]*line // engineers by part in the van
	size      int
	zones     []*time.Location // interned by name, so calendars hold a small index
	zoneOf    map[string]uint16
	calendars interned[sharedCalendar]
	skills    interned[skills]
	// expires holds, for the engineers whose certification on some line
	// lapses, when it lapses on each line of their skills.
	expires map[int32][]instant

	parts     map[string]int32 // part IDs interned for the stock rows
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
// certify 54 km, and files depots at resolution 3. The fifth candidate's
// trip, usually through a depot, is 20 km at the median incident and 57 km
// at the 99th percentile, so finer cells mostly add cells to look up (a
// radius-8 disk is 217 cells, radius 16 is 817) and the loose bound of
// bound.go costs more rings; coarser ones put more engineers beyond reach
// into each cell examined. BenchmarkResolution compares the layouts
// (BENCHMARKS.md, "Dispatch index layout"): resolutions 4 and 5 tie on the
// median and 4 has the shorter tail.
//
// vanResolution is the resolution of the leaves of the trees of vans:
// resolution 1 (cells of about 609,000 km², 418 km edges). A part's vans are
// few — about 1.5 % of the fleet when ten parts of 500 are in each van — so
// coarse leaves hold enough of them to fill a shortlist in a few cells, and
// with depots the first pass reads the site's cell and its neighbours, where
// the nearest depot holding the part always lies. BenchmarkVanResolution
// compares resolutions 1 to 4; 1 is the fastest with depots and without.
const vanResolution = 1

func defaultLayout() layout {
	return layout{fine: 4, rings: []int{3}, depot: 3, vans: vanResolution}
}

// engineer is an Engineer as the index keeps it: what the entries leave
// out, read for the few engineers a search offers or lists.
type engineer struct {
	id        string
	at        Point
	fine      h3.Cell
	vanCell   h3.Cell // at layout.vans
	van       stockRows
	vanParts  partSet // of van
	skills    int32   // in Index.skills
	calendar  int32   // in Index.calendars
	load      int32
	capacity  int32
	clearance uint8
	expires   bool // some certification lapses: Index.expires holds when
}

// free reports whether the engineer holds fewer jobs than their capacity.
func (e *engineer) free() bool { return e.load < e.capacity }

// skills is a set of product lines with a level on each, as engineers
// share it.
type skills struct {
	lines  []*line
	levels []uint8
	set    skillSet
}

// level returns the level on ln, or 0 without the line.
func (s *skills) level(ln *line) uint8 {
	for i, l := range s.lines {
		if l == ln {
			return s.levels[i]
		}
	}
	return 0
}

// lapsed reports whether the certification of the engineer in slot on ln
// has lapsed at now; an engineer without the line has none to lapse.
func (x *Index) lapsed(slot int32, ln *line, now instant) bool {
	e := &x.engineers[slot]
	if !e.expires {
		return false
	}
	expires := x.expires[slot]
	for i, l := range x.skills.values[e.skills].lines {
		if l == ln {
			return !now.before(expires[i])
		}
	}
	return false
}

// line files the engineers who hold one product line, or whose vans hold
// one part.
type line struct {
	tree  cellTree
	size  int
	index int // the order in which the index met the product line
}

// entry is an engineer as a product line files it: what the distance and
// the rules read, so most engineers cost a short sequential read.
type entry struct {
	at     Point
	slot   int32
	traits traits
}

// traits packs what the rules read of an engineer on one line: the level
// (bits 0–1), the clearance's rank (2–3), whether the engineer has free
// capacity (4) and a certification that lapses (5), and the calendar's
// slot (8–31).
type traits uint32

const (
	traitFree    traits = 1 << 4
	traitLapses  traits = 1 << 5
	maxCalendars        = 1 << 24
)

func newTraits(level, clearance uint8, free, lapses bool, calendar int32) traits {
	t := traits(level) | traits(clearance)<<2 | traits(calendar)<<8
	if free {
		t |= traitFree
	}
	if lapses {
		t |= traitLapses
	}
	return t
}

func (t traits) level() uint8     { return uint8(t & 3) }
func (t traits) clearance() uint8 { return uint8(t >> 2 & 3) }
func (t traits) free() bool       { return t&traitFree != 0 }
func (t traits) lapses() bool     { return t&traitLapses != 0 }
func (t traits) calendar() int32  { return int32(t >> 8) }

// withFree returns t with the free-capacity bit set to free.
func (t traits) withFree(free bool) traits {
	if free {
		return t | traitFree
	}
	return t &^ traitFree
}

// vanEntry is an engineer as the vans holding one part file it: the
// location rounded to 16 bits a coordinate (see vanPoint), what the cheap
// rules read, and the slot of the record with the rest.
type vanEntry struct {
	at     vanPoint
	flags  uint16 // the clearance's rank (bits 0–1), free capacity (2)
	skills skillSet
	slot   int32
}

const vanFree = 1 << 2

func newVanFlags(clearance uint8, free bool) uint16 {
	f := uint16(clearance)
	if free {
		f |= vanFree
	}
	return f
}

func (v *vanEntry) clearance() uint8 { return uint8(v.flags & 3) }
func (v *vanEntry) free() bool       { return v.flags&vanFree != 0 }

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

// depot is a Depot as the index keeps it.
type depot struct {
	id    string
	at    Point
	cell  h3.Cell
	stock stockRows
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
		expires:   make(map[int32][]instant),
		engineers: make([]engineer, 0, len(engineers)),
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
	x.trim()
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

// trim gives the trees the room they take and no more, after a build.
func (x *Index) trim() {
	for _, ln := range x.lines {
		ln.tree.trim()
	}
	for _, vans := range x.vans {
		vans.tree.trim()
	}
}

// Compact gives back the room that engineers put one by one (Put) leave
// spare in the index's slices and maps, which a build by NewIndex does not
// leave: call it once after putting many. It is an update.
func (x *Index) Compact() {
	x.trim()
	x.engineers = slices.Clone(x.engineers)
	x.free = slices.Clone(x.free)
	slotOf := make(map[string]int32, len(x.slotOf))
	maps.Copy(slotOf, x.slotOf)
	x.slotOf = slotOf
}

// Len returns the number of engineers in the index.
func (x *Index) Len() int { return x.size }
