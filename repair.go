package aftercare

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// PartDisposition is what becomes of a failed part removed in a repair.
type PartDisposition string

// The dispositions: back to a depot, or kept by the customer under
// keep-your-drive (a drive holding the customer's data never leaves them).
const (
	ReturnToDepot  PartDisposition = "return_to_depot"
	KeptByCustomer PartDisposition = "kept_by_customer"
)

// InstalledPart is a genuine part installed in a repair, traced to where it
// came from: the stock row it was consumed from (a van or a depot), the
// reservation it used, and the engineer who installed it.
type InstalledPart struct {
	ID           int64
	IncidentID   string
	PartID       string
	FRU          string
	SerialNumber string
	StockID      int64
	// DepotID or VanEngineerID is where the stock row is.
	DepotID       string
	VanEngineerID string
	// ReservationID is the reservation consumed, 0 when the part was taken
	// unreserved from a named stock row.
	ReservationID int64
	AssignmentID  string
	EngineerID    string
	InstalledBy   string
	InstalledAt   time.Time
	// RemovedSerialNumber is the failed part taken out, "" if none.
	RemovedSerialNumber string
	// Return is what became of the removed part; nil if none was removed.
	Return *PartReturn
}

// PartReturn records a failed part removed in a repair and where it goes.
type PartReturn struct {
	ID              int64
	InstalledPartID int64
	PartID          string
	SerialNumber    string
	Disposition     PartDisposition
	// DepotID is the depot it goes back to, "" when the customer keeps it.
	DepotID   string
	CreatedAt time.Time
}

// PartReturnFacts is what decides what becomes of the failed part removed in
// a repair.
type PartReturnFacts struct {
	// RemovedSerialNumber is the failed part taken out, "" if none was.
	RemovedSerialNumber string
	// Drive says whether the part is a drive, which holds the customer's
	// data.
	Drive bool
	// Coverage is the incident's coverage; its keep-your-drive entitlement
	// lets the customer keep a failed drive.
	Coverage *Coverage
	// StockDepotID is the depot whose stock the new part was taken from, ""
	// when it came from a van.
	StockDepotID string
	// HomeDepotID is the home depot of the engineer who installed the part.
	HomeDepotID string
}

// DecidePartReturn returns the return record of the failed part removed in
// a repair, with its serial number, disposition and depot, or nil when none
// was removed. Under keep-your-drive a failed drive stays with the customer
// and goes to no depot; any other failed part goes back to the depot the new
// part came from, or to the engineer's home depot when it came from their
// van.
func DecidePartReturn(f PartReturnFacts) *PartReturn {
	switch {
	case f.RemovedSerialNumber == "":
		return nil
	case f.Drive && f.Coverage.Has(EntitlementKeepYourDrive):
		return &PartReturn{SerialNumber: f.RemovedSerialNumber, Disposition: KeptByCustomer}
	case f.StockDepotID != "":
		return &PartReturn{SerialNumber: f.RemovedSerialNumber, Disposition: ReturnToDepot, DepotID: f.StockDepotID}
	}
	return &PartReturn{SerialNumber: f.RemovedSerialNumber, Disposition: ReturnToDepot, DepotID: f.HomeDepotID}
}

// RepairTest is one test of a repair.
type RepairTest struct {
	ID         int64
	Passed     bool
	Notes      string
	RecordedBy string
	RecordedAt time.Time
}

// RepairRecord is what was done to repair an incident's device (DESIGN.md
// §5): the diagnosis, the parts installed with their serial numbers, the
// failed parts' returns, and the tests, newest last.
type RepairRecord struct {
	IncidentID  string
	Diagnosis   string
	DiagnosedBy string
	DiagnosedAt *time.Time
	Parts       []*InstalledPart
	Tests       []*RepairTest
}

// Passed reports whether the latest test of the repair passed: what verifying
// it requires.
func (r *RepairRecord) Passed() bool {
	return r != nil && len(r.Tests) > 0 && r.Tests[len(r.Tests)-1].Passed
}

// RepairWork is a kind of record of the work on an incident's device.
type RepairWork string

// The kinds of repair record.
const (
	WorkDiagnosis  RepairWork = "diagnosis"
	WorkPartUsed   RepairWork = "part_used"
	WorkTestResult RepairWork = "test_result"
)

// Statuses returns the incident statuses in which w may be recorded: a
// diagnosis from triage on, parts and tests on site (and after the repair,
// to complete the record).
func (w RepairWork) Statuses() []IncidentStatus {
	if w == WorkDiagnosis {
		return []IncidentStatus{StatusTriaged, StatusQuoted, StatusApproved, StatusDispatched, StatusEnRoute,
			StatusOnSite, StatusRepaired, StatusAwaitingCustomer}
	}
	return []IncidentStatus{StatusOnSite, StatusRepaired}
}

