package risk_test

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare/risk"
	"github.com/stretchr/testify/assert"
)

var day0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func at(days float64, r risk.Reading) risk.Reading {
	r.At = day0.Add(time.Duration(days * 24 * float64(time.Hour)))
	return r
}

func TestAssessPerComponent(t *testing.T) {
	for _, c := range []struct {
		name     string
		kind     risk.Kind
		readings []risk.Reading
		min, max float64
		explain  string
	}{
		{"healthy drive", risk.Drive, []risk.Reading{at(0, risk.Reading{PowerOnHours: 9000}), at(6, risk.Reading{PowerOnHours: 9144})}, 0, 0, ""},
		{"reallocating drive", risk.Drive, []risk.Reading{at(0, risk.Reading{}), at(6, risk.Reading{Reallocated: 48, Pending: 12})}, 0.8, 0.95,
			"reallocated sectors 0 → 48 in 6 days; pending sectors 12"},
		{"old reallocations that stopped", risk.Drive, []risk.Reading{at(0, risk.Reading{Reallocated: 120}), at(30, risk.Reading{Reallocated: 120})},
			0.29, 0.31, "reallocated sectors 120"},
		{"drive's own verdict", risk.Drive, []risk.Reading{at(0, risk.Reading{SMARTFailing: true})}, 0.89, 0.91,
			"the drive reports its SMART status as failing"},
		{"timeouts alone are weak", risk.Drive, []risk.Reading{at(0, risk.Reading{CommandTimeouts: 1}), at(0.5, risk.Reading{CommandTimeouts: 9})},
			0.19, 0.21, "command timeouts 1 → 9 in 12 hours"},
		{"memory with a few corrected errors", risk.Memory, []risk.Reading{at(0, risk.Reading{ECCCorrected: 10}), at(10, risk.Reading{ECCCorrected: 40})}, 0, 0, ""},
		{"memory correcting fast", risk.Memory, []risk.Reading{at(0, risk.Reading{ECCCorrected: 0}), at(2, risk.Reading{ECCCorrected: 600})},
			0.69, 0.71, "corrected memory errors 0 → 600 in 2 days"},
		{"memory that could not correct", risk.Memory, []risk.Reading{at(0, risk.Reading{}), at(1, risk.Reading{ECCUncorrected: 1})},
			0.89, 0.91, "uncorrected memory errors 0 → 1 in 1 day"},
		{"failed PSU", risk.PSU, []risk.Reading{at(0, risk.Reading{Faulted: true, TemperatureC: 45})}, 0.94, 0.96, "the psu reports a fault"},
		{"hot fan", risk.Fan, []risk.Reading{at(0, risk.Reading{TemperatureC: 78})}, 0.29, 0.31, "the fan runs at 78 °C"},
		{"worn battery", risk.Battery, []risk.Reading{at(0, risk.Reading{Cycles: 1200, CapacityPercent: 64})}, 0.8, 0.9,
			"battery capacity 64 % of design; battery charge cycles 1200"},
		{"fresh battery", risk.Battery, []risk.Reading{at(0, risk.Reading{Cycles: 40, CapacityPercent: 98})}, 0, 0, ""},
		{"no readings", risk.Drive, nil, 0, 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := risk.Assess(c.kind, c.readings)
			assert.GreaterOrEqual(t, a.Score, c.min)
			assert.LessOrEqual(t, a.Score, c.max)
			assert.Equal(t, c.explain, a.Explain())
		})
	}
}

func TestEvidenceAddsUpWithoutPassingOne(t *testing.T) {
	worst := risk.Assess(risk.Drive, []risk.Reading{at(0, risk.Reading{}), at(3, risk.Reading{SMARTFailing: true, Reallocated: 500,
		Pending: 200, OfflineUncorrectable: 20, ReportedUncorrectable: 9, CommandTimeouts: 50})})
	one := risk.Assess(risk.Drive, []risk.Reading{at(0, risk.Reading{SMARTFailing: true})})
	assert.Greater(t, worst.Score, one.Score)
	assert.LessOrEqual(t, worst.Score, 1.0)
	assert.Len(t, worst.Reasons, 6)
}
