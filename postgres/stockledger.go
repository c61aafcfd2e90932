package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// The stock ledger (schema/migrations/017_stock_ledger.sql): every change
// of a stock row's quantities is a stock_movements row, which a trigger
// applies to the row under its lock. The helpers below write movements for
// the store's own flows (reservations, releases, consumption) and for
// StockService.

// movement is one ledger row about to be written.
type movement struct {
	stockID                int64
	kind                   aftercare.StockMovementKind
	onHand, reserved, held int
	reason                 string
	// What it belongs to: a job (its incident is the job's unless given),
	// a reservation, a returned part and its serial, a transfer.
	assignmentID, incidentID string
	reservationID            int64
	partReturnID             int64
	serialNumber             string
	transferID               string
}

const movementColumns = `m.id, m.stock_id, m.kind, m.on_hand_delta, m.reserved_delta, m.held_delta, m.on_hand_after,
	m.reserved_after, m.held_after, coalesce(m.actor_id::text, ''), m.at, m.reason, coalesce(m.assignment_id::text, ''),
	coalesce(m.incident_id::text, ''), coalesce(m.reservation_id, 0), coalesce(m.part_return_id, 0),
	coalesce(m.serial_number, ''), coalesce(m.transfer_id::text, ''), m.fell_below_reorder_point`

func scanMovement(row pgx.CollectableRow) (*aftercare.StockMovement, error) {
	var m aftercare.StockMovement
	err := row.Scan(&m.ID, &m.StockID, &m.Kind, &m.OnHandDelta, &m.ReservedDelta, &m.HeldDelta, &m.OnHandAfter,
		&m.ReservedAfter, &m.HeldAfter, &m.ActorID, &m.At, &m.Reason, &m.AssignmentID, &m.IncidentID, &m.ReservationID,
		&m.PartReturnID, &m.SerialNumber, &m.TransferID, &m.FellBelowReorderPoint)
	return &m, err
}

// recordMovement writes one movement to the ledger, which applies it to
// its stock row, and returns it as written. The caller has checked that
// it leaves nothing below zero; the stock row's CHECKs refuse it
// otherwise. Its actor is the caller (see withStockActor).
func recordMovement(ctx context.Context, tx pgx.Tx, m movement) (*aftercare.StockMovement, error) {
	rows, err := tx.Query(ctx, `
		INSERT INTO stock_movements AS m (stock_id, kind, on_hand_delta, reserved_delta, held_delta, actor_id, reason,
			assignment_id, incident_id, reservation_id, part_return_id, serial_number, transfer_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid,
			coalesce($9::uuid, (SELECT x.incident_id FROM assignments x WHERE x.id = $8::uuid)), $10, $11, $12, $13)
		RETURNING `+movementColumns,
		m.stockID, m.kind, m.onHand, m.reserved, m.held, actorID(stockActor(ctx)), m.reason, nullID(m.assignmentID),
		nullID(m.incidentID), nullInt(m.reservationID), nullInt(m.partReturnID), nullIfEmpty(m.serialNumber),
		nullID(m.transferID))
	if err != nil {
		return nil, err
	}
	return pgx.CollectExactlyOneRow(rows, scanMovement)
}

type stockActorKey struct{}

// withStockActor returns ctx whose stock movements are recorded as the
// given user's ("" for the system), for flows that act on someone's
// behalf without carrying them as the caller (an incident's change
// mirrored by its workflow).
func withStockActor(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, stockActorKey{}, userID)
}

// stockActor returns who moves stock in ctx: the user withStockActor
// named, else the caller.
func stockActor(ctx context.Context) string {
	if id, ok := ctx.Value(stockActorKey{}).(string); ok {
		return id
	}
	return aftercare.UserIDFromContext(ctx)
}

// The stock rows, depots and vans a scoped caller may move stock in and
// read the ledger of: a dispatcher those of their regions (a van is its
// engineer's region's), an engineer their own van.
var (
	scopeStock = scopeRule{
		region: "coalesce((SELECT rd.region FROM depots rd WHERE rd.id = st.depot_id), " +
			"(SELECT re.region FROM engineers re WHERE re.id = st.engineer_id)) = ANY(?::text[])",
		engineer: "st.engineer_id = ?::uuid",
	}
	scopeStockDepots = scopeRule{region: "d.region = ANY(?::text[])"}
	scopeStockVans   = scopeRule{region: "e.region = ANY(?::text[])", engineer: "e.id = ?::uuid"}
)

const stockLevelSelect = `
	SELECT st.id, st.part_id, coalesce(st.depot_id::text, ''), coalesce(st.engineer_id::text, ''), st.on_hand,
		st.reserved, st.held_for_vendor, st.reorder_point, st.below_reorder_point
	FROM stock st`

