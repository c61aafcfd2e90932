package invariants_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/sim/invariants"
	"github.com/aftercare/aftercare/sla"
)

// webhook is the one webhook URL the day's escalations go to.
const webhook = "https://hooks.aftercare.test/escalations"

// fakeWorkflows answers workflow counts from a map: one for each
// incident's workflow unless set otherwise. It stands in for Temporal,
// which this package does not import.
type fakeWorkflows map[string]int64

func (f fakeWorkflows) CountWorkflows(_ context.Context, id string) (int64, error) {
	if n, ok := f[id]; ok {
		return n, nil
	}
	return 1, nil
}

// day is a small service day in a fresh database, consistent in every
// respect the invariants check:
//
//   - incident A (filed two hours ago, resolved): a 20-minute response
//     clock met after 12 (its 50 % level fired) and a 1-hour restore clock
//     stopped after 70 minutes (its whole ladder fired); engineer E's job
//     from minute 5 to 70 consumed the part it reserved;
//   - incident B (filed an hour ago, triaged): a response clock met before
//     its first level, and a 1-hour restore clock paused from minute 10 to
//     30, so its 50 % level fell due at minute 50 and fired, its 75 % level
//     is still to come; E's job on it from minute 5 to 20 (overlapping A's,
//     within E's capacity of two) was cancelled and released its part;
//   - incident C (filed five minutes ago, new): clocks running, nothing due;
//   - incident D (filed 90 minutes ago, triaged): a 1-hour restore clock
//     whose 50 % level fired at minute 30, retargeted at minute 40 to four
//     hours (its priority lowered), so that level's instant now lies ahead
//     — it was due when it fired — and no other is due.
type day struct {
	t          *testing.T
	ctx        context.Context
	db         *postgres.DB
	now        time.Time
	t0, t1, t2 time.Time
	t3         time.Time
	a, b, c, e string // incident IDs
	engineer   string
	stock      int64
	jobA, jobB string
	rec        invariants.Record
	wf         fakeWorkflows
}

func mustDay(t *testing.T) *day {
	t.Helper()
	ctx := context.Background()
	db := postgrestest.MustOpen(t)
	cfg := demo.DefaultConfig()
	cfg.Accounts, cfg.SitesPerAccount, cfg.AssetsPerSite = 3, 1, 1
	cfg.Engineers, cfg.Depots, cfg.Parts, cfg.VanStockPerEngineer = 6, 2, 10, 3
	_, err := demo.Seed(ctx, db, cfg)
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Second)
	d := &day{t: t, ctx: ctx, db: db, now: now, t0: now.Add(-2 * time.Hour), t1: now.Add(-time.Hour),
		t2: now.Add(-5 * time.Minute), t3: now.Add(-90 * time.Minute), wf: fakeWorkflows{}}
	log := filepath.Join(t.TempDir(), "api.log")
	require.NoError(t, os.WriteFile(log, []byte(`{"level":"INFO","msg":"listening"}`+"\n"), 0o600))
	d.rec = invariants.Record{Since: now.Add(-3 * time.Hour), LogFiles: []string{log}, Accepted: map[string]string{}}
	require.NoError(t, db.QueryRow(ctx, `
		SELECT st.id, st.engineer_id::text FROM stock st
		WHERE st.engineer_id IS NOT NULL AND st.on_hand - st.reserved >= 2 ORDER BY st.id LIMIT 1`, nil,
		&d.stock, &d.engineer))
	d.exec(`UPDATE engineers SET capacity = 2 WHERE id = $1`, d.engineer)
	d.a = d.file("req-a", d.t0, "resolved")
	d.b = d.file("req-b", d.t1, "triaged")
	d.c = d.file("req-c", d.t2, "new")
	d.e = d.file("req-d", d.t3, "triaged")
	d.clocks()
	d.jobs()
	d.escalate()
	return d
}

// exec runs one statement.
func (d *day) exec(sql string, args ...any) {
	d.t.Helper()
	require.NoError(d.t, d.db.BulkLoad(d.ctx, func(l *postgres.Loader) error {
		_, err := l.Exec(d.ctx, sql, args...)
		return err
	}), sql)
}

