package stocking_test

import (
	"testing"

	"github.com/aftercare/aftercare/stocking"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One-for-one policy s = 1, S = 2, lead 2 days, starting with 2 on hand
// over 6 days. Day by day (on hand after demand, then position = on hand
// + on order at the end of the day):
//
//	day 0: ask 1, serve 1, on hand 1; position 1 ≤ 1: order 1 for day 2
//	day 1: ask 2, serve 1 (stock-out), on hand 0; position 0+1: order 1 for day 3
//	day 2: receive 1, on hand 1; position 1+1 = 2 > 1: no order
//	day 3: receive 1, ask 1, serve 1, on hand 1; position 1: order 1 for day 5
//	day 4: ask 1, serve 1, on hand 0; position 0+1: order 1 for day 6 (past the end)
//	day 5: receive 1, on hand 1; position 1+1: no order
//
// Asked 5, served 4, one stock-out, 4 orders, mean on hand (1+0+1+1+0+1)/6
// = 2/3. The 9 units on day 6 fall outside the history and are ignored.
func TestReplayOneForOne(t *testing.T) {
	demand := []stocking.Demand{{Day: 0, Quantity: 1}, {Day: 1, Quantity: 2}, {Day: 3, Quantity: 1}, {Day: 4, Quantity: 1}, {Day: 6, Quantity: 9}}
	out, err := stocking.Replay(demand, stocking.Policy{ReorderPoint: 1, OrderUpTo: 2, LeadTimeDays: 2}, stocking.ReplayConfig{Days: 6, Start: 2, UnitCost: 30})
	require.NoError(t, err)
	assert.Equal(t, 5, out.Asked)
	assert.Equal(t, 4, out.Served)
	assert.InDelta(t, 0.8, out.FillRate, 1e-12)
	assert.Equal(t, 1, out.StockOuts)
	assert.Equal(t, 4, out.Orders)
	assert.InDelta(t, 2.0/3, out.MeanOnHand, 1e-12)
	assert.InDelta(t, 20.0, out.InventoryValue, 1e-9, "2/3 × 30")
}

// A lead time of 0 days brings an order at the start of the next day.
// With s = 0, S = 2 and 1 on hand over 3 days:
//
//	day 0: ask 1, on hand 0; position 0: order 2 for day 1
//	day 1: receive 2, ask 2, on hand 0; position 0: order 2 for day 2
//	day 2: receive 2, ask 3, serve 2 (stock-out), on hand 0; order 2 past the end
//
// Asked 6, served 5, one stock-out, 3 orders, mean on hand 0.
func TestReplayZeroLeadTime(t *testing.T) {
	demand := []stocking.Demand{{Day: 0, Quantity: 1}, {Day: 1, Quantity: 2}, {Day: 2, Quantity: 3}}
	out, err := stocking.Replay(demand, stocking.Policy{ReorderPoint: 0, OrderUpTo: 2}, stocking.ReplayConfig{Days: 3, Start: 1})
	require.NoError(t, err)
	assert.Equal(t, 6, out.Asked)
	assert.Equal(t, 5, out.Served)
	assert.Equal(t, 1, out.StockOuts)
	assert.Equal(t, 3, out.Orders)
	assert.Zero(t, out.MeanOnHand)
}

// One unit on hand, a policy that never orders and a fetch of 8 hours. On
// day 0 the first line (target 4 h) takes the unit and is served in full;
// every later line is short. Of the five stock-outs only the targets of 4
// h and 2 h are positive and under 8 h: 0 h has no promise, 8 h is met
// exactly and 24 h is met comfortably. So 5 stock-outs, 2 against the SLA.
func TestReplaySLAStockOuts(t *testing.T) {
	demand := []stocking.Demand{
		{Day: 0, Quantity: 1, OnSiteHours: 4},
		{Day: 0, Quantity: 2, OnSiteHours: 4},
		{Day: 0, Quantity: 1, OnSiteHours: 0},
		{Day: 1, Quantity: 1, OnSiteHours: 8},
		{Day: 1, Quantity: 1, OnSiteHours: 24},
		{Day: 1, Quantity: 3, OnSiteHours: 2},
	}
	out, err := stocking.Replay(demand, stocking.Policy{}, stocking.ReplayConfig{Days: 2, Start: 1, FetchHours: 8})
	require.NoError(t, err)
	assert.Equal(t, 9, out.Asked)
	assert.Equal(t, 1, out.Served)
	assert.Equal(t, 5, out.StockOuts)
	assert.Equal(t, 2, out.SLAStockOuts)
}

// A policy with OrderUpTo equal to ReorderPoint has nothing to order up
// to, so it never orders even when the position sits at or below the
// reorder point. s = S = 3 from 5 on hand over 3 days, 2 asked a day:
// on hand 3, 1, 0 (the third day serves 1 of 2), so 6 asked, 5 served,
// one stock-out, no orders and a mean on hand of 4/3.
func TestReplayEqualLevelsNeverOrder(t *testing.T) {
	demand := []stocking.Demand{{Day: 0, Quantity: 2}, {Day: 1, Quantity: 2}, {Day: 2, Quantity: 2}}
	out, err := stocking.Replay(demand, stocking.Policy{ReorderPoint: 3, OrderUpTo: 3, LeadTimeDays: 1}, stocking.ReplayConfig{Days: 3, Start: 5})
	require.NoError(t, err)
	assert.Zero(t, out.Orders)
	assert.Equal(t, 5, out.Served)
	assert.Equal(t, 1, out.StockOuts)
	assert.InDelta(t, 4.0/3, out.MeanOnHand, 1e-12)
}

// With nothing asked the fill rate is 1. Starting at 0 under s = 1, S = 3,
// lead 1 over 3 days: day 0 ends with 0 on hand and orders 3, which arrive
// on day 1; on hand is 0, 3, 3, a mean of 2 and, at 5 a unit, a value of
// 10. A second replay starting above the reorder point never orders.
func TestReplayNothingAsked(t *testing.T) {
	p := stocking.Policy{ReorderPoint: 1, OrderUpTo: 3, LeadTimeDays: 1}
	out, err := stocking.Replay(nil, p, stocking.ReplayConfig{Days: 3, UnitCost: 5})
	require.NoError(t, err)
	assert.Equal(t, stocking.Outcome{FillRate: 1, Orders: 1, MeanOnHand: 2, InventoryValue: 10}, out)

	out, err = stocking.Replay(nil, p, stocking.ReplayConfig{Days: 4, Start: 2})
	require.NoError(t, err)
	assert.Equal(t, stocking.Outcome{FillRate: 1, MeanOnHand: 2}, out)
}

func TestReplayInvalid(t *testing.T) {
	good := stocking.Policy{ReorderPoint: 1, OrderUpTo: 2, LeadTimeDays: 1}
	cfg := stocking.ReplayConfig{Days: 10, Start: 2, UnitCost: 1, FetchHours: 4}
	line := []stocking.Demand{{Day: 0, Quantity: 1}}
	for _, c := range []struct {
		name   string
		demand []stocking.Demand
		policy stocking.Policy
		change func(*stocking.ReplayConfig)
	}{
		{"no days", line, good, func(c *stocking.ReplayConfig) { c.Days = 0 }},
		{"negative days", line, good, func(c *stocking.ReplayConfig) { c.Days = -1 }},
		{"negative start", line, good, func(c *stocking.ReplayConfig) { c.Start = -1 }},
		{"negative unit cost", line, good, func(c *stocking.ReplayConfig) { c.UnitCost = -1 }},
		{"negative fetch", line, good, func(c *stocking.ReplayConfig) { c.FetchHours = -0.5 }},
		{"negative reorder point", line, stocking.Policy{ReorderPoint: -1, OrderUpTo: 2}, nil},
		{"order-up-to below reorder point", line, stocking.Policy{ReorderPoint: 3, OrderUpTo: 2}, nil},
		{"negative lead time", line, stocking.Policy{ReorderPoint: 1, OrderUpTo: 2, LeadTimeDays: -1}, nil},
		{"zero quantity", []stocking.Demand{{Day: 0, Quantity: 0}}, good, nil},
		{"negative quantity", []stocking.Demand{{Day: 1, Quantity: -2}}, good, nil},
		{"negative day", []stocking.Demand{{Day: -1, Quantity: 1}}, good, nil},
		{"decreasing day", []stocking.Demand{{Day: 3, Quantity: 1}, {Day: 2, Quantity: 1}}, good, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := cfg
			if c.change != nil {
				c.change(&in)
			}
			_, err := stocking.Replay(c.demand, c.policy, in)
			assert.ErrorIs(t, err, stocking.ErrReplay)
		})
	}
	_, err := stocking.Replay(line, good, cfg)
	assert.NoError(t, err, "the base case of the table is valid")
}

