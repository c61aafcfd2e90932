package dispatch

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"
)

// The table tests place a site in Shanghai on Monday 2 March 2026 at 10:00
// local time and engineers a few km east of it (0.01° of longitude is about
// 0.95 km there).
const (
	siteLat, siteLng = 31.2304, 121.4737
	kmPerLngDegree   = 95.1
)

func mondayTen(tb testing.TB) time.Time {
	return time.Date(2026, time.March, 2, 10, 0, 0, 0, mustZone(tb, "Asia/Shanghai"))
}

// daytime is a calendar of 08:00–20:00 every day in Shanghai.
func daytime(tb testing.TB) Calendar {
	c := Calendar{Location: mustZone(tb, "Asia/Shanghai")}
	for day := range c.Week {
		c.Week[day] = []Shift{{Start: 8 * time.Hour, End: 20 * time.Hour}}
	}
	return c
}

// engineerAt returns a qualified engineer kmEast of the site: level 2 on
// "server", cleared for premium, on shift, one job of three, with part A.
func engineerAt(tb testing.TB, id string, kmEast float64) Engineer {
	return Engineer{
		ID:        id,
		Lat:       siteLat,
		Lng:       siteLng + kmEast/kmPerLngDegree,
		Skills:    map[string]int{"server": 2},
		Clearance: aftercare.TierPremium,
		Calendar:  daytime(tb),
		Capacity:  3,
		Load:      1,
		Van:       map[string]int{"A": 1},
	}
}

func serverRequest(tb testing.TB) Request {
	return Request{
		Lat:         siteLat,
		Lng:         siteLng,
		ProductLine: "server",
		MinLevel:    2,
		Tier:        aftercare.TierPremium,
		Parts:       []PartNeed{{PartID: "A", Quantity: 1}},
		Now:         mondayTen(tb),
		SpeedKmh:    60,
		Shortlist:   3,
		Rejections:  DefaultRejections,
	}
}

// searchBoth runs the index and the reference and checks they agree.
func searchBoth(t *testing.T, engineers []Engineer, depots []Depot, req Request) Result {
	t.Helper()
	want, err := BruteForce(engineers, depots, req)
	require.NoError(t, err)
	got, err := mustIndex(t, defaultLayout(), engineers, depots).Candidates(req)
	require.NoError(t, err)
	require.Equal(t, want, got, "Candidates and BruteForce disagree")
	return got
}

func TestRejectionReasons(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *Engineer, req *Request)
		want   Reason
	}{
		{"no skill", func(e *Engineer, _ *Request) { e.Skills = map[string]int{"storage": 3} }, ReasonNoSkill},
		{"level too low", func(e *Engineer, _ *Request) { e.Skills["server"] = 1 }, ReasonLevelTooLow},
		{"no clearance", func(_ *Engineer, req *Request) { req.Tier = aftercare.TierPlatinum }, ReasonNoClearance},
		{"off shift", func(_ *Engineer, req *Request) { req.Now = req.Now.Add(11 * time.Hour) }, ReasonOffShift},
		{"day off", func(e *Engineer, _ *Request) {
			e.Calendar.Exceptions = map[Date][]Shift{{2026, time.March, 2}: nil}
		}, ReasonOffShift},
		{"certification lapsed at Now", func(e *Engineer, req *Request) {
			e.Expires = map[string]time.Time{"server": req.Now}
		}, ReasonCertificationExpired},
		{"certification lapsed before level", func(e *Engineer, req *Request) {
			e.Skills["server"] = 1
			e.Expires = map[string]time.Time{"server": req.Now.AddDate(0, -1, 0)}
		}, ReasonCertificationExpired},
		{"at capacity", func(e *Engineer, _ *Request) { e.Load = 3 }, ReasonAtCapacity},
		{"no part anywhere", func(e *Engineer, _ *Request) { e.Van = nil }, ReasonNoPart},
		{"not enough units anywhere", func(_ *Engineer, req *Request) { req.Parts[0].Quantity = 2 }, ReasonNoPart},
		{"first failed rule wins", func(e *Engineer, _ *Request) {
			e.Skills["server"], e.Load, e.Van = 1, 3, nil
		}, ReasonLevelTooLow},
		{"off shift before at capacity", func(e *Engineer, req *Request) {
			e.Load = 3
			req.Now = req.Now.Add(-3 * time.Hour)
		}, ReasonOffShift},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, req := engineerAt(t, "e1", 2), serverRequest(t)
			tt.change(&e, &req)
			got := searchBoth(t, []Engineer{e}, nil, req)
			assert.Empty(t, got.Candidates)
			assert.Equal(t, map[Reason]int{tt.want: 1}, got.Counts)
			if tt.want == ReasonNoSkill {
				assert.Empty(t, got.Rejected, "engineers without the line are counted, not listed")
				return
			}
			require.Len(t, got.Rejected, 1)
			assert.Equal(t, Rejection{EngineerID: "e1", Reason: tt.want, DistanceKm: got.Rejected[0].DistanceKm}, got.Rejected[0])
			assert.InDelta(t, 2, got.Rejected[0].DistanceKm, 0.05)
		})
	}
}

