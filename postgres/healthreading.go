package postgres

import (
	"math"
	"time"

	"github.com/aftercare/aftercare/risk"
)

// readingColumns are the columns a rawReading is scanned from, as stored:
// a value a device did not report is null.
const readingColumns = `taken_at, reallocated::float8, reported_uncorrectable::float8, command_timeouts::float8,
	pending::float8, offline_uncorrectable::float8, power_on_hours::float8, ecc_corrected::float8,
	ecc_uncorrected::float8, temperature_c::float8, cycles::float8, capacity_percent::float8, smart_failing, faulted`

// rawReading is a stored reading with the values it lacks as nil.
type rawReading struct {
	at      time.Time
	values  [11]*float64 // in the order of readingColumns
	failing *bool
	faulted *bool
}

// dest returns where to scan readingColumns into.
func (r *rawReading) dest() []any {
	out := []any{&r.at}
	for i := range r.values {
		out = append(out, &r.values[i])
	}
	return append(out, &r.failing, &r.faulted)
}

// fillGaps turns stored readings, oldest first, into the rules' readings:
// a value a reading lacks is its nearest earlier reading's, else its
// nearest later one's, so a counter one reading left out never looks like
// it jumped from zero. A value no reading has is 0 (NaN for the
// temperature and the capacity, false for the flags).
func fillGaps(raws []rawReading) []risk.Reading {
	filled := make([]rawReading, len(raws))
	copy(filled, raws)
	for i := 1; i < len(filled); i++ { // forward
		filled[i].fill(&filled[i-1])
	}
	for i := len(filled) - 2; i >= 0; i-- { // backward, for leading gaps
		filled[i].fill(&filled[i+1])
	}
	out := make([]risk.Reading, len(filled))
	for i, r := range filled {
		v := func(j int, none float64) float64 {
			if r.values[j] == nil {
				return none
			}
			return *r.values[j]
		}
		out[i] = risk.Reading{At: r.at, Reallocated: v(0, 0), ReportedUncorrectable: v(1, 0), CommandTimeouts: v(2, 0),
			Pending: v(3, 0), OfflineUncorrectable: v(4, 0), PowerOnHours: v(5, 0), ECCCorrected: v(6, 0),
			ECCUncorrected: v(7, 0), TemperatureC: v(8, math.NaN()), Cycles: v(9, 0), CapacityPercent: v(10, math.NaN()),
			SMARTFailing: r.failing != nil && *r.failing, Faulted: r.faulted != nil && *r.faulted}
	}
	return out
}

// fill takes from next the values r lacks.
func (r *rawReading) fill(next *rawReading) {
	for j := range r.values {
		if r.values[j] == nil {
			r.values[j] = next.values[j]
		}
	}
	if r.failing == nil {
		r.failing = next.failing
	}
	if r.faulted == nil {
		r.faulted = next.faulted
	}
}
