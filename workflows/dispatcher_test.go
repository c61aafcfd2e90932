package workflows_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// raceFixture is five engineers around Shanghai (capacity 3 each, on shift
// around the clock, empty vans), one depot holding 10 units of one part,
// and 50 incidents that each need one unit.
func raceFixture(t testing.TB, db *postgres.DB) (incidents []string, partID string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`
		INSERT INTO regions VALUES ('east', 'East China') ON CONFLICT DO NOTHING;
		INSERT INTO product_lines VALUES ('thinksystem_sr', 'ThinkSystem SR', 'server');
		INSERT INTO accounts (id, code, name) VALUES ('a0000000-0000-4000-8000-000000000001', 'RACE', 'Race');
		INSERT INTO sites (id, account_id, name, address, city, country, region, lat, lng, time_zone)
			VALUES ('50000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'HQ', '1 Road',
				'Shanghai', 'CN', 'east', 31.2304, 121.4737, 'Asia/Shanghai');
		INSERT INTO assets (id, account_id, site_id, serial_number, product_line, model, shipped_on, warranty_ends_on)
			VALUES ('a5000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001',
				'50000000-0000-4000-8000-000000000001', 'RACE-0001', 'thinksystem_sr', 'SR650', '2025-01-01', '2028-01-01');
		INSERT INTO parts (id, fru, description, unit_price, currency)
			VALUES ('b0000000-0000-4000-8000-000000000001', '01RACE1', 'PSU 1100W', 1200, 'CNY');
		INSERT INTO depots (id, code, name, city, region, lat, lng, time_zone)
			VALUES ('d0000000-0000-4000-8000-000000000001', 'DEP-SH1', 'Shanghai', 'Shanghai', 'east', 31.20, 121.45, 'Asia/Shanghai');
		INSERT INTO stock (part_id, depot_id)
			VALUES ('b0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001');
		INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reason)
			SELECT id, 'receipt', 10, 'test fixture' FROM stock WHERE part_id = 'b0000000-0000-4000-8000-000000000001';
	`)
	shifts := `[{"day":0,"start":"00:00","end":"24:00"},{"day":1,"start":"00:00","end":"24:00"},{"day":2,"start":"00:00","end":"24:00"},` +
		`{"day":3,"start":"00:00","end":"24:00"},{"day":4,"start":"00:00","end":"24:00"},{"day":5,"start":"00:00","end":"24:00"},{"day":6,"start":"00:00","end":"24:00"}]`
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&b, `
			INSERT INTO engineers (id, code, name, region, home_depot_id, tier_clearance, capacity, time_zone, shifts, lat, lng)
				VALUES ('e0000000-0000-4000-8000-00000000000%d', 'ENG-R%d', 'Engineer %d', 'east',
					'd0000000-0000-4000-8000-000000000001', 'platinum', 3, 'Asia/Shanghai', '%s', %f, 121.40);
			INSERT INTO engineer_skills VALUES ('e0000000-0000-4000-8000-00000000000%d', 'thinksystem_sr', 3);`,
			i, i, i, shifts, 31.10+0.02*float64(i), i)
	}
	for i := 1; i <= 50; i++ {
		id := fmt.Sprintf("c0000000-0000-4000-8000-%012d", i)
		incidents = append(incidents, id)
		fmt.Fprintf(&b, `
			INSERT INTO incidents (id, account_id, site_id, asset_id, tier, priority, category, symptoms, status,
				contact_name, contact_email, client_request_id, workflow_id)
				VALUES ('%[1]s', 'a0000000-0000-4000-8000-000000000001', '50000000-0000-4000-8000-000000000001',
					'a5000000-0000-4000-8000-000000000001', 'standard', 'P2', 'hardware_failure', 'PSU failed', 'triaged',
					'n', 'n@example.com', 'race-%[2]d', 'incident-%[1]s');
			INSERT INTO incident_parts VALUES ('%[1]s', 'b0000000-0000-4000-8000-000000000001', 1);`, id, i)
	}
	require.NoError(t, db.ExecScript(context.Background(), b.String()))
	return incidents, "b0000000-0000-4000-8000-000000000001"
}

