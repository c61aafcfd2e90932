package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// seedDepot is a depot to load.
type seedDepot struct {
	id       uuid
	code     string
	name     string
	place    seedPlace
	lat, lng float64
}

// planDepots puts the i-th depot in the i-th place of the spread order, so
// depots reach every region before a city gets a second one.
func (s *seeder) planDepots() {
	perCode := map[string]int{}
	for i := range s.cfg.Depots {
		r := s.rng(seedStreamDepots, i)
		place := s.places[i%len(s.places)]
		perCode[place.code]++
		n := perCode[place.code]
		name := place.Name + " Parts Depot"
		if n > 1 {
			name = fmt.Sprintf("%s %d", name, n)
		}
		lat, lng := seedNear(r, place.City, 5)
		s.depots = append(s.depots, seedDepot{id: seedUUID(r), code: fmt.Sprintf("DEP-%s%d", place.code, n), name: name,
			place: place, lat: lat, lng: lng})
	}
}

func (s *seeder) copyDepots(ctx context.Context, l *postgres.Loader) error {
	return s.copyRows(ctx, l, "depots", []string{"id", "code", "name", "city", "country", "region", "lat", "lng", "time_zone"},
		len(s.depots), func(i int) []any {
			d := s.depots[i]
			return []any{d.id, d.code, d.name, d.place.Name, d.place.Country, d.place.region, d.lat, d.lng, d.place.TimeZone}
		})
}

// seedEngineer is an engineer to load, derived again from its index
// whenever its rows are needed.
type seedEngineer struct {
	id        uuid
	code      string
	name      string
	depot     int
	clearance aftercare.Tier
	shifts    string
	lat, lng  float64
	skills    []seedSkill
}

// seedSkill is a certification on the product line of seedProductLines
// with index line.
type seedSkill struct {
	line, level int
}

// seedShiftJSON writes weekly windows on the given days in the format of
// engineers.shifts.
func seedShiftJSON(days []int, start, end string) string {
	windows := make([]string, len(days))
	for i, d := range days {
		windows[i] = fmt.Sprintf(`{"day":%d,"start":%q,"end":%q}`, d, start, end)
	}
	return "[" + strings.Join(windows, ",") + "]"
}

// The shift patterns (day 0 is Sunday) and how common each is.
var (
	seedShift24x7     = seedShiftJSON([]int{0, 1, 2, 3, 4, 5, 6}, "00:00", "24:00")
	seedShiftPatterns = []string{
		seedShift24x7,
		seedShiftJSON([]int{1, 2, 3, 4, 5}, "09:00", "18:00"),
		seedShiftJSON([]int{1, 2, 3, 4, 5}, "08:00", "20:00"),
		seedShiftJSON([]int{1, 2, 3, 4, 5, 6}, "08:00", "17:00"),
		seedShiftJSON([]int{0, 3, 4, 5, 6}, "10:00", "22:00"),
	}
	seedShiftWeights = []int{20, 35, 25, 10, 10}
)

// seedKindLines are the product lines of each product kind (PCs, servers,
// storage) and seedKindWeights how many engineers specialise in each.
var (
	seedKindLines   = [][]int{seedLinesOfKind("pc"), seedLinesOfKind("server"), seedLinesOfKind("storage")}
	seedKindWeights = []int{45, 35, 20}
)