// CheckRecordable returns an ECONFLICT error, naming the statuses that
// would allow it, unless w may be recorded for inc in its present status.
func (w RepairWork) CheckRecordable(inc *Incident) error {
	allowed := w.Statuses()
	if slices.Contains(allowed, inc.Status) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, s := range allowed {
		names[i] = string(s)
	}
	return Errorf(ECONFLICT, "cannot record %s for incident %d while it is %s; it must be %s",
		w.label(), inc.Number, inc.Status, strings.Join(names, ", "))
}

// label names w in a sentence: "a diagnosis".
func (w RepairWork) label() string {
	return "a " + strings.ReplaceAll(string(w), "_", " ")
}

// MaxRepairTextLength bounds a diagnosis and a test's notes, in characters.
const MaxRepairTextLength = 4000

// serialPattern is what a part's serial number looks like once normalised.
var serialPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,39}$`)

// PartUse records a part installed in a repair.
type PartUse struct {
	IncidentID   string
	FRU          string
	SerialNumber string
	// StockID names the stock row the part was taken from; 0 takes it from
	// what was reserved for the incident's assignment.
	StockID int64
	// RemovedSerialNumber is the failed part taken out, if one was; it gets
	// a return record.
	RemovedSerialNumber string
}

// Normalize trims space and upper-cases the FRU and serial numbers.
func (u *PartUse) Normalize() {
	u.FRU = strings.ToUpper(strings.TrimSpace(u.FRU))
	u.SerialNumber = strings.ToUpper(strings.TrimSpace(u.SerialNumber))
	u.RemovedSerialNumber = strings.ToUpper(strings.TrimSpace(u.RemovedSerialNumber))
}

// Validate returns EINVALID naming the first field that is wrong.
func (u *PartUse) Validate() error {
	switch {
	case u.FRU == "":
		return Errorf(EINVALID, "a part used needs its FRU number")
	case !serialPattern.MatchString(u.SerialNumber):
		return Errorf(EINVALID, "serial number %q of the part used must be 3 to 40 letters, digits or dashes", u.SerialNumber)
	case u.RemovedSerialNumber != "" && !serialPattern.MatchString(u.RemovedSerialNumber):
		return Errorf(EINVALID, "serial number %q of the removed part must be 3 to 40 letters, digits or dashes", u.RemovedSerialNumber)
	case u.RemovedSerialNumber == u.SerialNumber:
		return Errorf(EINVALID, "the part installed and the part removed have the same serial number %s", u.SerialNumber)
	case u.StockID < 0:
		return Errorf(EINVALID, "stock row %d does not exist", u.StockID)
	}
	return nil
}

// ValidateRepairText returns EINVALID for a diagnosis or notes that are
// empty (when required) or too long.
func ValidateRepairText(what, text string, required bool) error {
	switch {
	case required && strings.TrimSpace(text) == "":
		return Errorf(EINVALID, "%s is required", what)
	case utf8.RuneCountInString(text) > MaxRepairTextLength:
		return Errorf(EINVALID, "%s must be at most %d characters", what, MaxRepairTextLength)
	}
	return nil
}

// RepairService records what an engineer does to repair an incident's
// device. Each record needs the incident in a status where the work happens
// (ECONFLICT otherwise) and writes an audit event.
type RepairService interface {
	// RecordDiagnosis sets the incident's diagnosis, replacing any earlier.
	RecordDiagnosis(ctx context.Context, incidentID, diagnosis string) (*RepairRecord, error)
	// RecordPartUsed records a part installed on site, consuming it from
	// its stock row (and its reservation) in the same transaction, and a
	// return record for the failed part removed.
	RecordPartUsed(ctx context.Context, use PartUse) (*InstalledPart, error)
	// RecordTestResult records a test of the repair.
	RecordTestResult(ctx context.Context, incidentID string, passed bool, notes string) (*RepairRecord, error)
	// FindRepairRecord returns an incident's repair record (empty if nothing
	// was recorded), or ENOTFOUND for an incident the caller may not see.
	FindRepairRecord(ctx context.Context, incidentID string) (*RepairRecord, error)
	// FindRepairRecords is FindRepairRecord for many incidents, in four
	// queries: the record of each, in the order of incidentIDs, nil where
	// FindRepairRecord would answer ENOTFOUND.
	FindRepairRecords(ctx context.Context, incidentIDs []string) ([]*RepairRecord, error)
}
