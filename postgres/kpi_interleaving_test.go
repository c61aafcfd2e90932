package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kpiStatement is one statement of a writer in an interleaving.
type kpiStatement struct {
	sql  string
	args []any
}

// kpiSharedWorld is the history the interleaved writers start from, with
// an asset and engineers that their changes share:
//
//	A  ACME covered asset, filed 2 Jun 10:00, response met 10:10; E1 came
//	   (assignment completed) and arrived 12:00, then E2 was sent
//	   (accepted 13:00), so A's engineer is E2; not resolved.
//	C  ACME bare asset, filed 5 Jun 09:00, response met 09:05; nobody sent.
type kpiSharedWorld struct {
	acme   postgres.Fixture
	e1, e2 string
	a, c   string
}

func mustKPISharedWorld(t *testing.T, db *postgres.DB) kpiSharedWorld {
	h := &kpiHistory{tb: t, db: db}
	w := kpiSharedWorld{acme: postgres.MustFixture(t, db, "ACME", "platinum")}
	w.e1 = h.engineer("E1", "east", ownProvider)
	w.e2 = h.engineer("E2", "east", huatongProvider)

	w.a = h.incident(w.acme.CoveredSerial, at(6, 2, 10, 0))
	h.clock(w.a, "response", "met", at(6, 2, 10, 0), at(6, 2, 10, 15), ptr(at(6, 2, 10, 10)))
	h.assign(w.a, w.e1, "completed", at(6, 2, 10, 20))
	h.event(w.a, "triaged", "dispatched", at(6, 2, 10, 20))
	h.event(w.a, "dispatched", "on_site", at(6, 2, 12, 0))
	h.assign(w.a, w.e2, "accepted", at(6, 2, 13, 0))

	w.c = h.incident(w.acme.BareSerial, at(6, 5, 9, 0))
	h.clock(w.c, "response", "met", at(6, 5, 9, 0), at(6, 5, 9, 15), ptr(at(6, 5, 9, 5)))
	return w
}

// resolveA resolves A on 3 Jun 14:30.
func (w kpiSharedWorld) resolveA() kpiStatement {
	return kpiStatement{`INSERT INTO incident_events (incident_id, kind, from_status, to_status, at)
		VALUES ($1, 'transition', 'verified', 'resolved', $2)`, []any{w.a, at(6, 3, 14, 30)}}
}

// fileOnAsAsset files another incident for A's asset on 10 Jun, within 30
// days of A's resolution: A, once resolved, is a repeat visit.
func (w kpiSharedWorld) fileOnAsAsset() kpiStatement {
	return kpiStatement{fileKPIIncident, []any{w.acme.CoveredSerial, "kpi-again", at(6, 10, 9, 0)}}
}

// assignCToE1 sends E1 to C.
func (w kpiSharedWorld) assignCToE1() kpiStatement {
	return kpiStatement{`INSERT INTO assignments (incident_id, engineer_id, state, eta, distance_km, created_at)
		VALUES ($1, $2, 'accepted', $3, 1, $3)`, []any{w.c, w.e1, at(6, 5, 9, 30)}}
}

// cancelE2OnA cancels E2's assignment to A, which makes E1 A's engineer
// again.
func (w kpiSharedWorld) cancelE2OnA() kpiStatement {
	return kpiStatement{`UPDATE assignments SET state = 'cancelled' WHERE incident_id = $1 AND engineer_id = $2`,
		[]any{w.a, w.e2}}
}

// move moves an engineer to a provider.
func (w kpiSharedWorld) move(engineer, provider string) kpiStatement {
	return kpiStatement{`UPDATE engineers SET provider_id = $2 WHERE id = $1`, []any{engineer, provider}}
}

