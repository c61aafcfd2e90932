// Package forecast predicts how many units of a part a depot's catchment
// will use per period from the periods before, with methods made for
// intermittent demand (most periods use none, a few use some) beside a
// naive moving average, and scores them by a scale-free error. It is pure:
// callers pass the history; nothing reads a clock or does I/O.
package forecast

import (
	"errors"
	"math"
)

// Method forecasts the next period's demand from a history of per-period
// demand, oldest first. Every method returns the same forecast for every
// future period (a level), as intermittent-demand methods do.
type Method interface {
	// Name says which method and parameters, as a report shows it.
	Name() string
	// Forecast returns the expected demand per period after history; 0
	// for an empty history or one without demand.
	Forecast(history []float64) float64
}

// ErrSmoothing is returned for a smoothing constant outside (0, 1].
var ErrSmoothing = errors.New("forecast: smoothing constants must be in (0, 1]")

func validSmoothing(xs ...float64) error {
	for _, x := range xs {
		if !(x > 0 && x <= 1) {
			return ErrSmoothing
		}
	}
	return nil
}

// MovingAverage is the naive method: the mean of the last Window periods
// (all of them when there are fewer).
type MovingAverage struct {
	Window int
}

// Name implements Method.
func (m MovingAverage) Name() string { return "moving average" }

// Forecast implements Method.
func (m MovingAverage) Forecast(history []float64) float64 {
	n := min(max(m.Window, 1), len(history))
	if n == 0 {
		return 0
	}
	sum := 0.0
	for _, d := range history[len(history)-n:] {
		sum += d
	}
	return sum / float64(n)
}

// Croston smooths the sizes of the non-zero demands and the intervals
// between them separately (Croston, 1972) and forecasts size / interval.
// With Debias set it is the Syntetos–Boylan approximation (SBA, 2005),
// which multiplies by 1 − Alpha/2 to remove Croston's upward bias.
type Croston struct {
	Alpha  float64
	Debias bool
}

// NewCroston returns Croston's method, or SBA when debias is set.
func NewCroston(alpha float64, debias bool) (Croston, error) {
	return Croston{Alpha: alpha, Debias: debias}, validSmoothing(alpha)
}

// Name implements Method.
func (c Croston) Name() string {
	if c.Debias {
		return "SBA"
	}
	return "Croston"
}

// Forecast implements Method. The first demand and the periods up to it
// (counting it) start the size and the interval; each later demand moves
// them by Alpha towards its size and the periods since the one before.
func (c Croston) Forecast(history []float64) float64 {
	size, interval, since, started := 0.0, 0.0, 0, false
	for _, d := range history {
		since++
		if d <= 0 {
			continue
		}
		if !started {
			size, interval, started = d, float64(since), true
		} else {
			size += c.Alpha * (d - size)
			interval += c.Alpha * (float64(since) - interval)
		}
		since = 0
	}
	if !started {
		return 0
	}
	f := size / interval
	if c.Debias {
		f *= 1 - c.Alpha/2
	}
	return f
}

// TSB is the method of Teunter, Syntetos and Babai (2011): it smooths the
// size of the non-zero demands by Alpha and, every period, the probability
// that a period has demand by Beta, and forecasts probability × size. Unlike
// Croston's, its forecast falls while no demand comes, so a part that is no
// longer used stops being stocked.
type TSB struct {
	Alpha, Beta float64
}

// NewTSB returns the TSB method.
func NewTSB(alpha, beta float64) (TSB, error) {
	return TSB{Alpha: alpha, Beta: beta}, validSmoothing(alpha, beta)
}

// Name implements Method.
func (m TSB) Name() string { return "TSB" }

// Forecast implements Method. The first demand starts the size, and the
// probability at 1 / the periods up to it (counting it).
func (m TSB) Forecast(history []float64) float64 {
	size, prob, started := 0.0, 0.0, false
	for i, d := range history {
		switch {
		case !started && d > 0:
			size, prob, started = d, 1/float64(i+1), true
		case !started:
		case d > 0:
			size += m.Alpha * (d - size)
			prob += m.Beta * (1 - prob)
		default:
			prob -= m.Beta * prob
		}
	}
	return prob * size
}

// MASE is the mean absolute scaled error of forecasts against what
// happened (Hyndman and Koehler, 2006): the mean absolute error divided by
// the mean absolute change between consecutive periods of the training
// history (the in-sample error of forecasting each period by the one
// before). It is scale-free, so parts used by the dozen and parts used once
// a year can be averaged, and it stays defined when most periods are zero,
// unlike percentage errors. ok is false when it is undefined: no periods
// to score, fewer than two training periods, or a training history that
// never changes.
func MASE(training, actual, forecasts []float64) (mase float64, ok bool) {
	if len(actual) == 0 || len(actual) != len(forecasts) || len(training) < 2 {
		return 0, false
	}
	scale := 0.0
	for i := 1; i < len(training); i++ {
		scale += math.Abs(training[i] - training[i-1])
	}
	scale /= float64(len(training) - 1)
	if scale == 0 {
		return 0, false
	}
	mae := 0.0
	for i := range actual {
		mae += math.Abs(actual[i] - forecasts[i])
	}
	return mae / float64(len(actual)) / scale, true
}

// Backtest forecasts every period from start on by the method from the
// periods before it only (a rolling origin, one step ahead), and returns
// those forecasts and their MASE against what happened, scaled by the
// periods before start.
func Backtest(m Method, demand []float64, start int) (forecasts []float64, mase float64, ok bool) {
	if start < 0 || start >= len(demand) {
		return nil, 0, false
	}
	forecasts = make([]float64, 0, len(demand)-start)
	for t := start; t < len(demand); t++ {
		forecasts = append(forecasts, m.Forecast(demand[:t]))
	}
	mase, ok = MASE(demand[:start], demand[start:], forecasts)
	return forecasts, mase, ok
}
