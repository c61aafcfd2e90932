package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The jobs fixture's fleet, with fixed IDs: two engineers of region east,
// a depot, and a power supply in each van and in the depot.
const (
	jobEngineer      = "00000000-0000-4000-8000-0000000000e1"
	jobOtherEngineer = "00000000-0000-4000-8000-0000000000e2"
	jobEngineerUser  = "00000000-0000-4000-8000-0000000000f1"
	jobDepot         = "00000000-0000-4000-8000-0000000000d1"
	jobPart          = "00000000-0000-4000-8000-0000000000b1"
	jobPartFRU       = "01PSU1100"
)

// jobWorld is a store with the jobs fixture.
type jobWorld struct {
	t        *testing.T
	db       *postgres.DB
	f        postgres.Fixture
	sla      *postgres.SLAService
	dispatch *postgres.DispatchService
	jobs     *postgres.JobStore
	seq      int64
}

func mustJobWorld(t *testing.T) *jobWorld {
	t.Helper()
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "JOBS", "platinum")
	require.NoError(t, db.ExecScript(context.Background(), fmt.Sprintf(`
		INSERT INTO users (id, username, display_name, email, role) VALUES
			('%[1]s', 'engineer.li', 'Li Wei', 'li.wei@aftercare.example', 'engineer');
		INSERT INTO depots (id, code, name, city, region, lat, lng, time_zone)
			VALUES ('%[2]s', 'SHA1', 'Shanghai', 'Shanghai', 'east', 31.2, 121.4, 'Asia/Shanghai');
		INSERT INTO engineers (id, code, name, user_id, region, home_depot_id, tier_clearance, capacity, time_zone, lat, lng)
			VALUES ('%[3]s', 'E1', 'Li Wei', '%[1]s', 'east', '%[2]s', 'platinum', 4, 'Asia/Shanghai', 31.2, 121.4),
			       ('%[4]s', 'E2', 'Sun Yu', NULL, 'east', '%[2]s', 'platinum', 4, 'Asia/Shanghai', 31.3, 121.5);
		INSERT INTO parts (id, fru, description, unit_price, currency)
			VALUES ('%[5]s', '%[6]s', 'ThinkSystem 1100W Power Supply', 2100, 'CNY');
		INSERT INTO stock (part_id, engineer_id) VALUES ('%[5]s', '%[3]s'), ('%[5]s', '%[4]s');
		INSERT INTO stock (part_id, depot_id) VALUES ('%[5]s', '%[2]s');
		INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reason)
		SELECT id, 'receipt', CASE WHEN depot_id IS NULL THEN 2 ELSE 3 END, 'test fixture' FROM stock
		WHERE part_id = '%[5]s' ORDER BY id`,
		jobEngineerUser, jobDepot, jobEngineer, jobOtherEngineer, jobPart, jobPartFRU)))
	return &jobWorld{t: t, db: db, f: f, sla: postgres.NewSLAService(db), dispatch: postgres.NewDispatchService(db),
		jobs: postgres.NewJobStore(db)}
}

// file files an incident for the fixture's covered asset.
func (w *jobWorld) file(requestID string) *aftercare.Incident {
	w.t.Helper()
	inc, err := postgres.NewIncidentService(w.db).CreateIncident(context.Background(), aftercare.IncidentCreate{
		SerialNumber: w.f.CoveredSerial, Priority: aftercare.P1, Category: aftercare.CategoryHardwareFailure,
		Symptoms: "PSU failed", Contact: aftercare.Contact{Name: "Wang Fang", Email: "wang@example.com"}, ClientRequestID: requestID})
	require.NoError(w.t, err)
	return inc
}

// assign gives an incident to an engineer with one power supply from the
// van and one from the depot, as dispatch reserves them.
func (w *jobWorld) assign(incidentID, engineerID string) *aftercare.Assignment {
	w.t.Helper()
	a, err := w.dispatch.CreateAssignment(context.Background(), aftercare.AssignmentCreate{IncidentID: incidentID,
		EngineerID: engineerID, ETA: time.Now().Add(time.Hour), DistanceKm: 5,
		FromVan: []aftercare.PartNeed{{PartID: jobPart, Quantity: 1}}, DepotID: jobDepot,
		FromDepot: []aftercare.PartNeed{{PartID: jobPart, Quantity: 1}}})
	require.NoError(w.t, err)
	return a
}

