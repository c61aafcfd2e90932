package invariants_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sim/invariants"
)

// The invariants in the order Check returns them.
const (
	accepted = iota
	incidents
	jobs
	stock
	reservations
	escalations
	notifications
	kpis
	health
)

// assertFails checks that exactly the invariants want fail, each with a
// problem that mentions what it should, and that the others pass.
func assertFails(t *testing.T, results []invariants.Result, want map[int]string) {
	t.Helper()
	require.Len(t, results, 9)
	var table bytes.Buffer
	invariants.WriteTable(&table, results)
	for i, r := range results {
		mention, fails := want[i]
		if !fails {
			assert.True(t, r.Pass, "%s passes:\n%s", r.Name, table.String())
			continue
		}
		assert.False(t, r.Pass, "%s fails:\n%s", r.Name, table.String())
		assert.True(t, slices.ContainsFunc(r.Problems, func(p string) bool { return strings.Contains(p, mention) }),
			"a problem of %s mentions %q: %q", r.Name, mention, r.Problems)
	}
	assert.Equal(t, len(want) == 0, invariants.AllPass(results))
}

func TestADayThatHoldsPassesEveryInvariant(t *testing.T) {
	d := mustDay(t)
	start := time.Now()
	results := d.check()
	t.Logf("checked in %s", time.Since(start))
	assertFails(t, results, nil)
	var table bytes.Buffer
	invariants.WriteTable(&table, results)
	t.Log("\n" + table.String())
	for _, want := range []string{"4 accepted, 4 found, 4 with a workflow", "4 filed, 4 with clocks, 4 with a workflow",
		"2 jobs of 1 engineers on 2 incidents", "of the day's: 1 consumed, 1 released, 0 reserved",
		"8 clocks, 6 levels due, 7 fired, 0 repeated, 0 not due", "notification.webhook 0 delivered, 7 pending"} {
		assert.Contains(t, table.String(), want)
	}
}

// TestRecordBreaksFailTheirInvariant breaks what the clients saw, the
// workflows and the logs, one at a time, and sees exactly the invariants
// about them fail.
func TestRecordBreaksFailTheirInvariant(t *testing.T) {
	d := mustDay(t)
	panicked := filepath.Join(t.TempDir(), "worker.log")
	require.NoError(t, os.WriteFile(panicked, []byte("starting\npanic: runtime error: index out of range [3]\n"), 0o600))
	tests := []struct {
		name  string
		apply func(rec *invariants.Record, wf fakeWorkflows)
		want  map[int]string
	}{
		{"an accepted request without its incident", func(rec *invariants.Record, _ fakeWorkflows) {
			rec.Accepted["req-lost"] = "0b6f5c2e-4a47-4d6c-9a39-6f0b7f1f2a11"
		}, map[int]string{accepted: `request "req-lost" was accepted as incident`}},
		{"an accepted incident without its workflow", func(_ *invariants.Record, wf fakeWorkflows) {
			wf[aftercare.IncidentWorkflowID(d.a)] = 0
		}, map[int]string{accepted: "has 0 workflows", incidents: "has 0 workflows"}},
		{"an incident with two workflows", func(_ *invariants.Record, wf fakeWorkflows) {
			wf[aftercare.IncidentWorkflowID(d.b)] = 2
		}, map[int]string{accepted: "has 2 workflows", incidents: "has 2 workflows"}},
		{"an incident no client saw accepted", func(rec *invariants.Record, _ fakeWorkflows) {
			delete(rec.Accepted, "req-c")
		}, map[int]string{incidents: `client request ID "req-c", which no client saw accepted`}},
		{"a panic in a log", func(rec *invariants.Record, _ fakeWorkflows) {
			rec.LogFiles = append(rec.LogFiles, panicked)
		}, map[int]string{health: "worker.log:2: panic: runtime error"}},
		{"an HTTP 500", func(rec *invariants.Record, _ fakeWorkflows) {
			rec.HTTP500 = 1
		}, map[int]string{health: "1 responses had HTTP status 500"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := d.rec
			rec.Accepted = map[string]string{}
			for k, v := range d.rec.Accepted {
				rec.Accepted[k] = v
			}
			wf := fakeWorkflows{}
			tt.apply(&rec, wf)
			assertFails(t, invariantsCheck(d, rec, wf), tt.want)
		})
	}
}

