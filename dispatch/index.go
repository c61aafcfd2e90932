package dispatch

import (
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

// engineer is an Engineer as the index keeps it. What the rules read for
// every engineer in reach is copied into its entries.
type engineer struct {
	van       []stockRow
	load      int
	calendar  weekShifts
	mask      calendarMask // of calendar, for the search through the vans
	id        string
	at        Point
	fine      h3.Cell
	vanCell   h3.Cell // at layout.vans
	zone      uint16
	clearance uint8
	lines     []*line // of the engineer's skills
	levels    []uint8 // the level on each of lines
	// expires holds when the certification on each of lines lapses, or is
	// nil when none does.
	expires  []instant
	capacity int
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

// lapsed reports whether the engineer's certification on ln has lapsed at
// now; an engineer without the line has none to lapse.
func (e *engineer) lapsed(ln *line, now instant) bool {
	if e.expires == nil {
		return false
	}
	for i, l := range e.lines {
		if l == ln {
			return !now.before(e.expires[i])
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
// the cheap rules read, so most engineers cost a short sequential read.
type entry struct {
	at        Point
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
	expires  instant // when the certification on the line lapses
}

// depot is a Depot as the index keeps it.
type depot struct {
	id    string
	at    Point
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
