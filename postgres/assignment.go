package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

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
	if err := takeIncident(ctx, tx, c); err != nil {
		return nil, err
	}
	if err := takeEngineer(ctx, tx, c.EngineerID); err != nil {
		return nil, err
	}
	actor := aftercare.UserFromContext(ctx)
	var decidedBy *string
	if actor != nil {
		decidedBy = &actor.ID
	}
	id, err := insertAssignment(ctx, tx, c, decidedBy)
	if err != nil {
		return nil, err
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

// takeIncident locks the incident of an assignment about to be created and
// checks that it may be dispatched in the caller's scope: not final, its
// quote approved if it needs one, and without an engineer unless the
// assignment overrides, in which case the active one ends as overridden.
func takeIncident(ctx context.Context, tx pgx.Tx, c aftercare.AssignmentCreate) error {
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM incidents WHERE id = $1 FOR UPDATE`, c.IncidentID).Scan(&status); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", c.IncidentID)
		}
		return err
	}
	if _, err := findIncidentByID(ctx, tx, c.IncidentID); err != nil {
		return err // outside the caller's scope
	}
	switch aftercare.IncidentStatus(status) {
	case aftercare.StatusResolved, aftercare.StatusClosed, aftercare.StatusCancelled:
		return aftercare.Errorf(aftercare.ECONFLICT, "incident is %s", status)
	}
	if err := requireApprovedQuote(ctx, tx, c.IncidentID); err != nil {
		return err
	}
	var active []string
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM assignments WHERE incident_id = $1 AND state IN `+activeStates,
		c.IncidentID).Scan(&active); err != nil {
		return err
	}
	if len(active) > 0 && c.OverrideReason == "" {
		return aftercare.Errorf(aftercare.ECONFLICT, "incident already has an engineer")
	}
	if err := lockJobStock(ctx, tx, active, c); err != nil {
		return err
	}
	for _, id := range active {
		if err := endAssignment(ctx, tx, id, aftercare.AssignmentOverridden); err != nil {
			return err
		}
	}
	return nil
}

// lockJobStock locks what a change of jobs moves stock in before it
// writes anything, in the order every writer of stock takes its locks
// (lockStockRows): the engineers of the jobs (ending one updates its
// engineer's row) and of a new job next, the depots of the stock the jobs
// hold and of the parts next takes, each in ID order, then all those
// stock rows in ID order. Ending a job releases its parts and a new job
// reserves others, perhaps at another depot: were each locked as it came,
// an override that releases at one depot and reserves at a second would
// hold the first while it waits for the second, and one going the other
// way would hold the second. next is the zero value when no job starts.
func lockJobStock(ctx context.Context, tx pgx.Tx, jobs []string, next aftercare.AssignmentCreate) error {
	var engineers, depots []string
	if err := tx.QueryRow(ctx, `
		WITH held AS (
			SELECT st.engineer_id, st.depot_id FROM part_reservations r JOIN stock st ON st.id = r.stock_id
			WHERE r.assignment_id = ANY($1) AND r.state = 'reserved')
		SELECT ARRAY(SELECT engineer_id FROM assignments WHERE id = ANY($1)
				UNION SELECT engineer_id FROM held WHERE engineer_id IS NOT NULL),
			ARRAY(SELECT DISTINCT depot_id FROM held WHERE depot_id IS NOT NULL)`, jobs).
		Scan(&engineers, &depots); err != nil {
		return err
	}
	var engineerID, depotID *string
	if next.EngineerID != "" {
		engineerID = &next.EngineerID
		engineers = append(engineers, next.EngineerID)
	}
	if next.DepotID != "" && validID(next.DepotID) {
		depotID = &next.DepotID
		depots = append(depots, next.DepotID)
	}
	if err := lockPlaces(ctx, tx, engineers, depots); err != nil {
		return err
	}
	var ids []int64
	if err := tx.QueryRow(ctx, `
		SELECT ARRAY(SELECT stock_id FROM part_reservations WHERE assignment_id = ANY($1) AND state = 'reserved'
			UNION SELECT id FROM stock WHERE engineer_id = $2 AND part_id = ANY($3)
			UNION SELECT id FROM stock WHERE depot_id = $4 AND part_id = ANY($5))`,
		jobs, engineerID, neededParts(next.FromVan), depotID, neededParts(next.FromDepot)).Scan(&ids); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := lockStockRows(ctx, tx, ids...)
	return err
}

// neededParts returns the IDs of the parts of needs that are well formed;
// reserveParts refuses the others.
func neededParts(needs []aftercare.PartNeed) []string {
	ids := []string{}
	for _, p := range needs {
		if validID(p.PartID) {
			ids = append(ids, p.PartID)
		}
	}
	return ids
}