func TestWhyNobody(t *testing.T) {
	engineers := []Engineer{engineerAt(t, "near", 1), engineerAt(t, "mid", 5), engineerAt(t, "far", 9), engineerAt(t, "storage", 3)}
	engineers[0].Load = 3
	engineers[1].Skills["server"] = 1
	engineers[2].Van = nil
	engineers[3].Skills = map[string]int{"storage": 2}
	got := searchBoth(t, engineers, nil, serverRequest(t))
	assert.Empty(t, got.Candidates)
	assert.Equal(t, map[Reason]int{ReasonAtCapacity: 1, ReasonLevelTooLow: 1, ReasonNoPart: 1, ReasonNoSkill: 1}, got.Counts)
	var ids []string
	for _, r := range got.Rejected {
		ids = append(ids, r.EngineerID)
	}
	assert.Equal(t, []string{"near", "mid", "far"}, ids, "nearest first")
}

func TestRejectedAreThoseNearerThanTheFarthestCandidate(t *testing.T) {
	engineers := []Engineer{
		engineerAt(t, "busy", 1), engineerAt(t, "a", 2), engineerAt(t, "b", 3),
		engineerAt(t, "junior", 3.5), engineerAt(t, "c", 4), engineerAt(t, "busy-far", 6), engineerAt(t, "d", 7),
	}
	engineers[0].Load, engineers[3].Skills["server"], engineers[5].Load = 3, 1, 3
	got := searchBoth(t, engineers, nil, serverRequest(t))
	require.Len(t, got.Candidates, 3)
	assert.Equal(t, []string{"a", "b", "c"}, []string{got.Candidates[0].EngineerID, got.Candidates[1].EngineerID, got.Candidates[2].EngineerID})
	require.Len(t, got.Rejected, 2, "busy-far is beyond the farthest candidate")
	assert.Equal(t, "busy", got.Rejected[0].EngineerID)
	assert.Equal(t, "junior", got.Rejected[1].EngineerID)
	assert.Equal(t, map[Reason]int{ReasonAtCapacity: 1, ReasonLevelTooLow: 1}, got.Counts)
}

// TestRejectedListsTheNearest checks the cap on the list: the nearest
// Request.Rejections rejections are listed and counted when the shortlist
// is full, while "why nobody?" still counts every rejection.
func TestRejectedListsTheNearest(t *testing.T) {
	engineers := []Engineer{
		engineerAt(t, "busy", 1), engineerAt(t, "junior", 1.5), engineerAt(t, "off", 2), engineerAt(t, "a", 5),
	}
	engineers[0].Load, engineers[1].Skills["server"] = 3, 1
	engineers[2].Calendar.Week = [7][]Shift{}
	req := serverRequest(t)
	req.Shortlist, req.Rejections = 1, 2
	got := searchBoth(t, engineers, nil, req)
	require.Len(t, got.Candidates, 1)
	assert.Equal(t, []string{"busy", "junior"}, rejectedIDs(got))
	assert.Equal(t, map[Reason]int{ReasonAtCapacity: 1, ReasonLevelTooLow: 1}, got.Counts)

	req.Rejections = 0
	got = searchBoth(t, engineers, nil, req)
	assert.Empty(t, got.Rejected)
	assert.Empty(t, got.Counts)

	req.Rejections, req.ProductLine = 1, "storage"
	for i := range engineers {
		engineers[i].Skills["storage"] = 1
	}
	req.MinLevel = 2
	got = searchBoth(t, engineers, nil, req)
	assert.Empty(t, got.Candidates)
	assert.Equal(t, []string{"busy"}, rejectedIDs(got), "one listed")
	assert.Equal(t, map[Reason]int{ReasonLevelTooLow: 4}, got.Counts, "all counted when nobody qualifies")
}

