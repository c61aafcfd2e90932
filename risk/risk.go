// Package risk reads a device component's health readings over time and
// says how likely it is to fail soon, and why, in words that name the
// readings that moved: "reallocated sectors 0 → 48 in 6 days; pending
// sectors 12". It is pure: callers pass the readings, oldest first.
package risk

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Kind is a kind of component readings are taken of.
type Kind string

// The kinds of component the rules know.
const (
	Drive   Kind = "drive"
	Memory  Kind = "memory"
	PSU     Kind = "psu"
	Fan     Kind = "fan"
	Battery Kind = "battery"
)

// Reading is one report of a component's counters and states. Counters
// (SMART raw values, ECC counts, battery cycles) are cumulative.
type Reading struct {
	At time.Time
	// Drive: SMART attributes 5, 187, 188, 197, 198 and power-on hours,
	// and the drive's own overall verdict.
	Reallocated, ReportedUncorrectable, CommandTimeouts, Pending, OfflineUncorrectable, PowerOnHours float64
	SMARTFailing                                                                                     bool
	// Memory: corrected and uncorrected ECC errors.
	ECCCorrected, ECCUncorrected float64
	// PSU and fan: whether it reports a fault; temperature in °C.
	Faulted      bool
	TemperatureC float64
	// Battery: charge cycles and capacity left, in percent of design.
	Cycles, CapacityPercent float64
}

// Assessment is how likely a component is to fail soon, 0 to 1, with the
// reasons, each naming the readings it comes from.
type Assessment struct {
	Score   float64
	Reasons []string
}

// Explain joins the reasons into one sentence.
func (a Assessment) Explain() string { return strings.Join(a.Reasons, "; ") }

// Assess applies the rules of a kind of component to its readings, oldest
// first. No readings, or a kind it does not know, assess as 0.
func Assess(kind Kind, readings []Reading) Assessment {
	if len(readings) == 0 {
		return Assessment{}
	}
	var a assessment
	first, last := readings[0], readings[len(readings)-1]
	days := last.At.Sub(first.At).Hours() / 24
	switch kind {
	case Drive:
		assessDrive(&a, first, last, days)
	case Memory:
		assessMemory(&a, first, last, days)
	case PSU, Fan:
		assessFault(&a, kind, last)
	case Battery:
		assessBattery(&a, last)
	}
	return Assessment{Score: a.score(), Reasons: a.reasons}
}

// assessment gathers the evidence of the rules: each rule that fires adds
// its weight; the score is 1 − Π(1 − weight), so evidence adds up without
// passing 1.
type assessment struct {
	keep    float64 // Π(1 − weight)
	reasons []string
	fired   bool
}

func (a *assessment) add(weight float64, reason string, args ...any) {
	if !a.fired {
		a.keep, a.fired = 1, true
	}
	a.keep *= 1 - weight
	a.reasons = append(a.reasons, fmt.Sprintf(reason, args...))
}

func (a *assessment) score() float64 {
	if !a.fired {
		return 0
	}
	return 1 - a.keep
}

// span writes how long the readings cover: "in 6 days", or "in 5 hours".
func span(days float64) string {
	if days >= 1 && math.Round(days) == 1 {
		return "in 1 day"
	}
	if days >= 1 {
		return fmt.Sprintf("in %.0f days", math.Round(days))
	}
	return fmt.Sprintf("in %.0f hours", math.Round(days*24))
}

func assessDrive(a *assessment, first, last Reading, days float64) {
	if last.SMARTFailing {
		a.add(0.9, "the drive reports its SMART status as failing")
	}
	if grew := last.Reallocated - first.Reallocated; grew > 0 {
		a.add(math.Min(0.85, 0.2+grew/100), "reallocated sectors %.0f → %.0f %s", first.Reallocated, last.Reallocated, span(days))
	} else if last.Reallocated >= 100 {
		a.add(0.3, "reallocated sectors %.0f", last.Reallocated)
	}
	if last.Pending > 0 {
		a.add(math.Min(0.7, 0.3+last.Pending/50), "pending sectors %.0f", last.Pending)
	}
	if last.OfflineUncorrectable > 0 {
		a.add(0.5, "offline uncorrectable sectors %.0f", last.OfflineUncorrectable)
	}
	if grew := last.ReportedUncorrectable - first.ReportedUncorrectable; grew > 0 {
		a.add(0.4, "uncorrectable errors reported %.0f → %.0f %s", first.ReportedUncorrectable, last.ReportedUncorrectable, span(days))
	}
	if grew := last.CommandTimeouts - first.CommandTimeouts; grew >= 5 {
		a.add(0.2, "command timeouts %.0f → %.0f %s", first.CommandTimeouts, last.CommandTimeouts, span(days))
	}
}

// eccPerDay is the rate of corrected ECC errors a healthy module stays
// below.
const eccPerDay = 100

func assessMemory(a *assessment, first, last Reading, days float64) {
	if grew := last.ECCUncorrected - first.ECCUncorrected; grew > 0 || (last.ECCUncorrected > 0 && days == 0) {
		a.add(0.9, "uncorrected memory errors %.0f → %.0f %s", first.ECCUncorrected, last.ECCUncorrected, span(days))
	}
	grew := last.ECCCorrected - first.ECCCorrected
	if days > 0 && grew/days >= eccPerDay {
		a.add(math.Min(0.7, 0.3*grew/days/eccPerDay), "corrected memory errors %.0f → %.0f %s", first.ECCCorrected, last.ECCCorrected, span(days))
	}
}

func assessFault(a *assessment, kind Kind, last Reading) {
	if last.Faulted {
		a.add(0.95, "the %s reports a fault", kind)
	}
	if last.TemperatureC >= 70 {
		a.add(0.3, "the %s runs at %.0f °C", kind, last.TemperatureC)
	}
}

func assessBattery(a *assessment, last Reading) {
	if last.CapacityPercent > 0 && last.CapacityPercent < 80 {
		a.add(math.Min(0.8, (80-last.CapacityPercent)/40+0.3), "battery capacity %.0f %% of design", last.CapacityPercent)
	}
	if last.Cycles >= 1000 {
		a.add(0.4, "battery charge cycles %.0f", last.Cycles)
	}
}

func nan() float64 { return math.NaN() }
