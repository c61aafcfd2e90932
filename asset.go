package aftercare

import (
	"context"
	"time"
)

// Asset is one device a customer owns: a PC, server or storage system,
// known by its serial number.
type Asset struct {
	ID           string
	AccountID    string
	SiteID       string
	SerialNumber string
	ProductLine  string
	Model        string
	ShippedOn    time.Time
	// WarrantyEndsOn is the last day of the base warranty.
	WarrantyEndsOn time.Time
}

// InWarranty reports whether the base warranty covers the calendar day of t.
func (a *Asset) InWarranty(t time.Time) bool {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return !day.After(a.WarrantyEndsOn)
}

// AssetFilter selects assets.
type AssetFilter struct {
	AccountID string
	SiteID    string
	Page      PageRequest
}

// AssetService finds assets.
type AssetService interface {
	// FindAssetByID returns the asset with the given ID, or ENOTFOUND.
	FindAssetByID(ctx context.Context, id string) (*Asset, error)
	// FindAssetBySerial returns the asset with the given serial number, or
	// ENOTFOUND.
	FindAssetBySerial(ctx context.Context, serial string) (*Asset, error)
	// FindAssets returns a page of assets ordered by serial number.
	FindAssets(ctx context.Context, filter AssetFilter) ([]*Asset, PageInfo, error)
	// FindAssetsByIDs is FindAssetByID for many IDs in one query: the
	// assets in the order of ids, nil where FindAssetByID would answer
	// ENOTFOUND.
	FindAssetsByIDs(ctx context.Context, ids []string) ([]*Asset, error)
	// FindAssetsOfSites is FindAssets by site for many sites in one query:
	// the same page of each site's assets, in the order of siteIDs.
	FindAssetsOfSites(ctx context.Context, siteIDs []string, page PageRequest) ([]Page[*Asset], error)
}
