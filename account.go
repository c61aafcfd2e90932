package aftercare

import (
	"context"
	"time"
)

// Account is an enterprise customer.
type Account struct {
	ID        string
	Code      string
	Name      string
	CreatedAt time.Time
}

// Site is a place where an account's devices stand and engineers go.
type Site struct {
	ID        string
	AccountID string
	Name      string
	Address   string
	City      string
	// Country is the ISO 3166-1 alpha-2 code.
	Country string
	// Region is the service region whose dispatchers serve the site.
	Region string
	Lat    float64
	Lng    float64
	// TimeZone is the IANA zone whose business hours the site's SLAs follow.
	TimeZone string
}

// AccountFilter selects accounts.
type AccountFilter struct {
	Page PageRequest
}

// SiteFilter selects sites.
type SiteFilter struct {
	AccountID string
	Region    string
	Page      PageRequest
}

// AccountService finds accounts and their sites.
type AccountService interface {
	// FindAccountByID returns the account with the given ID, or ENOTFOUND.
	FindAccountByID(ctx context.Context, id string) (*Account, error)
	// FindAccounts returns a page of accounts ordered by code.
	FindAccounts(ctx context.Context, filter AccountFilter) ([]*Account, PageInfo, error)
	// FindSiteByID returns the site with the given ID, or ENOTFOUND.
	FindSiteByID(ctx context.Context, id string) (*Site, error)
	// FindSites returns a page of sites ordered by name.
	FindSites(ctx context.Context, filter SiteFilter) ([]*Site, PageInfo, error)
	// FindAccountsByIDs is FindAccountByID for many IDs in one query: the
	// accounts in the order of ids, nil where FindAccountByID would answer
	// ENOTFOUND.
	FindAccountsByIDs(ctx context.Context, ids []string) ([]*Account, error)
	// FindSitesByIDs is FindSiteByID for many IDs in one query: the sites
	// in the order of ids, nil where FindSiteByID would answer ENOTFOUND.
	FindSitesByIDs(ctx context.Context, ids []string) ([]*Site, error)
	// FindSitesOfAccounts is FindSites by account for many accounts in one
	// query: the same page of each account's sites, in the order of
	// accountIDs.
	FindSitesOfAccounts(ctx context.Context, accountIDs []string, page PageRequest) ([]Page[*Site], error)
}