// TestVansHoldingThePart covers the first pass: without depots, the
// nearest engineer whose van holds the part wins over nearer ones who lack
// it, who are listed with no_part; a van holding too few units does not
// count, and a second part narrows the vans further.
func TestVansHoldingThePart(t *testing.T) {
	engineers := []Engineer{
		engineerAt(t, "empty", 1), engineerAt(t, "one-unit", 2), engineerAt(t, "both", 40), engineerAt(t, "a-only", 30),
	}
	engineers[0].Van = nil
	engineers[1].Van = map[string]int{"A": 1, "B": 1}
	engineers[2].Van = map[string]int{"A": 2, "B": 1}
	engineers[3].Van = map[string]int{"A": 5}
	req := serverRequest(t)
	req.Shortlist = 1
	req.Parts = []PartNeed{{PartID: "A", Quantity: 2}, {PartID: "B", Quantity: 1}}
	got := searchBoth(t, engineers, nil, req)
	require.Len(t, got.Candidates, 1)
	assert.Equal(t, "both", got.Candidates[0].EngineerID)
	assert.Equal(t, []string{"empty", "one-unit", "a-only"}, rejectedIDs(got))
	assert.Equal(t, map[Reason]int{ReasonNoPart: 3}, got.Counts)
}

// TestVansBeyondTheSkillSet covers engineers on more product lines than a
// skillSet holds: the first pass reads their level from the engineer.
func TestVansBeyondTheSkillSet(t *testing.T) {
	var engineers []Engineer
	for i := range 40 {
		e := engineerAt(t, fmt.Sprintf("e%02d", i), float64(1+i))
		e.Skills = map[string]int{}
		for line := range skillSetLines + 5 {
			e.Skills[fmt.Sprintf("line%02d", line)] = 1 + (i+line)%3
		}
		engineers = append(engineers, e)
	}
	for line := range skillSetLines + 5 {
		req := serverRequest(t)
		req.ProductLine, req.MinLevel, req.Shortlist = fmt.Sprintf("line%02d", line), 3, 2
		got := searchBoth(t, engineers, nil, req)
		require.Len(t, got.Candidates, 2, "line %d", line)
	}
}

// TestDeclined covers Request.Declined: an engineer who declined is
// rejected as declined only when no other rule rejects them (no_part
// included), and the declines are listed among the other rejections
// nearest first, within the farthest candidate when the shortlist is full,
// as many as asked for and none when none is.
func TestDeclined(t *testing.T) {
	engineers := []Engineer{
		engineerAt(t, "near", 1), engineerAt(t, "busy", 2), engineerAt(t, "empty-van", 2.2), engineerAt(t, "off", 2.5),
		engineerAt(t, "a", 3), engineerAt(t, "b", 4), engineerAt(t, "c", 5), engineerAt(t, "far", 9),
	}
	engineers[1].Load = 3
	engineers[2].Van = nil
	engineers[3].Calendar.Week = [7][]Shift{}
	req := serverRequest(t)
	req.Declined = []string{"far", "off", "near", "empty-van", "unknown"}
	tests := []struct {
		name                  string
		shortlist, rejections int
		candidates, rejected  []string
		reasons               []Reason
		counts                map[Reason]int
	}{
		{"full shortlist", 2, DefaultRejections, []string{"a", "b"}, []string{"near", "busy", "empty-van", "off"},
			[]Reason{ReasonDeclined, ReasonAtCapacity, ReasonNoPart, ReasonOffShift},
			map[Reason]int{ReasonDeclined: 1, ReasonAtCapacity: 1, ReasonNoPart: 1, ReasonOffShift: 1}},
		{"two asked for", 2, 2, []string{"a", "b"}, []string{"near", "busy"}, []Reason{ReasonDeclined, ReasonAtCapacity},
			map[Reason]int{ReasonDeclined: 1, ReasonAtCapacity: 1}},
		{"none asked for", 2, 0, []string{"a", "b"}, nil, nil, map[Reason]int{}},
		{"short shortlist", 4, DefaultRejections, []string{"a", "b", "c"}, []string{"near", "busy", "empty-van", "off", "far"},
			[]Reason{ReasonDeclined, ReasonAtCapacity, ReasonNoPart, ReasonOffShift, ReasonDeclined},
			map[Reason]int{ReasonDeclined: 2, ReasonAtCapacity: 1, ReasonNoPart: 1, ReasonOffShift: 1}},
		{"short shortlist, none asked for", 4, 0, []string{"a", "b", "c"}, nil, nil,
			map[Reason]int{ReasonDeclined: 2, ReasonAtCapacity: 1, ReasonNoPart: 1, ReasonOffShift: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := req
			req.Shortlist, req.Rejections = tt.shortlist, tt.rejections
			got := searchBoth(t, engineers, nil, req)
			assert.Equal(t, tt.candidates, candidateIDs(got))
			assert.Equal(t, tt.rejected, rejectedIDs(got))
			var reasons []Reason
			for _, r := range got.Rejected {
				reasons = append(reasons, r.Reason)
			}
			assert.Equal(t, tt.reasons, reasons)
			assert.Equal(t, tt.counts, got.Counts)
		})
	}

	req.Shortlist, req.Declined = 2, []string{"near", "a", "b", "c", "far"}
	got := searchBoth(t, engineers, nil, req)
	assert.Empty(t, got.Candidates, "everyone qualified declined")
	assert.Equal(t, map[Reason]int{ReasonDeclined: 5, ReasonAtCapacity: 1, ReasonNoPart: 1, ReasonOffShift: 1}, got.Counts)
	assert.Equal(t, []string{"near", "busy", "empty-van", "off", "a", "b", "c", "far"}, rejectedIDs(got))
}