func invariantsCheck(d *day, rec invariants.Record, wf fakeWorkflows) []invariants.Result {
	return invariants.Check(d.ctx, d.db, wf, rec)
}

// TestDatabaseBreaksFailTheirInvariant breaks the day's database, each
// break in a day of its own, and sees exactly the invariant it breaks
// fail.
func TestDatabaseBreaksFailTheirInvariant(t *testing.T) {
	tests := []struct {
		name  string
		apply func(d *day)
		want  map[int]string
	}{
		{"an incident's clocks dropped", func(d *day) {
			d.exec(`DELETE FROM sla_clocks WHERE incident_id = $1`, d.c)
		}, map[int]string{incidents: "has no response or restore clock"}},
		{"an engineer over capacity", func(d *day) {
			d.exec(`UPDATE engineers SET capacity = 1 WHERE id = $1`, d.engineer)
		}, map[int]string{jobs: "(capacity 1) held 2 jobs at once"}},
		{"an incident double-booked", func(d *day) {
			d.exec(`
				INSERT INTO assignments (incident_id, engineer_id, state, eta, distance_km, created_at, updated_at)
				SELECT $1, e.id, 'declined', $2, 3, $2, $3 FROM engineers e WHERE e.id <> $4 ORDER BY e.id LIMIT 1`,
				d.a, d.t0.Add(20*time.Minute), d.t0.Add(30*time.Minute), d.engineer)
		}, map[int]string{jobs: "had 2 active jobs at once"}},
		{"stock off its ledger", func(d *day) {
			d.exec(`ALTER TABLE stock DISABLE TRIGGER stock_quantities_follow_ledger;
				UPDATE stock SET on_hand = on_hand + 1 WHERE id = ` + strconv.FormatInt(d.stock, 10) + `;
				ALTER TABLE stock ENABLE TRIGGER stock_quantities_follow_ledger`)
		}, map[int]string{stock: "its ledger sums to"}},
		{"a reservation left on an ended job", func(d *day) {
			d.exec(`WITH r AS (
					INSERT INTO part_reservations (assignment_id, stock_id, quantity, state)
					VALUES ($1, $2, 1, 'reserved') RETURNING id)
				INSERT INTO stock_movements (stock_id, kind, reserved_delta, assignment_id, reservation_id)
				SELECT $2, 'reservation', 1, $1, id FROM r`, d.jobB, d.stock)
		}, map[int]string{reservations: "which is cancelled, is still reserved"}},
		{"a due escalation missing", func(d *day) {
			d.exec(`DELETE FROM notifications WHERE incident_id = $1 AND clock = 'restore' AND level = 2`, d.a)
			d.exec(`DELETE FROM escalations WHERE incident_id = $1 AND clock = 'restore' AND level = 2`, d.a)
		}, map[int]string{escalations: "restore clock: level 2 (75 %) fell due at"}},
		{"an escalation that was not due", func(d *day) {
			at := d.t0.Add(15 * time.Minute)
			d.exec(`INSERT INTO escalations (incident_id, clock, level, percent, due_at, fired_at)
				VALUES ($1, 'response', 2, 75, $2, $2)`, d.a, at)
			d.exec(`INSERT INTO incident_events (incident_id, kind, reason, at, data)
				VALUES ($1, 'escalation', 'response 75%', $2, '{"clock": "response", "level": 2}')`, d.a, at)
		}, map[int]string{escalations: "fired level 2 (75 %) at"}},
		{"a notification missing from the outbox", func(d *day) {
			d.exec(`DELETE FROM outbox WHERE topic = 'notification.webhook' AND payload->'body'->>'incident_id' = $1`,
				d.b)
		}, map[int]string{notifications: "has no webhook message for " + webhook}},
		{"a KPI counter altered", func(d *day) {
			d.exec(`UPDATE kpi_by_provider SET restore_breached = restore_breached + 1
				WHERE ctid = (SELECT ctid FROM kpi_by_provider ORDER BY month DESC LIMIT 1)`)
		}, map[int]string{kpis: "counters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDay(t)
			tt.apply(d)
			assertFails(t, d.check(), tt.want)
		})
	}
}