// raceEngineer returns the ID of raceFixture's engineer i, 1 to 5: the
// higher i, the nearer the site (about 14, 12, 10.5, 9 and 8 km).
func raceEngineer(i int) string { return fmt.Sprintf("e0000000-0000-4000-8000-%012d", i) }

func newDispatcher(t testing.TB, db *postgres.DB) *workflows.Dispatcher {
	t.Helper()
	return newDispatcherRanking(t, db, 5)
}

// newDispatcherRanking returns a dispatcher whose decisions rank a
// shortlist of k.
func newDispatcherRanking(t testing.TB, db *postgres.DB, k int) *workflows.Dispatcher {
	t.Helper()
	d, err := workflows.NewDispatcher(context.Background(), postgres.NewDispatchService(db),
		slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		workflows.DispatcherConfig{SpeedKmh: 40, Shortlist: k})
	require.NoError(t, err)
	return d
}

// listed returns a decision's rejections as "reason engineer", in order.
func listed(dec *aftercare.DispatchDecision) []string {
	out := []string{}
	for _, r := range dec.Rejections {
		out = append(out, r.Reason+" "+r.EngineerID)
	}
	return out
}

// TestConcurrentDispatch runs 50 dispatches at once, through three
// dispatchers as three workers would, for 10 units of one part and five
// engineers of capacity 3: exactly 10 win, no stock goes negative, nobody
// is overbooked, and every loser is told why nobody can take its incident.
func TestConcurrentDispatch(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, partID := raceFixture(t, db)
	dispatchers := []*workflows.Dispatcher{newDispatcher(t, db), newDispatcher(t, db), newDispatcher(t, db)}
	store := postgres.NewDispatchService(db)
	ctx := context.Background()

	results := make([]*aftercare.Assignment, len(incidents))
	errs := make([]error, len(incidents))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, id := range incidents {
		wg.Go(func() {
			<-start
			results[i], errs[i] = dispatchers[i%len(dispatchers)].Assign(ctx, id, "", "")
		})
	}
	close(start)
	wg.Wait()

	won := 0
	perEngineer := map[string]int{}
	for i := range incidents {
		if errs[i] != nil {
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(errs[i]), "incident %d: %v", i, errs[i])
			assert.Contains(t, aftercare.ErrorMessage(errs[i]), "no engineer can take the incident", "incident %d", i)
			assert.Contains(t, aftercare.ErrorMessage(errs[i]), "no_part", "incident %d: the reason is the part", i)
			continue
		}
		won++
		perEngineer[results[i].EngineerID]++
		require.Len(t, results[i].Parts, 1)
		assert.Equal(t, partID, results[i].Parts[0].PartID)
		assert.Equal(t, 1, results[i].Parts[0].Quantity)
	}
	assert.Equal(t, 10, won, "every unit of the part is used, none twice")
	for e, n := range perEngineer {
		assert.LessOrEqual(t, n, 3, "engineer %s over capacity", e)
	}

	fleet, err := store.FleetChangesSince(ctx, "")
	require.NoError(t, err)
	for _, d := range fleet.Depots {
		assert.Zero(t, d.Stock[partID], "no stock left, none negative")
	}
	for _, e := range fleet.Engineers {
		assert.LessOrEqual(t, e.Load, e.Capacity, "engineer %s", e.Code)
		assert.Equal(t, perEngineer[e.ID], e.Load, "engineer %s", e.Code)
	}
}

