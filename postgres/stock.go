package postgres

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// StockService moves stock through the ledger: receipts at depots,
// transfers between depots and vans, adjustments, shipments of defective
// units to the vendor, reorder points, and returned parts received back.
// Every action runs in one transaction with its audit event, and one that
// would take anything below zero writes nothing.
type StockService struct {
	db *DB
}

var _ aftercare.StockService = (*StockService)(nil)

// NewStockService returns a StockService backed by db.
func NewStockService(db *DB) *StockService {
	return &StockService{db: db}
}

// ReceiveStock receives units of a part at a depot in the caller's scope.
func (s *StockService) ReceiveStock(ctx context.Context, r aftercare.StockReceipt) (_ *aftercare.StockMovement, err error) {
	defer wrap(&err, fmt.Sprintf("StockService.ReceiveStock(ctx, %q, %q)", r.DepotID, r.FRU))
	r.FRU = aftercare.NormalizeFRU(r.FRU)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out *aftercare.StockMovement
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		depot, partID, err := stockPlaceAndPart(ctx, tx, r.DepotID, r.FRU)
		if err != nil {
			return err
		}
		before, err := ensureAndLock(ctx, tx, depot, partID)
		if err != nil {
			return err
		}
		out, err = recordMovement(ctx, tx, movement{stockID: before.ID, kind: aftercare.MovementReceipt,
			onHand: r.Quantity, reason: r.Reference})
		if err != nil {
			return err
		}
		return auditMovement(ctx, tx, "stock.receive", before, out)
	})
	return out, err
}

// stockPlaceAndPart finds a depot in the caller's scope and a part in the
// catalogue.
func stockPlaceAndPart(ctx context.Context, tx pgx.Tx, depotID, fru string) (stockPlace, string, error) {
	depot, err := findStockDepot(ctx, tx, depotID)
	if err != nil {
		return depot, "", err
	}
	partID, err := findCataloguePart(ctx, tx, fru)
	return depot, partID, err
}

// ensureAndLock returns the locked stock row of a part at a place, created
// empty if there is none.
func ensureAndLock(ctx context.Context, tx pgx.Tx, p stockPlace, partID string) (*aftercare.StockLevel, error) {
	ids, err := ensureStockRows(ctx, tx, partID, p)
	if err != nil {
		return nil, err
	}
	rows, err := lockStockRows(ctx, tx, ids[0])
	if err != nil {
		return nil, err
	}
	return rows[ids[0]], nil
}

// TransferStock moves available units of a part between a depot and a van
// (both in the caller's scope), as two movements that share a transfer ID.
func (s *StockService) TransferStock(ctx context.Context, t aftercare.StockTransfer) (_ *aftercare.StockTransferResult, err error) {
	defer wrap(&err, fmt.Sprintf("StockService.TransferStock(ctx, %q, %q, %q)", t.DepotID, t.EngineerID, t.FRU))
	t.FRU = aftercare.NormalizeFRU(t.FRU)
	if err := t.Validate(); err != nil {
		return nil, err
	}
	out := &aftercare.StockTransferResult{}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		depot, partID, err := stockPlaceAndPart(ctx, tx, t.DepotID, t.FRU)
		if err != nil {
			return err
		}
		van, err := findStockVan(ctx, tx, t.EngineerID)
		if err != nil {
			return err
		}
		from, to := depot, van
		if !t.ToVan {
			from, to = van, depot
		}
		ids, err := ensureStockRows(ctx, tx, partID, from, to)
		if err != nil {
			return err
		}
		fromID, toID := ids[0], ids[1]
		rows, err := lockStockRows(ctx, tx, fromID, toID)
		if err != nil {
			return err
		}
		if src := rows[fromID]; src.Available() < t.Quantity {
			return aftercare.Errorf(aftercare.ECONFLICT, "%s holds %d of %s available (%d on hand, %d reserved); cannot transfer %d",
				from.name, src.Available(), t.FRU, src.OnHand, src.Reserved, t.Quantity)
		}
		transferID := newID()
		if out.Out, err = recordMovement(ctx, tx, movement{stockID: fromID, kind: aftercare.MovementTransferOut,
			onHand: -t.Quantity, reason: t.Reason, transferID: transferID}); err != nil {
			return err
		}
		if out.In, err = recordMovement(ctx, tx, movement{stockID: toID, kind: aftercare.MovementTransferIn,
			onHand: t.Quantity, reason: t.Reason, transferID: transferID}); err != nil {
			return err
		}
		return auditMovement(ctx, tx, "stock.transfer", rows[fromID], out.Out, out.In)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AdjustStock corrects the units on hand of a stock row in the caller's
// scope. It never takes away reserved units: those belong to jobs.
func (s *StockService) AdjustStock(ctx context.Context, a aftercare.StockAdjustment) (_ *aftercare.StockMovement, err error) {
	defer wrap(&err, fmt.Sprintf("StockService.AdjustStock(ctx, %d, %d)", a.StockID, a.Delta))
	if err := a.Validate(); err != nil {
		return nil, err
	}
	var out *aftercare.StockMovement
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := findStockLevel(ctx, tx, a.StockID); err != nil {
			return err
		}
		rows, err := lockStockRows(ctx, tx, a.StockID)
		if err != nil {
			return err
		}
		before := rows[a.StockID]
		if before.OnHand+a.Delta < before.Reserved {
			return aftercare.Errorf(aftercare.ECONFLICT,
				"stock row %d holds %d on hand, %d of them reserved; adjusting by %d would leave fewer on hand than reserved",
				before.ID, before.OnHand, before.Reserved, a.Delta)
		}
		out, err = recordMovement(ctx, tx, movement{stockID: before.ID, kind: aftercare.MovementAdjustment,
			onHand: a.Delta, reason: a.Reason})
		if err != nil {
			return err
		}
		return auditMovement(ctx, tx, "stock.adjust", before, out)
	})
	return out, err
}

