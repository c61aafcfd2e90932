package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// CreateDepot brings a depot into service, in the region its input names
// or else the one its location is in. The new row carries its transaction
// for the fleet feed, so the dispatch index files it on its next read.
func (r *FleetRegistry) CreateDepot(ctx context.Context, in aftercare.DepotInput) (_ *aftercare.Depot, err error) {
	defer wrap(&err, fmt.Sprintf("FleetRegistry.CreateDepot(ctx, %q)", in.Code))
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var d *aftercare.Depot
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := requireDepotCode(ctx, tx, in.Code); err != nil {
			return err
		}
		var err error
		if in.Region, err = placeRegion(ctx, tx, r.locator, in.Region, in.Country, in.Lat, in.Lng); err != nil {
			return err
		}
		id := newID()
		if _, err := tx.Exec(ctx, `
			INSERT INTO depots (id, code, name, city, country, region, lat, lng, time_zone)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, in.Code, in.Name, in.City, in.Country, in.Region, in.Lat, in.Lng, in.TimeZone); err != nil {
			return err
		}
		if d, err = findOneBy(ctx, tx, depotSelect, "d.id", "depot", id, nil, scanDepot); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "depot.create", "depot", id, nil, d)
	})
	return d, err
}

// requireDepotCode returns ECONFLICT naming code when a depot has it.
func requireDepotCode(ctx context.Context, tx pgx.Tx, code string) error {
	taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM depots WHERE code = $1)`, code)
	if err == nil && taken {
		return conflictField("code", "a depot %s exists already", code)
	}
	return err
}

// UpdateDepot changes or moves a depot; a moved depot whose update names no
// region is placed again. The depots trigger of migration 013 stamps the
// row, so the dispatch index moves it on its next read. The engineers based
// there keep their region.
func (r *FleetRegistry) UpdateDepot(ctx context.Context, id string, u aftercare.DepotUpdate) (_ *aftercare.Depot, err error) {
	defer wrap(&err, fmt.Sprintf("FleetRegistry.UpdateDepot(ctx, %q)", id))
	var d *aftercare.Depot
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockScoped(ctx, tx, depotSelect, "d.id", "depot", id, scopeNone, scanDepot)
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
		if _, err := tx.Exec(ctx, `
			UPDATE depots SET name = $2, city = $3, country = $4, region = $5, lat = $6, lng = $7, time_zone = $8
			WHERE id = $1`, id, in.Name, in.City, in.Country, in.Region, in.Lat, in.Lng, in.TimeZone); err != nil {
			return err
		}
		if d, err = findOneBy(ctx, tx, depotSelect, "d.id", "depot", id, nil, scanDepot); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "depot.update", "depot", id, before, d)
	})
	return d, err
}
