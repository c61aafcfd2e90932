package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// CreateSite adds a site to an account the caller may change, in the region
// its input names or else the one its location is in.
func (r *AccountRegistry) CreateSite(ctx context.Context, in aftercare.SiteInput) (_ *aftercare.Site, err error) {
	defer wrap(&err, fmt.Sprintf("AccountRegistry.CreateSite(ctx, %q)", in.AccountID))
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var s *aftercare.Site
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := lockScoped(ctx, tx, accountSelect, "a.id", "account", in.AccountID, scopeAccountWrites, scanAccount); err != nil {
			return err
		}
		var err error
		if in.Region, err = placeRegion(ctx, tx, r.locator, in.Region, in.Country, in.Lat, in.Lng); err != nil {
			return err
		}
		if err := requireSiteName(ctx, tx, in.AccountID, "", in.Name); err != nil {
			return err
		}
		id := newID()
		if _, err := tx.Exec(ctx, `
			INSERT INTO sites (id, account_id, name, address, city, country, region, lat, lng, time_zone)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, in.AccountID, in.Name, in.Address, in.City, in.Country, in.Region, in.Lat, in.Lng, in.TimeZone); err != nil {
			return err
		}
		if s, err = findOneBy(ctx, tx, siteSelect, "s.id", "site", id, nil, scanSite); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "site.create", "site", id, nil, s)
	})
	return s, err
}

// requireSiteName returns ECONFLICT naming "name" when another site of the
// account (than the one with ID except) has the name.
func requireSiteName(ctx context.Context, tx pgx.Tx, accountID, except, name string) error {
	taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM sites WHERE account_id = $1 AND name = $2 AND id::text <> $3)`,
		accountID, name, except)
	if err == nil && taken {
		return conflictField("name", "the account has a site named %q already", name)
	}
	return err
}

// UpdateSite changes a site of an account the caller may change. A site
// whose region changes takes its incidents' KPI facts along, as the facts
// name the region of the incident's site.
func (r *AccountRegistry) UpdateSite(ctx context.Context, id string, u aftercare.SiteUpdate) (_ *aftercare.Site, err error) {
	defer wrap(&err, fmt.Sprintf("AccountRegistry.UpdateSite(ctx, %q)", id))
	var s *aftercare.Site
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockScoped(ctx, tx, siteSelect, "s.id", "site", id, scopeSiteWrites, scanSite)
		if err != nil {
			return err
		}
		in, _, err := u.Apply(*before)
		if err != nil {
			return err
		}
		if in.Region, err = placeRegion(ctx, tx, r.locator, in.Region, in.Country, in.Lat, in.Lng); err != nil {
			return err
		}
		if err := requireSiteName(ctx, tx, in.AccountID, id, in.Name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE sites SET name = $2, address = $3, city = $4, country = $5, region = $6, lat = $7, lng = $8, time_zone = $9
			WHERE id = $1`, id, in.Name, in.Address, in.City, in.Country, in.Region, in.Lat, in.Lng, in.TimeZone); err != nil {
			return err
		}
		if in.Region != before.Region {
			// The facts are refreshed after the site changed, under each
			// incident's lock, so a concurrent refresh either commits
			// before this one reads or reads the new region.
			if _, err := tx.Exec(ctx, `SELECT kpi_refresh(ARRAY(SELECT id FROM incidents WHERE site_id = $1 ORDER BY id))`, id); err != nil {
				return err
			}
		}
		if s, err = findOneBy(ctx, tx, siteSelect, "s.id", "site", id, nil, scanSite); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "site.update", "site", id, before, s)
	})
	return s, err
}