// TestKPIsUnderInterleavedWriters runs two transactions whose facts read
// each other's rows, on two connections: the first writes and stays open,
// the second writes and either commits at once or waits for the first,
// which then commits. Either way the counters equal the base tables.
func TestKPIsUnderInterleavedWriters(t *testing.T) {
	for _, tt := range []struct {
		name          string
		first, second func(w kpiSharedWorld) kpiStatement
		repeats       int64
	}{
		{name: "a resolution, then another incident of its asset",
			first: kpiSharedWorld.resolveA, second: kpiSharedWorld.fileOnAsAsset, repeats: 1},
		{name: "an incident, then the resolution of an earlier one of its asset",
			first: kpiSharedWorld.fileOnAsAsset, second: kpiSharedWorld.resolveA, repeats: 1},
		{name: "an earlier engineer back on an incident, then that engineer's provider",
			first:  kpiSharedWorld.cancelE2OnA,
			second: func(w kpiSharedWorld) kpiStatement { return w.move(w.e1, huatongProvider) }},
		{name: "an engineer's provider, then that engineer back on an incident",
			first:  func(w kpiSharedWorld) kpiStatement { return w.move(w.e1, huatongProvider) },
			second: kpiSharedWorld.cancelE2OnA},
		{name: "a new assignment, then its engineer's provider",
			first:  kpiSharedWorld.assignCToE1,
			second: func(w kpiSharedWorld) kpiStatement { return w.move(w.e1, huatongProvider) }},
		{name: "an engineer's provider, then a new assignment to the engineer",
			first:  func(w kpiSharedWorld) kpiStatement { return w.move(w.e1, huatongProvider) },
			second: kpiSharedWorld.assignCToE1},
		{name: "a resolution, then its engineer's provider",
			first:  kpiSharedWorld.resolveA,
			second: func(w kpiSharedWorld) kpiStatement { return w.move(w.e2, ownProvider) }},
		{name: "an engineer's provider, then the resolution of the engineer's incident",
			first:  func(w kpiSharedWorld) kpiStatement { return w.move(w.e2, ownProvider) },
			second: kpiSharedWorld.resolveA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := postgrestest.MustOpen(t)
			w := mustKPISharedWorld(t, db)
			waited := interleaveKPIWriters(t, db, tt.first(w), tt.second(w))
			t.Logf("the second writer waited for the first: %v", waited)

			s := postgres.NewKPIService(db)
			rows, err := s.FindKPIs(context.Background(), aftercare.KPIFilter{Dimension: aftercare.KPIByAccount,
				From: at(6, 1, 0, 0), To: at(6, 1, 0, 0), Granularity: aftercare.KPIWholePeriod})
			require.NoError(t, err)
			require.Len(t, rows, 1)
			assert.Equal(t, tt.repeats, rows[0].RepeatVisits, "repeat visits")
			postgrestest.AssertKPICountersMatchBase(t, s, &aftercare.Scope{AccountIDs: []string{w.acme.AccountID}},
				&aftercare.Scope{Regions: []string{"east"}})
		})
	}
}

// interleaveKPIWriters runs first in a transaction left open, then second
// in another. If second completes, it commits before first; if it waits
// for a lock, first commits and then second. It reports whether second
// waited.
func interleaveKPIWriters(t *testing.T, db *postgres.DB, first, second kpiStatement) (waited bool) {
	t.Helper()
	ctx := context.Background()
	a := postgres.MustBegin(t, db)
	_, err := a.Exec(ctx, first.sql, first.args...)
	require.NoError(t, err, first.sql)

	b := postgres.MustBegin(t, db)
	pid := b.Conn().PgConn().PID()
	done := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, second.sql, second.args...)
		done <- err
	}()
	// However this ends, first ends before second is waited for, so that a
	// failed check never leaves second waiting on first's locks.
	finished := false
	defer func() {
		if !finished {
			_ = a.Rollback(ctx)
			<-done
		}
	}()

	deadline := time.Now().Add(10 * time.Second)
	for !waited {
		select {
		case err := <-done:
			finished = true
			require.NoError(t, err, second.sql)
			require.NoError(t, b.Commit(ctx))
			require.NoError(t, a.Commit(ctx))
			return false
		case <-time.After(10 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "the second writer neither completes nor waits for a lock")
		waited = postgres.MustQueryString(t, db,
			`SELECT coalesce(wait_event_type, '') FROM pg_stat_activity WHERE pid = $1`, pid) == "Lock"
	}
	require.NoError(t, a.Commit(ctx))
	finished = true
	require.NoError(t, <-done, second.sql)
	require.NoError(t, b.Commit(ctx))
	return true
}
