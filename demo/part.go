package demo

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aftercare/aftercare/postgres"
)

// seedProductLine is a product line with the models sold under it.
type seedProductLine struct {
	code, name, kind string
	// serialPrefix starts the serial numbers of PCs; servers and storage
	// start theirs with the model's machine type.
	serialPrefix string
	models       []seedModel
}

// seedModel is a model of a product line.
type seedModel struct {
	name        string
	machineType string
}

// seedProductLines are the product lines, PCs first, then servers, then
// storage; the site kinds' weights follow this order.
var seedProductLines = []seedProductLine{
	{code: "thinkpad_t", name: "ThinkPad T Series", kind: "pc", serialPrefix: "PF", models: []seedModel{
		{name: "ThinkPad T14 Gen 5"}, {name: "ThinkPad T14s Gen 6"}, {name: "ThinkPad T16 Gen 3"}}},
	{code: "thinkpad_x", name: "ThinkPad X Series", kind: "pc", serialPrefix: "PC", models: []seedModel{
		{name: "ThinkPad X1 Carbon Gen 12"}, {name: "ThinkPad X1 2-in-1 Gen 9"}, {name: "ThinkPad X13 Gen 5"}}},
	{code: "thinkcentre", name: "ThinkCentre Desktops", kind: "pc", serialPrefix: "MJ", models: []seedModel{
		{name: "ThinkCentre M90q Gen 5"}, {name: "ThinkCentre M70s Gen 5"}, {name: "ThinkCentre neo 50s Gen 5"}}},
	{code: "thinkstation", name: "ThinkStation Workstations", kind: "pc", serialPrefix: "S1", models: []seedModel{
		{name: "ThinkStation P3 Tower"}, {name: "ThinkStation P5"}, {name: "ThinkStation P8"}}},
	{code: "thinksystem_sr", name: "ThinkSystem SR Rack Servers", kind: "server", models: []seedModel{
		{"ThinkSystem SR630 V3", "7D72"}, {"ThinkSystem SR650 V3", "7D75"}, {"ThinkSystem SR860 V3", "7D94"}}},
	{code: "thinksystem_st", name: "ThinkSystem ST Tower Servers", kind: "server", models: []seedModel{
		{"ThinkSystem ST50 V2", "7D8J"}, {"ThinkSystem ST250 V3", "7DCF"}, {"ThinkSystem ST650 V3", "7D7A"}}},
	{code: "thinkagile_hx", name: "ThinkAgile HX Hyperconverged Systems", kind: "server", models: []seedModel{
		{"ThinkAgile HX630 V3", "7D6X"}, {"ThinkAgile HX650 V3", "7D6Y"}}},
	{code: "thinksystem_de", name: "ThinkSystem DE Series Hybrid Storage", kind: "storage", models: []seedModel{
		{"ThinkSystem DE4000H", "7Y74"}, {"ThinkSystem DE6000H", "7Y78"}}},
	{code: "thinksystem_dm", name: "ThinkSystem DM Series Unified Storage", kind: "storage", models: []seedModel{
		{"ThinkSystem DM5000H", "7Y57"}, {"ThinkSystem DM7100F", "7D25"}}},
	{code: "thinksystem_dg", name: "ThinkSystem DG Series All-Flash Storage", kind: "storage", models: []seedModel{
		{"ThinkSystem DG5000", "7DE9"}, {"ThinkSystem DG7000", "7DEA"}}},
}

// seedLinesOfKind returns the indexes in seedProductLines of a kind's lines.
func seedLinesOfKind(kind string) []int {
	var lines []int
	for i, l := range seedProductLines {
		if l.kind == kind {
			lines = append(lines, i)
		}
	}
	return lines
}

func (s *seeder) copyProductLines(ctx context.Context, l *postgres.Loader) error {
	return s.copyRows(ctx, l, "product_lines", []string{"code", "name", "kind"}, len(seedProductLines), func(i int) []any {
		l := seedProductLines[i]
		return []any{l.code, l.name, l.kind}
	})
}