// TestCountsFollowTheShortlist pins down what Result.Counts tallies: the
// listed rejections when the shortlist is full; every engineer who is not a
// candidate, those without the product line under no_skill, when it is
// short, with one candidate as with none.
func TestCountsFollowTheShortlist(t *testing.T) {
	engineers := []Engineer{engineerAt(t, "junior", 1), engineerAt(t, "a", 2), engineerAt(t, "storage", 3), engineerAt(t, "busy", 6)}
	engineers[0].Skills["server"] = 1
	engineers[2].Skills = map[string]int{"storage": 2}
	engineers[3].Load = 3
	req := serverRequest(t)

	req.Shortlist = 1
	got := searchBoth(t, engineers, nil, req)
	assert.Equal(t, []string{"a"}, candidateIDs(got))
	assert.Equal(t, []string{"junior"}, rejectedIDs(got), "busy is farther than the farthest candidate")
	assert.Equal(t, map[Reason]int{ReasonLevelTooLow: 1}, got.Counts)

	req.Shortlist = 2
	got = searchBoth(t, engineers, nil, req)
	assert.Equal(t, []string{"a"}, candidateIDs(got))
	assert.Equal(t, []string{"junior", "busy"}, rejectedIDs(got))
	assert.Equal(t, map[Reason]int{ReasonLevelTooLow: 1, ReasonAtCapacity: 1, ReasonNoSkill: 1}, got.Counts)

	req.Rejections = 0
	got = searchBoth(t, engineers, nil, req)
	assert.Empty(t, got.Rejected)
	assert.Equal(t, map[Reason]int{ReasonLevelTooLow: 1, ReasonAtCapacity: 1, ReasonNoSkill: 1}, got.Counts,
		"counted though none is listed")

	req.Declined = []string{"a"}
	got = searchBoth(t, engineers, nil, req)
	assert.Empty(t, got.Candidates)
	assert.Equal(t, map[Reason]int{ReasonDeclined: 1, ReasonLevelTooLow: 1, ReasonAtCapacity: 1, ReasonNoSkill: 1}, got.Counts)
}

func candidateIDs(r Result) []string {
	var ids []string
	for _, c := range r.Candidates {
		ids = append(ids, c.EngineerID)
	}
	return ids
}

func rejectedIDs(r Result) []string {
	var ids []string
	for _, rej := range r.Rejected {
		ids = append(ids, rej.EngineerID)
	}
	return ids
}

