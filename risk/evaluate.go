package risk

import "sort"

// Rule decides from a drive's readings up to a day, oldest first, whether
// to warn that day.
type Rule func(readings []Reading) bool

// Window is how many days of readings the risk rules look back over.
const Window = 7

// ScoreRule warns when Assess over the last Window days reaches threshold.
func ScoreRule(threshold float64) Rule {
	return func(readings []Reading) bool {
		from := max(0, len(readings)-Window)
		return Assess(Drive, readings[from:]).Score >= threshold
	}
}

// NaiveRule is what a monitoring tool without this package does: warn
// when the drive flags itself as failing, or when its reallocated sectors
// pass a fixed threshold.
func NaiveRule(reallocated float64) Rule {
	return func(readings []Reading) bool {
		last := readings[len(readings)-1]
		return last.SMARTFailing || last.Reallocated > reallocated
	}
}

// Evaluation is how a rule did on a labelled fleet. A failing drive warned
// about on or before its failure day is a true positive, with the days
// between as its lead time; a failing drive not warned about in time is a
// miss; a healthy drive warned about on any day is a false positive.
type Evaluation struct {
	TruePositives, FalsePositives, Misses int
	// Precision is TP / (TP + FP); Recall TP / (TP + misses); NaN when
	// their denominators are 0.
	Precision, Recall float64
	// MedianLeadDays is the median lead time of the true positives; 0
	// without any.
	MedianLeadDays float64
}

// Evaluate replays each drive's readings day by day against the rule.
func Evaluate(fleet []FleetDrive, rule Rule) Evaluation {
	var e Evaluation
	var leads []int
	for _, d := range fleet {
		last := len(d.Readings) - 1
		if d.FailedDay >= 0 {
			last = min(last, d.FailedDay)
		}
		warned := -1
		for day := 0; day <= last; day++ {
			if rule(d.Readings[:day+1]) {
				warned = day
				break
			}
		}
		switch {
		case d.FailedDay < 0 && warned >= 0:
			e.FalsePositives++
		case d.FailedDay >= 0 && warned >= 0:
			e.TruePositives++
			leads = append(leads, d.FailedDay-warned)
		case d.FailedDay >= 0:
			e.Misses++
		}
	}
	e.Precision = ratio(e.TruePositives, e.TruePositives+e.FalsePositives)
	e.Recall = ratio(e.TruePositives, e.TruePositives+e.Misses)
	e.MedianLeadDays = median(leads)
	return e
}

func ratio(a, b int) float64 {
	if b == 0 {
		return nan()
	}
	return float64(a) / float64(b)
}

func median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Ints(xs)
	n := len(xs)
	if n%2 == 1 {
		return float64(xs[n/2])
	}
	return float64(xs[n/2-1]+xs[n/2]) / 2
}