func scanStockLevel(row pgx.CollectableRow) (*aftercare.StockLevel, error) {
	var l aftercare.StockLevel
	err := row.Scan(&l.ID, &l.PartID, &l.DepotID, &l.EngineerID, &l.OnHand, &l.Reserved, &l.HeldForVendor,
		&l.ReorderPoint, &l.BelowReorderPoint)
	return &l, err
}

// findStockLevel returns a stock row in the caller's scope, or ENOTFOUND.
func findStockLevel(ctx context.Context, q querier, id int64) (*aftercare.StockLevel, error) {
	var f filter
	f.add("st.id = ?", id)
	f.addScope(ctx, scopeStock)
	rows, err := q.Query(ctx, stockLevelSelect+f.where(), f.args...)
	if err != nil {
		return nil, err
	}
	l, err := pgx.CollectExactlyOneRow(rows, scanStockLevel)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "stock row %d not found", id)
	}
	return l, err
}

// stockPlace is a depot or van stock moves at, named for messages.
type stockPlace struct {
	column, id, name string
}

// findStockDepot returns a depot in the caller's scope for stock, or
// ENOTFOUND.
func findStockDepot(ctx context.Context, q querier, id string) (stockPlace, error) {
	p := stockPlace{column: "depot_id", id: id}
	var f filter
	if id == "" || !f.addID("d.id", id) {
		return p, aftercare.Errorf(aftercare.ENOTFOUND, "depot %q not found", id)
	}
	f.addScope(ctx, scopeStockDepots)
	err := q.QueryRow(ctx, `SELECT 'depot ' || d.code FROM depots d`+f.where(), f.args...).Scan(&p.name)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, aftercare.Errorf(aftercare.ENOTFOUND, "depot %q not found", id)
	}
	return p, err
}

// findStockVan returns an engineer's van in the caller's scope for stock,
// or ENOTFOUND.
func findStockVan(ctx context.Context, q querier, engineerID string) (stockPlace, error) {
	p := stockPlace{column: "engineer_id", id: engineerID}
	var f filter
	if engineerID == "" || !f.addID("e.id", engineerID) {
		return p, aftercare.Errorf(aftercare.ENOTFOUND, "engineer %q not found", engineerID)
	}
	f.addScope(ctx, scopeStockVans)
	err := q.QueryRow(ctx, `SELECT e.code || '''s van' FROM engineers e`+f.where(), f.args...).Scan(&p.name)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, aftercare.Errorf(aftercare.ENOTFOUND, "engineer %q not found", engineerID)
	}
	return p, err
}