// TestDeclineAndOverride declines an assignment as the incident's
// workflow records a decline, after which the incident goes to the next
// engineer and the part is free, and overrides one with a reason.
func TestDeclineAndOverride(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, _ := raceFixture(t, db)
	d := newDispatcher(t, db)
	store := postgres.NewDispatchService(db)
	ctx := context.Background()

	first, err := d.Assign(ctx, incidents[0], "", "")
	require.NoError(t, err)
	dec, err := d.Candidates(ctx, incidents[0], aftercare.DefaultDispatchRejections)
	require.NoError(t, err)
	assert.NotEmpty(t, dec.Candidates)

	require.NoError(t, postgres.NewSLAService(db).RecordIncidentChange(ctx, aftercare.IncidentChange{
		IncidentID: incidents[0], Key: "decline-" + first.ID, Version: 1, Kind: string(aftercare.ActionDecline),
		FromStatus: aftercare.StatusTriaged, ToStatus: aftercare.StatusTriaged, Reason: "stuck in traffic",
		At: time.Now(), AssignmentID: first.ID}))
	next, err := d.Assign(ctx, incidents[0], "", "")
	require.NoError(t, err)
	assert.NotEqual(t, first.EngineerID, next.EngineerID, "the decliner is not asked again")
	history, err := store.FindAssignments(ctx, incidents[0])
	require.NoError(t, err)
	require.Len(t, history, 2)
	assert.Equal(t, aftercare.AssignmentDeclined, history[1].State)
	assert.Empty(t, history[1].Parts, "the declined assignment's part is released")
	assert.Len(t, history[0].Parts, 1)

	_, err = d.Assign(ctx, incidents[0], first.EngineerID, "")
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "an override needs a reason")
	var other string
	for i := 1; i <= 5 && other == ""; i++ {
		if id := fmt.Sprintf("e0000000-0000-4000-8000-00000000000%d", i); id != first.EngineerID && id != next.EngineerID {
			other = id
		}
	}
	over, err := d.Assign(ctx, incidents[0], other, "customer asked for the engineer who knows the site")
	require.NoError(t, err)
	assert.Equal(t, other, over.EngineerID)
	assert.Equal(t, "customer asked for the engineer who knows the site", over.OverrideReason)
	history, err = store.FindAssignments(ctx, incidents[0])
	require.NoError(t, err)
	assert.Equal(t, aftercare.AssignmentOverridden, history[1].State)

	_, err = d.Assign(ctx, incidents[1], "e0000000-0000-4000-8000-000000000099", "a reason")
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "an unknown engineer is not a candidate: %v", err)

	_, err = d.Assign(ctx, incidents[0], first.EngineerID, "they know the site")
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
	assert.Contains(t, aftercare.ErrorMessage(err), "declined", "an engineer who declined is not asked again")
}

// TestReportLocationMovesTheEngineer reports a location far away and sees
// the engineer fall from first to last.
func TestReportLocationMovesTheEngineer(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, _ := raceFixture(t, db)
	d := newDispatcher(t, db)
	ctx := context.Background()
	dec, err := d.Candidates(ctx, incidents[0], aftercare.DefaultDispatchRejections)
	require.NoError(t, err)
	nearest := dec.Candidates[0].EngineerID
	require.NoError(t, d.ReportLocation(ctx, nearest, 30.00, 120.00))
	dec, err = d.Candidates(ctx, incidents[0], aftercare.DefaultDispatchRejections)
	require.NoError(t, err)
	assert.Equal(t, nearest, dec.Candidates[len(dec.Candidates)-1].EngineerID)
	assert.Greater(t, dec.Candidates[len(dec.Candidates)-1].DistanceKm, 100.0)

	err = d.ReportLocation(ctx, nearest, 91, 0)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
	err = d.ReportLocation(ctx, "e0000000-0000-4000-8000-000000000099", 31, 121)
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
}

// TestRejectionsNearestFirstWithDeclines has the nearest engineer off shift
// and the farthest one declined: the rejections come nearest first whatever
// the reason, as many as asked for, those who declined included.
func TestRejectionsNearestFirstWithDeclines(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, _ := raceFixture(t, db)
	ctx := context.Background()
	require.NoError(t, db.ExecScript(ctx, fmt.Sprintf(`
		UPDATE engineers SET shifts = '[]' WHERE id = '%s';
		INSERT INTO assignments (incident_id, engineer_id, state, eta, distance_km)
			VALUES ('%s', '%s', 'declined', now(), 14);`, raceEngineer(5), incidents[0], raceEngineer(1))))
	d := newDispatcher(t, db)
	offShift, declined := "off_shift "+raceEngineer(5), "declined "+raceEngineer(1)
	for _, tt := range []struct {
		rejections int
		want       []string
	}{
		{aftercare.DefaultDispatchRejections, []string{offShift, declined}},
		{1, []string{offShift}},
		{0, []string{}},
	} {
		t.Run(fmt.Sprintf("rejections: %d", tt.rejections), func(t *testing.T) {
			dec, err := d.Candidates(ctx, incidents[0], tt.rejections)
			require.NoError(t, err)
			require.Len(t, dec.Candidates, 3)
			assert.Equal(t, tt.want, listed(dec))
			assert.Equal(t, map[string]int{"off_shift": 1, "declined": 1}, dec.RejectionCounts,
				"a short shortlist counts everyone else, listed or not")
		})
	}
}