// Ten days in periods of 3: [0,3) holds 2+1, [3,6) holds 4, [6,9) holds 1;
// day 9 is the partial period [9,12) and is dropped, as is day 12.
func TestPeriods(t *testing.T) {
	demand := []stocking.Demand{{Day: 0, Quantity: 2}, {Day: 2, Quantity: 1}, {Day: 3, Quantity: 4}, {Day: 8, Quantity: 1}, {Day: 9, Quantity: 5}, {Day: 12, Quantity: 7}}
	assert.Equal(t, []float64{3, 4, 1}, stocking.Periods(demand, 10, 3))
	assert.Equal(t, []float64{2, 0, 1, 4, 0, 0, 0, 0, 1, 5}, stocking.Periods(demand, 10, 1))
	assert.Nil(t, stocking.Periods(demand, 10, 0))
	assert.Nil(t, stocking.Periods(demand, 0, 3))
	assert.Nil(t, stocking.Periods(demand, 2, 3), "no whole period")
}

// With a stock too large to run out and a policy that never orders, every
// unit is served and on hand only falls. By hand for 1000 units over 4
// days asking 3 on day 0 and 2 on day 2: on hand is 997, 997, 995, 995, a
// mean of 996.
func TestReplayHugeStartByHand(t *testing.T) {
	demand := []stocking.Demand{{Day: 0, Quantity: 3}, {Day: 2, Quantity: 2}}
	out, err := stocking.Replay(demand, stocking.Policy{}, stocking.ReplayConfig{Days: 4, Start: 1000})
	require.NoError(t, err)
	assert.Equal(t, 1.0, out.FillRate)
	assert.Equal(t, 5, out.Served)
	assert.InDelta(t, 996.0, out.MeanOnHand, 1e-9)
}

