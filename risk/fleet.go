package risk

import (
	"math"
	"math/rand/v2"
	"time"
)

// FleetConfig describes a synthetic fleet of drives, reported on daily, on
// which failure warnings are evaluated. Its assumptions, stated so that a
// reader can judge what an evaluation on it can say:
//   - A failing drive fails on a day in the second half of the period.
//     Of the failing drives, SuddenShare fail with no warning sign at all
//     (electronics, not media); the others degrade for 5 to 25 days before:
//     reallocated sectors grow about exponentially to 60–300, pending
//     sectors appear in the last half of the decline, and uncorrectable
//     errors are reported in its last few days.
//   - Only FlagShare of the degrading drives set their own SMART failure
//     flag, and only on their last two days: the drive's verdict is late.
//   - Healthy drives see noise: a command timeout now and then. OddShare of
//     them look odd without failing: a high but steady reallocated count
//     from the factory or an old event, and a pending sector that comes and
//     goes.
type FleetConfig struct {
	Drives       int
	Days         int
	FailingShare float64
	SuddenShare  float64
	FlagShare    float64
	OddShare     float64
	Seed         uint64
}

// DefaultFleetConfig is 2,000 drives over 120 days, 5 % failing.
func DefaultFleetConfig() FleetConfig {
	return FleetConfig{Drives: 2000, Days: 120, FailingShare: 0.05, SuddenShare: 0.2, FlagShare: 0.4, OddShare: 0.05, Seed: 1}
}

// FleetDrive is one drive of a synthetic fleet: its daily readings and its
// label, the day it failed (−1 for a drive that did not).
type FleetDrive struct {
	Readings  []Reading
	FailedDay int
}

// Generate returns the fleet a configuration describes; the same
// configuration gives the same fleet.
func Generate(cfg FleetConfig) []FleetDrive {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fleet := make([]FleetDrive, cfg.Drives)
	for i := range fleet {
		d := FleetDrive{FailedDay: -1, Readings: make([]Reading, cfg.Days)}
		var degrade, flag, odd bool
		var from int
		peak := 0.0
		if r.Float64() < cfg.FailingShare {
			d.FailedDay = cfg.Days/2 + r.IntN(cfg.Days-cfg.Days/2)
			degrade = r.Float64() >= cfg.SuddenShare
			flag = r.Float64() < cfg.FlagShare
			from = d.FailedDay - (5 + r.IntN(21))
			peak = 60 + 240*r.Float64()
		} else {
			odd = r.Float64() < cfg.OddShare
		}
		base := 0.0
		if odd {
			base = 100 + math.Round(150*r.Float64())
		}
		timeouts := 0.0
		for day := range cfg.Days {
			if r.Float64() < 0.02 {
				timeouts++
			}
			rd := Reading{At: start.AddDate(0, 0, day), PowerOnHours: float64(8760 + 24*day), Reallocated: base, CommandTimeouts: timeouts}
			if odd && r.Float64() < 0.03 {
				rd.Pending = 1
			}
			if degrade && day >= from && day <= d.FailedDay {
				f := float64(day-from+1) / float64(d.FailedDay-from+1)
				rd.Reallocated = math.Round(peak * (math.Exp(3*f) - 1) / (math.Exp(3) - 1))
				if f > 0.5 {
					rd.Pending = math.Round(peak / 10 * (f - 0.5) * 2)
				}
				if d.FailedDay-day < 3 {
					rd.ReportedUncorrectable = float64(3 - (d.FailedDay - day))
				}
				rd.SMARTFailing = flag && d.FailedDay-day < 2
			}
			d.Readings[day] = rd
		}
		fleet[i] = d
	}
	return fleet
}
