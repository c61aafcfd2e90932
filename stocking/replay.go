package stocking

import (
	"errors"
	"math"
)

// Demand is units of a part asked of a depot's catchment on one day of a
// history.
type Demand struct {
	// Day is the day the units were asked, in days since the history
	// began, 0-based and non-decreasing across a slice of Demand.
	Day int
	// Quantity is the units asked, at least 1.
	Quantity int
	// OnSiteHours is the on-site target of the incident the units were
	// for, in hours; 0 when the incident had no on-site promise.
	OnSiteHours float64
}

// Policy is how a depot restocks a part: when units on hand and on order
// fall to ReorderPoint or below at the end of a day, order up to
// OrderUpTo; the order arrives LeadTimeDays later, at the start of that
// day. A policy with OrderUpTo equal to ReorderPoint never orders.
type Policy struct {
	ReorderPoint int
	OrderUpTo    int
	LeadTimeDays int
}

// ReplayConfig is what a replay needs besides the demand and the policy.
type ReplayConfig struct {
	// Days is the length of the history in days; demand with Day ≥ Days
	// is ignored.
	Days int
	// Start is the units on hand on day 0, typically the policy's
	// OrderUpTo.
	Start int
	// UnitCost is the value of one unit, for the inventory value.
	UnitCost float64
	// FetchHours is how long a unit takes to come from elsewhere when the
	// depot has none: a unit short delays the on-site target of its
	// incident when FetchHours exceeds its OnSiteHours.
	FetchHours float64
}

// Outcome is what a replay measured.
type Outcome struct {
	// Asked is the units asked within the history.
	Asked int
	// Served is the units served from the depot's stock.
	Served int
	// FillRate is Served / Asked, 1 when nothing was asked.
	FillRate float64
	// StockOuts is the demand lines not served in full.
	StockOuts int
	// SLAStockOuts is the stock-outs whose on-site target is positive and
	// shorter than the config's FetchHours.
	SLAStockOuts int
	// Orders is the replenishment orders placed, including those still
	// on order when the history ends.
	Orders int
	// MeanOnHand is the mean of the units on hand at the end of each day.
	MeanOnHand float64
	// InventoryValue is MeanOnHand × UnitCost.
	InventoryValue float64
}

// ErrReplay is returned by Replay for a history of no days, a negative
// start, reorder point, lead time, unit cost or fetch time (or one that is
// not a finite number), an order-up-to level below the reorder point, or a
// demand line with a quantity below 1, a negative day or a day earlier
// than the line before it.
var ErrReplay = errors.New("stocking: replay needs positive days, non-negative start, policy, cost and fetch time, order-up-to at least the reorder point, and demand of at least 1 unit on non-decreasing days from 0")

// Replay runs a depot's stock of one part through a history of demand
// under a policy and measures what the depot would have served.
//
// It goes day by day from 0 to Days−1. First, orders due that day arrive.
// Then that day's demand lines are served in order from on hand; a line
// served partly counts as a stock-out, and the units short are lost to the
// depot (fetched from elsewhere), never backordered. Last, at the end of
// the day, the units on hand are recorded for the mean, and when on hand
// plus on order is at or below ReorderPoint and OrderUpTo is above it, the
// depot orders the difference up to OrderUpTo, arriving at the start of
// day + LeadTimeDays (the next day when LeadTimeDays is 0).
//
// It takes O(Days + len(demand)) time.
func Replay(demand []Demand, p Policy, cfg ReplayConfig) (Outcome, error) {
	if err := checkReplay(demand, p, cfg); err != nil {
		return Outcome{}, err
	}
	var out Outcome
	arrivals := make([]int, cfg.Days)
	lead := max(p.LeadTimeDays, 1)
	onHand, onOrder, line := cfg.Start, 0, 0
	sumOnHand := 0.0
	for day := range cfg.Days {
		onHand += arrivals[day]
		onOrder -= arrivals[day]
		for ; line < len(demand) && demand[line].Day == day; line++ {
			onHand = out.serve(demand[line], onHand, cfg.FetchHours)
		}
		sumOnHand += float64(onHand)
		if position := onHand + onOrder; position <= p.ReorderPoint && p.OrderUpTo > p.ReorderPoint {
			quantity := p.OrderUpTo - position
			out.Orders++
			onOrder += quantity
			if lead < cfg.Days-day {
				arrivals[day+lead] += quantity
			}
		}
	}
	out.FillRate = 1
	if out.Asked > 0 {
		out.FillRate = float64(out.Served) / float64(out.Asked)
	}
	out.MeanOnHand = sumOnHand / float64(cfg.Days)
	out.InventoryValue = out.MeanOnHand * cfg.UnitCost
	return out, nil
}

// serve takes one demand line from onHand units, counts it in the outcome
// and returns the units left on hand.
func (o *Outcome) serve(d Demand, onHand int, fetchHours float64) int {
	served := min(d.Quantity, onHand)
	o.Asked += d.Quantity
	o.Served += served
	if served < d.Quantity {
		o.StockOuts++
		if d.OnSiteHours > 0 && d.OnSiteHours < fetchHours {
			o.SLAStockOuts++
		}
	}
	return onHand - served
}

// checkReplay returns ErrReplay when the inputs of Replay break its rules.
func checkReplay(demand []Demand, p Policy, cfg ReplayConfig) error {
	if cfg.Days <= 0 || cfg.Start < 0 || !finiteNonNegative(cfg.UnitCost) || !finiteNonNegative(cfg.FetchHours) {
		return ErrReplay
	}
	if p.ReorderPoint < 0 || p.OrderUpTo < p.ReorderPoint || p.LeadTimeDays < 0 {
		return ErrReplay
	}
	previous := 0
	for _, d := range demand {
		if d.Quantity < 1 || d.Day < previous {
			return ErrReplay
		}
		previous = d.Day
	}
	return nil
}

// finiteNonNegative reports whether x is a number in [0, +Inf).
func finiteNonNegative(x float64) bool {
	return x >= 0 && !math.IsInf(x, 1)
}

// Periods sums demand into periods of length days each over a history of
// days days: totals[i] is the units asked in days [i×length,
// (i+1)×length). A final partial period is dropped, and so is demand
// outside the whole periods. It returns nil when length or days is not
// positive or the history holds no whole period.
func Periods(demand []Demand, days, length int) []float64 {
	if length <= 0 || days <= 0 || days < length {
		return nil
	}
	totals := make([]float64, days/length)
	for _, d := range demand {
		if i := d.Day / length; d.Day >= 0 && i < len(totals) {
			totals[i] += float64(d.Quantity)
		}
	}
	return totals
}
