package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// PartService finds parts in the catalogue.
type PartService struct {
	db *DB
}

var _ aftercare.PartService = (*PartService)(nil)

// NewPartService returns a PartService backed by db.
func NewPartService(db *DB) *PartService {
	return &PartService{db: db}
}

const partSelect = `
	SELECT p.id, p.fru, p.description, (p.unit_price * 100)::bigint, p.currency,
		coalesce((SELECT array_agg(l.product_line ORDER BY l.product_line) FROM part_product_lines l WHERE l.part_id = p.id), '{}')
	FROM parts p`

func scanPart(row pgx.CollectableRow) (*aftercare.Part, error) {
	var p aftercare.Part
	err := row.Scan(&p.ID, &p.FRU, &p.Description, &p.UnitPrice, &p.Currency, &p.ProductLines)
	return &p, err
}

// FindPartByID returns the part with the given ID, or ENOTFOUND.
func (s *PartService) FindPartByID(ctx context.Context, id string) (_ *aftercare.Part, err error) {
	defer wrap(&err, fmt.Sprintf("PartService.FindPartByID(ctx, %q)", id))
	return findOne(ctx, s.db.pool, partSelect, "p.id", "part", id, nil, scanPart)
}

// FindPartsByIDs returns the parts with the given IDs in one query, in
// the order of ids, nil for each FindPartByID would not find.
func (s *PartService) FindPartsByIDs(ctx context.Context, ids []string) (_ []*aftercare.Part, err error) {
	defer wrap(&err, fmt.Sprintf("PartService.FindPartsByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, s.db.pool, partSelect, "p.id", ids, nil, scanPart, func(p *aftercare.Part) string { return p.ID })
}

// FindPartByFRU returns the part with the given FRU number, or ENOTFOUND.
func (s *PartService) FindPartByFRU(ctx context.Context, fru string) (_ *aftercare.Part, err error) {
	defer wrap(&err, fmt.Sprintf("PartService.FindPartByFRU(ctx, %q)", fru))
	fru = strings.ToUpper(strings.TrimSpace(fru))
	return findOneBy(ctx, s.db.pool, partSelect, "p.fru", "part with FRU", fru, nil, scanPart)
}

// FindParts returns a page of parts ordered by FRU number.
func (s *PartService) FindParts(ctx context.Context, f aftercare.PartFilter) (_ []*aftercare.Part, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "PartService.FindParts")
	var q filter
	if f.ProductLine != "" {
		q.add("EXISTS (SELECT 1 FROM part_product_lines l WHERE l.part_id = p.id AND l.product_line = ?)", f.ProductLine)
	}
	return findPage(ctx, s.db.pool, partSelect, &q, "p.fru", f.Page, scanPart,
		func(p *aftercare.Part) string { return p.FRU })
}