// ShipToVendor sends defective units a depot in the caller's scope holds
// back to the vendor.
func (s *StockService) ShipToVendor(ctx context.Context, v aftercare.VendorShipment) (_ *aftercare.StockMovement, err error) {
	defer wrap(&err, fmt.Sprintf("StockService.ShipToVendor(ctx, %q, %q)", v.DepotID, v.FRU))
	v.FRU = aftercare.NormalizeFRU(v.FRU)
	if err := v.Validate(); err != nil {
		return nil, err
	}
	var out *aftercare.StockMovement
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		depot, partID, err := stockPlaceAndPart(ctx, tx, v.DepotID, v.FRU)
		if err != nil {
			return err
		}
		before, err := ensureAndLock(ctx, tx, depot, partID)
		if err != nil {
			return err
		}
		if before.HeldForVendor < v.Quantity {
			return aftercare.Errorf(aftercare.ECONFLICT, "%s holds %d defective %s for the vendor; cannot ship %d",
				depot.name, before.HeldForVendor, v.FRU, v.Quantity)
		}
		out, err = recordMovement(ctx, tx, movement{stockID: before.ID, kind: aftercare.MovementVendorShipment,
			held: -v.Quantity, reason: v.Reference})
		if err != nil {
			return err
		}
		return auditMovement(ctx, tx, "stock.ship_to_vendor", before, out)
	})
	return out, err
}

// SetReorderPoint sets or clears the reorder point of a part at a depot in
// the caller's scope. A point above the units available takes the row
// below it: that is a crossing, recorded and notified as a movement's is.
func (s *StockService) SetReorderPoint(ctx context.Context, c aftercare.ReorderPointChange) (_ *aftercare.StockLevel, err error) {
	defer wrap(&err, fmt.Sprintf("StockService.SetReorderPoint(ctx, %q, %q)", c.DepotID, c.FRU))
	c.FRU = aftercare.NormalizeFRU(c.FRU)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *aftercare.StockLevel
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = setReorderPoint(ctx, tx, c, nil)
		return err
	})
	return out, err
}

// setReorderPoint sets a reorder point in tx, audited with what the caller
// adds (a plan's evidence), and alerts when it takes the row below it.
func setReorderPoint(ctx context.Context, tx pgx.Tx, c aftercare.ReorderPointChange, why map[string]any) (*aftercare.StockLevel, error) {
	depot, partID, err := stockPlaceAndPart(ctx, tx, c.DepotID, c.FRU)
	if err != nil {
		return nil, err
	}
	before, err := ensureAndLock(ctx, tx, depot, partID)
	if err != nil {
		return nil, err
	}
	var crossed bool
	if err := tx.QueryRow(ctx, `
		UPDATE stock SET reorder_point = $2, below_reorder_point = stock_below_reorder_point(on_hand, reserved, $2),
			reorder_alerts = reorder_alerts
				+ (NOT below_reorder_point AND stock_below_reorder_point(on_hand, reserved, $2))::integer
		WHERE id = $1
		RETURNING below_reorder_point AND NOT $3`, before.ID, c.Point, before.BelowReorderPoint).Scan(&crossed); err != nil {
		return nil, err
	}
	if crossed {
		if _, err := tx.Exec(ctx, `SELECT alert_stock($1, NULL)`, before.ID); err != nil {
			return nil, err
		}
	}
	out, err := findStockLevel(ctx, tx, before.ID)
	if err != nil {
		return nil, err
	}
	after := map[string]any{"reorder_point": c.Point, "crossed": crossed}
	for k, v := range why {
		after[k] = v
	}
	return out, writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "stock.reorder_point", "stock", fmt.Sprint(before.ID),
		map[string]any{"reorder_point": before.ReorderPoint}, after)
}

// FindStockLevel returns a stock row in the caller's scope, or ENOTFOUND.
func (s *StockService) FindStockLevel(ctx context.Context, id int64) (_ *aftercare.StockLevel, err error) {
	defer wrap(&err, fmt.Sprintf("StockService.FindStockLevel(ctx, %d)", id))
	return findStockLevel(ctx, s.db.pool, id)
}

// FindStockMovements returns a page of the ledger of a stock row in the
// caller's scope, newest first.
func (s *StockService) FindStockMovements(ctx context.Context, f aftercare.StockMovementFilter) (_ []*aftercare.StockMovement, _ aftercare.PageInfo, err error) {
	defer wrap(&err, fmt.Sprintf("StockService.FindStockMovements(ctx, %d)", f.StockID))
	limit, err := f.Page.Limit()
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	before, err := intCursor(f.Page.After)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	if _, err := findStockLevel(ctx, s.db.pool, f.StockID); err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+movementColumns+` FROM stock_movements m
		WHERE m.stock_id = $1 AND ($2::bigint IS NULL OR m.id < $2) ORDER BY m.id DESC LIMIT $3`,
		f.StockID, before, limit+1)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, err := pgx.CollectRows(rows, scanMovement)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, info := pageOf(found, limit, func(m *aftercare.StockMovement) string { return strconv.FormatInt(m.ID, 10) })
	return found, info, nil
}

// intCursor returns the row ID inside a cursor of a page ordered by a
// bigint ID, nil for no cursor, or EINVALID.
func intCursor(cursor string) (*int64, error) {
	key, err := decodeCursor(cursor)
	if err != nil || key == "" {
		return nil, err
	}
	n, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return nil, aftercare.Errorf(aftercare.EINVALID, "after: cursor %q is not one this API made", cursor)
	}
	return &n, nil
}
