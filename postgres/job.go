package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// JobStore reads engineers' jobs (assignments) in the caller's scope.
type JobStore struct {
	db *DB
}

var _ aftercare.JobStore = (*JobStore)(nil)

// NewJobStore returns a JobStore backed by db.
func NewJobStore(db *DB) *JobStore {
	return &JobStore{db: db}
}

// scopeJobs are the jobs a scoped caller sees: an engineer their own, an
// account manager or customer IT those at their accounts, a dispatcher
// those at their regions' sites. Each job carries its incident's account
// and site for this (migration 004).
var scopeJobs = scopeRule{
	account:  "x.account_id = ANY(?::uuid[])",
	region:   "EXISTS (SELECT 1 FROM sites rs WHERE rs.id = x.site_id AND rs.region = ANY(?::text[]))",
	engineer: "x.engineer_id = ?::uuid",
}

// FindJob returns a job in the caller's scope, or ENOTFOUND.
func (s *JobStore) FindJob(ctx context.Context, id string) (_ *aftercare.Assignment, err error) {
	defer wrap(&err, fmt.Sprintf("JobStore.FindJob(ctx, %q)", id))
	return findOne(ctx, s.db.pool, assignmentSelect, "x.id", "job", id, &scopeJobs, scanAssignment)
}

// FindActiveJob returns the incident's active job in the caller's scope, or
// ENOTFOUND.
func (s *JobStore) FindActiveJob(ctx context.Context, incidentID string) (_ *aftercare.Assignment, err error) {
	defer wrap(&err, fmt.Sprintf("JobStore.FindActiveJob(ctx, %q)", incidentID))
	if !validID(incidentID) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", incidentID)
	}
	var f filter
	f.add("x.incident_id = ?", incidentID)
	f.conds = append(f.conds, "x.state IN "+activeStates)
	f.addScope(ctx, scopeJobs)
	rows, err := s.db.pool.Query(ctx, assignmentSelect+f.where(), f.args...)
	if err != nil {
		return nil, err
	}
	jobs, err := pgx.CollectRows(rows, scanAssignment)
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "incident %q has no active job", incidentID)
	}
	return jobs[0], nil
}

// FindMyJobs returns the calling engineer's jobs: the active ones first,
// the furthest along first, then the ended ones, newest first.
func (s *JobStore) FindMyJobs(ctx context.Context, limit int) (_ []*aftercare.Assignment, err error) {
	defer wrap(&err, "JobStore.FindMyJobs")
	if limit < 1 || limit > aftercare.MaxPageSize {
		return nil, aftercare.Errorf(aftercare.EINVALID, "first must be between 1 and %d", aftercare.MaxPageSize)
	}
	engineerID := aftercare.ScopeFromContext(ctx).EngineerID
	if engineerID == "" {
		return []*aftercare.Assignment{}, nil
	}
	rows, err := s.db.pool.Query(ctx, assignmentSelect+`
		WHERE x.engineer_id = $1
		ORDER BY array_position($2::text[], x.state), x.created_at DESC, x.id
		LIMIT $3`, engineerID, aftercare.ActiveJobOrder(), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanAssignment)
}

// FindEngineerJobs returns an engineer's active jobs whose incidents the
// caller sees, oldest first.
func (s *JobStore) FindEngineerJobs(ctx context.Context, engineerID string) (_ []*aftercare.Assignment, err error) {
	defer wrap(&err, fmt.Sprintf("JobStore.FindEngineerJobs(ctx, %q)", engineerID))
	var f filter
	if !f.addID("x.engineer_id", engineerID) {
		return []*aftercare.Assignment{}, nil
	}
	f.conds = append(f.conds, "x.state IN "+activeStates)
	f.addScope(ctx, scopeJobs)
	rows, err := s.db.pool.Query(ctx, assignmentSelect+f.where()+` ORDER BY x.created_at, x.id`, f.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanAssignment)
}

// EngineerLoad returns how many active jobs an engineer holds, wherever
// they are: the count dispatch holds against the engineer's capacity.
func (s *JobStore) EngineerLoad(ctx context.Context, engineerID string) (_ int, err error) {
	defer wrap(&err, fmt.Sprintf("JobStore.EngineerLoad(ctx, %q)", engineerID))
	if !validID(engineerID) {
		return 0, aftercare.Errorf(aftercare.ENOTFOUND, "engineer %q not found", engineerID)
	}
	var n int
	err = s.db.pool.QueryRow(ctx, `SELECT count(*) FROM assignments x WHERE x.engineer_id = $1 AND x.state IN `+activeStates,
		engineerID).Scan(&n)
	return n, err
}

// FindJobsOfEngineers returns the active jobs of each engineer whose
// incidents the caller sees, as FindEngineerJobs, in one query.
func (s *JobStore) FindJobsOfEngineers(ctx context.Context, engineerIDs []string) (_ [][]*aftercare.Assignment, err error) {
	defer wrap(&err, fmt.Sprintf("JobStore.FindJobsOfEngineers(ctx, %d IDs)", len(engineerIDs)))
	var f filter
	f.conds = append(f.conds, "x.state IN "+activeStates)
	f.addScope(ctx, scopeJobs)
	found, err := findAnyOf(ctx, s.db.pool, assignmentSelect, &f, "x.engineer_id", engineerIDs, "x.created_at, x.id", scanAssignment)
	if err != nil {
		return nil, err
	}
	return groupBy(engineerIDs, found, func(a *aftercare.Assignment) string { return a.EngineerID }, nil), nil
}