func TestRanking(t *testing.T) {
	t.Run("deadline flags, travel order", func(t *testing.T) {
		// near lacks the part and detours 20 km through the depot; far has it.
		near, far := engineerAt(t, "near", 2), engineerAt(t, "far", 8)
		near.Van = nil
		depot := Depot{ID: "dep", Lat: siteLat, Lng: siteLng - 10/kmPerLngDegree, Stock: map[string]int{"A": 5}}
		req := serverRequest(t)
		req.Deadline = req.Now.Add(10 * time.Minute) // 10 km at 60 km/h
		got := searchBoth(t, []Engineer{near, far}, []Depot{depot}, req)
		require.Len(t, got.Candidates, 2)
		assert.Equal(t, "far", got.Candidates[0].EngineerID)
		assert.True(t, got.Candidates[0].MakesDeadline)
		assert.Equal(t, "near", got.Candidates[1].EngineerID)
		assert.False(t, got.Candidates[1].MakesDeadline)
		assert.InDelta(t, 22, got.Candidates[1].RouteKm, 0.2)
		assert.Equal(t, PartsPlan{DepotID: "dep", FromDepot: []PartNeed{{"A", 1}}}, got.Candidates[1].Plan)
		assert.Equal(t, PartsPlan{FromVan: []PartNeed{{"A", 1}}}, got.Candidates[0].Plan)
		assert.Equal(t, req.Now.Add(got.Candidates[0].Travel), got.Candidates[0].ETA)

		req.Deadline = time.Time{}
		got = searchBoth(t, []Engineer{near, far}, []Depot{depot}, req)
		assert.Equal(t, "far", got.Candidates[0].EngineerID, "8 km beats 22 km without a deadline too")
		assert.True(t, got.Candidates[1].MakesDeadline, "no deadline is never missed")

		req.Deadline = req.Now.Add(-time.Minute)
		got = searchBoth(t, []Engineer{near, far}, []Depot{depot}, req)
		assert.Equal(t, []string{"far", "near"}, candidateIDs(got), "by travel time when nobody makes it")
		for _, c := range got.Candidates {
			assert.False(t, c.MakesDeadline, "%s: a deadline already past is missed", c.EngineerID)
		}
	})
	t.Run("equal travel: least load, then ID", func(t *testing.T) {
		a, b, c := engineerAt(t, "b", 3), engineerAt(t, "a", 3), engineerAt(t, "c", 3)
		a.Load, b.Load, c.Load = 0, 1, 0
		got := searchBoth(t, []Engineer{a, b, c}, nil, serverRequest(t))
		require.Len(t, got.Candidates, 3)
		assert.Equal(t, []string{"b", "c", "a"}, []string{got.Candidates[0].EngineerID, got.Candidates[1].EngineerID, got.Candidates[2].EngineerID})
	})
}

func TestPartsPlan(t *testing.T) {
	west := func(id string, km float64, stock map[string]int) Depot {
		return Depot{ID: id, Lat: siteLat, Lng: siteLng - km/kmPerLngDegree, Stock: stock}
	}
	east := func(id string, km float64, stock map[string]int) Depot {
		return Depot{ID: id, Lat: siteLat, Lng: siteLng + km/kmPerLngDegree, Stock: stock}
	}
	tests := []struct {
		name      string
		van       map[string]int
		parts     []PartNeed
		depots    []Depot
		wantPlan  PartsPlan
		wantRoute float64
	}{
		{
			name:      "van holds everything",
			van:       map[string]int{"A": 2, "B": 1},
			parts:     []PartNeed{{"A", 2}, {"B", 1}},
			depots:    []Depot{west("w", 1, map[string]int{"A": 9, "B": 9})},
			wantPlan:  PartsPlan{FromVan: []PartNeed{{"A", 2}, {"B", 1}}},
			wantRoute: 4,
		},
		{
			name:      "the shortfall from the depot on the way",
			van:       map[string]int{"A": 1},
			parts:     []PartNeed{{"A", 3}},
			depots:    []Depot{west("w", 3, map[string]int{"A": 2}), east("e", 2, map[string]int{"A": 2})},
			wantPlan:  PartsPlan{FromVan: []PartNeed{{"A", 1}}, DepotID: "e", FromDepot: []PartNeed{{"A", 2}}},
			wantRoute: 4,
		},
		{
			name:      "one depot must hold everything missing",
			parts:     []PartNeed{{"A", 1}, {"B", 1}},
			depots:    []Depot{east("a-only", 1, map[string]int{"A": 1}), west("both", 5, map[string]int{"A": 1, "B": 1})},
			wantPlan:  PartsPlan{DepotID: "both", FromDepot: []PartNeed{{"A", 1}, {"B", 1}}},
			wantRoute: 14,
		},
		{
			name:      "equal trips go to the smaller depot ID",
			parts:     []PartNeed{{"A", 1}},
			depots:    []Depot{east("z", 2, map[string]int{"A": 1}), east("y", 2, map[string]int{"A": 1})},
			wantPlan:  PartsPlan{DepotID: "y", FromDepot: []PartNeed{{"A", 1}}},
			wantRoute: 4,
		},
		{
			name:      "no parts needed",
			wantRoute: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := engineerAt(t, "e", 4)
			e.Van = tt.van
			req := serverRequest(t)
			req.Parts = tt.parts
			got := searchBoth(t, []Engineer{e}, tt.depots, req)
			require.Len(t, got.Candidates, 1)
			assert.Equal(t, tt.wantPlan, got.Candidates[0].Plan)
			assert.InDelta(t, tt.wantRoute, got.Candidates[0].RouteKm, 0.05)
			assert.InDelta(t, 4, got.Candidates[0].DistanceKm, 0.05)
		})
	}
}