// file writes an incident filed at an instant on the first asset, as
// accepted by a client under the request ID.
func (d *day) file(requestID string, at time.Time, status string) string {
	d.t.Helper()
	var id string
	require.NoError(d.t, d.db.BulkLoad(d.ctx, func(l *postgres.Loader) error {
		return l.QueryRow(d.ctx, `
			INSERT INTO incidents (account_id, site_id, asset_id, tier, priority, category, symptoms, status,
				contact_name, contact_email, client_request_id, created_at, updated_at, workflow_id, workflow_started_at)
			SELECT a.account_id, a.site_id, a.id, 'platinum', 'P1', 'hardware_failure', 'disk failed', $1,
				'Wang Fang', 'wang.fang@example.com', $2, $3, $3, 'incident-' || $2, $3
			FROM assets a ORDER BY a.serial_number LIMIT 1
			RETURNING id::text`, []any{status, requestID, at}, &id)
	}))
	d.exec(`UPDATE incidents SET workflow_id = $2 WHERE id = $1`, id, aftercare.IncidentWorkflowID(id))
	d.rec.Accepted[requestID] = id
	return id
}

// clock writes an incident's clock of a wall target started at start,
// with later events, as the incident's workflow mirrors it.
func (d *day) clock(incident string, kind aftercare.ClockKind, start time.Time, target time.Duration,
	later ...aftercare.ClockEvent) {
	d.t.Helper()
	terms := aftercare.SLATerms{Target: aftercare.WallTarget(target), Coverage: aftercare.Coverage24x7}
	events := append([]aftercare.ClockEvent{{Kind: aftercare.ClockEventStarted, At: start, Terms: terms}}, later...)
	c, err := sla.Replay(kind, time.UTC, sla.HolidaySet{}, events)
	require.NoError(d.t, err)
	raw, err := json.Marshal(events)
	require.NoError(d.t, err)
	var deadline, stop *time.Time
	if t := c.Deadline(); !t.IsZero() {
		deadline = &t
	}
	if t := c.Stop(); !t.IsZero() {
		stop = &t
	}
	var paused time.Duration
	for _, p := range c.Pauses() {
		paused += p.To.Sub(p.From)
	}
	d.exec(`
		INSERT INTO sla_clocks (incident_id, kind, target, coverage, time_zone, started_at, deadline, stopped_at,
			budget_seconds, paused_seconds, state, events, version)
		VALUES ($1, $2, $3, '24x7', 'UTC', $4, $5, $6, $7, $8, $9, $10, 1)`,
		incident, kind, terms.Target.String(), start, deadline, stop, int64(c.Budget().Seconds()),
		int64(paused.Seconds()), c.State(d.now), json.RawMessage(raw))
}

func (d *day) clocks() {
	min := func(t time.Time, m int) time.Time { return t.Add(time.Duration(m) * time.Minute) }
	stopped := func(at time.Time) aftercare.ClockEvent {
		return aftercare.ClockEvent{Kind: aftercare.ClockEventStopped, At: at, By: "engineer"}
	}
	d.clock(d.a, aftercare.ClockResponse, d.t0, 20*time.Minute, stopped(min(d.t0, 12)))
	d.clock(d.a, aftercare.ClockRestore, d.t0, time.Hour, stopped(min(d.t0, 70)))
	d.clock(d.b, aftercare.ClockResponse, d.t1, 30*time.Minute, stopped(min(d.t1, 5)))
	d.clock(d.b, aftercare.ClockRestore, d.t1, time.Hour,
		aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: min(d.t1, 10), By: "dispatcher",
			Reason: aftercare.PauseSiteAccess},
		aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: min(d.t1, 30), By: "customer"})
	d.clock(d.c, aftercare.ClockResponse, d.t2, 2*time.Hour)
	d.clock(d.c, aftercare.ClockRestore, d.t2, 8*time.Hour)
	d.clock(d.e, aftercare.ClockResponse, d.t3, 30*time.Minute, stopped(min(d.t3, 3)))
	d.clock(d.e, aftercare.ClockRestore, d.t3, time.Hour, aftercare.ClockEvent{Kind: aftercare.ClockEventRetargeted,
		At: min(d.t3, 40), By: "dispatcher", Terms: aftercare.SLATerms{Target: aftercare.WallTarget(4 * time.Hour),
			Coverage: aftercare.Coverage24x7}})
}

// jobs gives engineer E a job on A, its part consumed, and one on B,
// cancelled with its part released; each reservation and its end are
// movements of the ledger.
func (d *day) jobs() {
	d.jobA = d.job(d.a, d.t0.Add(5*time.Minute), d.t0.Add(70*time.Minute), "completed", "consumed")
	d.jobB = d.job(d.b, d.t1.Add(5*time.Minute), d.t1.Add(20*time.Minute), "cancelled", "released")
}