// findCataloguePart returns the ID of the part with a FRU number, or
// EINVALID naming the field when the catalogue has none.
func findCataloguePart(ctx context.Context, q querier, fru string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM parts WHERE fru = $1`, fru).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", aftercare.Errorf(aftercare.EINVALID, "fru %s is not in the parts catalogue", fru)
	}
	return id, err
}

// ensureStockRows returns the stock rows of a part at places, each
// created empty if there is none yet. It locks the places first (see
// lockStockRows): creating a row updates its place's row for the fleet
// feed.
func ensureStockRows(ctx context.Context, tx pgx.Tx, partID string, places ...stockPlace) ([]int64, error) {
	var engineers, depots []string
	for _, p := range places {
		if p.column == "engineer_id" {
			engineers = append(engineers, p.id)
		} else {
			depots = append(depots, p.id)
		}
	}
	if err := lockPlaces(ctx, tx, engineers, depots); err != nil {
		return nil, err
	}
	ids := make([]int64, len(places))
	for i, p := range places {
		find := `SELECT id FROM stock WHERE ` + p.column + ` = $1 AND part_id = $2`
		err := tx.QueryRow(ctx, find, p.id, partID).Scan(&ids[i])
		if !errors.Is(err, pgx.ErrNoRows) {
			if err != nil {
				return nil, err
			}
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO stock (part_id, `+p.column+`) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			partID, p.id); err != nil {
			return nil, err
		}
		if err := tx.QueryRow(ctx, find, p.id, partID).Scan(&ids[i]); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// lockPlaces locks engineers, then depots, each in ID order: the first
// locks of the order every writer of stock takes them in (lockStockRows).
func lockPlaces(ctx context.Context, tx pgx.Tx, engineers, depots []string) error {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM engineers WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
		engineers); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `SELECT 1 FROM depots WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`, depots)
	return err
}

// lockStockRows locks stock rows and returns them by ID. Every writer of
// stock takes its locks in one order, so that no two transactions wait
// for each other in a circle: the engineers whose vans the rows are (as
// dispatch locks an engineer before their van's stock), then the depots
// whose rows they are, each in ID order, then the rows in ID order. A
// movement updates its van's engineer or its depot for the fleet feed,
// so those must be held before any row is.
//
// Engineers and depots are locked FOR NO KEY UPDATE, the lock the fleet
// feed's updates of them take: it keeps other writers of their stock
// out, and lets foreign key checks through (FOR KEY SHARE), which
// PostgreSQL takes outside this order. One is an engineer's home depot:
// a transaction that updates an engineer's row a second time (a new job
// and a movement in the van) checks that the depot exists. Were depots
// locked FOR UPDATE, that check would wait for whoever holds the depot,
// which may be waiting for a depot this transaction holds.
func lockStockRows(ctx context.Context, tx pgx.Tx, ids ...int64) (map[int64]*aftercare.StockLevel, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	if _, err := tx.Exec(ctx, `
		SELECT 1 FROM engineers WHERE id IN (SELECT engineer_id FROM stock WHERE id = ANY($1))
		ORDER BY id FOR NO KEY UPDATE`,
		ids); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `
		SELECT 1 FROM depots WHERE id IN (SELECT depot_id FROM stock WHERE id = ANY($1)) ORDER BY id FOR NO KEY UPDATE`,
		ids); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, stockLevelSelect+` WHERE st.id = ANY($1) ORDER BY st.id FOR UPDATE`, ids)
	if err != nil {
		return nil, err
	}
	levels, err := pgx.CollectRows(rows, scanStockLevel)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*aftercare.StockLevel, len(levels))
	for _, l := range levels {
		out[l.ID] = l
	}
	return out, nil
}

// quantities is a stock row's quantities as an audit event shows them.
func quantities(l *aftercare.StockLevel) map[string]any {
	return map[string]any{"on_hand": l.OnHand, "reserved": l.Reserved, "held_for_vendor": l.HeldForVendor}
}

// auditMovement writes the audit event of a stock action on one stock row:
// the row's quantities before and the movements written.
func auditMovement(ctx context.Context, tx pgx.Tx, action string, before *aftercare.StockLevel, ms ...*aftercare.StockMovement) error {
	return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), action, "stock", fmt.Sprint(before.ID),
		quantities(before), map[string]any{"movements": ms})
}

// CheckStockLedger compares the stock ledger with the stock rows and
// returns one line per problem, none when the ledger holds: every row's
// units on hand, reserved and held for the vendor are the sums of its
// movements' deltas, none is negative or reserves more than it holds, its
// latest movement left the row's balance, and its reserved units are its
// reservations still reserved. For tests and operators.
func (db *DB) CheckStockLedger(ctx context.Context) (_ []string, err error) {
	defer wrap(&err, "DB.CheckStockLedger")
	rows, err := db.pool.Query(ctx, `
		SELECT 'stock row ' || st.id || ' holds ' || st.on_hand || '/' || st.reserved || '/' || st.held_for_vendor
			|| ' (on hand/reserved/held), its ledger sums to '
			|| coalesce(m.on_hand, 0) || '/' || coalesce(m.reserved, 0) || '/' || coalesce(m.held, 0)
		FROM stock st
		LEFT JOIN (SELECT stock_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved,
			sum(held_delta) AS held FROM stock_movements GROUP BY stock_id) m ON m.stock_id = st.id
		WHERE (st.on_hand, st.reserved, st.held_for_vendor)
			<> (coalesce(m.on_hand, 0), coalesce(m.reserved, 0), coalesce(m.held, 0))
		UNION ALL
		SELECT 'stock row ' || id || ' holds ' || on_hand || ' on hand, ' || reserved || ' reserved, '
			|| held_for_vendor || ' held'
		FROM stock WHERE on_hand < 0 OR reserved < 0 OR held_for_vendor < 0 OR reserved > on_hand
		UNION ALL
		SELECT 'the latest movement of stock row ' || st.id || ', ' || m.id || ', left ' || m.on_hand_after || '/'
			|| m.reserved_after || '/' || m.held_after
		FROM stock st JOIN LATERAL (
			SELECT x.id, x.on_hand_after, x.reserved_after, x.held_after FROM stock_movements x
			WHERE x.stock_id = st.id ORDER BY x.id DESC LIMIT 1) m ON true
		WHERE (m.on_hand_after, m.reserved_after, m.held_after) <> (st.on_hand, st.reserved, st.held_for_vendor)
		UNION ALL
		SELECT 'stock row ' || st.id || ' counts ' || st.reserved || ' reserved, its reservations '
			|| coalesce(r.quantity, 0)
		FROM stock st
		LEFT JOIN (SELECT stock_id, sum(quantity) AS quantity FROM part_reservations WHERE state = 'reserved'
			GROUP BY stock_id) r ON r.stock_id = st.id
		WHERE st.reserved <> coalesce(r.quantity, 0)`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
