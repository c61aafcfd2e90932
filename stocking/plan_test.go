package stocking

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlanByHand(t *testing.T) {
	// One unit on the first day of each of four weeks, each for a 4-hour
	// on-site promise; two weeks train, two are replayed.
	var demand []Demand
	for week := range 4 {
		demand = append(demand, Demand{Day: week * 7, Quantity: 1, OnSiteHours: 4})
	}
	cfg := PlanConfig{Days: 28, TrainDays: 14, TargetFillRate: 0.9, LeadTimeDays: 7, FlatLevel: 0, UnitCost: 100,
		FetchHours: 12}
	line, err := Plan(demand, cfg)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 1, 1, 1}, line.Weekly)
	assert.Equal(t, 4, line.Asked)
	// SBA on a unit every period: size 1 over interval 1, debiased by
	// 1 − α/2 = 0.95. The moving average is 1.
	assert.InDelta(t, 0.95, line.Forecast, 1e-9)
	assert.InDelta(t, 1, line.Naive, 1e-9)
	assert.False(t, line.MASEDefined, "training weeks that never change give MASE no scale")
	// Lead time one week: Poisson mean 0.95, Q = 1. Expected short at
	// s = 1: 0.95 − 1 + e^−0.95 = 0.3367, fill 0.663; at s = 2:
	// 0.95 − 2 + 2e^−0.95 + 0.95e^−0.95 = 0.0909, fill 0.909 ≥ 0.9.
	assert.Equal(t, 2, line.Recommended.ReorderPoint)
	assert.Equal(t, 3, line.Recommended.OrderUpTo)
	assert.Equal(t, line.Recommended, line.Backtest, "the training weeks forecast the same")
	// Flat 0 never orders: both replayed units are short, and a 4-hour
	// promise cannot wait the 12 hours a fetch takes.
	assert.Equal(t, Outcome{Asked: 2, Served: 0, FillRate: 0, StockOuts: 2, SLAStockOuts: 2}, line.Flat)
	// (2, 3) from 3 on hand: day 0 serves one, position 2 ≤ 2 orders one
	// for day 7; day 7 receives it, serves one, orders again (arriving
	// after the history). Two on hand every evening.
	assert.Equal(t, Outcome{Asked: 2, Served: 2, FillRate: 1, Orders: 2, MeanOnHand: 2, InventoryValue: 200},
		line.BacktestOutcome)
}

func TestPlanRefusesWhatItCannotFollow(t *testing.T) {
	good := PlanConfig{Days: 28, TrainDays: 14, TargetFillRate: 0.9, LeadTimeDays: 7, FlatLevel: 1, UnitCost: 1}
	_, err := Plan(nil, good)
	require.NoError(t, err, "no demand is a plan of nothing")
	for name, mod := range map[string]func(*PlanConfig){
		"days not whole weeks":  func(c *PlanConfig) { c.Days = 30 },
		"training not before":   func(c *PlanConfig) { c.TrainDays = 28 },
		"no training":           func(c *PlanConfig) { c.TrainDays = 0 },
		"target of 1":           func(c *PlanConfig) { c.TargetFillRate = 1 },
		"negative lead time":    func(c *PlanConfig) { c.LeadTimeDays = -1 },
		"negative flat level":   func(c *PlanConfig) { c.FlatLevel = -1 },
		"negative unit cost":    func(c *PlanConfig) { c.UnitCost = -1 },
		"negative fetch hours":  func(c *PlanConfig) { c.FetchHours = -1 },
		"training not in weeks": func(c *PlanConfig) { c.TrainDays = 10 },
	} {
		c := good
		mod(&c)
		_, err := Plan(nil, c)
		assert.ErrorIs(t, err, ErrPlan, name)
	}
}

func TestPlanPoolsAThinHistory(t *testing.T) {
	// The depot used the part once, in the last week; across the region
	// each depot used one every week. Too thin on its own (1 < 2 weeks),
	// both levels come from the pooled use: SBA 0.95 a week, so (2, 3) as
	// in TestPlanByHand.
	demand := []Demand{{Day: 21, Quantity: 1, OnSiteHours: 4}}
	cfg := PlanConfig{Days: 28, TrainDays: 14, TargetFillRate: 0.9, LeadTimeDays: 7, UnitCost: 100, FetchHours: 12,
		Pooled: []float64{1, 1, 1, 1}}
	line, err := Plan(demand, cfg)
	require.NoError(t, err)
	assert.True(t, line.Pooled)
	assert.True(t, line.BacktestPooled)
	assert.Equal(t, Level{ReorderPoint: 2, OrderUpTo: 3, FillRate: line.Recommended.FillRate}, line.Recommended)
	assert.InDelta(t, 0.909, line.Recommended.FillRate, 0.001)
	// The depot's own forecast is still shown: its one use, size 1 after
	// an interval of 4 weeks, debiased: 1/4 × 0.95.
	assert.InDelta(t, 0.2375, line.Forecast, 1e-9)
	// Held at 3 from the start, the replayed unit on day 7 is served.
	assert.Equal(t, 1, line.BacktestOutcome.Served)

	t.Run("without the pool, nothing is stocked", func(t *testing.T) {
		cfg.Pooled = nil
		line, err := Plan(demand, cfg)
		require.NoError(t, err)
		assert.False(t, line.Pooled)
		assert.Equal(t, 0, line.Backtest.OrderUpTo, "no use in training: SBA forecasts 0")
		assert.Equal(t, 0, line.BacktestOutcome.Served)
	})
	t.Run("a pool of the wrong length is refused", func(t *testing.T) {
		cfg.Pooled = []float64{1}
		_, err := Plan(demand, cfg)
		assert.ErrorIs(t, err, ErrPlan)
	})
}
