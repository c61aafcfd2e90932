package aftercare

import "context"

// Depot is a warehouse that holds spare parts for a region.
type Depot struct {
	ID       string
	Code     string
	Name     string
	City     string
	Region   string
	Lat      float64
	Lng      float64
	TimeZone string
	// Country is the ISO 3166-1 alpha-2 code; "" for a depot loaded
	// without one.
	Country string
}

// StockLevel is how much of one part one place holds: a stock row, whose
// quantities are the sums of its ledger (StockMovement).
type StockLevel struct {
	ID     int64
	PartID string
	// DepotID or EngineerID (a van) says where the stock is; one is set.
	DepotID    string
	EngineerID string
	OnHand     int
	Reserved   int
	// HeldForVendor counts defective returned units a depot holds for the
	// vendor: not on hand, never dispatched.
	HeldForVendor int
	// ReorderPoint is a depot's reorder point for the part, nil for none;
	// BelowReorderPoint says the units available are fewer.
	ReorderPoint      *int
	BelowReorderPoint bool
}

// Available returns the units on hand that no assignment has reserved.
func (s *StockLevel) Available() int { return s.OnHand - s.Reserved }

// DepotFilter selects depots.
type DepotFilter struct {
	Region string
	Page   PageRequest
}

// StockFilter selects stock levels.
type StockFilter struct {
	DepotID    string
	EngineerID string
	PartID     string
	Page       PageRequest
}

// StockBy says what the IDs of a batch stock lookup name: depots,
// engineers (their vans) or parts (held anywhere).
type StockBy int

// What a batch stock lookup's IDs name.
const (
	StockByDepot StockBy = iota
	StockByEngineer
	StockByPart
)

// DepotService finds depots and the stock they and vans hold.
type DepotService interface {
	// FindDepotByID returns the depot with the given ID, or ENOTFOUND.
	FindDepotByID(ctx context.Context, id string) (*Depot, error)
	// FindDepots returns a page of depots ordered by code.
	FindDepots(ctx context.Context, filter DepotFilter) ([]*Depot, PageInfo, error)
	// FindStock returns a page of stock levels; the filter must name a
	// depot, an engineer or a part.
	FindStock(ctx context.Context, filter StockFilter) ([]*StockLevel, PageInfo, error)
	// FindDepotsByIDs is FindDepotByID for many IDs in one query: the
	// depots in the order of ids, nil where FindDepotByID would answer
	// ENOTFOUND.
	FindDepotsByIDs(ctx context.Context, ids []string) ([]*Depot, error)
	// FindStockOf is FindStock for many depots, engineers' vans or parts
	// in one query: the same page of the stock each holds, in the order of
	// ids, which all name what by says.
	FindStockOf(ctx context.Context, by StockBy, ids []string, page PageRequest) ([]Page[*StockLevel], error)
}
