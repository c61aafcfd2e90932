package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// DepotService finds depots and stock.
type DepotService struct {
	db *DB
}

var _ aftercare.DepotService = (*DepotService)(nil)

// NewDepotService returns a DepotService backed by db.
func NewDepotService(db *DB) *DepotService {
	return &DepotService{db: db}
}

const depotSelect = `SELECT d.id, d.code, d.name, d.city, d.region, d.lat, d.lng, d.time_zone, coalesce(d.country, '')
	FROM depots d`

func scanDepot(row pgx.CollectableRow) (*aftercare.Depot, error) {
	var d aftercare.Depot
	err := row.Scan(&d.ID, &d.Code, &d.Name, &d.City, &d.Region, &d.Lat, &d.Lng, &d.TimeZone, &d.Country)
	return &d, err
}

// FindDepotByID returns the depot with the given ID, or ENOTFOUND.
func (s *DepotService) FindDepotByID(ctx context.Context, id string) (_ *aftercare.Depot, err error) {
	defer wrap(&err, fmt.Sprintf("DepotService.FindDepotByID(ctx, %q)", id))
	return findOne(ctx, s.db.pool, depotSelect, "d.id", "depot", id, nil, scanDepot)
}

// FindDepotsByIDs returns the depots with the given IDs in one query, in
// the order of ids, nil for each FindDepotByID would not find.
func (s *DepotService) FindDepotsByIDs(ctx context.Context, ids []string) (_ []*aftercare.Depot, err error) {
	defer wrap(&err, fmt.Sprintf("DepotService.FindDepotsByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, s.db.pool, depotSelect, "d.id", ids, nil, scanDepot, func(d *aftercare.Depot) string { return d.ID })
}

// FindDepots returns a page of depots ordered by code.
func (s *DepotService) FindDepots(ctx context.Context, f aftercare.DepotFilter) (_ []*aftercare.Depot, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "DepotService.FindDepots")
	var q filter
	if f.Region != "" {
		q.add("d.region = ?", f.Region)
	}
	return findPage(ctx, s.db.pool, depotSelect, &q, "d.code", f.Page, scanDepot,
		func(d *aftercare.Depot) string { return d.Code })
}

// FindStock returns a page of stock levels of a depot, a van or a part,
// ordered by row.
func (s *DepotService) FindStock(ctx context.Context, f aftercare.StockFilter) (_ []*aftercare.StockLevel, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "DepotService.FindStock")
	if f.DepotID == "" && f.EngineerID == "" && f.PartID == "" {
		return nil, aftercare.PageInfo{}, aftercare.Errorf(aftercare.EINVALID, "stock is listed for a depot, an engineer or a part")
	}
	var q filter
	if !q.addID("st.depot_id", f.DepotID) || !q.addID("st.engineer_id", f.EngineerID) || !q.addID("st.part_id", f.PartID) {
		return nil, aftercare.PageInfo{}, nil
	}
	return findPage(ctx, s.db.pool, stockSelect, &q, stockKey, f.Page, scanStockLevel, stockCursor)
}

const stockSelect = `
	SELECT st.id, st.part_id, coalesce(st.depot_id::text, ''), coalesce(st.engineer_id::text, ''), st.on_hand,
		st.reserved, st.held_for_vendor, st.reorder_point, st.below_reorder_point
	FROM stock st`

// stockKey orders stock rows by ID as text, which stockCursor writes.
const stockKey = "lpad(st.id::text, 20, '0')"

func stockCursor(l *aftercare.StockLevel) string { return fmt.Sprintf("%020d", l.ID) }

// stockColumns are the columns of a stock row that name what it is of.
var stockColumns = map[aftercare.StockBy]string{
	aftercare.StockByDepot:    "st.depot_id",
	aftercare.StockByEngineer: "st.engineer_id",
	aftercare.StockByPart:     "st.part_id",
}

// FindStockOf returns the same page of the stock levels of each depot, van
// or part, as FindStock, in one query.
func (s *DepotService) FindStockOf(ctx context.Context, by aftercare.StockBy, ids []string, page aftercare.PageRequest) (_ []aftercare.Page[*aftercare.StockLevel], err error) {
	defer wrap(&err, fmt.Sprintf("DepotService.FindStockOf(ctx, %d, %d IDs)", by, len(ids)))
	column, ok := stockColumns[by]
	if !ok {
		return nil, aftercare.Errorf(aftercare.EINVALID, "stock is listed for a depot, an engineer or a part")
	}
	var q filter
	return findPagesOf(ctx, s.db.pool, stockSelect, &q, column+" = p.id", ids, stockKey, page, scanStockLevel, stockCursor)
}