func TestInvalidInput(t *testing.T) {
	valid := func() (Engineer, Request) { return engineerAt(t, "e", 1), serverRequest(t) }
	tests := []struct {
		name   string
		change func(e *Engineer, req *Request)
	}{
		{"site off the globe", func(_ *Engineer, req *Request) { req.Lat = 91 }},
		{"no product line", func(_ *Engineer, req *Request) { req.ProductLine = "" }},
		{"level 4", func(_ *Engineer, req *Request) { req.MinLevel = 4 }},
		{"unknown tier", func(_ *Engineer, req *Request) { req.Tier = "gold" }},
		{"no time", func(_ *Engineer, req *Request) { req.Now = time.Time{} }},
		{"no speed", func(_ *Engineer, req *Request) { req.SpeedKmh = 0 }},
		{"empty shortlist", func(_ *Engineer, req *Request) { req.Shortlist = 0 }},
		{"part twice", func(_ *Engineer, req *Request) { req.Parts = append(req.Parts, req.Parts[0]) }},
		{"no units", func(_ *Engineer, req *Request) { req.Parts[0].Quantity = 0 }},
		{"more units than counted", func(_ *Engineer, req *Request) { req.Parts[0].Quantity = math.MaxInt32 + 1 }},
		{"exception in the year 10000", func(e *Engineer, _ *Request) {
			e.Calendar.Exceptions = map[Date][]Shift{{10000, 3, 2}: nil}
		}},
		{"declined without ID", func(_ *Engineer, req *Request) { req.Declined = []string{"e", ""} }},
		{"engineer without ID", func(e *Engineer, _ *Request) { e.ID = "" }},
		{"engineer off the globe", func(e *Engineer, _ *Request) { e.Lng = 181 }},
		{"level 0 skill", func(e *Engineer, _ *Request) { e.Skills["server"] = 0 }},
		{"unknown clearance", func(e *Engineer, _ *Request) { e.Clearance = "" }},
		{"negative load", func(e *Engineer, _ *Request) { e.Load = -1 }},
		{"negative van stock", func(e *Engineer, _ *Request) { e.Van["A"] = -1 }},
		{"no time zone", func(e *Engineer, _ *Request) { e.Calendar.Location = nil }},
		{"shift past midnight", func(e *Engineer, _ *Request) { e.Calendar.Week[1] = []Shift{{22 * time.Hour, 26 * time.Hour}} }},
		{"empty exception shift", func(e *Engineer, _ *Request) {
			e.Calendar.Exceptions = map[Date][]Shift{{2026, 3, 2}: {{9 * time.Hour, 9 * time.Hour}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, req := valid()
			tt.change(&e, &req)
			_, errBrute := BruteForce([]Engineer{e}, nil, req)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(errBrute), "BruteForce: %v", errBrute)
			x, errIndex := NewIndex([]Engineer{e}, nil)
			if errIndex == nil {
				_, errIndex = x.Candidates(req)
			}
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(errIndex), "Index: %v", errIndex)
		})
	}
}

