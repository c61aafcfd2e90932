package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// providerSelect reads service providers; everyone who may read providers
// sees them all, as depots.
const providerSelect = `
	SELECT p.id, p.code, p.name, p.kind, coalesce(p.region, ''), p.status, coalesce(p.status_changed_at, p.created_at)
	FROM service_providers p`

func scanProvider(row pgx.CollectableRow) (*aftercare.ServiceProvider, error) {
	var p aftercare.ServiceProvider
	err := row.Scan(&p.ID, &p.Code, &p.Name, &p.Kind, &p.Region, &p.Status, &p.StatusSince)
	return &p, err
}

// FindProviderByID returns the provider with the given ID, or ENOTFOUND.
func (r *FleetRegistry) FindProviderByID(ctx context.Context, id string) (_ *aftercare.ServiceProvider, err error) {
	defer wrap(&err, fmt.Sprintf("FleetRegistry.FindProviderByID(ctx, %q)", id))
	return findOne(ctx, r.db.pool, providerSelect, "p.id", "service provider", id, nil, scanProvider)
}

// FindProvidersByIDs returns the providers with the given IDs in one
// query, in the order of ids, nil for each FindProviderByID would not
// find.
func (r *FleetRegistry) FindProvidersByIDs(ctx context.Context, ids []string) (_ []*aftercare.ServiceProvider, err error) {
	defer wrap(&err, fmt.Sprintf("FleetRegistry.FindProvidersByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, r.db.pool, providerSelect, "p.id", ids, nil, scanProvider,
		func(p *aftercare.ServiceProvider) string { return p.ID })
}

// FindProviders returns a page of providers ordered by code.
func (r *FleetRegistry) FindProviders(ctx context.Context, f aftercare.ProviderFilter) (_ []*aftercare.ServiceProvider, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "FleetRegistry.FindProviders")
	var q filter
	if f.Region != "" {
		q.add("p.region = ?", f.Region)
	}
	if f.Status != "" {
		q.add("p.status = ?", string(f.Status))
	}
	return findPage(ctx, r.db.pool, providerSelect, &q, "p.code", f.Page, scanProvider,
		func(p *aftercare.ServiceProvider) string { return p.Code })
}

// CreateProvider authorises a service provider, active from now.
func (r *FleetRegistry) CreateProvider(ctx context.Context, in aftercare.ProviderInput) (_ *aftercare.ServiceProvider, err error) {
	defer wrap(&err, fmt.Sprintf("FleetRegistry.CreateProvider(ctx, %q)", in.Code))
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var p *aftercare.ServiceProvider
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM service_providers WHERE code = $1)`, in.Code)
		if err != nil {
			return err
		}
		if taken {
			return conflictField("code", "a service provider %s exists already", in.Code)
		}
		if in.Region != "" {
			if err := requireRegion(ctx, tx, "region", in.Region); err != nil {
				return err
			}
		}
		id := newID()
		if _, err := tx.Exec(ctx, `INSERT INTO service_providers (id, code, name, kind, region) VALUES ($1, $2, $3, $4, $5)`,
			id, in.Code, in.Name, in.Kind, nullIfEmpty(in.Region)); err != nil {
			return err
		}
		if p, err = findOneBy(ctx, tx, providerSelect, "p.id", "service provider", id, nil, scanProvider); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "provider.create", "service_provider", id, nil, p)
	})
	return p, err
}

// UpdateProvider renames a provider or changes the region it is authorised
// in.
func (r *FleetRegistry) UpdateProvider(ctx context.Context, id string, u aftercare.ProviderUpdate) (_ *aftercare.ServiceProvider, err error) {
	defer wrap(&err, fmt.Sprintf("FleetRegistry.UpdateProvider(ctx, %q)", id))
	var p *aftercare.ServiceProvider
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockScoped(ctx, tx, providerSelect, "p.id", "service provider", id, scopeNone, scanProvider)
		if err != nil {
			return err
		}
		after, err := u.Apply(*before)
		if err != nil {
			return err
		}
		if after.Region != "" {
			if err := requireRegion(ctx, tx, "region", after.Region); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE service_providers SET name = $2, region = $3 WHERE id = $1`,
			id, after.Name, nullIfEmpty(after.Region)); err != nil {
			return err
		}
		if p, err = findOneBy(ctx, tx, providerSelect, "p.id", "service provider", id, nil, scanProvider); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "provider.update", "service_provider", id, before, p)
	})
	return p, err
}

// SetProviderStatus suspends, reinstates or terminates a provider, with the
// reason in its audit event. The change stamps each of the provider's
// engineers (migration 016), so the dispatch index drops or takes them back
// on its next read of the change feed.
func (r *FleetRegistry) SetProviderStatus(ctx context.Context, id string, status aftercare.ProviderStatus, reason string) (_ *aftercare.ServiceProvider, err error) {
	defer wrap(&err, fmt.Sprintf("FleetRegistry.SetProviderStatus(ctx, %q, %q)", id, status))
	var p *aftercare.ServiceProvider
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockScoped(ctx, tx, providerSelect, "p.id", "service provider", id, scopeNone, scanProvider)
		if err != nil {
			return err
		}
		if err := before.Status.CheckTransition(status); err != nil {
			return err
		}
		if status != aftercare.ProviderActive {
			if reason, err = checkReason(reason); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE service_providers SET status = $2, status_changed_at = now() WHERE id = $1`,
			id, status); err != nil {
			return err
		}
		if p, err = findOneBy(ctx, tx, providerSelect, "p.id", "service provider", id, nil, scanProvider); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "provider.set_status", "service_provider", id,
			map[string]any{"status": before.Status}, map[string]any{"status": status, "reason": reason})
	})
	return p, err
}

// checkReason returns EINVALID naming "reason" unless it says why in 1 to
// 500 characters.
func checkReason(reason string) (string, error) {
	return aftercare.CheckText("reason", reason, 500)
}

// scopeNone lets only a caller whose domain is everything (an admin)
// through: no account, region or engineer domain holds the rows.
var scopeNone = scopeRule{}