// takeEngineer locks an engineer about to be assigned and checks they are
// under capacity. The lock comes first and the count in a new statement:
// under READ COMMITTED the count then sees every assignment committed by
// whoever held the lock before.
func takeEngineer(ctx context.Context, tx pgx.Tx, engineerID string) error {
	var capacity, load int
	err := tx.QueryRow(ctx, `SELECT capacity FROM engineers WHERE id = $1 FOR NO KEY UPDATE`, engineerID).Scan(&capacity)
	if errors.Is(err, pgx.ErrNoRows) {
		return aftercare.Errorf(aftercare.ENOTFOUND, "engineer %q not found", engineerID)
	}
	if err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM assignments WHERE engineer_id = $1 AND state IN `+activeStates,
		engineerID).Scan(&load); err != nil {
		return err
	}
	if load >= capacity {
		return aftercare.Errorf(aftercare.ECONFLICT, "engineer is at capacity (%d of %d jobs)", load, capacity)
	}
	return requireActiveProvider(ctx, tx, engineerID)
}

// requireActiveProvider refuses an engineer whose service provider is not
// active. It reads in a statement after the engineer's lock: a change of
// the provider's status locks its engineers (migration 016), so the read
// sees every change committed by whoever held the lock before.
func requireActiveProvider(ctx context.Context, tx pgx.Tx, engineerID string) error {
	var code, status string
	if err := tx.QueryRow(ctx, `
		SELECT p.code, p.status FROM engineers e JOIN service_providers p ON p.id = e.provider_id WHERE e.id = $1`,
		engineerID).Scan(&code, &status); err != nil {
		return err
	}
	if aftercare.ProviderStatus(status) != aftercare.ProviderActive {
		return aftercare.Errorf(aftercare.ECONFLICT, "the engineer's service provider %s is %s", code, status)
	}
	return nil
}

// insertAssignment writes a proposed assignment and reserves its parts,
// and returns its ID.
func insertAssignment(ctx context.Context, tx pgx.Tx, c aftercare.AssignmentCreate, decidedBy *string) (string, error) {
	id := newID()
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
		return "", err
	}
	if err := reserveParts(ctx, tx, id, "engineer_id", c.EngineerID, "the engineer's van", c.FromVan); err != nil {
		return "", err
	}
	if c.DepotID != "" {
		if err := reserveParts(ctx, tx, id, "depot_id", c.DepotID, "the depot", c.FromDepot); err != nil {
			return "", err
		}
	}
	return id, nil
}

// reserveParts takes each part from the stock row of one place, only if
// enough is still available there: the row is locked (lockStockRows)
// while that is checked, and the reservation is a ledger movement of the
// job.
func reserveParts(ctx context.Context, tx pgx.Tx, assignmentID, placeColumn, placeID, place string, parts []aftercare.PartNeed) error {
	for _, p := range parts {
		if !validID(p.PartID) || p.Quantity < 1 {
			return aftercare.Errorf(aftercare.EINVALID, "part %q × %d is not a valid need", p.PartID, p.Quantity)
		}
		var stockID int64
		err := tx.QueryRow(ctx, `SELECT id FROM stock WHERE `+placeColumn+` = $1 AND part_id = $2`, placeID, p.PartID).
			Scan(&stockID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		locked, err := lockStockRows(ctx, tx, stockID)
		if err != nil {
			return err
		}
		if l := locked[stockID]; l == nil || l.Available() < p.Quantity {
			return aftercare.Errorf(aftercare.ECONFLICT, "part %s is no longer available in %s", p.PartID, place)
		}
		var reservationID int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO part_reservations (assignment_id, stock_id, quantity, state) VALUES ($1, $2, $3, 'reserved')
			RETURNING id`, assignmentID, stockID, p.Quantity).Scan(&reservationID); err != nil {
			return err
		}
		if _, err := recordMovement(ctx, tx, movement{stockID: stockID, kind: aftercare.MovementReservation,
			reserved: p.Quantity, assignmentID: assignmentID, reservationID: reservationID}); err != nil {
			return err
		}
	}
	return nil
}

// endAssignment moves an active assignment to a final state and releases
// its reserved parts, one ledger movement per reservation, with their
// stock rows locked (lockJobStock).
func endAssignment(ctx context.Context, tx pgx.Tx, id string, state aftercare.AssignmentState) error {
	if err := lockJobStock(ctx, tx, []string{id}, aftercare.AssignmentCreate{}); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `UPDATE assignments SET state = $2, updated_at = now() WHERE id = $1 AND state IN `+activeStates, id, state)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return aftercare.Errorf(aftercare.ECONFLICT, "assignment is no longer active")
	}
	rows, err := tx.Query(ctx, `
		WITH released AS (
			UPDATE part_reservations SET state = 'released' WHERE assignment_id = $1 AND state = 'reserved'
			RETURNING id, stock_id, quantity)
		SELECT id, stock_id, quantity FROM released ORDER BY stock_id, id`, id)
	if err != nil {
		return err
	}
	released, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (movement, error) {
		m := movement{kind: aftercare.MovementRelease, assignmentID: id}
		err := row.Scan(&m.reservationID, &m.stockID, &m.reserved)
		m.reserved = -m.reserved
		return m, err
	})
	if err != nil {
		return err
	}
	for _, m := range released {
		if _, err := recordMovement(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
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

// FindAssignmentsOfIncidents returns the assignments of each incident, as
// FindAssignments, in two queries: the incidents the caller sees, then
// their assignments. An incident outside the scope gets nil.
func (s *DispatchService) FindAssignmentsOfIncidents(ctx context.Context, incidentIDs []string) (_ [][]*aftercare.Assignment, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.FindAssignmentsOfIncidents(ctx, %d IDs)", len(incidentIDs)))
	seen, ids, err := seenIDs(ctx, s.db.pool, "incidents i", "i.id", incidentIDs, scopeIncidents)
	if err != nil {
		return nil, err
	}
	found, err := findAnyOf(ctx, s.db.pool, assignmentSelect, &filter{}, "x.incident_id", ids, "x.created_at DESC, x.id",
		scanAssignment)
	if err != nil {
		return nil, err
	}
	return groupBy(incidentIDs, found, func(a *aftercare.Assignment) string { return a.IncidentID }, seen), nil
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
	if err := row.Scan(&a.ID, &a.IncidentID, &a.EngineerID, &a.SiteID, &a.State, &a.ETA, &a.DistanceKm, &a.Decision,
		&a.OverrideReason, &a.DecidedBy, &a.CreatedAt, &parts); err != nil {
		return nil, err
	}
	for _, p := range parts {
		a.Parts = append(a.Parts, aftercare.PartReservation{StockID: p.Stock, PartID: p.Part, DepotID: p.Depot, Quantity: p.Quantity})
	}
	return &a, nil
}
