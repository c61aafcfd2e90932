package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// scopeStockReturns are the returned parts a scoped caller may list and
// receive: a dispatcher those bound for their regions' depots.
var scopeStockReturns = scopeRule{
	region: "EXISTS (SELECT 1 FROM depots rd WHERE rd.id = r.depot_id AND rd.region = ANY(?::text[]))",
}

const stockReturnSelect = `
	SELECT r.id, r.incident_id, i.number, r.part_id, p.fru, r.serial_number, coalesce(r.depot_id::text, ''), r.created_at, r.condition,
		r.received_at, coalesce(r.received_by::text, ''), r.receipt_note,
		coalesce((SELECT m.id FROM stock_movements m WHERE m.part_return_id = r.id), 0)
	FROM part_returns r JOIN incidents i ON i.id = r.incident_id JOIN parts p ON p.id = r.part_id`

func scanStockReturn(row pgx.CollectableRow) (*aftercare.StockReturn, error) {
	var r aftercare.StockReturn
	var condition *string
	err := row.Scan(&r.ID, &r.IncidentID, &r.IncidentNumber, &r.PartID, &r.FRU, &r.SerialNumber, &r.DepotID, &r.RemovedAt,
		&condition, &r.ReceivedAt, &r.ReceivedBy, &r.Note, &r.MovementID)
	r.State = aftercare.ReturnAwaitingReceipt
	if condition != nil {
		r.State = aftercare.ReturnReceivedGood
		if aftercare.ReturnCondition(*condition) == aftercare.ReturnDefective {
			r.State = aftercare.ReturnReceivedDefective
		}
	}
	return &r, err
}

// FindStockReturns returns a page of the removed parts on their way back
// to a depot in the caller's scope and not yet received, oldest first.
func (s *StockService) FindStockReturns(ctx context.Context, f aftercare.StockReturnFilter) (_ []*aftercare.StockReturn, _ aftercare.PageInfo, err error) {
	defer wrap(&err, fmt.Sprintf("StockService.FindStockReturns(ctx, %q)", f.DepotID))
	limit, err := f.Page.Limit()
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	after, err := intCursor(f.Page.After)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	var q filter
	q.conds = append(q.conds, "r.disposition = 'return_to_depot'", "r.received_at IS NULL")
	if !q.addID("r.depot_id", f.DepotID) {
		return nil, aftercare.PageInfo{}, nil
	}
	if after != nil {
		q.add("r.id > ?", *after)
	}
	q.addScope(ctx, scopeStockReturns)
	rows, err := s.db.pool.Query(ctx, stockReturnSelect+q.where()+" ORDER BY r.id LIMIT "+q.arg(limit+1), q.args...)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, err := pgx.CollectRows(rows, scanStockReturn)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	found, info := pageOf(found, limit, func(r *aftercare.StockReturn) string { return strconv.FormatInt(r.ID, 10) })
	return found, info, nil
}

// ReceivePartReturn receives a returned part at its depot, which must be
// in the caller's scope: in good condition one unit goes on hand, a
// defective one is held for the vendor; the ledger row carries the part's
// serial number and the return. A return is received once.
func (s *StockService) ReceivePartReturn(ctx context.Context, rr aftercare.PartReturnReceipt) (_ *aftercare.StockReturn, err error) {
	defer wrap(&err, fmt.Sprintf("StockService.ReceivePartReturn(ctx, %d)", rr.ReturnID))
	if err := rr.Validate(); err != nil {
		return nil, err
	}
	var out *aftercare.StockReturn
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		ret, disposition, err := lockStockReturn(ctx, tx, rr.ReturnID)
		if err != nil {
			return err
		}
		switch {
		case disposition != aftercare.ReturnToDepot:
			return aftercare.Errorf(aftercare.ECONFLICT, "return %d is kept by the customer; nothing comes back to a depot", ret.ID)
		case ret.State != aftercare.ReturnAwaitingReceipt:
			return aftercare.Errorf(aftercare.ECONFLICT, "return %d (serial %s) was already received, %s, on %s",
				ret.ID, ret.SerialNumber, ret.State, ret.ReceivedAt.UTC().Format(time.DateOnly))
		}
		before, err := ensureAndLock(ctx, tx, stockPlace{column: "depot_id", id: ret.DepotID}, ret.PartID)
		if err != nil {
			return err
		}
		m := movement{stockID: before.ID, kind: aftercare.MovementReturn, onHand: 1, reason: rr.Note,
			incidentID: ret.IncidentID, partReturnID: ret.ID, serialNumber: ret.SerialNumber}
		if rr.Condition == aftercare.ReturnDefective {
			m.onHand, m.held = 0, 1
		}
		if _, err := recordMovement(ctx, tx, m); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE part_returns SET condition = $2, received_at = now(), received_by = $3, receipt_note = $4 WHERE id = $1`,
			ret.ID, rr.Condition, nullID(aftercare.UserIDFromContext(ctx)), rr.Note); err != nil {
			return err
		}
		if out, _, err = lockStockReturn(ctx, tx, ret.ID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "stock.receive_return", "part_return", fmt.Sprint(ret.ID),
			map[string]any{"state": ret.State}, out)
	})
	return out, err
}

// lockStockReturn locks a part return bound for a depot in the caller's
// scope and returns it with its disposition, or ENOTFOUND.
func lockStockReturn(ctx context.Context, tx pgx.Tx, id int64) (*aftercare.StockReturn, aftercare.PartDisposition, error) {
	var q filter
	q.add("r.id = ?", id)
	q.addScope(ctx, scopeStockReturns)
	rows, err := tx.Query(ctx, stockReturnSelect+q.where()+" FOR UPDATE OF r", q.args...)
	if err != nil {
		return nil, "", err
	}
	ret, err := pgx.CollectExactlyOneRow(rows, scanStockReturn)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", aftercare.Errorf(aftercare.ENOTFOUND, "return %d not found", id)
	}
	if err != nil {
		return nil, "", err
	}
	var disposition aftercare.PartDisposition
	err = tx.QueryRow(ctx, `SELECT disposition FROM part_returns WHERE id = $1`, id).Scan(&disposition)
	return ret, disposition, err
}
