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

var (
	_ aftercare.DispatchStore = (*DispatchService)(nil)
	_ aftercare.FleetReader   = (*DispatchService)(nil)
)

// NewDispatchService returns a DispatchService backed by db.
func NewDispatchService(db *DB) *DispatchService {
	return &DispatchService{db: db}
}

const activeStates = `('proposed', 'accepted', 'en_route', 'on_site')`

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
	if !validID(incidentID) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", incidentID)
	}
	// One statement, one round trip: the incident in the caller's scope,
	// its site and asset, the running on-site deadline, who declined it and
	// the parts it needs.
	var f filter
	f.add("i.id = ?", incidentID)
	f.addScope(ctx, scopeIncidents)
	in := &aftercare.DispatchInput{IncidentID: incidentID}
	var deadline *time.Time
	var parts []struct {
		Part     string `json:"part"`
		Quantity int    `json:"quantity"`
	}
	err := q.QueryRow(ctx, `
		SELECT i.account_id, s.region, s.lat, s.lng, a.product_line, i.min_level, i.tier, i.priority,
			(SELECT c.deadline FROM sla_clocks c WHERE c.incident_id = i.id AND c.kind = 'on_site'
				AND c.stopped_at IS NULL),
			coalesce((SELECT array_agg(x.engineer_id ORDER BY x.engineer_id) FROM assignments x
				WHERE x.incident_id = i.id AND x.state = 'declined'), '{}'),
			coalesce((SELECT jsonb_agg(jsonb_build_object('part', p.part_id, 'quantity', p.quantity) ORDER BY p.part_id)
				FROM incident_parts p WHERE p.incident_id = i.id), '[]')
		FROM incidents i JOIN sites s ON s.id = i.site_id JOIN assets a ON a.id = i.asset_id`+f.where(), f.args...).
		Scan(&in.AccountID, &in.Region, &in.Lat, &in.Lng, &in.ProductLine, &in.MinLevel,
			&in.Tier, &in.Priority, &deadline, &in.Declined, &parts)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", incidentID)
	}
	if err != nil {
		return nil, err
	}
	if deadline != nil {
		in.OnSiteDeadline = *deadline
	}
	for _, p := range parts {
		in.Parts = append(in.Parts, aftercare.PartNeed{PartID: p.Part, Quantity: p.Quantity})
	}
	return in, nil
}

const assignmentSelect = `
	SELECT x.id, x.incident_id, x.engineer_id, x.site_id, x.state, x.eta, x.distance_km, x.decision,
		coalesce(x.override_reason, ''), coalesce(x.decided_by::text, ''), x.created_at,
		coalesce((SELECT jsonb_agg(jsonb_build_object('stock', r.stock_id, 'part', st.part_id,
			'depot', coalesce(st.depot_id::text, ''), 'quantity', r.quantity) ORDER BY r.id)
			FROM part_reservations r JOIN stock st ON st.id = r.stock_id
			WHERE r.assignment_id = x.id AND r.state <> 'released'), '[]')
	FROM assignments x`

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
	// The incidents and assignments of the page, each in one statement.
	incidentIDs, assignmentIDs := make([]string, 0, len(found)), make([]string, 0, len(found))
	for _, f := range found {
		incidentIDs = append(incidentIDs, f.incidentID)
		if f.assignmentID != nil {
			assignmentIDs = append(assignmentIDs, *f.assignmentID)
		}
	}
	incidents, err := findByIDs(ctx, s.db.pool, incidentSelect, "i.id", incidentIDs, &scopeIncidents, scanIncident,
		func(i *aftercare.Incident) string { return i.ID })
	if err != nil {
		return nil, err
	}
	assignments, err := findByIDs(ctx, s.db.pool, assignmentSelect, "x.id", assignmentIDs, nil, scanAssignment,
		func(a *aftercare.Assignment) string { return a.ID })
	if err != nil {
		return nil, err
	}
	items := make([]*aftercare.QueueItem, 0, len(found))
	next := 0
	for i, f := range found {
		if incidents[i] == nil {
			return nil, aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", f.incidentID)
		}
		item := &aftercare.QueueItem{Incident: incidents[i]}
		if f.deadline != nil {
			item.OnSiteDeadline = *f.deadline
		}
		if f.assignmentID != nil {
			if item.Assignment = assignments[next]; item.Assignment == nil {
				return nil, aftercare.Errorf(aftercare.ENOTFOUND, "assignment %q not found", *f.assignmentID)
			}
			next++
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

// FindRegions returns the regions in the caller's scope: every region for
// a caller who sees everything, the regions they hold a role in otherwise.
func (s *DispatchService) FindRegions(ctx context.Context) (_ []*aftercare.Region, err error) {
	defer wrap(&err, "DispatchService.FindRegions")
	scope := aftercare.ScopeFromContext(ctx)
	rows, err := s.db.pool.Query(ctx, `SELECT code, name FROM regions WHERE $1 OR code = ANY($2::text[]) ORDER BY code`,
		scope.All, scope.Regions)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByPos[aftercare.Region])
}
