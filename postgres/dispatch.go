package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// DispatchService keeps assignments, their part reservations and the fleet
// the dispatch index follows.
type DispatchService struct {
	db *DB
}

var _ aftercare.DispatchStore = (*DispatchService)(nil)

// NewDispatchService returns a DispatchService backed by db.
func NewDispatchService(db *DB) *DispatchService {
	return &DispatchService{db: db}
}

const activeStates = `('proposed', 'accepted', 'en_route', 'on_site')`

// FleetChangesSince returns the engineers and depots written by the
// transactions that had not committed when the cursor was handed out, with
// their load and available stock, and the cursor to continue from.
//
// Versions cannot serve as the cursor: one is drawn when a statement runs,
// not when its transaction commits, so "version above the last seen" passes
// over a transaction that commits after a later version has been read.
// Instead every engineer and depot row records the transaction that last
// wrote it (fleet_xid, see schema/migrations/013_fleet_feed.sql), and the
// cursor is the snapshot the read was taken in, as pg_snapshot text
// (xmin:xmax:xip,...). The transactions a snapshot did not see are those
// at or above its xmax and those it lists as in progress, so the next read
// returns exactly the rows whose last writer is one of them: none is lost
// whatever order transactions commit in, none the snapshot saw is read
// again, and a transaction left open costs each read only the rows it has
// written itself.
//
// Of two reads of one engineer or depot the newer has the higher version:
// a writer draws the version it keeps while holding the row locked (one
// that waited for the lock draws again) and holds the lock until it
// commits, so writers of one row commit in the order of their versions.
func (s *DispatchService) FleetChangesSince(ctx context.Context, cursor aftercare.FleetCursor) (_ *aftercare.FleetChanges, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.FleetChangesSince(ctx, %q)", cursor))
	var args []any
	if cursor != "" {
		args = []any{string(cursor)}
	}
	out := &aftercare.FleetChanges{}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		// One snapshot for the cursor, the engineers and the depots: the
		// first statement takes it.
		if _, err := tx.Exec(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text`).Scan(&out.Cursor); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+engineerColumns+`,
			(SELECT count(*) FROM assignments x WHERE x.engineer_id = e.id AND x.state IN `+activeStates+`),
			coalesce((SELECT jsonb_object_agg(st.part_id, st.on_hand - st.reserved)
				FROM stock st WHERE st.engineer_id = e.id AND st.on_hand > st.reserved), '{}'),
			e.version
			FROM engineers e WHERE `+fleetChanged("e", cursor), args...)
		if err != nil {
			return err
		}
		out.Engineers, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (aftercare.FleetEngineer, error) {
			var fe aftercare.FleetEngineer
			e, err := scanEngineerWith(row, &fe.Load, &fe.VanStock, &fe.Version)
			if err == nil {
				fe.Engineer = *e
			}
			return fe, err
		})
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `
			SELECT d.id, d.code, d.name, d.city, d.region, d.lat, d.lng, d.time_zone, d.version,
				coalesce((SELECT jsonb_object_agg(st.part_id, st.on_hand - st.reserved)
					FROM stock st WHERE st.depot_id = d.id AND st.on_hand > st.reserved), '{}')
			FROM depots d WHERE `+fleetChanged("d", cursor), args...)
		if err != nil {
			return err
		}
		out.Depots, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (aftercare.FleetDepot, error) {
			var d aftercare.FleetDepot
			err := row.Scan(&d.ID, &d.Code, &d.Name, &d.City, &d.Region, &d.Lat, &d.Lng, &d.TimeZone, &d.Version, &d.Stock)
			return d, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// fleetChanged is FleetChangesSince's condition on the engineer or depot
// row called alias: every row for the zero cursor, otherwise those written
// by a transaction the cursor's snapshot ($1) did not see.
func fleetChanged(alias string, cursor aftercare.FleetCursor) string {
	if cursor == "" {
		return "true"
	}
	return "(" + alias + ".fleet_xid >= pg_snapshot_xmax($1::text::pg_snapshot) OR " +
		alias + ".fleet_xid = ANY (ARRAY(SELECT pg_snapshot_xip($1::text::pg_snapshot))))"
}

// FindDispatchInput returns what dispatching an incident in the caller's
// scope needs: its site, product line, tier, needs, the engineers who
// declined it, and the deadline of its on-site clock while the clock has
// not stopped — breached included, so that nobody is shown making a
// deadline already past.
func (s *DispatchService) FindDispatchInput(ctx context.Context, incidentID string) (_ *aftercare.DispatchInput, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.FindDispatchInput(ctx, %q)", incidentID))
	return findDispatchInput(ctx, s.db.pool, incidentID)
}

func findDispatchInput(ctx context.Context, q querier, incidentID string) (*aftercare.DispatchInput, error) {
	if _, err := findIncidentByID(ctx, q, incidentID); err != nil {
		return nil, err // not found, or outside the caller's scope
	}
	in := &aftercare.DispatchInput{IncidentID: incidentID}
	var deadline *time.Time
	err := q.QueryRow(ctx, `
		SELECT i.account_id, s.region, s.lat, s.lng, a.product_line, i.min_level, i.tier, i.priority,
			(SELECT c.deadline FROM sla_clocks c WHERE c.incident_id = i.id AND c.kind = 'on_site'
				AND c.stopped_at IS NULL),
			coalesce((SELECT array_agg(x.engineer_id ORDER BY x.engineer_id) FROM assignments x
				WHERE x.incident_id = i.id AND x.state = 'declined'), '{}')
		FROM incidents i JOIN sites s ON s.id = i.site_id JOIN assets a ON a.id = i.asset_id
		WHERE i.id = $1`, incidentID).Scan(&in.AccountID, &in.Region, &in.Lat, &in.Lng, &in.ProductLine, &in.MinLevel,
		&in.Tier, &in.Priority, &deadline, &in.Declined)
	if err != nil {
		return nil, err
	}
	if deadline != nil {
		in.OnSiteDeadline = *deadline
	}
	rows, err := q.Query(ctx, `SELECT part_id, quantity FROM incident_parts WHERE incident_id = $1 ORDER BY part_id`, incidentID)
	if err != nil {
		return nil, err
	}
	in.Parts, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (aftercare.PartNeed, error) {
		var p aftercare.PartNeed
		err := row.Scan(&p.PartID, &p.Quantity)
		return p, err
	})
	return in, err
}

// CreateAssignment gives an incident to an engineer and reserves the parts,
// in one transaction. The engineer's row is locked while their load is
// counted, and each part is taken with a conditional update, so two
// dispatches can never overbook an engineer or take the same last part:
// the loser gets ECONFLICT saying what was taken.
func (s *DispatchService) CreateAssignment(ctx context.Context, c aftercare.AssignmentCreate) (_ *aftercare.Assignment, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.CreateAssignment(ctx, %q, %q)", c.IncidentID, c.EngineerID))
	if !validID(c.EngineerID) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "engineer %q not found", c.EngineerID)
	}
	if (c.DepotID == "") != (len(c.FromDepot) == 0) {
		return nil, aftercare.Errorf(aftercare.EINVALID, "parts from a depot need the depot, and a depot needs parts")
	}
	var a *aftercare.Assignment
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		a, err = createAssignment(ctx, tx, c)
		return err
	})
	return a, err
}

func createAssignment(ctx context.Context, tx pgx.Tx, c aftercare.AssignmentCreate) (*aftercare.Assignment, error) {
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM incidents WHERE id = $1 FOR UPDATE`, c.IncidentID).Scan(&status); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", c.IncidentID)
		}
		return nil, err
	}
	if _, err := findIncidentByID(ctx, tx, c.IncidentID); err != nil {
		return nil, err // outside the caller's scope
	}
	switch aftercare.IncidentStatus(status) {
	case aftercare.StatusResolved, aftercare.StatusClosed, aftercare.StatusCancelled:
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "incident is %s", status)
	}
	if err := requireApprovedQuote(ctx, tx, c.IncidentID); err != nil {
		return nil, err
	}
	var active []string
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM assignments WHERE incident_id = $1 AND state IN `+activeStates,
		c.IncidentID).Scan(&active); err != nil {
		return nil, err
	}
	if len(active) > 0 && c.OverrideReason == "" {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "incident already has an engineer")
	}
	for _, id := range active {
		if err := endAssignment(ctx, tx, id, aftercare.AssignmentOverridden); err != nil {
			return nil, err
		}
	}

	// Lock the engineer first, then count in a new statement: under READ
	// COMMITTED the count then sees every assignment committed by whoever
	// held the lock before.
	var capacity, load int
	err := tx.QueryRow(ctx, `SELECT capacity FROM engineers WHERE id = $1 FOR UPDATE`, c.EngineerID).Scan(&capacity)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "engineer %q not found", c.EngineerID)
	}
	if err != nil {
		return nil, err
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM assignments WHERE engineer_id = $1 AND state IN `+activeStates,
		c.EngineerID).Scan(&load); err != nil {
		return nil, err
	}
	if load >= capacity {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "engineer is at capacity (%d of %d jobs)", load, capacity)
	}

	id := newID()
	actor := aftercare.UserFromContext(ctx)
	var decidedBy *string
	if actor != nil {
		decidedBy = &actor.ID
	}
	decision := c.Decision
	if len(decision) == 0 {
		decision = []byte("{}")
	}
	var overrideReason *string
	if c.OverrideReason != "" {
		overrideReason = &c.OverrideReason
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO assignments (id, incident_id, engineer_id, state, eta, distance_km, decision, override_reason, decided_by)
		VALUES ($1, $2, $3, 'proposed', $4, $5, $6, $7, $8)`,
		id, c.IncidentID, c.EngineerID, c.ETA, c.DistanceKm, decision, overrideReason, decidedBy); err != nil {
		return nil, err
	}
	if err := reserveParts(ctx, tx, id, "engineer_id", c.EngineerID, "the engineer's van", c.FromVan); err != nil {
		return nil, err
	}
	if c.DepotID != "" {
		if err := reserveParts(ctx, tx, id, "depot_id", c.DepotID, "the depot", c.FromDepot); err != nil {
			return nil, err
		}
	}
	a, err := findAssignment(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO incident_events (incident_id, kind, reason, actor_id, data) VALUES ($1, 'assigned', $2, $3, $4)`,
		c.IncidentID, c.OverrideReason, decidedBy, map[string]any{"assignment_id": id, "engineer_id": c.EngineerID}); err != nil {
		return nil, err
	}
	action := "assignment.create"
	if c.OverrideReason != "" {
		action = "assignment.override"
	}
	if err := writeAudit(ctx, tx, actor, action, "assignment", id, nil, a); err != nil {
		return nil, err
	}
	return a, nil
}

