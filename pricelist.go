package aftercare

import "context"

// PriceKind is what a price list entry (and a quote line) charges for.
type PriceKind string

// The kinds of price: a part (per unit), labour (per hour) and a call-out
// (per visit).
const (
	PricePart    PriceKind = "part"
	PriceLabour  PriceKind = "labour"
	PriceCallOut PriceKind = "call_out"
)

// Valid reports whether k is a known kind of price.
func (k PriceKind) Valid() bool {
	return k == PricePart || k == PriceLabour || k == PriceCallOut
}

// PriceListEntry is one price of the standardised price list: for a part,
// an hour of labour or a call-out, in a tier and a region.
type PriceListEntry struct {
	Kind PriceKind
	// PartID, FRU and Description name the part of a PricePart entry; the
	// description of the others says what they charge.
	PartID      string
	FRU         string
	Description string
	Tier        Tier
	Region      string
	// UnitPrice is in the minor unit of Currency (cents, fen).
	UnitPrice int64
	Currency  string
}

// PriceListFilter selects the price list of a tier and a region.
type PriceListFilter struct {
	Tier   Tier
	Region string
	// FRU, when set, keeps the labour and call-out entries and the one part.
	FRU string
}

// Validate returns EINVALID when the filter names no tier or region.
func (f *PriceListFilter) Validate() error {
	switch {
	case !f.Tier.Valid():
		return Errorf(EINVALID, "tier %q is not one of platinum, premium, standard", f.Tier)
	case f.Region == "":
		return Errorf(EINVALID, "a price list needs its region")
	}
	return nil
}

// PriceListService reads the price list quotes are built from.
type PriceListService interface {
	// FindPriceList returns the labour and call-out prices and the part
	// prices of a tier and region, labour first, then call-out, then parts
	// by FRU.
	FindPriceList(ctx context.Context, filter PriceListFilter) ([]*PriceListEntry, error)
}
