package stocking

import (
	"errors"
	"fmt"

	"github.com/aftercare/aftercare/forecast"
)

// PlanConfig is how a part's stocking at one depot is planned from its
// catchment's history of demand.
type PlanConfig struct {
	// Days is the length of the history; TrainDays its first part, from
	// which the backtest's recommendation is made before it is replayed
	// over the rest. Both whole weeks.
	Days, TrainDays int
	// TargetFillRate is the share of units to serve from the depot's
	// stock, in (0, 1).
	TargetFillRate float64
	// LeadTimeDays is the supplier's lead time.
	LeadTimeDays int
	// FlatLevel is today's stocking: the units the depot keeps of the
	// part, restocked one for one (reorder point FlatLevel − 1).
	FlatLevel int
	UnitCost  float64
	// FetchHours is how long a unit the depot lacks takes to come from
	// elsewhere.
	FetchHours float64
	// Pooled is, optionally, the part's weekly use per depot across the
	// region, as long as the history: what a depot whose own use is too
	// thin to forecast is planned from.
	Pooled []float64
}

// MinUseWeeks is the fewest weeks with use a depot's own history needs to
// be forecast from; thinner histories are planned from the pooled use.
const MinUseWeeks = 2

// PlanWeek is the period forecasts are made in, in days.
const PlanWeek = 7

// Line is the plan of one part at one depot, with the evidence for it.
type Line struct {
	// Weekly is the demand per week over the history, oldest first.
	Weekly []float64
	// Asked is the units asked over the whole history.
	Asked int
	// Forecast is the demand per week expected from here on, by Method
	// (SBA) fitted to the whole history; Naive is the moving average's.
	Forecast, Naive float64
	Method          string
	// MASE and NaiveMASE score SBA and the moving average one week ahead
	// over the weeks after TrainDays; ok false when undefined (a training
	// history that never changes).
	MASE, NaiveMASE float64
	MASEDefined     bool
	// Pooled says the recommendation (or the backtest's) came from the
	// region's pooled use, the depot's own being too thin.
	Pooled, BacktestPooled bool
	// Recommended is the level from the whole history's forecast.
	Recommended Level
	// Backtest is the level from the training weeks only, replayed over
	// the rest beside today's flat stocking.
	Backtest              Level
	Flat, BacktestOutcome Outcome
}

// ErrPlan is returned for a config Plan cannot follow.
var ErrPlan = errors.New("stocking: a plan needs whole weeks of history, training weeks before at least one more, a target fill rate in (0, 1), and a non-negative lead time, flat level, cost and fetch time")

// Plan forecasts a part's weekly demand at a depot with SBA (α 0.1) beside
// a 13-week moving average, scores both one week ahead after the training
// weeks by MASE, recommends a reorder point and order-up-to level for the
// target fill rate from the whole history, and backtests: the level
// recommended from the training weeks alone, and today's flat stocking,
// are each replayed over the demand after them. Where the depot used the
// part in fewer than MinUseWeeks weeks (of the whole history, or of the
// training weeks for the backtest) and cfg.Pooled is given, the level
// comes from SBA on the pooled use instead: a part seldom used at one
// depot is still forecast from how often the region uses it.
func Plan(demand []Demand, cfg PlanConfig) (Line, error) {
	if cfg.Days <= 0 || cfg.Days%PlanWeek != 0 || cfg.TrainDays <= 0 || cfg.TrainDays%PlanWeek != 0 ||
		cfg.TrainDays >= cfg.Days || !(cfg.TargetFillRate > 0 && cfg.TargetFillRate < 1) || cfg.LeadTimeDays < 0 ||
		cfg.FlatLevel < 0 || !finiteNonNegative(cfg.UnitCost) || !finiteNonNegative(cfg.FetchHours) ||
		(cfg.Pooled != nil && len(cfg.Pooled) != cfg.Days/PlanWeek) {
		return Line{}, ErrPlan
	}
	sba, err := forecast.NewCroston(0.1, true)
	if err != nil {
		return Line{}, err
	}
	naive := forecast.MovingAverage{Window: 13}
	weekly := Periods(demand, cfg.Days, PlanWeek)
	trainWeeks := cfg.TrainDays / PlanWeek
	line := Line{Weekly: weekly, Method: sba.Name(), Forecast: sba.Forecast(weekly), Naive: naive.Forecast(weekly)}
	for _, w := range weekly {
		line.Asked += int(w)
	}
	_, line.MASE, line.MASEDefined = forecast.Backtest(sba, weekly, trainWeeks)
	_, line.NaiveMASE, _ = forecast.Backtest(naive, weekly, trainWeeks)
	review, lead := 1.0, float64(cfg.LeadTimeDays)/PlanWeek
	rate, trainRate := line.Forecast, sba.Forecast(weekly[:trainWeeks])
	if cfg.Pooled != nil && useWeeks(weekly) < MinUseWeeks {
		rate, line.Pooled = sba.Forecast(cfg.Pooled), true
	}
	if cfg.Pooled != nil && useWeeks(weekly[:trainWeeks]) < MinUseWeeks {
		trainRate, line.BacktestPooled = sba.Forecast(cfg.Pooled[:trainWeeks]), true
	}
	if line.Recommended, err = Recommend(rate, lead, review, cfg.TargetFillRate); err != nil {
		return Line{}, err
	}
	if line.Backtest, err = Recommend(trainRate, lead, review, cfg.TargetFillRate); err != nil {
		return Line{}, err
	}
	test := demandAfter(demand, cfg.TrainDays)
	replay := ReplayConfig{Days: cfg.Days - cfg.TrainDays, UnitCost: cfg.UnitCost, FetchHours: cfg.FetchHours}
	flat := Policy{ReorderPoint: max(cfg.FlatLevel-1, 0), OrderUpTo: cfg.FlatLevel, LeadTimeDays: cfg.LeadTimeDays}
	replay.Start = flat.OrderUpTo
	if line.Flat, err = Replay(test, flat, replay); err != nil {
		return Line{}, fmt.Errorf("flat: %w", err)
	}
	rec := Policy{ReorderPoint: line.Backtest.ReorderPoint, OrderUpTo: line.Backtest.OrderUpTo, LeadTimeDays: cfg.LeadTimeDays}
	replay.Start = rec.OrderUpTo
	if line.BacktestOutcome, err = Replay(test, rec, replay); err != nil {
		return Line{}, fmt.Errorf("recommended: %w", err)
	}
	return line, nil
}

// useWeeks counts the weeks with use.
func useWeeks(weekly []float64) int {
	n := 0
	for _, w := range weekly {
		if w > 0 {
			n++
		}
	}
	return n
}

// demandAfter returns the demand from day on, renumbered from 0.
func demandAfter(demand []Demand, day int) []Demand {
	var out []Demand
	for _, d := range demand {
		if d.Day >= day {
			d.Day -= day
			out = append(out, d)
		}
	}
	return out
}