// job writes an ended job of engineer E and the reservation of one unit
// from the van's stock row, settled as given.
func (d *day) job(incident string, from, to time.Time, state, settled string) string {
	d.t.Helper()
	var id string
	require.NoError(d.t, d.db.BulkLoad(d.ctx, func(l *postgres.Loader) error {
		if err := l.QueryRow(d.ctx, `
			INSERT INTO assignments (incident_id, engineer_id, state, eta, distance_km, created_at, updated_at)
			VALUES ($1, $2, 'proposed', $3, 4.2, $3, $3) RETURNING id::text`,
			[]any{incident, d.engineer, from}, &id); err != nil {
			return err
		}
		var reservation int64
		if err := l.QueryRow(d.ctx, `
			INSERT INTO part_reservations (assignment_id, stock_id, quantity, state, created_at)
			VALUES ($1, $2, 1, 'reserved', $3) RETURNING id`, []any{id, d.stock, from}, &reservation); err != nil {
			return err
		}
		onHand := map[string]int{"consumed": -1, "released": 0}[settled]
		kind := map[string]string{"consumed": "consumption", "released": "release"}[settled]
		_, err := l.Exec(d.ctx, `
			INSERT INTO stock_movements (stock_id, kind, reserved_delta, assignment_id, incident_id, reservation_id, at)
			VALUES ($1, 'reservation', 1, $2, $3, $4, $5)`, d.stock, id, incident, reservation, from)
		if err != nil {
			return err
		}
		if _, err := l.Exec(d.ctx, `
			INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reserved_delta, assignment_id, incident_id,
				reservation_id, at)
			VALUES ($1, $2, $3, -1, $4, $5, $6, $7)`, d.stock, kind, onHand, id, incident, reservation, to); err != nil {
			return err
		}
		if _, err := l.Exec(d.ctx, `UPDATE part_reservations SET state = $2 WHERE id = $1`, reservation, settled); err != nil {
			return err
		}
		_, err = l.Exec(d.ctx, `UPDATE assignments SET state = $2, updated_at = $3 WHERE id = $1`, id, state, to)
		return err
	}))
	return id
}

// escalate fires the levels due, a quarter of a second after their
// instants, as the incidents' workflows record them.
func (d *day) escalate() {
	ladder := aftercare.DefaultEscalationLadder()
	fire := func(incident string, kind aftercare.ClockKind, level int, due time.Time) {
		d.t.Helper()
		lv := ladder[level-1]
		at := due.Add(250 * time.Millisecond)
		esc := aftercare.Escalation{IncidentID: incident, Clock: kind, Level: level, Percent: lv.Percent,
			Actions: lv.Actions, DueAt: due, FiredAt: at}
		require.NoError(d.t, postgres.NewSLAService(d.db).RecordEscalation(d.ctx, aftercare.EscalationFired{
			Escalation: esc, Key: "escalation:" + incident + ":" + string(kind) + ":" + strconv.Itoa(level),
			Clock: aftercare.ClockSnapshot{Kind: kind, Target: aftercare.WallTarget(time.Hour),
				Coverage: aftercare.Coverage24x7, TimeZone: "UTC", StartedAt: d.t0, State: aftercare.ClockRunning,
				Events: []aftercare.ClockEvent{}},
			Notification: aftercare.EscalationNotice{Kind: "escalation", IncidentID: incident, Clock: kind, Level: level,
				Percent: lv.Percent, Actions: lv.Actions, DueAt: due, FiredAt: at},
		}, []string{webhook}))
	}
	fire(d.a, aftercare.ClockResponse, 1, d.t0.Add(10*time.Minute))
	for level, m := range []time.Duration{30, 45, 54, 60} {
		fire(d.a, aftercare.ClockRestore, level+1, d.t0.Add(m*time.Minute))
	}
	fire(d.b, aftercare.ClockRestore, 1, d.t1.Add(50*time.Minute))
	fire(d.e, aftercare.ClockRestore, 1, d.t3.Add(30*time.Minute))
}

// check runs the checker on the day.
func (d *day) check() []invariants.Result {
	return invariants.Check(d.ctx, d.db, d.wf, d.rec)
}