// reserveParts takes each part from the stock row of one place, only if
// enough is still available there.
func reserveParts(ctx context.Context, tx pgx.Tx, assignmentID, placeColumn, placeID, place string, parts []aftercare.PartNeed) error {
	for _, p := range parts {
		if !validID(p.PartID) || p.Quantity < 1 {
			return aftercare.Errorf(aftercare.EINVALID, "part %q × %d is not a valid need", p.PartID, p.Quantity)
		}
		var stockID int64
		err := tx.QueryRow(ctx, `
			UPDATE stock SET reserved = reserved + $3
			WHERE `+placeColumn+` = $1 AND part_id = $2 AND on_hand - reserved >= $3
			RETURNING id`, placeID, p.PartID, p.Quantity).Scan(&stockID)
		if errors.Is(err, pgx.ErrNoRows) {
			return aftercare.Errorf(aftercare.ECONFLICT, "part %s is no longer available in %s", p.PartID, place)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO part_reservations (assignment_id, stock_id, quantity, state) VALUES ($1, $2, $3, 'reserved')`,
			assignmentID, stockID, p.Quantity); err != nil {
			return err
		}
	}
	return nil
}

// endAssignment moves an active assignment to a final state and releases
// its reserved parts.
func endAssignment(ctx context.Context, tx pgx.Tx, id string, state aftercare.AssignmentState) error {
	tag, err := tx.Exec(ctx, `UPDATE assignments SET state = $2, updated_at = now() WHERE id = $1 AND state IN `+activeStates, id, state)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return aftercare.Errorf(aftercare.ECONFLICT, "assignment is no longer active")
	}
	_, err = tx.Exec(ctx, `
		WITH released AS (
			UPDATE part_reservations SET state = 'released' WHERE assignment_id = $1 AND state = 'reserved'
			RETURNING stock_id, quantity)
		UPDATE stock st SET reserved = st.reserved - r.quantity FROM released r WHERE st.id = r.stock_id`, id)
	return err
}

// DeclineAssignment ends an active assignment as declined, releasing its
// parts. An engineer may decline only their own.
func (s *DispatchService) DeclineAssignment(ctx context.Context, id, reason string) (_ *aftercare.Assignment, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.DeclineAssignment(ctx, %q)", id))
	var a *aftercare.Assignment
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := findAssignment(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := findIncidentByID(ctx, tx, before.IncidentID); err != nil {
			return aftercare.Errorf(aftercare.ENOTFOUND, "assignment %q not found", id)
		}
		if sc := aftercare.ScopeFromContext(ctx); !sc.All && sc.EngineerID != "" && len(sc.Regions) == 0 && sc.EngineerID != before.EngineerID {
			return aftercare.Errorf(aftercare.ENOTFOUND, "assignment %q not found", id)
		}
		if err := endAssignment(ctx, tx, id, aftercare.AssignmentDeclined); err != nil {
			return err
		}
		if a, err = findAssignment(ctx, tx, id); err != nil {
			return err
		}
		actor := aftercare.UserFromContext(ctx)
		if _, err := tx.Exec(ctx, `
			INSERT INTO incident_events (incident_id, kind, reason, actor_id, data) VALUES ($1, 'declined', $2, $3, $4)`,
			a.IncidentID, reason, nullID(aftercare.UserIDFromContext(ctx)), map[string]any{"assignment_id": id, "engineer_id": a.EngineerID}); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "assignment.decline", "assignment", id, before, a)
	})
	return a, err
}

// FindAssignments returns an incident's assignments in the caller's scope,
// newest first.
func (s *DispatchService) FindAssignments(ctx context.Context, incidentID string) (_ []*aftercare.Assignment, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.FindAssignments(ctx, %q)", incidentID))
	if _, err := findIncidentByID(ctx, s.db.pool, incidentID); err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, assignmentSelect+` WHERE x.incident_id = $1 ORDER BY x.created_at DESC, x.id`, incidentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanAssignment)
}

// FindAssignmentByID returns an assignment whose incident is in the caller's
// scope, or ENOTFOUND.
func (s *DispatchService) FindAssignmentByID(ctx context.Context, id string) (_ *aftercare.Assignment, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.FindAssignmentByID(ctx, %q)", id))
	a, err := findAssignment(ctx, s.db.pool, id)
	if err != nil {
		return nil, err
	}
	if _, err := findIncidentByID(ctx, s.db.pool, a.IncidentID); err != nil {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "assignment %q not found", id)
	}
	return a, nil
}

const assignmentSelect = `
	SELECT x.id, x.incident_id, x.engineer_id, x.state, x.eta, x.distance_km, x.decision,
		coalesce(x.override_reason, ''), coalesce(x.decided_by::text, ''), x.created_at,
		coalesce((SELECT jsonb_agg(jsonb_build_object('stock', r.stock_id, 'part', st.part_id,
			'depot', coalesce(st.depot_id::text, ''), 'quantity', r.quantity) ORDER BY r.id)
			FROM part_reservations r JOIN stock st ON st.id = r.stock_id
			WHERE r.assignment_id = x.id AND r.state <> 'released'), '[]')
	FROM assignments x`

func findAssignment(ctx context.Context, q querier, id string) (*aftercare.Assignment, error) {
	return findOne(ctx, q, assignmentSelect, "x.id", "assignment", id, nil, scanAssignment)
}

func scanAssignment(row pgx.CollectableRow) (*aftercare.Assignment, error) {
	var a aftercare.Assignment
	var parts []struct {
		Stock    int64  `json:"stock"`
		Part     string `json:"part"`
		Depot    string `json:"depot"`
		Quantity int    `json:"quantity"`
	}
	if err := row.Scan(&a.ID, &a.IncidentID, &a.EngineerID, &a.State, &a.ETA, &a.DistanceKm, &a.Decision,
		&a.OverrideReason, &a.DecidedBy, &a.CreatedAt, &parts); err != nil {
		return nil, err
	}
	for _, p := range parts {
		a.Parts = append(a.Parts, aftercare.PartReservation{StockID: p.Stock, PartID: p.Part, DepotID: p.Depot, Quantity: p.Quantity})
	}
	return &a, nil
}

// ReportLocation records where an engineer is; an engineer may report only
// their own location.
func (s *DispatchService) ReportLocation(ctx context.Context, engineerID string, lat, lng float64, at time.Time) (err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.ReportLocation(ctx, %q)", engineerID))
	if !(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180) {
		return aftercare.Errorf(aftercare.EINVALID, "location %v, %v is not on the globe", lat, lng)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := findOne(ctx, tx, engineerSelect, "e.id", "engineer", engineerID, &scopeEngineers, scanEngineer)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE engineers SET lat = $2, lng = $3, located_at = $4 WHERE id = $1`,
			engineerID, lat, lng, at); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "engineer.report_location", "engineer", engineerID,
			map[string]any{"lat": before.Lat, "lng": before.Lng}, map[string]any{"lat": lat, "lng": lng, "at": at})
	})
}

