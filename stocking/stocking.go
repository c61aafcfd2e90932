// Package stocking recommends how much of a part a depot should hold: a
// reorder point and an order-up-to level that meet a target fill rate, the
// share of units asked for that are served from stock. It is pure: callers
// pass the forecast demand, the supplier's lead time and the target.
package stocking

import (
	"errors"
	"math"
)

// Level is a periodic-review (s, S) policy: when stock on hand and on order
// falls to ReorderPoint or below, order up to OrderUpTo. FillRate is the
// share of demand the policy is expected to serve from stock.
type Level struct {
	ReorderPoint int
	OrderUpTo    int
	FillRate     float64
}

// ErrInput is returned for a negative demand rate or lead time, a review
// period that is not positive, or a target outside (0, 1).
var ErrInput = errors.New("stocking: demand and lead time must not be negative, the review period must be positive and the target in (0, 1)")

// Recommend returns the lowest reorder point whose expected fill rate
// reaches target, and the order-up-to level above it, for a demand of rate
// units per period, a supplier lead time and a review period in periods.
//
// Demand over the lead time is taken as Poisson with mean rate × leadTime,
// which suits parts used a few at a time. An order brings Q = the demand of
// one review period (at least one unit), and the expected fill rate of a
// reorder point s is 1 − E[(D − s)⁺] / Q: the units short in a cycle over
// the units a cycle orders.
func Recommend(rate, leadTime, review, target float64) (Level, error) {
	if !(rate >= 0 && leadTime >= 0 && review > 0 && target > 0 && target < 1) || math.IsInf(rate, 0) {
		return Level{}, ErrInput
	}
	if rate == 0 {
		return Level{FillRate: 1}, nil
	}
	mean := rate * leadTime
	q := math.Max(1, math.Ceil(rate*review))
	limit := int(math.Ceil(mean + 12*math.Sqrt(mean) + 20))
	for s := 0; ; s++ {
		fill := math.Max(0, 1-expectedShort(mean, s)/q)
		if fill >= target || s >= limit {
			return Level{ReorderPoint: s, OrderUpTo: s + int(q), FillRate: fill}, nil
		}
	}
}

// expectedShort is E[(D − s)⁺] for D Poisson with the mean: (mean − s) +
// Σ_{k ≤ s} (s − k) P(D = k), a finite sum. The probabilities are taken
// from their logarithms, so a mean past about 745, whose e^−mean is 0 in
// floating point, still counts them.
func expectedShort(mean float64, s int) float64 {
	if mean == 0 {
		return 0
	}
	short, logMean := mean-float64(s), math.Log(mean)
	for k := 0; k <= s; k++ {
		logFactorial, _ := math.Lgamma(float64(k + 1))
		short += float64(s-k) * math.Exp(-mean+float64(k)*logMean-logFactorial)
	}
	return math.Max(0, short)
}
