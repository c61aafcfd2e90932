package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// AssetService finds customers' devices.
type AssetService struct {
	db *DB
}

var _ aftercare.AssetService = (*AssetService)(nil)

// NewAssetService returns an AssetService backed by db.
func NewAssetService(db *DB) *AssetService {
	return &AssetService{db: db}
}

const assetSelect = `
	SELECT a.id, a.account_id, a.site_id, a.serial_number, a.product_line, a.model, a.shipped_on, a.warranty_ends_on
	FROM assets a`

func scanAsset(row pgx.CollectableRow) (*aftercare.Asset, error) {
	var a aftercare.Asset
	err := row.Scan(&a.ID, &a.AccountID, &a.SiteID, &a.SerialNumber, &a.ProductLine, &a.Model, &a.ShippedOn, &a.WarrantyEndsOn)
	return &a, err
}

// FindAssetByID returns the asset with the given ID, or ENOTFOUND.
func (s *AssetService) FindAssetByID(ctx context.Context, id string) (_ *aftercare.Asset, err error) {
	defer wrap(&err, fmt.Sprintf("AssetService.FindAssetByID(ctx, %q)", id))
	return findOne(ctx, s.db.pool, assetSelect, "a.id", "asset", id, &scopeAssets, scanAsset)
}

// FindAssetBySerial returns the asset with the given serial number (any
// case), or ENOTFOUND.
func (s *AssetService) FindAssetBySerial(ctx context.Context, serial string) (_ *aftercare.Asset, err error) {
	defer wrap(&err, fmt.Sprintf("AssetService.FindAssetBySerial(ctx, %q)", serial))
	serial = strings.ToUpper(strings.TrimSpace(serial))
	return findOneBy(ctx, s.db.pool, assetSelect, "a.serial_number", "asset with serial number", serial, &scopeAssets, scanAsset)
}

// FindAssets returns a page of assets ordered by serial number.
func (s *AssetService) FindAssets(ctx context.Context, f aftercare.AssetFilter) (_ []*aftercare.Asset, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "AssetService.FindAssets")
	var q filter
	if !q.addID("a.account_id", f.AccountID) || !q.addID("a.site_id", f.SiteID) {
		return nil, aftercare.PageInfo{}, nil
	}
	q.addScope(ctx, scopeAssets)
	return findPage(ctx, s.db.pool, assetSelect, &q, "a.serial_number", f.Page, scanAsset,
		func(a *aftercare.Asset) string { return a.SerialNumber })
}

// FindAssetsByIDs returns the assets with the given IDs in one query, in
// the order of ids, nil for each FindAssetByID would not find.
func (s *AssetService) FindAssetsByIDs(ctx context.Context, ids []string) (_ []*aftercare.Asset, err error) {
	defer wrap(&err, fmt.Sprintf("AssetService.FindAssetsByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, s.db.pool, assetSelect, "a.id", ids, &scopeAssets, scanAsset,
		func(a *aftercare.Asset) string { return a.ID })
}

// FindAssetsOfSites returns the same page of the assets of each site, as
// FindAssets by site, in one query.
func (s *AssetService) FindAssetsOfSites(ctx context.Context, siteIDs []string, page aftercare.PageRequest) (_ []aftercare.Page[*aftercare.Asset], err error) {
	defer wrap(&err, fmt.Sprintf("AssetService.FindAssetsOfSites(ctx, %d IDs)", len(siteIDs)))
	var q filter
	q.addScope(ctx, scopeAssets)
	return findPagesOf(ctx, s.db.pool, assetSelect, &q, "a.site_id = p.id", siteIDs, "a.serial_number", page, scanAsset,
		func(a *aftercare.Asset) string { return a.SerialNumber })
}
