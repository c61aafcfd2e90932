package postgrestest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// activeStates is the SQL list of the job states that hold an engineer.
const activeStates = `('proposed', 'accepted', 'en_route', 'on_site')`

// AssertJobInvariants checks, against the database, the rules engineers'
// jobs keep whatever happened before (DESIGN.md §5, §7):
//
//   - an engineer's load is their active jobs, as the fleet's change feed
//     reads it, and as indexLoads holds it when given (the dispatch
//     index's loads by engineer ID, read after the feed caught up);
//   - an incident holds at most one active job;
//   - no reservation outlives its job's active state: every part still
//     reserved belongs to an active job, and each stock row's reserved
//     count is the sum of its parts still reserved;
//   - an incident that is resolved, closed or cancelled holds no active
//     job;
//   - the stock ledger holds (AssertStockLedger): the reservations,
//     releases and consumptions of jobs are its movements.
func AssertJobInvariants(tb testing.TB, db *postgres.DB, indexLoads map[string]int) {
	tb.Helper()
	AssertStockLedger(tb, db)
	ctx := context.Background()
	active := map[string]int{}
	var engineer string
	var n int
	require.NoError(tb, db.Query(ctx, `SELECT engineer_id::text, count(*) FROM assignments WHERE state IN `+activeStates+`
		GROUP BY engineer_id`, nil, []any{&engineer, &n}, func() error { active[engineer] = n; return nil }))
	fleet, err := postgres.NewDispatchService(db).FleetChangesSince(ctx, "")
	require.NoError(tb, err)
	for _, e := range fleet.Engineers {
		assert.Equal(tb, active[e.ID], e.Load, "engineer %s's load as the fleet's feed reads it is their active jobs", e.Code)
		if indexLoads != nil {
			assert.Equal(tb, active[e.ID], indexLoads[e.ID], "engineer %s's load in the dispatch index is their active jobs", e.Code)
		}
	}
	assert.Empty(tb, violations(tb, db, `
		SELECT 'incident ' || incident_id || ' holds ' || count(*) || ' active jobs'
		FROM assignments WHERE state IN `+activeStates+` GROUP BY incident_id HAVING count(*) > 1`),
		"an incident holds at most one active job")
	assert.Empty(tb, violations(tb, db, `
		SELECT 'reservation ' || r.id || ' of job ' || x.id || ', which is ' || x.state || ', is still reserved'
		FROM part_reservations r JOIN assignments x ON x.id = r.assignment_id
		WHERE r.state = 'reserved' AND x.state NOT IN `+activeStates),
		"no reservation outlives its job's active state")
	assert.Empty(tb, violations(tb, db, `
		SELECT 'stock row ' || st.id || ' counts ' || st.reserved || ' reserved, its reservations ' || coalesce(r.quantity, 0)
		FROM stock st
		LEFT JOIN (SELECT stock_id, sum(quantity) AS quantity FROM part_reservations WHERE state = 'reserved'
			GROUP BY stock_id) r ON r.stock_id = st.id
		WHERE st.reserved <> coalesce(r.quantity, 0)`),
		"a stock row's reserved units are its reservations")
	assert.Empty(tb, violations(tb, db, `
		SELECT 'incident ' || i.number || ' is ' || i.status || ' and holds job ' || x.id || ', which is ' || x.state
		FROM incidents i JOIN assignments x ON x.incident_id = i.id
		WHERE i.status IN ('resolved', 'closed', 'cancelled') AND x.state IN `+activeStates),
		"an incident that has ended holds no active job")
}

// violations runs a query that returns one line of text per violation.
func violations(tb testing.TB, db *postgres.DB, sql string) []string {
	tb.Helper()
	var out []string
	var line string
	require.NoError(tb, db.Query(context.Background(), sql, nil, []any{&line}, func() error {
		out = append(out, line)
		return nil
	}), sql)
	return out
}

// IndexLoads reads the load of every engineer of the fleet from a
// dispatch service's index, for AssertJobInvariants; an engineer the index
// does not hold fails the test.
func IndexLoads(tb testing.TB, db *postgres.DB, d aftercare.DispatchService) map[string]int {
	tb.Helper()
	ctx := aftercare.NewContextWithScope(context.Background(), &aftercare.Scope{All: true})
	fleet, err := postgres.NewDispatchService(db).FleetChangesSince(ctx, "")
	require.NoError(tb, err)
	out := make(map[string]int, len(fleet.Engineers))
	for i := range fleet.Engineers {
		e := &fleet.Engineers[i]
		st, err := d.Standing(ctx, &e.Engineer)
		require.NoError(tb, err)
		require.True(tb, st.Indexed, fmt.Sprintf("engineer %s is in the dispatch index", e.Code))
		out[e.ID] = st.IndexedLoad
	}
	return out
}