// change records a lifecycle change of an incident as its workflow does,
// by the fixture's engineer, with a key of its own.
func (w *jobWorld) change(incidentID string, a aftercare.LifecycleAction, from, to aftercare.IncidentStatus, edit ...func(*aftercare.IncidentChange)) aftercare.IncidentChange {
	w.t.Helper()
	w.seq++
	c := aftercare.IncidentChange{IncidentID: incidentID, Key: fmt.Sprintf("jobs:%s:%d", incidentID, w.seq), Version: w.seq,
		Kind: string(a), FromStatus: from, ToStatus: to, ActorID: jobEngineerUser, At: time.Now(),
		Audit: &aftercare.ChangeAudit{Action: "incident." + string(a), ActorRole: string(aftercare.RoleEngineer)}}
	for _, e := range edit {
		e(&c)
	}
	require.NoError(w.t, w.sla.RecordIncidentChange(context.Background(), c))
	return c
}

// state returns a job's state.
func (w *jobWorld) state(id string) aftercare.AssignmentState {
	w.t.Helper()
	return aftercare.AssignmentState(postgrestest.MustQueryString(w.t, w.db, `SELECT state FROM assignments WHERE id = $1`, id))
}

// reserved returns the units reserved in the engineer's van and the depot.
func (w *jobWorld) reserved(engineerID string) [2]int64 {
	w.t.Helper()
	return [2]int64{
		postgrestest.MustQueryInt(w.t, w.db, `SELECT reserved FROM stock WHERE engineer_id = $1`, engineerID),
		postgrestest.MustQueryInt(w.t, w.db, `SELECT reserved FROM stock WHERE depot_id = $1`, jobDepot),
	}
}

func named(id string) func(*aftercare.IncidentChange) {
	return func(c *aftercare.IncidentChange) { c.AssignmentID = id }
}

// asJobEngineer is the context of the fixture's engineer E1.
func asJobEngineer() context.Context {
	ctx := aftercare.NewContextWithUser(context.Background(), &aftercare.User{ID: jobEngineerUser, Role: aftercare.RoleEngineer})
	return aftercare.NewContextWithScope(ctx, &aftercare.Scope{UserID: jobEngineerUser, EngineerID: jobEngineer})
}

// TestJobFollowsItsIncidentToCompletion records an incident's whole life
// as its workflow does and sees its job follow each change in the change's
// own transaction: accepted, en route, on site (the engineer's location
// reported with the arrival), the van's unit consumed by the repair, and
// completed on resolution with the depot's unused unit back in the depot.
func TestJobFollowsItsIncidentToCompletion(t *testing.T) {
	w := mustJobWorld(t)
	inc := w.file("life")
	job := w.assign(inc.ID, jobEngineer)
	assert.Equal(t, [2]int64{1, 1}, w.reserved(jobEngineer))

	w.change(inc.ID, aftercare.ActionAcknowledge, aftercare.StatusNew, aftercare.StatusTriaged)
	assert.Equal(t, aftercare.AssignmentProposed, w.state(job.ID), "triage leaves the job as it is")
	accept := w.change(inc.ID, aftercare.ActionAccept, aftercare.StatusTriaged, aftercare.StatusDispatched, named(job.ID))
	assert.Equal(t, aftercare.AssignmentAccepted, w.state(job.ID))
	require.NoError(t, w.sla.RecordIncidentChange(context.Background(), accept), "a change recorded again")
	w.change(inc.ID, aftercare.ActionDepart, aftercare.StatusDispatched, aftercare.StatusEnRoute, named(job.ID))
	assert.Equal(t, aftercare.AssignmentEnRoute, w.state(job.ID))
	w.change(inc.ID, aftercare.ActionArrive, aftercare.StatusEnRoute, aftercare.StatusOnSite, named(job.ID),
		func(c *aftercare.IncidentChange) { c.Location = &aftercare.Location{Lat: 31.2304, Lng: 121.4737} })
	assert.Equal(t, aftercare.AssignmentOnSite, w.state(job.ID))
	assert.Equal(t, "31.2304 121.4737", postgrestest.MustQueryString(t, w.db,
		`SELECT lat || ' ' || lng FROM engineers WHERE id = $1`, jobEngineer), "the arrival is a location report")

	_, err := postgres.NewRepairService(w.db).RecordPartUsed(asJobEngineer(), aftercare.PartUse{IncidentID: inc.ID,
		FRU: jobPartFRU, SerialNumber: "PSU-NEW-1"})
	require.NoError(t, err)
	assert.Equal(t, [2]int64{0, 1}, w.reserved(jobEngineer), "the van's unit is used, the depot's still held")

	for _, s := range [][3]string{{"repair", "on_site", "repaired"}, {"verify", "repaired", "verified"}} {
		w.change(inc.ID, aftercare.LifecycleAction(s[0]), aftercare.IncidentStatus(s[1]), aftercare.IncidentStatus(s[2]))
		assert.Equal(t, aftercare.AssignmentOnSite, w.state(job.ID), "%s leaves the engineer on site", s[0])
	}
	w.change(inc.ID, aftercare.ActionResolve, aftercare.StatusVerified, aftercare.StatusResolved)
	assert.Equal(t, aftercare.AssignmentCompleted, w.state(job.ID))
	assert.Equal(t, [2]int64{0, 0}, w.reserved(jobEngineer), "the unused depot unit goes back")
	assert.Equal(t, int64(1), postgrestest.MustQueryInt(t, w.db,
		`SELECT on_hand FROM stock WHERE engineer_id = $1`, jobEngineer), "the used one is gone from the van")
	assert.Equal(t, []string{"accepted", "en_route", "on_site", "completed"}, auditedStates(t, w.db, job.ID),
		"every move of the job is audited")
	postgrestest.AssertJobInvariants(t, w.db, nil)
}

