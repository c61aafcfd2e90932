package aftercare

import (
	"context"
	"time"
)

// Engineer is a field engineer who goes to sites, with the skills, the
// clearance and the van stock that decide which jobs they can take.
type Engineer struct {
	ID          string
	Code        string
	Name        string
	Region      string
	HomeDepotID string
	// TierClearance is the most demanding tier the engineer may serve; it
	// includes every less demanding tier.
	TierClearance Tier
	// Capacity is how many jobs the engineer may hold at once.
	Capacity int
	// TimeZone is the IANA zone the shifts are written in.
	TimeZone  string
	Shifts    []ShiftWindow
	Skills    []Skill
	Lat       float64
	Lng       float64
	LocatedAt time.Time
	// ProviderID is the service provider the engineer works for: the
	// maker's own field service or an authorised partner.
	ProviderID string
	// UserID is the user who signs in as the engineer; empty for none.
	UserID string
}

// Skill is a product line an engineer is certified on, at level 1 to 3.
type Skill struct {
	ProductLine string
	Level       int
	// ExpiresOn is the last day the certification is valid, in the
	// engineer's time zone; from the next day on it no longer qualifies the
	// engineer for dispatch. Nil is a certification that does not expire.
	ExpiresOn *time.Time
}

// ShiftWindow is a weekly working window in the engineer's time zone, such
// as Monday 08:00 to 20:00. End is after Start; a window may not cross
// midnight (split it in two).
type ShiftWindow struct {
	Day   time.Weekday
	Start time.Duration // since local midnight
	End   time.Duration // since local midnight
}

// ClearedFor reports whether a clearance for tier c includes tier t.
func ClearedFor(c, t Tier) bool {
	return t.Rank() > 0 && c.Rank() >= t.Rank()
}

// EngineerFilter selects engineers.
type EngineerFilter struct {
	Region      string
	ProductLine string
	// ProviderID keeps the engineers of one service provider.
	ProviderID string
	Page       PageRequest
}

// EngineerService finds engineers.
type EngineerService interface {
	// FindEngineerByID returns the engineer with the given ID, or ENOTFOUND.
	FindEngineerByID(ctx context.Context, id string) (*Engineer, error)
	// FindEngineers returns a page of engineers ordered by code.
	FindEngineers(ctx context.Context, filter EngineerFilter) ([]*Engineer, PageInfo, error)
	// FindEngineersByIDs is FindEngineerByID for many IDs in one query: the
	// engineers in the order of ids, nil where FindEngineerByID would
	// answer ENOTFOUND.
	FindEngineersByIDs(ctx context.Context, ids []string) ([]*Engineer, error)
	// FindEngineersOfProviders is FindEngineers by provider for many
	// providers in one query: the same page of each provider's engineers,
	// in the order of providerIDs.
	FindEngineersOfProviders(ctx context.Context, providerIDs []string, page PageRequest) ([]Page[*Engineer], error)
}
