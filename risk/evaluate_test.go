package risk_test

import (
	"testing"

	"github.com/aftercare/aftercare/risk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// drive builds a five-day drive whose reallocated count is 1 on the days
// listed.
func drive(failedDay int, days ...int) risk.FleetDrive {
	d := risk.FleetDrive{FailedDay: failedDay}
	for i := range 5 {
		d.Readings = append(d.Readings, at(float64(i), risk.Reading{}))
	}
	for _, i := range days {
		d.Readings[i].Reallocated = 1
	}
	return d
}

func TestEvaluateArithmeticOnAHandMadeFleet(t *testing.T) {
	fleet := []risk.FleetDrive{
		drive(3, 1, 2, 3), // warned on day 1, failed on 3: lead 2
		drive(4, 4),       // warned on its failure day: lead 0
		drive(2, 3),       // the sign came after the failure: a miss
		drive(-1, 4),      // healthy, warned: a false positive
		drive(-1),         // healthy, quiet
	}
	e := risk.Evaluate(fleet, func(rs []risk.Reading) bool { return rs[len(rs)-1].Reallocated > 0 })
	assert.Equal(t, 2, e.TruePositives)
	assert.Equal(t, 1, e.FalsePositives)
	assert.Equal(t, 1, e.Misses)
	assert.InDelta(t, 2.0/3, e.Precision, 1e-12)
	assert.InDelta(t, 2.0/3, e.Recall, 1e-12)
	assert.Equal(t, 1.0, e.MedianLeadDays)
}

func TestGeneratedFleetKeepsItsStatedAssumptions(t *testing.T) {
	cfg := risk.DefaultFleetConfig()
	fleet := risk.Generate(cfg)
	require.Len(t, fleet, cfg.Drives)
	assert.Equal(t, fleet, risk.Generate(cfg), "the same seed gives the same fleet")
	failing, flagged, odd := 0, 0, 0
	for _, d := range fleet {
		require.Len(t, d.Readings, cfg.Days)
		if d.FailedDay < 0 {
			for _, r := range d.Readings {
				require.False(t, r.SMARTFailing, "a healthy drive never flags itself")
			}
			if d.Readings[0].Reallocated > 0 {
				odd++
			}
			continue
		}
		failing++
		assert.GreaterOrEqual(t, d.FailedDay, cfg.Days/2)
		for day := 0; day < d.FailedDay-25; day++ {
			require.Zero(t, d.Readings[day].Reallocated, "no sign before the decline")
		}
		if d.Readings[d.FailedDay].SMARTFailing {
			flagged++
		}
	}
	assert.InDelta(t, cfg.FailingShare*float64(cfg.Drives), failing, 30)
	assert.Positive(t, flagged)
	assert.Less(t, flagged, failing, "the drive's own flag misses some")
	assert.Positive(t, odd, "healthy drives that look odd are there to be wrongly warned about")
}

// TestSyntheticEvaluation reports the score rule beside the naive rule on
// the default synthetic fleet. It checks only what holds by construction:
// sudden failures cannot be foreseen, so recall stays below 1.
func TestSyntheticEvaluation(t *testing.T) {
	fleet := risk.Generate(risk.DefaultFleetConfig())
	for _, r := range []struct {
		name string
		rule risk.Rule
	}{
		{"score ≥ 0.5", risk.ScoreRule(0.5)},
		{"score ≥ 0.6", risk.ScoreRule(0.6)},
		{"naive: SMART flag or reallocated > 100", risk.NaiveRule(100)},
	} {
		e := risk.Evaluate(fleet, r.rule)
		t.Logf("%-40s TP %3d  FP %3d  missed %3d  precision %.2f  recall %.2f  median lead %.1f days",
			r.name, e.TruePositives, e.FalsePositives, e.Misses, e.Precision, e.Recall, e.MedianLeadDays)
		assert.Less(t, e.Recall, 1.0)
	}
}