// auditedStates lists the states a job's audit events moved it to.
func auditedStates(t *testing.T, db *postgres.DB, jobID string) []string {
	t.Helper()
	var out []string
	var s string
	require.NoError(t, db.Query(context.Background(), `SELECT after->>'state' FROM audit_events
		WHERE object_type = 'assignment' AND object_id = $1 AND action <> 'assignment.create' ORDER BY id`,
		[]any{jobID}, []any{&s}, func() error { out = append(out, s); return nil }))
	return out
}

// TestEveryEndOfAnIncidentEndsItsJob records each change that ends an
// incident's job and checks the job's end, the parts going back and the
// engineer's load, then every invariant.
func TestEveryEndOfAnIncidentEndsItsJob(t *testing.T) {
	w := mustJobWorld(t)
	type step struct {
		action   aftercare.LifecycleAction
		from, to aftercare.IncidentStatus
	}
	tests := []struct {
		name string
		// before brings the job where the ending finds it.
		before []step
		end    step
		want   aftercare.AssignmentState
	}{
		{"cancelled before anyone answered", nil,
			step{aftercare.ActionCancel, aftercare.StatusNew, aftercare.StatusCancelled}, aftercare.AssignmentCancelled},
		{"cancelled with the engineer on site", []step{{aftercare.ActionArrive, aftercare.StatusDispatched, aftercare.StatusOnSite}},
			step{aftercare.ActionCancel, aftercare.StatusOnSite, aftercare.StatusCancelled}, aftercare.AssignmentCancelled},
		{"resolved remotely", []step{{aftercare.ActionAcknowledge, aftercare.StatusNew, aftercare.StatusTriaged}},
			step{aftercare.ActionResolve, aftercare.StatusTriaged, aftercare.StatusResolved}, aftercare.AssignmentCancelled},
		{"re-dispatched on the way", []step{{aftercare.ActionDepart, aftercare.StatusDispatched, aftercare.StatusEnRoute}},
			step{aftercare.ActionDispatch, aftercare.StatusEnRoute, aftercare.StatusDispatched}, aftercare.AssignmentCancelled},
		{"declined", []step{{aftercare.ActionAccept, aftercare.StatusTriaged, aftercare.StatusDispatched}},
			step{aftercare.ActionDecline, aftercare.StatusDispatched, aftercare.StatusDispatched}, aftercare.AssignmentDeclined},
		{"quoted on site", []step{{aftercare.ActionArrive, aftercare.StatusDispatched, aftercare.StatusOnSite}},
			step{aftercare.ActionQuote, aftercare.StatusOnSite, aftercare.StatusQuoted}, aftercare.AssignmentCompleted},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := w.file(fmt.Sprintf("end-%d", i))
			job := w.assign(inc.ID, jobEngineer)
			load := func() int {
				n, err := w.jobs.EngineerLoad(context.Background(), jobEngineer)
				require.NoError(t, err)
				return n
			}
			before := load()
			for _, s := range append(tt.before, tt.end) {
				if s.action.NamesOneJob() {
					w.change(inc.ID, s.action, s.from, s.to, named(job.ID))
				} else {
					w.change(inc.ID, s.action, s.from, s.to)
				}
			}
			assert.Equal(t, tt.want, w.state(job.ID))
			assert.Equal(t, [2]int64{0, 0}, w.reserved(jobEngineer), "the job's parts go back to the van and the depot")
			assert.Equal(t, before-1, load(), "the engineer's load drops")
			postgrestest.AssertJobInvariants(t, w.db, nil)
		})
	}
}