func TestIndexErrors(t *testing.T) {
	e := engineerAt(t, "e", 1)
	d := Depot{ID: "d", Lat: siteLat, Lng: siteLng, Stock: map[string]int{"A": 1}}
	_, err := NewIndex([]Engineer{e, e}, nil)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "duplicate engineer: %v", err)
	_, err = NewIndex(nil, []Depot{d, d})
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "duplicate depot: %v", err)
	_, err = BruteForce([]Engineer{e, e}, nil, serverRequest(t))
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "BruteForce, duplicate engineer: %v", err)

	x, err := NewIndex([]Engineer{e}, []Depot{d})
	require.NoError(t, err)
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"move a stranger", func() error { return x.Move("nobody", 0, 0) }, aftercare.ENOTFOUND},
		{"move off the globe", func() error { return x.Move("e", 0, 200) }, aftercare.EINVALID},
		{"load a stranger", func() error { return x.SetLoad("nobody", 1) }, aftercare.ENOTFOUND},
		{"negative load", func() error { return x.SetLoad("e", -1) }, aftercare.EINVALID},
		{"stock a stranger", func() error { return x.SetStock("nobody", "A", 1) }, aftercare.ENOTFOUND},
		{"negative van stock", func() error { return x.SetStock("e", "A", -1) }, aftercare.EINVALID},
		{"stock an unknown depot", func() error { return x.SetDepotStock("nowhere", "A", 1) }, aftercare.ENOTFOUND},
		{"part without ID", func() error { return x.SetDepotStock("d", "", 1) }, aftercare.EINVALID},
		{"remove a stranger", func() error { return x.Remove("nobody") }, aftercare.ENOTFOUND},
		{"depot without ID", func() error { return x.PutDepot(Depot{}) }, aftercare.EINVALID},
		{"invalid engineer", func() error { return x.Put(Engineer{ID: "x"}) }, aftercare.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			assert.Equal(t, tt.code, aftercare.ErrorCode(err), "%v", err)
		})
	}
}

func TestWholeDisk(t *testing.T) {
	origin := h3.LatLngToCell(h3.NewLatLng(siteLat, siteLng), 5)
	disk := h3.GridDiskDistances(origin, 2)
	tests := []struct {
		name string
		disk [][]h3.Cell
		want bool
	}{
		{"as H3 returns it", disk, true},
		{"origin missing", [][]h3.Cell{{0}, disk[1], disk[2]}, false},
		{"a ring missing", [][]h3.Cell{disk[0], disk[1], {0, 0}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, wholeDisk(tt.disk, origin))
		})
	}
}

// TestCertificationExpiry checks the expiry rule at its edge in the ring
// walk and in the search through the vans: a certification qualifies up to
// the nanosecond before it lapses and not at the instant it does, only on
// its own line, and a lapsed engineer is listed with the reason.
func TestCertificationExpiry(t *testing.T) {
	req := serverRequest(t)
	for _, parts := range [][]PartNeed{req.Parts, nil} {
		req.Parts = parts
		lapsing := engineerAt(t, "lapsing", 1)
		lapsing.Skills["storage"] = 3
		other := engineerAt(t, "other", 4)

		lapsing.Expires = map[string]time.Time{"server": req.Now.Add(time.Nanosecond), "storage": req.Now}
		got := searchBoth(t, []Engineer{lapsing, other}, nil, req)
		require.Len(t, got.Candidates, 2, "parts %v", parts)
		assert.Equal(t, "lapsing", got.Candidates[0].EngineerID, "valid a nanosecond longer, and the storage line is not asked about")

		lapsing.Expires["server"] = req.Now
		got = searchBoth(t, []Engineer{lapsing, other}, nil, req)
		require.Len(t, got.Candidates, 1)
		assert.Equal(t, "other", got.Candidates[0].EngineerID)
		require.Len(t, got.Rejected, 1)
		assert.Equal(t, ReasonCertificationExpired, got.Rejected[0].Reason)
		assert.Equal(t, map[Reason]int{ReasonCertificationExpired: 1}, got.Counts)
	}
	e := engineerAt(t, "e", 1)
	e.Expires = map[string]time.Time{"storage": req.Now}
	_, err := BruteForce([]Engineer{e}, nil, req)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "an expiry of a line the engineer does not hold")
	_, err = NewIndex([]Engineer{e}, nil)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
}