// EngineerLoads returns the load of each engineer, as EngineerLoad, in one
// query: nil for a malformed ID.
func (s *JobStore) EngineerLoads(ctx context.Context, engineerIDs []string) (_ []*int, err error) {
	defer wrap(&err, fmt.Sprintf("JobStore.EngineerLoads(ctx, %d IDs)", len(engineerIDs)))
	rows, err := s.db.pool.Query(ctx, `
		SELECT x.engineer_id::text, count(*)::int FROM assignments x
		WHERE x.engineer_id = ANY($1::uuid[]) AND x.state IN `+activeStates+` GROUP BY x.engineer_id`, validIDs(engineerIDs))
	if err != nil {
		return nil, err
	}
	loads := map[string]int{}
	var id string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { loads[id] = n; return nil }); err != nil {
		return nil, err
	}
	out := make([]*int, len(engineerIDs))
	for i, e := range engineerIDs {
		if validID(e) {
			n := loads[rowKey(e)]
			out[i] = &n
		}
	}
	return out, nil
}

// followIncident moves the incident's jobs as a change recorded for it
// says (aftercare.JobStateAfter), in the change's transaction: a job that
// ends releases the parts it reserved and did not use (ledger movements
// by the change's actor), an arrival with a location moves the engineer.
// An action on one job touches only the job the change names, when it
// names one; a dispatch leaves the job it created alone. The incident's
// row is locked already, so no job can be created for it meanwhile.
func followIncident(ctx context.Context, tx pgx.Tx, c aftercare.IncidentChange) error {
	ctx = withStockActor(ctx, c.ActorID)
	action := aftercare.LifecycleAction(c.Kind)
	if !movesAJob(action, c.FromStatus) {
		return reportArrival(ctx, tx, c)
	}
	rows, err := tx.Query(ctx, `
		SELECT id, state FROM assignments WHERE incident_id = $1 AND state IN `+activeStates+`
		ORDER BY created_at, id FOR UPDATE`, c.IncidentID)
	if err != nil {
		return err
	}
	type job struct {
		id    string
		state aftercare.AssignmentState
	}
	jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (job, error) {
		var j job
		err := row.Scan(&j.id, &j.state)
		return j, err
	})
	if err != nil {
		return err
	}
	for _, j := range jobs {
		switch {
		case action.NamesOneJob() && c.AssignmentID != "" && j.id != c.AssignmentID:
			continue
		case action == aftercare.ActionDispatch && j.id == c.AssignmentID:
			continue
		}
		to, moves := aftercare.JobStateAfter(action, c.FromStatus, j.state)
		if !moves {
			continue
		}
		if err := moveJob(ctx, tx, j.id, j.state, to); err != nil {
			return err
		}
		if err := auditJobMove(ctx, tx, c, j.id, j.state, to); err != nil {
			return err
		}
	}
	return reportArrival(ctx, tx, c)
}

// movesAJob reports whether action a from status from moves some active
// job, so that changes that move none (a priority change, a hold, an
// escalation's record) cost no read of the incident's jobs.
func movesAJob(a aftercare.LifecycleAction, from aftercare.IncidentStatus) bool {
	for _, s := range aftercare.ActiveJobOrder() {
		if _, moves := aftercare.JobStateAfter(a, from, s); moves {
			return true
		}
	}
	return false
}

// moveJob puts an active job in state to: an end releases what it holds.
func moveJob(ctx context.Context, tx pgx.Tx, id string, from, to aftercare.AssignmentState) error {
	if !to.Active() {
		return endAssignment(ctx, tx, id, to)
	}
	_, err := tx.Exec(ctx, `UPDATE assignments SET state = $3, updated_at = now() WHERE id = $1 AND state = $2`, id, from, to)
	return err
}

// auditJobMove writes the audit event of a job moved by an incident's
// change, as the change's actor (the system when nobody asked).
func auditJobMove(ctx context.Context, tx pgx.Tx, c aftercare.IncidentChange, id string, from, to aftercare.AssignmentState) error {
	role, requestID := "system", ""
	if c.Audit != nil {
		role, requestID = c.Audit.ActorRole, c.Audit.RequestID
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO audit_events (at, actor_id, actor_role, action, object_type, object_id, before, after, request_id)
		VALUES ($1, $2, $3, $4, 'assignment', $5, $6, $7, $8)`,
		c.At, actorID(c.ActorID), role, "assignment."+string(to), id,
		map[string]any{"state": from}, map[string]any{"state": to, "incident_id": c.IncidentID, "change": c.Kind},
		requestID)
	return err
}

// reportArrival records where the engineer of the job an arrival names
// reported being, as a location report the dispatch index follows.
func reportArrival(ctx context.Context, tx pgx.Tx, c aftercare.IncidentChange) error {
	if c.Location == nil || c.AssignmentID == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `
		UPDATE engineers e SET lat = $2, lng = $3, located_at = $4
		FROM assignments x WHERE x.id = $1 AND e.id = x.engineer_id`,
		c.AssignmentID, c.Location.Lat, c.Location.Lng, c.At)
	return err
}