// FindDispatchQueue returns the region's open incidents that have no active
// assignment, or whose on-site clock has used three quarters of its time,
// those with the earliest on-site deadline first.
func (s *DispatchService) FindDispatchQueue(ctx context.Context, region string, limit int) (_ []*aftercare.QueueItem, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.FindDispatchQueue(ctx, %q)", region))
	if limit < 1 || limit > aftercare.MaxPageSize {
		return nil, aftercare.Errorf(aftercare.EINVALID, "limit must be between 1 and %d", aftercare.MaxPageSize)
	}
	var q filter
	q.add("i.status NOT IN ('resolved', 'closed', 'cancelled', 'verified', 'repaired') AND s.region = ?", region)
	q.addScope(ctx, scopeIncidents)
	rows, err := s.db.pool.Query(ctx, `
		SELECT i.id, c.deadline, x.id
		FROM incidents i
		JOIN sites s ON s.id = i.site_id
		LEFT JOIN sla_clocks c ON c.incident_id = i.id AND c.kind = 'on_site' AND c.state IN ('running', 'paused')
		LEFT JOIN assignments x ON x.incident_id = i.id AND x.state IN `+activeStates+q.where()+`
		  AND (x.id IS NULL OR (c.deadline IS NOT NULL
			AND now() >= c.started_at + (c.deadline - c.started_at) * 0.75))
		ORDER BY c.deadline NULLS LAST, i.number
		LIMIT `+q.arg(limit), q.args...)
	if err != nil {
		return nil, err
	}
	type row struct {
		incidentID   string
		deadline     *time.Time
		assignmentID *string
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.incidentID, &x.deadline, &x.assignmentID)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	items := make([]*aftercare.QueueItem, 0, len(found))
	for _, f := range found {
		inc, err := findIncidentByID(ctx, s.db.pool, f.incidentID)
		if err != nil {
			return nil, err
		}
		item := &aftercare.QueueItem{Incident: inc}
		if f.deadline != nil {
			item.OnSiteDeadline = *f.deadline
		}
		if f.assignmentID != nil {
			if item.Assignment, err = findAssignment(ctx, s.db.pool, *f.assignmentID); err != nil {
				return nil, err
			}
		}
		items = append(items, item)
	}
	return items, nil
}

// RecordOptimization writes the audit event of a batch assignment run: the
// region, the totals and what was assigned.
func (s *DispatchService) RecordOptimization(ctx context.Context, region string, plan *aftercare.BatchPlan) (err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.RecordOptimization(ctx, %q)", region))
	assigned := make([]string, len(plan.Assignments))
	for i, a := range plan.Assignments {
		assigned[i] = a.ID
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "dispatch.optimize", "region", region, nil,
			map[string]any{"assignments": assigned, "unassigned": plan.Unassigned,
				"optimal_total_s": plan.OptimalTotal.Seconds(), "greedy_total_s": plan.GreedyTotal.Seconds()})
	})
}
