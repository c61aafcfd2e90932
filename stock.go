package aftercare

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// StockMovementKind says what moved stock: each kind is one of the ways a
// part enters, leaves or is set aside at a depot or in a van.
type StockMovementKind string

// The kinds of stock movement (DESIGN.md §3).
const (
	// MovementOpening is the balance a stock row held when the ledger
	// began.
	MovementOpening StockMovementKind = "opening"
	// MovementReceipt is stock received at a depot.
	MovementReceipt StockMovementKind = "receipt"
	// MovementTransferOut and MovementTransferIn are the two halves of a
	// transfer between a depot and a van, either way.
	MovementTransferOut StockMovementKind = "transfer_out"
	MovementTransferIn  StockMovementKind = "transfer_in"
	// MovementReservation sets units aside for a job; MovementRelease gives
	// back what the job did not use.
	MovementReservation StockMovementKind = "reservation"
	MovementRelease     StockMovementKind = "release"
	// MovementConsumption is a unit installed in a repair.
	MovementConsumption StockMovementKind = "consumption"
	// MovementReturn is a removed part received back at a depot, on hand
	// when good, held for the vendor when defective.
	MovementReturn StockMovementKind = "return"
	// MovementAdjustment corrects the units on hand, with a reason (a
	// count, a breakage, a loss).
	MovementAdjustment StockMovementKind = "adjustment"
	// MovementVendorShipment sends defective units held for the vendor
	// back to the vendor.
	MovementVendorShipment StockMovementKind = "vendor_shipment"
)

// StockMovement is one row of the stock ledger: what moved in one stock
// row, by whom, when and why, and the row's quantities after it. A stock
// row's quantities are the sums of its movements' deltas.
type StockMovement struct {
	ID      int64
	StockID int64
	Kind    StockMovementKind
	// OnHandDelta, ReservedDelta and HeldDelta are what the movement added
	// to the row's units on hand, reserved and held for the vendor.
	OnHandDelta, ReservedDelta, HeldDelta int
	// OnHandAfter, ReservedAfter and HeldAfter are the row's quantities once
	// the movement applied.
	OnHandAfter, ReservedAfter, HeldAfter int
	// ActorID is the user who moved the stock, "" for the system.
	ActorID string
	At      time.Time
	Reason  string
	// What the movement belongs to, where it belongs to something: the job
	// and its incident and reservation, the return of a removed part and
	// its serial number, or the transfer whose other half it is.
	AssignmentID  string
	IncidentID    string
	ReservationID int64
	PartReturnID  int64
	SerialNumber  string
	TransferID    string
	// FellBelowReorderPoint says the movement took the row below its
	// reorder point.
	FellBelowReorderPoint bool
}

// MaxStockQuantity bounds the units one movement may move.
const MaxStockQuantity = 100000

// MaxStockReasonLength bounds the reason or reference of a movement.
const MaxStockReasonLength = 500

// StockReceipt is stock received at a depot.
type StockReceipt struct {
	DepotID  string
	FRU      string
	Quantity int
	// Reference names the delivery (a delivery note, a purchase order).
	Reference string
}

// Validate returns EINVALID naming the first field that is wrong.
func (r *StockReceipt) Validate() error {
	if err := validateFRU(r.FRU); err != nil {
		return err
	}
	if err := validateQuantity("quantity", r.Quantity); err != nil {
		return err
	}
	return validateStockText("reference", r.Reference, false)
}

// StockTransfer moves available units between a depot and an engineer's
// van, either way.
type StockTransfer struct {
	DepotID    string
	EngineerID string
	FRU        string
	Quantity   int
	// ToVan is true for depot → van, false for van → depot.
	ToVan  bool
	Reason string
}

// Validate returns EINVALID naming the first field that is wrong.
func (t *StockTransfer) Validate() error {
	if err := validateFRU(t.FRU); err != nil {
		return err
	}
	if err := validateQuantity("quantity", t.Quantity); err != nil {
		return err
	}
	return validateStockText("reason", t.Reason, false)
}

// StockAdjustment corrects the units on hand of a stock row.
type StockAdjustment struct {
	StockID int64
	// Delta is added to the units on hand; never 0.
	Delta  int
	Reason string
}

// Validate returns EINVALID naming the first field that is wrong.
func (a *StockAdjustment) Validate() error {
	if a.Delta == 0 || a.Delta < -MaxStockQuantity || a.Delta > MaxStockQuantity {
		return Errorf(EINVALID, "delta must be between -%d and %d and not 0, not %d", MaxStockQuantity, MaxStockQuantity, a.Delta)
	}
	return validateStockText("reason", a.Reason, true)
}

// VendorShipment sends defective units a depot holds back to the vendor.
type VendorShipment struct {
	DepotID  string
	FRU      string
	Quantity int
	// Reference names the shipment (the vendor's return authorisation).
	Reference string
}

// Validate returns EINVALID naming the first field that is wrong.
func (v *VendorShipment) Validate() error {
	if err := validateFRU(v.FRU); err != nil {
		return err
	}
	if err := validateQuantity("quantity", v.Quantity); err != nil {
		return err
	}
	return validateStockText("reference", v.Reference, true)
}

// ReorderPointChange sets or clears the reorder point of a part at a depot.
type ReorderPointChange struct {
	DepotID string
	FRU     string
	// Point is the reorder point; nil clears it.
	Point *int
}

// Validate returns EINVALID naming the first field that is wrong.
func (c *ReorderPointChange) Validate() error {
	if err := validateFRU(c.FRU); err != nil {
		return err
	}
	if c.Point != nil && (*c.Point < 0 || *c.Point > 1000000) {
		return Errorf(EINVALID, "reorderPoint must be between 0 and 1000000, not %d", *c.Point)
	}
	return nil
}

