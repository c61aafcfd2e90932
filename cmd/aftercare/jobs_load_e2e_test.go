package main

import (
	"context"
	"fmt"
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

// TestLoadsHoldUnderConcurrentDispatchAndCancellation files 50 incidents
// on the real stack, each needing a part, and then, all at once, has a
// dispatcher assign an engineer to every one of them while half of them
// are cancelled as soon as they have one, through the API and the
// incidents' workflows; then it dispatches again what is left. Every
// engineer is on shift and able, with one unit of each part in the van, so
// dispatches race for the same engineers and units. Afterwards no
// cancelled incident holds a job, no reservation outlives its job, every
// engineer's load is their active jobs — in PostgreSQL, in the GraphQL
// Engineer.load, and in a dispatch index that followed the change feed
// from before the first filing.
func TestLoadsHoldUnderConcurrentDispatchAndCancellation(t *testing.T) {
	env := mustTestEnv(t)
	ctx := context.Background()
	serials := []string{env.summary.Serials[aftercare.TierPremium], env.summary.Serials[aftercare.TierStandard]}
	frus := make([]string, len(serials))
	for i, serial := range serials {
		require.NoError(t, env.db.QueryRow(ctx, `
			SELECT p.fru FROM parts p JOIN part_product_lines pl ON pl.part_id = p.id JOIN assets a ON a.product_line = pl.product_line
			WHERE a.serial_number = $1 ORDER BY p.fru LIMIT 1`, []any{serial}, &frus[i]))
		require.NoError(t, env.db.ExecScript(ctx, fmt.Sprintf(`
			UPDATE engineers SET tier_clearance = 'platinum', shifts = (SELECT shifts FROM engineers WHERE code = 'ENG-00001');
			INSERT INTO engineer_skills (engineer_id, product_line, level)
			SELECT e.id, a.product_line, 3 FROM engineers e, assets a WHERE a.serial_number = '%[1]s'
			ON CONFLICT (engineer_id, product_line) DO UPDATE SET level = 3;
			%[2]s`, serial, postgrestest.VanStockSQL(frus[i], 1, "true"))))
	}
	follower, err := workflows.NewDispatcher(ctx, postgres.NewDispatchService(env.db), testLogger(),
		workflows.DispatcherConfig{SpeedKmh: 40, Shortlist: 5})
	require.NoError(t, err)
	m := env.startMain(t)
	admin := env.token(t, "admin")

	incidents := make([]string, 50)
	for i := range incidents {
		input := incidentInput(serials[i%2], uniqueID("load"))
		input["priority"] = "P2"
		input["parts"] = []any{map[string]any{"fru": frus[i%2], "quantity": 1}}
		filed := gql(t, m.URL(), admin, createIncidentMutation, map[string]any{"input": input})
		require.Empty(t, filed.Errors, "%+v", filed.Errors)
		incidents[i] = dig(filed.Data, "createIncident", "id").(string)
	}
	waitFor(t, 60*time.Second, "every incident's workflow", func() bool {
		return postgrestest.MustQueryInt(t, env.db, `SELECT count(*) FROM incidents WHERE workflow_started_at IS NULL`) == 0
	})

	var wg sync.WaitGroup
	begin := make(chan struct{})
	cancelled := make([]*gqlResponse, len(incidents))
	for i, id := range incidents {
		wg.Go(func() {
			<-begin
			vars := map[string]any{"id": id}
			if got, err := tryGraphQL(m.URL(), admin, `mutation($id: ID!) { assignEngineer(incidentId: $id) { id } }`, vars); err != nil ||
				got.code() != "" && got.code() != aftercare.ECONFLICT {
				t.Errorf("assign incident %d: %v %+v", i, err, got)
			}
			if i%2 == 1 {
				cancelled[i], _ = tryGraphQL(m.URL(), admin, `mutation($id: ID!) { cancelIncident(id: $id, reason: "fixed by a reboot") {
					status assignments { state } } }`, vars)
			}
		})
	}
	close(begin)
	wg.Wait()
	for i, got := range cancelled {
		if i%2 == 1 {
			require.NotNil(t, got, "incident %d", i)
			require.Empty(t, got.Errors, "cancel incident %d: %+v", i, got.Errors)
			for _, a := range dig(got.Data, "cancelIncident", "assignments").([]any) {
				assert.NotContains(t, []string{"PROPOSED", "ACCEPTED", "EN_ROUTE", "ON_SITE"}, dig(a, "state"),
					"incident %d: a cancelled incident's job ends with it", i)
			}
		}
	}
	ended := postgrestest.MustQueryInt(t, env.db, `SELECT count(*) FROM assignments WHERE state = 'cancelled'`)
	t.Logf("%d jobs ended with their incidents; %d active", ended,
		postgrestest.MustQueryInt(t, env.db, `SELECT count(*) FROM assignments WHERE state = 'proposed'`))
	assert.Positive(t, ended, "cancellations met jobs")

	for i, id := range incidents {
		if i%2 == 0 {
			gql(t, m.URL(), admin, `mutation($id: ID!) { assignEngineer(incidentId: $id) { id } }`, map[string]any{"id": id})
		}
	}
	require.NoError(t, follower.Refresh(ctx))
	postgrestest.AssertJobInvariants(t, env.db, postgrestest.IndexLoads(t, env.db, follower))
	engineers := gql(t, m.URL(), admin, `{ engineers(first: 100) { edges { node { code load currentJobs { id } } } } }`, nil)
	require.Empty(t, engineers.Errors)
	for _, e := range dig(engineers.Data, "engineers", "edges").([]any) {
		assert.Equal(t, float64(len(dig(e, "node", "currentJobs").([]any))), dig(e, "node", "load"),
			"%s's load is the jobs they hold", dig(e, "node", "code"))
	}
}