// TestAChangeMovesOnlyTheJobItNames checks that an action on one job
// leaves another alone, and that a dispatch leaves the job it created
// while a re-dispatch by hand ends the one the incident held.
func TestAChangeMovesOnlyTheJobItNames(t *testing.T) {
	w := mustJobWorld(t)
	inc := w.file("named")
	old := w.assign(inc.ID, jobEngineer)
	w.change(inc.ID, aftercare.ActionAccept, aftercare.StatusNew, aftercare.StatusDispatched, named(old.ID))

	other := w.file("other")
	job := w.assign(other.ID, jobOtherEngineer)
	w.change(other.ID, aftercare.ActionDepart, aftercare.StatusDispatched, aftercare.StatusEnRoute, named(old.ID))
	assert.Equal(t, aftercare.AssignmentProposed, w.state(job.ID), "a departure for another job moves nothing")

	w.change(inc.ID, aftercare.ActionDecline, aftercare.StatusDispatched, aftercare.StatusDispatched, named(old.ID))
	next := w.assign(inc.ID, jobOtherEngineer)
	w.change(inc.ID, aftercare.ActionDispatch, aftercare.StatusDispatched, aftercare.StatusDispatched, named(next.ID))
	assert.Equal(t, aftercare.AssignmentProposed, w.state(next.ID), "the dispatch that created the job leaves it")
	w.change(inc.ID, aftercare.ActionDispatch, aftercare.StatusDispatched, aftercare.StatusDispatched)
	assert.Equal(t, aftercare.AssignmentCancelled, w.state(next.ID), "a re-dispatch by hand ends the job")
	postgrestest.AssertJobInvariants(t, w.db, nil)
}

// TestTheSchemaKeepsJobsWithOpenIncidents breaks the rules with SQL of
// its own: a second active job of an incident, an active job of an
// incident that has ended, and an incident ended under its active job are
// all refused.
func TestTheSchemaKeepsJobsWithOpenIncidents(t *testing.T) {
	w := mustJobWorld(t)
	ctx := context.Background()
	inc := w.file("schema")
	job := w.assign(inc.ID, jobEngineer)

	second := fmt.Sprintf(`INSERT INTO assignments (incident_id, engineer_id, state, eta, distance_km)
		VALUES ('%s', '%s', 'accepted', now(), 1)`, inc.ID, jobOtherEngineer)
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(w.db.ExecScript(ctx, second)), "one active job per incident")

	err := w.db.ExecScript(ctx, fmt.Sprintf(`UPDATE incidents SET status = 'cancelled' WHERE id = '%s'`, inc.ID))
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "an incident cannot end under its active job: %v", err)
	assert.Contains(t, err.Error(), "has ended but holds an active job")

	w.change(inc.ID, aftercare.ActionCancel, aftercare.StatusNew, aftercare.StatusCancelled)
	err = w.db.ExecScript(ctx, fmt.Sprintf(`UPDATE assignments SET state = 'proposed' WHERE id = '%s'`, job.ID))
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "an ended incident's job cannot come back: %v", err)
	_, err = w.dispatch.CreateAssignment(ctx, aftercare.AssignmentCreate{IncidentID: inc.ID, EngineerID: jobOtherEngineer,
		ETA: time.Now(), DistanceKm: 1})
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "nobody is sent to an incident that has ended")
	postgrestest.AssertJobInvariants(t, w.db, nil)
}