// ReturnCondition is the state a removed part comes back to its depot in.
type ReturnCondition string

// The conditions of a returned part: good stock goes on hand, a defective
// part is held for the vendor.
const (
	ReturnGood      ReturnCondition = "good"
	ReturnDefective ReturnCondition = "defective"
)

// Valid reports whether c is a known condition.
func (c ReturnCondition) Valid() bool { return c == ReturnGood || c == ReturnDefective }

// StockReturnState is where a removed part on its way back to a depot is.
type StockReturnState string

// The states of a return: awaiting receipt, then received as good or as
// defective, which ends it.
const (
	ReturnAwaitingReceipt   StockReturnState = "awaiting_receipt"
	ReturnReceivedGood      StockReturnState = "received_good"
	ReturnReceivedDefective StockReturnState = "received_defective"
)

// StockReturn is a removed part sent back to a depot, as the depot sees it.
type StockReturn struct {
	ID             int64
	IncidentID     string
	IncidentNumber int64
	PartID         string
	FRU            string
	SerialNumber   string
	DepotID        string
	// RemovedAt is when the part was recorded removed.
	RemovedAt  time.Time
	State      StockReturnState
	ReceivedAt *time.Time
	ReceivedBy string
	Note       string
	// MovementID is the ledger row that received it, 0 before.
	MovementID int64
}

// PartReturnReceipt receives a returned part at its depot.
type PartReturnReceipt struct {
	ReturnID  int64
	Condition ReturnCondition
	Note      string
}

// Validate returns EINVALID naming the first field that is wrong.
func (r *PartReturnReceipt) Validate() error {
	if !r.Condition.Valid() {
		return Errorf(EINVALID, "condition must be good or defective, not %q", r.Condition)
	}
	return validateStockText("note", r.Note, false)
}

// StockMovementFilter selects the ledger of one stock row.
type StockMovementFilter struct {
	StockID int64
	Page    PageRequest
}

// StockReturnFilter selects the returns awaiting receipt, at one depot or
// at every depot the caller sees.
type StockReturnFilter struct {
	DepotID string
	Page    PageRequest
}

// StockTransferResult is the two halves of a transfer: the movement out of
// one place and the movement into the other.
type StockTransferResult struct {
	Out, In *StockMovement
}

// StockService moves stock through the ledger and reads it. Writes are for
// dispatchers of the place's region (a depot's, a van's engineer's) and
// admins; a van's engineer reads its ledger. A place outside the caller's
// scope is ENOTFOUND; a movement that would take anything below zero is
// ECONFLICT and writes nothing.
type StockService interface {
	// ReceiveStock receives units of a part at a depot.
	ReceiveStock(ctx context.Context, r StockReceipt) (*StockMovement, error)
	// TransferStock moves available units between a depot and a van.
	TransferStock(ctx context.Context, t StockTransfer) (*StockTransferResult, error)
	// AdjustStock corrects the units on hand of a stock row, with a reason;
	// it never takes away reserved units.
	AdjustStock(ctx context.Context, a StockAdjustment) (*StockMovement, error)
	// ShipToVendor sends defective units held at a depot to the vendor.
	ShipToVendor(ctx context.Context, v VendorShipment) (*StockMovement, error)
	// SetReorderPoint sets or clears a part's reorder point at a depot;
	// raising it above the units available is a crossing, and notifies.
	SetReorderPoint(ctx context.Context, c ReorderPointChange) (*StockLevel, error)
	// FindStockLevel returns a stock row in the caller's scope.
	FindStockLevel(ctx context.Context, id int64) (*StockLevel, error)
	// FindStockMovements returns a page of a stock row's ledger, newest
	// first.
	FindStockMovements(ctx context.Context, f StockMovementFilter) ([]*StockMovement, PageInfo, error)
	// FindStockReturns returns a page of the removed parts awaiting
	// receipt at depots in the caller's scope, oldest first.
	FindStockReturns(ctx context.Context, f StockReturnFilter) ([]*StockReturn, PageInfo, error)
	// ReceivePartReturn receives a returned part at its depot: good goes on
	// hand, defective is held for the vendor.
	ReceivePartReturn(ctx context.Context, r PartReturnReceipt) (*StockReturn, error)
}

// validateFRU returns EINVALID unless fru could be a catalogue FRU number.
func validateFRU(fru string) error {
	if len(fru) < 5 || len(fru) > 12 || strings.ToUpper(fru) != fru || strings.ContainsFunc(fru, func(r rune) bool {
		return (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}) {
		return Errorf(EINVALID, "fru %q is not a FRU number (5 to 12 capital letters and digits)", fru)
	}
	return nil
}

// validateQuantity returns EINVALID unless q units may move at once.
func validateQuantity(field string, q int) error {
	if q < 1 || q > MaxStockQuantity {
		return Errorf(EINVALID, "%s must be between 1 and %d, not %d", field, MaxStockQuantity, q)
	}
	return nil
}

// validateStockText returns EINVALID for a reason, reference or note that
// is too long, or missing where it is required.
func validateStockText(field, s string, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return Errorf(EINVALID, "%s is required", field)
	case utf8.RuneCountInString(s) > MaxStockReasonLength:
		return Errorf(EINVALID, "%s must be at most %d characters", field, MaxStockReasonLength)
	}
	return nil
}

// NormalizeFRU returns a FRU number as the catalogue spells it: trimmed and
// in capitals.
func NormalizeFRU(fru string) string { return strings.ToUpper(strings.TrimSpace(fru)) }
