package aftercare

import "context"

// Part is a field-replaceable unit (FRU) from the spare-parts catalogue.
type Part struct {
	ID          string
	FRU         string
	Description string
	// UnitPrice is in the minor unit of Currency (cents, fen).
	UnitPrice    int64
	Currency     string
	ProductLines []string
}

// PartFilter selects parts.
type PartFilter struct {
	ProductLine string
	Page        PageRequest
}

// PartService finds parts in the catalogue.
type PartService interface {
	// FindPartByID returns the part with the given ID, or ENOTFOUND.
	FindPartByID(ctx context.Context, id string) (*Part, error)
	// FindPartByFRU returns the part with the given FRU number, or ENOTFOUND.
	FindPartByFRU(ctx context.Context, fru string) (*Part, error)
	// FindParts returns a page of parts ordered by FRU number.
	FindParts(ctx context.Context, filter PartFilter) ([]*Part, PageInfo, error)
	// FindPartsByIDs is FindPartByID for many IDs in one query: the parts
	// in the order of ids, nil where FindPartByID would answer ENOTFOUND.
	FindPartsByIDs(ctx context.Context, ids []string) ([]*Part, error)
}