// The same property over generated histories: a unit asked on day d is
// missing from the end-of-day stock of days d..Days−1, so the mean on hand
// is Start − Σ quantity × (Days − d) / Days, counted here line by line
// rather than day by day as Replay does.
func TestReplayHugeStartProperty(t *testing.T) {
	seed := uint32(7)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>16) % n
	}
	for trial := range 20 {
		days := 1 + next(60)
		var demand []stocking.Demand
		day := 0
		for day < days+3 {
			demand = append(demand, stocking.Demand{Day: day, Quantity: 1 + next(5)})
			day += next(3)
		}
		const start = 1_000_000
		want, asked := float64(start), 0
		for _, d := range demand {
			if d.Day < days {
				want -= float64(d.Quantity*(days-d.Day)) / float64(days)
				asked += d.Quantity
			}
		}
		out, err := stocking.Replay(demand, stocking.Policy{}, stocking.ReplayConfig{Days: days, Start: start})
		require.NoError(t, err)
		assert.Equal(t, 1.0, out.FillRate, "trial %d", trial)
		assert.Equal(t, asked, out.Served, "trial %d", trial)
		assert.Zero(t, out.StockOuts, "trial %d", trial)
		assert.InDelta(t, want, out.MeanOnHand, 1e-6, "trial %d", trial)
	}
}