// TestJobsAreScoped reads jobs as an engineer (their own only), a
// dispatcher of the region and an account manager of another account.
func TestJobsAreScoped(t *testing.T) {
	w := mustJobWorld(t)
	mine, theirs := w.file("mine"), w.file("theirs")
	mineJob := w.assign(mine.ID, jobEngineer)
	theirJob := w.assign(theirs.ID, jobOtherEngineer)
	done := w.file("done")
	doneJob := w.assign(done.ID, jobEngineer)
	w.change(done.ID, aftercare.ActionCancel, aftercare.StatusNew, aftercare.StatusCancelled)
	w.change(mine.ID, aftercare.ActionArrive, aftercare.StatusDispatched, aftercare.StatusOnSite, named(mineJob.ID))

	engineer := asJobEngineer()
	got, err := w.jobs.FindJob(engineer, mineJob.ID)
	require.NoError(t, err)
	assert.Equal(t, w.f.SiteID, got.SiteID, "a job says where to go")
	_, err = w.jobs.FindJob(engineer, theirJob.ID)
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "another engineer's job")
	_, err = w.jobs.FindActiveJob(engineer, theirs.ID)
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))

	list, err := w.jobs.FindMyJobs(engineer, 10)
	require.NoError(t, err)
	var ids []string
	for _, j := range list {
		ids = append(ids, j.ID)
	}
	assert.Equal(t, []string{mineJob.ID, doneJob.ID}, ids, "the active job first, then the ended one")
	none, err := w.jobs.FindMyJobs(aftercare.NewContextWithScope(context.Background(), &aftercare.Scope{All: true}), 10)
	require.NoError(t, err)
	assert.Empty(t, none, "whoever is no engineer holds no jobs")
	_, err = w.jobs.FindMyJobs(engineer, 0)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))

	east := aftercare.NewContextWithScope(context.Background(), &aftercare.Scope{Regions: []string{"east"}})
	north := aftercare.NewContextWithScope(context.Background(), &aftercare.Scope{Regions: []string{"north"}})
	current, err := w.jobs.FindEngineerJobs(east, jobEngineer)
	require.NoError(t, err)
	require.Len(t, current, 1, "the active job only")
	assert.Equal(t, mineJob.ID, current[0].ID)
	current, err = w.jobs.FindEngineerJobs(north, jobEngineer)
	require.NoError(t, err)
	assert.Empty(t, current, "a dispatcher of another region sees none of the engineer's jobs")
	stranger := aftercare.NewContextWithScope(context.Background(), &aftercare.Scope{AccountIDs: []string{"00000000-0000-4000-8000-0000000000aa"}})
	_, err = w.jobs.FindJob(stranger, mineJob.ID)
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "another account's job")
	load, err := w.jobs.EngineerLoad(north, jobEngineer)
	require.NoError(t, err)
	assert.Equal(t, 1, load, "the load counts every active job, wherever it is")
}

// TestTheWorkflowItselfEndsAJob records a change the workflow makes by
// itself (its actor is the workflow, "system", with no audit): the job it
// ends releases its parts with the system as the movements' actor, and the
// change is recorded rather than refused.
func TestTheWorkflowItselfEndsAJob(t *testing.T) {
	w := mustJobWorld(t)
	inc := w.file("system-end")
	job := w.assign(inc.ID, jobEngineer)
	w.change(inc.ID, aftercare.ActionDepart, aftercare.StatusDispatched, aftercare.StatusEnRoute, named(job.ID))
	w.change(inc.ID, aftercare.ActionDispatch, aftercare.StatusEnRoute, aftercare.StatusDispatched, func(c *aftercare.IncidentChange) {
		c.ActorID, c.Audit, c.Reason = "system", nil, "declined"
	})
	assert.Equal(t, aftercare.AssignmentCancelled, w.state(job.ID))
	assert.Equal(t, [2]int64{0, 0}, w.reserved(jobEngineer), "the job's parts go back")
	assert.EqualValues(t, 2, postgrestest.MustQueryInt(t, w.db, `SELECT count(*) FROM stock_movements
		WHERE assignment_id = $1 AND kind = 'release' AND actor_id IS NULL`, job.ID), "released by the system")
	postgrestest.AssertJobInvariants(t, w.db, nil)
}

// TestAnOlderChangeRecordedLateLeavesTheStatus records a workflow's
// changes out of order, as an update accepted while the workflow records
// its start can: the acknowledgement (the second change) first, then the
// start of the clocks (the first). The incident stays triaged.
func TestAnOlderChangeRecordedLateLeavesTheStatus(t *testing.T) {
	w := mustJobWorld(t)
	inc := w.file("out-of-order")
	record := func(version int64, kind string, from, to aftercare.IncidentStatus) {
		require.NoError(t, w.sla.RecordIncidentChange(context.Background(), aftercare.IncidentChange{IncidentID: inc.ID,
			Key: fmt.Sprintf("late:%d", version), Version: version, Kind: kind, FromStatus: from, ToStatus: to, At: time.Now()}))
	}
	record(2, string(aftercare.ActionAcknowledge), aftercare.StatusNew, aftercare.StatusTriaged)
	record(1, "clocks_started", aftercare.StatusNew, aftercare.StatusNew)
	assert.Equal(t, "triaged", postgrestest.MustQueryString(t, w.db, `SELECT status FROM incidents WHERE id = $1`, inc.ID))
	record(3, string(aftercare.ActionCancel), aftercare.StatusTriaged, aftercare.StatusCancelled)
	assert.Equal(t, "cancelled", postgrestest.MustQueryString(t, w.db, `SELECT status FROM incidents WHERE id = $1`, inc.ID))
}