// TestRejectionCountsFollowTheShortlist: with a full shortlist the
// rejections are those no farther than the farthest candidate and the
// counts tally them; with a short one every engineer who is not a
// candidate is counted, those without the product line under no_skill. An
// engineer who declined and now fails a rule is rejected by the rule and
// changes neither.
func TestRejectionCountsFollowTheShortlist(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, _ := raceFixture(t, db)
	ctx := context.Background()
	require.NoError(t, db.ExecScript(ctx, fmt.Sprintf(`
		UPDATE engineers SET shifts = '[]' WHERE id IN ('%[1]s', '%[2]s');
		DELETE FROM engineer_skills WHERE engineer_id = '%[3]s';
		INSERT INTO assignments (incident_id, engineer_id, state, eta, distance_km)
			VALUES ('%[4]s', '%[1]s', 'declined', now(), 8);`, raceEngineer(5), raceEngineer(1), raceEngineer(2), incidents[0])))

	full, err := newDispatcherRanking(t, db, 2).Candidates(ctx, incidents[0], aftercare.DefaultDispatchRejections)
	require.NoError(t, err)
	require.Len(t, full.Candidates, 2)
	assert.Equal(t, []string{"off_shift " + raceEngineer(5)}, listed(full), "engineer 1 is farther than the farthest candidate")
	assert.Equal(t, map[string]int{"off_shift": 1}, full.RejectionCounts)

	short, err := newDispatcherRanking(t, db, 3).Candidates(ctx, incidents[0], aftercare.DefaultDispatchRejections)
	require.NoError(t, err)
	require.Len(t, short.Candidates, 2)
	assert.Equal(t, []string{"off_shift " + raceEngineer(5), "off_shift " + raceEngineer(1)}, listed(short))
	assert.Equal(t, map[string]int{"off_shift": 2, "no_skill": 1}, short.RejectionCounts)
}

// TestCandidatesAgainstABreachedDeadline: an on-site clock still running
// past its deadline, which the mirror stores as breached, keeps its
// deadline for dispatch, so nobody makes it; a running clock with time
// left is made by everyone near.
func TestCandidatesAgainstABreachedDeadline(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, _ := raceFixture(t, db)
	ctx := context.Background()
	require.NoError(t, db.ExecScript(ctx, fmt.Sprintf(`
		INSERT INTO sla_clocks (incident_id, kind, target, started_at, deadline, state)
			VALUES ('%s', 'on_site', '4h', now() - interval '5 hours', now() - interval '1 hour', 'breached'),
				('%s', 'on_site', '4h', now() - interval '1 hour', now() + interval '3 hours', 'running');`,
		incidents[0], incidents[1])))
	d := newDispatcher(t, db)

	breached, err := d.Candidates(ctx, incidents[0], 0)
	require.NoError(t, err)
	require.Len(t, breached.Candidates, 5)
	for _, c := range breached.Candidates {
		assert.False(t, c.MakesDeadline, "engineer %s arrives after a deadline already past", c.EngineerID)
	}

	running, err := d.Candidates(ctx, incidents[1], 0)
	require.NoError(t, err)
	require.Len(t, running.Candidates, 5)
	for _, c := range running.Candidates {
		assert.True(t, c.MakesDeadline, "engineer %s arrives within three hours", c.EngineerID)
	}
}
