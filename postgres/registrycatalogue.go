package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// CatalogueRegistry keeps the product lines and the spare-parts catalogue
// with its price list entries.
type CatalogueRegistry struct {
	db *DB
}

var _ aftercare.CatalogueRegistry = (*CatalogueRegistry)(nil)

// NewCatalogueRegistry returns a CatalogueRegistry backed by db.
func NewCatalogueRegistry(db *DB) *CatalogueRegistry {
	return &CatalogueRegistry{db: db}
}

// CreateProductLine adds a product line.
func (r *CatalogueRegistry) CreateProductLine(ctx context.Context, in aftercare.ProductLine) (_ *aftercare.ProductLine, err error) {
	defer wrap(&err, fmt.Sprintf("CatalogueRegistry.CreateProductLine(ctx, %q)", in.Code))
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO product_lines (code, name, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			in.Code, in.Name, in.Kind)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return conflictField("code", "a product line %s exists already", in.Code)
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "product_line.create", "product_line", in.Code, nil, in)
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// FindProductLines returns every product line ordered by code.
func (r *CatalogueRegistry) FindProductLines(ctx context.Context) (_ []*aftercare.ProductLine, err error) {
	defer wrap(&err, "CatalogueRegistry.FindProductLines")
	rows, err := r.db.pool.Query(ctx, `SELECT code, name, kind FROM product_lines ORDER BY code`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*aftercare.ProductLine, error) {
		var p aftercare.ProductLine
		err := row.Scan(&p.Code, &p.Name, &p.Kind)
		return &p, err
	})
}

// CreatePart adds a part to the catalogue, with the product lines it fits
// and its price list entries, in one transaction.
func (r *CatalogueRegistry) CreatePart(ctx context.Context, in aftercare.PartInput) (_ *aftercare.Part, err error) {
	defer wrap(&err, fmt.Sprintf("CatalogueRegistry.CreatePart(ctx, %q)", in.FRU))
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var p *aftercare.Part
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM parts WHERE fru = $1)`, in.FRU)
		if err != nil {
			return err
		}
		if taken {
			return conflictField("fru", "a part %s is in the catalogue already", in.FRU)
		}
		id := newID()
		if _, err := tx.Exec(ctx, `INSERT INTO parts (id, fru, description, unit_price, currency) VALUES ($1, $2, $3, $4::numeric / 100, $5)`,
			id, in.FRU, in.Description, in.UnitPrice, in.Currency); err != nil {
			return err
		}
		if err := writePartTerms(ctx, tx, id, in, true); err != nil {
			return err
		}
		if p, err = findOneBy(ctx, tx, partSelect, "p.id", "part", id, nil, scanPart); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "part.create", "part", id, nil,
			map[string]any{"part": p, "prices": in.Prices})
	})
	return p, err
}

// writePartTerms replaces the product lines a part fits and, when
// withPrices, its price list entries, after checking that each line and
// region exists.
func writePartTerms(ctx context.Context, tx pgx.Tx, partID string, in aftercare.PartInput, withPrices bool) error {
	for i, l := range in.ProductLines {
		if err := requireProductLine(ctx, tx, fmt.Sprintf("productLines[%d]", i), l); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM part_product_lines WHERE part_id = $1`, partID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO part_product_lines (part_id, product_line) SELECT $1, unnest($2::text[])`,
		partID, in.ProductLines); err != nil {
		return err
	}
	if !withPrices {
		return nil
	}
	tiers, regions, prices := make([]string, len(in.Prices)), make([]string, len(in.Prices)), make([]int64, len(in.Prices))
	for i, pr := range in.Prices {
		if err := requireRegion(ctx, tx, fmt.Sprintf("prices[%d].region", i), pr.Region); err != nil {
			return err
		}
		tiers[i], regions[i], prices[i] = string(pr.Tier), pr.Region, pr.UnitPrice
	}
	if _, err := tx.Exec(ctx, `DELETE FROM price_list WHERE kind = 'part' AND part_id = $1`, partID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO price_list (kind, part_id, tier, region, unit_price, currency)
		SELECT 'part', $1, p.tier, p.region, p.price::numeric / 100, $5
		FROM unnest($2::text[], $3::text[], $4::bigint[]) AS p (tier, region, price)`,
		partID, tiers, regions, prices, in.Currency)
	return err
}

// UpdatePart changes a part's description, list price or product lines,
// and replaces its price list entries when the update names them. Quotes
// already priced keep their prices.
func (r *CatalogueRegistry) UpdatePart(ctx context.Context, id string, u aftercare.PartUpdate) (_ *aftercare.Part, err error) {
	defer wrap(&err, fmt.Sprintf("CatalogueRegistry.UpdatePart(ctx, %q)", id))
	var p *aftercare.Part
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockScoped(ctx, tx, partSelect, "p.id", "part", id, scopeNone, scanPart)
		if err != nil {
			return err
		}
		in, err := u.Apply(*before)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE parts SET description = $2, unit_price = $3::numeric / 100 WHERE id = $1`,
			id, in.Description, in.UnitPrice); err != nil {
			return err
		}
		if err := writePartTerms(ctx, tx, id, in, u.Prices != nil); err != nil {
			return err
		}
		if p, err = findOneBy(ctx, tx, partSelect, "p.id", "part", id, nil, scanPart); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "part.update", "part", id, before,
			map[string]any{"part": p, "prices": u.Prices})
	})
	return p, err
}
