package aftercare

import (
	"context"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// ComponentKind is a kind of device component health readings are taken
// of.
type ComponentKind string

// The kinds of component a device reports on.
const (
	ComponentDrive   ComponentKind = "drive"
	ComponentMemory  ComponentKind = "memory"
	ComponentPSU     ComponentKind = "psu"
	ComponentFan     ComponentKind = "fan"
	ComponentBattery ComponentKind = "battery"
)

// Valid reports whether k is a known kind of component.
func (k ComponentKind) Valid() bool {
	switch k {
	case ComponentDrive, ComponentMemory, ComponentPSU, ComponentFan, ComponentBattery:
		return true
	}
	return false
}

// CategoryPredictedFailure is an incident filed by the system itself
// because a component's health readings foretell its failure.
const CategoryPredictedFailure Category = "predicted_failure"

// HealthReading is one report of one component of a device: counters are
// cumulative as the device counts them; nil is a value the component does
// not report.
type HealthReading struct {
	SerialNumber string
	Kind         ComponentKind
	// Slot tells apart components of one kind in a device (drive bays,
	// DIMM slots, PSU bays), 0 to 255.
	Slot    int
	TakenAt time.Time
	// Drive: SMART 5 (reallocated sectors), 187 (reported uncorrectable),
	// 188 (command timeouts), 197 (current pending), 198 (offline
	// uncorrectable), power-on hours, and the drive's own verdict.
	Reallocated, ReportedUncorrectable, Pending, OfflineUncorrectable, PowerOnHours *int
	CommandTimeouts                                                                 *int
	SMARTFailing                                                                    *bool
	// Memory: corrected and uncorrected ECC errors.
	ECCCorrected, ECCUncorrected *int
	// PSU and fan: whether the component reports a fault.
	Faulted      *bool
	TemperatureC *float64
	// Battery: charge cycles and capacity left, percent of design.
	Cycles          *int
	CapacityPercent *float64
	// FRU is the component's part number as the device knows it,
	// optional: a warning names it when it fits the asset.
	FRU string
}

// MaxHealthBatch bounds the readings of one report.
const MaxHealthBatch = 1000

// HealthReadingWindow is how far back a reading may have been taken: a
// device that was offline sends what it kept, up to this old.
const HealthReadingWindow = 30 * 24 * time.Hour

// healthClockSkew is how far ahead of the server's clock a reading may be
// stamped.
const healthClockSkew = 10 * time.Minute

// ValidateHealthBatch returns EINVALID naming the first reading, by its
// position, that is wrong, judged against now.
func ValidateHealthBatch(readings []HealthReading, now time.Time) error {
	if len(readings) == 0 || len(readings) > MaxHealthBatch {
		return Errorf(EINVALID, "a report holds 1 to %d readings, not %d", MaxHealthBatch, len(readings))
	}
	for i := range readings {
		if err := readings[i].validate(now); err != nil {
			return Errorf(EINVALID, "reading %d (%s): %s", i, readings[i].SerialNumber, ErrorMessage(err))
		}
	}
	return nil
}

func (r *HealthReading) validate(now time.Time) error {
	r.SerialNumber = strings.ToUpper(strings.TrimSpace(r.SerialNumber))
	if r.FRU != "" {
		r.FRU = NormalizeFRU(r.FRU)
	}
	switch {
	case r.SerialNumber == "" || utf8.RuneCountInString(r.SerialNumber) > 40:
		return Errorf(EINVALID, "serial number is required, at most 40 characters")
	case !r.Kind.Valid():
		return Errorf(EINVALID, "component %q is not one of drive, memory, psu, fan, battery", r.Kind)
	case r.FRU != "" && validateFRU(NormalizeFRU(r.FRU)) != nil:
		return validateFRU(NormalizeFRU(r.FRU))
	case r.Slot < 0 || r.Slot > 255:
		return Errorf(EINVALID, "slot must be 0 to 255, not %d", r.Slot)
	case r.TakenAt.IsZero() || r.TakenAt.After(now.Add(healthClockSkew)):
		return Errorf(EINVALID, "takenAt %s is in the future", r.TakenAt.Format(time.RFC3339))
	case r.TakenAt.Before(now.Add(-HealthReadingWindow)):
		return Errorf(EINVALID, "takenAt %s is older than %d days", r.TakenAt.Format(time.RFC3339), int(HealthReadingWindow.Hours()/24))
	}
	for _, c := range []struct {
		name string
		v    *int
		max  int
	}{{"reallocated", r.Reallocated, math.MaxInt32}, {"reportedUncorrectable", r.ReportedUncorrectable, math.MaxInt32},
		{"pending", r.Pending, math.MaxInt32}, {"offlineUncorrectable", r.OfflineUncorrectable, math.MaxInt32},
		{"powerOnHours", r.PowerOnHours, math.MaxInt32}, {"cycles", r.Cycles, math.MaxInt32}} {
		if c.v != nil && (*c.v < 0 || *c.v > c.max) {
			return Errorf(EINVALID, "%s must be 0 to %d, not %d", c.name, c.max, *c.v)
		}
	}
	for _, c := range []struct {
		name string
		v    *int
	}{{"commandTimeouts", r.CommandTimeouts}, {"eccCorrected", r.ECCCorrected}, {"eccUncorrected", r.ECCUncorrected}} {
		if c.v != nil && *c.v < 0 {
			return Errorf(EINVALID, "%s must not be negative, not %d", c.name, *c.v)
		}
	}
	if t := r.TemperatureC; t != nil && (math.IsNaN(*t) || *t < -50 || *t > 150) {
		return Errorf(EINVALID, "temperatureC must be -50 to 150")
	}
	if c := r.CapacityPercent; c != nil && (math.IsNaN(*c) || *c < 0 || *c > 200) {
		return Errorf(EINVALID, "capacityPercent must be 0 to 200")
	}
	return nil
}

// HealthWarningThreshold is the risk at which a component warns: the
// threshold the rules were evaluated at on the synthetic fleet.
const HealthWarningThreshold = 0.6

// HealthWarningState is where a warning is in its life.
type HealthWarningState string

// A warning is open until the incident it filed is resolved, or until
// corporate IT dismisses it with a reason.
const (
	WarningOpen      HealthWarningState = "open"
	WarningResolved  HealthWarningState = "resolved"
	WarningDismissed HealthWarningState = "dismissed"
)

// HealthWarning is a component whose readings foretell its failure.
type HealthWarning struct {
	ID           int64
	AssetID      string
	SerialNumber string
	AccountID    string
	Kind         ComponentKind
	Slot         int
	// Score is the risk, 0 to 1; Reasons say which readings moved, and
	// how.
	Score   float64
	Reasons string
	// PartID and FRU name the part that replaces the component, where the
	// catalogue has one that fits the asset.
	PartID, FRU string
	// IncidentID is the proactive incident the warning filed, "" where
	// the asset's contract does not monitor.
	IncidentID    string
	State         HealthWarningState
	RaisedAt      time.Time
	ResolvedAt    *time.Time
	DismissedAt   *time.Time
	DismissedBy   string
	DismissReason string
}

// HealthReport is what a report of readings did: how many readings were
// stored and the warnings it raised.
type HealthReport struct {
	Accepted int
	Warnings []*HealthWarning
}

// HealthWarningDismissal is corporate IT saying a warning is not what it
// looks like, and why.
type HealthWarningDismissal struct {
	WarningID int64
	Reason    string
}

// Validate returns EINVALID when the reason is missing or too long.
func (d *HealthWarningDismissal) Validate() error {
	d.Reason = strings.TrimSpace(d.Reason)
	switch {
	case d.Reason == "":
		return Errorf(EINVALID, "a dismissal needs its reason")
	case utf8.RuneCountInString(d.Reason) > 500:
		return Errorf(EINVALID, "reason must be at most 500 characters")
	}
	return nil
}

// HealthWarningFilter selects warnings.
type HealthWarningFilter struct {
	// State selects warnings in one state; "" selects all.
	State HealthWarningState
	// SerialNumber selects one asset's warnings.
	SerialNumber string
	Page         PageRequest
}

// ComponentRisk is a component's latest assessment.
type ComponentRisk struct {
	Kind  ComponentKind
	Slot  int
	Score float64
	// Reasons say which readings moved; "" when none did.
	Reasons string
	// Readings is how many readings over the assessment window it rests
	// on; LastTakenAt is the newest.
	Readings    int
	LastTakenAt time.Time
}

// HealthService takes device health readings and answers for their risk.
// Readings are accepted only for assets in the caller's scope: a serial
// number outside it is as unknown as a made-up one (EINVALID).
type HealthService interface {
	// ReportHealth stores a batch of readings, assesses the components
	// they are of, and raises a warning for each component newly at risk:
	// filing a proactive incident, with the part named, where the asset's
	// contract monitors. All or nothing.
	ReportHealth(ctx context.Context, readings []HealthReading) (*HealthReport, error)
	// FindHealthWarnings returns a page of the warnings of assets in the
	// caller's scope, newest first.
	FindHealthWarnings(ctx context.Context, f HealthWarningFilter) ([]*HealthWarning, PageInfo, error)
	// DismissHealthWarning dismisses an open warning with a reason, kept
	// as a label; a warning dismissed for a component keeps it from
	// warning again for HealthDismissalQuiet.
	DismissHealthWarning(ctx context.Context, d HealthWarningDismissal) (*HealthWarning, error)
	// FindHealthWarning returns a warning of an asset in the caller's
	// scope, or ENOTFOUND.
	FindHealthWarning(ctx context.Context, id int64) (*HealthWarning, error)
	// FindHealthWarningOutcomes counts how the warnings of assets in the
	// caller's scope ended, per kind of component.
	FindHealthWarningOutcomes(ctx context.Context) ([]*HealthWarningOutcome, error)
	// FindAssetRisk assesses each component of an asset from its readings
	// over HealthAssessmentWindow.
	FindAssetRisk(ctx context.Context, serial string) ([]*ComponentRisk, error)
}

// HealthWarningOutcome counts how the warnings of one kind of component
// ended: the labels that judge the rules on real devices.
type HealthWarningOutcome struct {
	Kind   ComponentKind
	Raised int
	Open   int
	// Confirmed warnings' incidents installed a part; Unconfirmed ones
	// were resolved without one; Dismissed ones corporate IT said were no
	// failure, with a reason.
	Confirmed, Unconfirmed, Dismissed int
}

// Precision is the share of the ended warnings that were confirmed; ok is
// false before any has ended.
func (o *HealthWarningOutcome) Precision() (precision float64, ok bool) {
	ended := o.Confirmed + o.Unconfirmed + o.Dismissed
	if ended == 0 {
		return 0, false
	}
	return float64(o.Confirmed) / float64(ended), true
}

// HealthAssessmentWindow is how far back an assessment reads.
const HealthAssessmentWindow = 14 * 24 * time.Hour

// HealthDismissalQuiet is how long a dismissed component stays quiet.
const HealthDismissalQuiet = 30 * 24 * time.Hour