var (
	seedSurnames    = []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo"}
	seedGivenNames  = []string{"Wei", "Fang", "Na", "Min", "Jing", "Lei", "Qiang", "Jun", "Yang", "Yong", "Yan", "Jie", "Tao", "Ming", "Chao", "Xiuying", "Hui", "Hao", "Yu", "Peng", "Xin", "Bo", "Lin", "Hong"}
	seedFirstNames  = []string{"Anna", "Lukas", "Emma", "Noah", "Olivia", "James", "Mia", "Liam", "Chloe", "Ethan", "Priya", "Arjun", "Siti", "Ravi", "Grace", "Daniel"}
	seedFamilyNames = []string{"Schmidt", "Weber", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Tan", "Lim", "Ng", "Kumar", "Naidu", "Singh", "Fischer", "Walker", "Nguyen"}
)

// seedPersonName draws a name that fits the country.
func seedPersonName(r *rand.Rand, country string) string {
	if country == "CN" {
		return seedSurnames[r.IntN(len(seedSurnames))] + " " + seedGivenNames[r.IntN(len(seedGivenNames))]
	}
	return seedFirstNames[r.IntN(len(seedFirstNames))] + " " + seedFamilyNames[r.IntN(len(seedFamilyNames))]
}

// engineer derives the i-th engineer: home depot i mod depots, around its
// city (σ 15 km), 30 % cleared for platinum, certified on one to three lines
// of one product kind. ENG-00001 is engineer.zhang, a platinum server
// specialist on the 24x7 rota.
func (s *seeder) engineer(i int) seedEngineer {
	r := s.rng(seedStreamEngineers, i)
	e := seedEngineer{id: seedUUID(r), code: fmt.Sprintf("ENG-%05d", i+1), depot: i % len(s.depots)}
	place := s.depots[e.depot].place
	e.name = seedPersonName(r, place.Country)
	e.clearance = aftercare.Tiers[seedWeighted(r, []int{30, 40, 30})]
	e.shifts = seedShiftPatterns[seedWeighted(r, seedShiftWeights)]
	e.lat, e.lng = seedNear(r, place.City, 15)
	lines := seedKindLines[seedWeighted(r, seedKindWeights)]
	perm := r.Perm(len(lines))
	for _, k := range perm[:min(1+r.IntN(3), len(lines))] {
		e.skills = append(e.skills, seedSkill{line: lines[k], level: 1 + r.IntN(3)})
	}
	if i == 0 {
		e.name = seedStaff[seedStaffEngineer].name
		e.clearance = aftercare.TierPlatinum
		e.shifts = seedShift24x7
		server := seedKindLines[1]
		e.skills = []seedSkill{{server[0], 3}, {server[1], 3}, {server[2], 2}}
	}
	return e
}

func (s *seeder) copyEngineers(ctx context.Context, l *postgres.Loader) error {
	return s.copyRows(ctx, l, "engineers",
		[]string{"id", "code", "name", "user_id", "region", "home_depot_id", "tier_clearance", "capacity", "time_zone",
			"shifts", "lat", "lng"},
		s.cfg.Engineers, func(i int) []any {
			e := s.engineer(i)
			d := s.depots[e.depot]
			var user any
			if i == 0 {
				user = s.engineerUser
			}
			return []any{e.id, e.code, e.name, user, d.place.region, d.id, string(e.clearance), int32(3),
				d.place.TimeZone, e.shifts, e.lat, e.lng}
		})
}

func (s *seeder) copyEngineerSkills(ctx context.Context, l *postgres.Loader) error {
	i, k := 0, 0
	var e seedEngineer
	if s.cfg.Engineers > 0 {
		e = s.engineer(0)
	}
	return s.copyFrom(ctx, l, "engineer_skills", []string{"engineer_id", "product_line", "level"},
		func() ([]any, error) {
			for i < s.cfg.Engineers && k == len(e.skills) {
				i, k = i+1, 0
				if i < s.cfg.Engineers {
					e = s.engineer(i)
				}
			}
			if i == s.cfg.Engineers {
				return nil, nil
			}
			k++
			sk := e.skills[k-1]
			return []any{e.id, seedProductLines[sk.line].code, int16(sk.level)}, nil
		})
}

// vanParts chooses the parts in an engineer's van: parts of the lines the
// engineer is certified on first, then any others, in random order.
func (s *seeder) vanParts(r *rand.Rand, e seedEngineer) []int {
	want := s.cfg.VanStockPerEngineer
	var fits []int
	for _, sk := range e.skills {
		fits = append(fits, s.partsByLine[seedProductLines[sk.line].code]...)
	}
	slices.Sort(fits)
	fits = slices.Compact(fits)
	n := min(want, len(fits))
	for j := range n {
		k := j + r.IntN(len(fits)-j)
		fits[j], fits[k] = fits[k], fits[j]
	}
	chosen := fits[:n]
	if len(chosen) == want {
		return chosen
	}
	in := make(map[int]bool, want)
	for _, p := range chosen {
		in[p] = true
	}
	for len(chosen) < want {
		if p := r.IntN(len(s.parts)); !in[p] {
			in[p] = true
			chosen = append(chosen, p)
		}
	}
	return chosen
}