// seedPartTemplate describes a kind of spare part and the product lines it
// fits. A description with "{model}" makes a part per model, for the one
// line of that model; any other fits all its lines.
type seedPartTemplate struct {
	description string
	lines       []string
	// price is the list price in CNY before a ±15 % spread.
	price float64
}

// Product line groups of the part templates.
var (
	seedLaptops  = []string{"thinkpad_t", "thinkpad_x"}
	seedPCs      = []string{"thinkpad_t", "thinkpad_x", "thinkcentre", "thinkstation"}
	seedDesktops = []string{"thinkcentre", "thinkstation"}
	seedServers  = []string{"thinksystem_sr", "thinksystem_st", "thinkagile_hx"}
	seedRack     = []string{"thinksystem_sr", "thinkagile_hx"}
	seedStorage  = []string{"thinksystem_de", "thinksystem_dm", "thinksystem_dg"}
)

var seedPartTemplates = []seedPartTemplate{
	{"{model} 14in WUXGA IPS Display Panel", seedLaptops, 1850},
	{"{model} Keyboard US English Backlit", seedLaptops, 680},
	{"{model} Bottom Cover", seedLaptops, 320},
	{"{model} System Board", seedPCs, 3200},
	{"{model} Thermal Fan Assembly", seedPCs, 260},
	{"{model} Front Panel Audio and USB Board", seedDesktops, 240},
	{"ThinkPad 57Wh 3-cell Internal Battery", seedLaptops, 890},
	{"ThinkPad 65W USB-C Power Adapter", seedLaptops, 290},
	{"ThinkPad 16GB DDR5 5600MHz SODIMM", seedLaptops, 620},
	{"512GB M.2 2280 PCIe Gen4 NVMe SSD", seedPCs, 760},
	{"16GB DDR5 5600MHz UDIMM", seedDesktops, 580},
	{"ThinkCentre 260W 92% Power Supply", []string{"thinkcentre"}, 540},
	{"ThinkStation 1400W Power Supply", []string{"thinkstation"}, 2600},
	{"NVIDIA RTX 2000 Ada 16GB Graphics Card", []string{"thinkstation"}, 6800},
	{"ThinkSystem 2.4TB 10K SAS 12Gb Hot Swap 512e HDD", seedServers, 3200},
	{"ThinkSystem 960GB Read Intensive SATA 6Gb SSD", seedServers, 2600},
	{"ThinkSystem 3.84TB NVMe PCIe Gen4 U.2 SSD", seedRack, 9800},
	{"ThinkSystem 32GB TruDDR5 4800MHz RDIMM", seedServers, 2400},
	{"ThinkSystem 64GB TruDDR5 4800MHz RDIMM", seedRack, 4600},
	{"ThinkSystem 1100W Titanium Hot-Swap Power Supply", seedRack, 2100},
	{"ThinkSystem 750W Platinum Hot-Swap Power Supply", []string{"thinksystem_st"}, 1500},
	{"ThinkSystem RAID 940-8i 4GB Flash Adapter", seedServers, 5200},
	{"ThinkSystem Broadcom 57414 10/25GbE SFP28 OCP Adapter", seedRack, 2900},
	{"{model} System Board", seedServers, 18500},
	{"{model} Hot-Swap Fan Module", seedServers, 780},
	{"{model} Front Operator Panel", seedServers, 450},
	{"ThinkSystem DE Series 1.92TB 2.5in SSD", []string{"thinksystem_de"}, 6800},
	{"ThinkSystem DE Series 4TB 7.2K NL-SAS 3.5in HDD", []string{"thinksystem_de"}, 2400},
	{"ThinkSystem DM Series 3.84TB SSD Drive Pack", []string{"thinksystem_dm"}, 12800},
	{"ThinkSystem DG Series 15.36TB QLC NVMe SSD", []string{"thinksystem_dg"}, 26800},
	{"ThinkSystem 32Gb FC SFP+ Transceiver", seedStorage, 1200},
	{"ThinkSystem 25GbE SFP28 SR Transceiver", seedStorage, 650},
	{"ThinkSystem DM/DG Series NVRAM Module", []string{"thinksystem_dm", "thinksystem_dg"}, 8800},
	{"{model} Controller Module", seedStorage, 38000},
	{"{model} Cache Backup Battery", seedStorage, 1800},
	{"{model} Power Supply Unit", seedStorage, 2600},
}

// seedPart is a part to load.
type seedPart struct {
	id          uuid
	fru         string
	description string
	// priceFen is the unit price in CNY fen.
	priceFen int64
	lines    []string
}

// seedFRUMul, about 0.618 of seedMaxParts and coprime to it, makes
// i ↦ i·mul+offset modulo seedMaxParts a permutation that spreads
// neighbours apart.
const seedFRUMul = 417_791

// fru returns the FRU number of the i-th part, like "01YU645": a zero, the
// series digit, then two letters and three digits unique to i. Two Feistel
// rounds over (letters, digits) after the affine step hide the stride.
func (s *seeder) fru(series, i int) string {
	x := (uint64(i)*seedFRUMul + seedMix(uint64(s.cfg.Seed)+1)%seedMaxParts) % seedMaxParts
	letters, digits := x/1000, x%1000
	digits = (digits + seedMix(letters)%1000) % 1000
	letters = (letters + seedMix(digits+1000)%676) % 676
	return fmt.Sprintf("0%d%c%c%03d", series, 'A'+letters/26, 'A'+letters%26, digits)
}

// planParts builds the catalogue. The i-th part is for product line i mod
// 10, so every line has parts, from a template that fits that line.
func (s *seeder) planParts() {
	s.partsByLine = map[string][]int{}
	for i := range s.cfg.Parts {
		r := s.rng(seedStreamParts, i)
		line := seedProductLines[i%len(seedProductLines)]
		var fits []seedPartTemplate
		for _, t := range seedPartTemplates {
			if slices.Contains(t.lines, line.code) {
				fits = append(fits, t)
			}
		}
		t := fits[r.IntN(len(fits))]
		p := seedPart{id: seedUUID(r), fru: s.fru(1+r.IntN(5), i), description: t.description, lines: t.lines}
		if strings.Contains(t.description, "{model}") {
			model := line.models[r.IntN(len(line.models))]
			p.description = strings.ReplaceAll(t.description, "{model}", model.name)
			p.lines = []string{line.code}
		}
		p.priceFen = int64(math.Round(t.price * (0.85 + 0.3*r.Float64()) * 100))
		for _, l := range p.lines {
			s.partsByLine[l] = append(s.partsByLine[l], i)
		}
		s.parts = append(s.parts, p)
	}
}

func (s *seeder) copyParts(ctx context.Context, l *postgres.Loader) error {
	return s.copyRows(ctx, l, "parts", []string{"id", "fru", "description", "unit_price", "currency", "component"},
		len(s.parts), func(i int) []any {
			p := s.parts[i]
			// Fen over 100 is exact in numeric(12, 2): the float's shortest
			// decimal form is the price in yuan.
			return []any{p.id, p.fru, p.description, float64(p.priceFen) / 100, "CNY", seedComponent(p.description)}
		})
}

// seedComponent is the component a part replaces, where readings are taken
// of it, read from its description as the device health migration reads
// the parts loaded before it; nil for any other part.
func seedComponent(description string) any {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(description, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("SSD", "HDD", "Drive Pack"):
		return "drive"
	case has("DIMM"):
		return "memory"
	case has("Power Supply"):
		return "psu"
	case has("Fan"):
		return "fan"
	case has("Battery"):
		return "battery"
	}
	return nil
}

func (s *seeder) copyPartProductLines(ctx context.Context, l *postgres.Loader) error {
	var rows [][]any
	for _, p := range s.parts {
		for _, l := range p.lines {
			rows = append(rows, []any{p.id, l})
		}
	}
	return s.copyFrom(ctx, l, "part_product_lines", []string{"part_id", "product_line"}, postgres.Rows(rows))
}
