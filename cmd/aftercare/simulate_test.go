package main

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/sim"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSimulatedDay runs a short compressed day (an hour of the morning
// peak at 120×, about thirty incidents in half a minute) against the real
// stack through the API, and checks that the users met no error, that no
// response was a server error, and that the day ended with every engineer
// free, every reservation consumed or released and the stock ledger whole.
func TestSimulatedDay(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated day takes a minute")
	}
	env := mustTestEnv(t)
	hooks, err := sim.NewReceiver()
	require.NoError(t, err)
	t.Cleanup(func() { _ = hooks.Close() })
	env.cfg.Webhooks = []string{hooks.URL()}
	m := env.startMain(t)
	var log bytes.Buffer
	day, err := sim.Run(context.Background(), sim.Config{Hours: 1, SpeedUp: 120, Seed: 7, Incidents: 400, StartHour: 9,
		Drain: time.Minute}, sim.Env{URLs: []string{m.URL()}, Log: &log, Webhooks: hooks,
		Mint: func(_ context.Context, username string) (string, error) { return env.token(t, username), nil }})
	require.NoError(t, err)
	var report bytes.Buffer
	checked := checkDay(context.Background(), &report, env.db, workflowCounter{c: m.Temporal, namespace: "default"}, day, nil)
	t.Logf("%s%s", log.String(), report.String())
	require.NoError(t, checked, "every invariant holds")

	assert.GreaterOrEqual(t, len(day.Accepted), 15, "the morning peak filed incidents")
	assert.Positive(t, day.Counts["jobs completed"], "engineers completed jobs")
	assert.Equal(t, 1, day.Counts["engineers added"])
	assert.Equal(t, 1, day.Counts["assets added"])
	assert.Positive(t, day.Counts["surveys answered"], "contacts answered their surveys")
	assert.Zero(t, day.ServerErrors, "no response was a server error")
	assert.Zero(t, day.ProblemCount, "the users met no error: %v", day.Problems)
	assert.Zero(t, postgrestest.MustQueryInt(t, env.db, `SELECT count(*) FROM assignments WHERE state IN
		('proposed', 'accepted', 'en_route', 'on_site')`), "every engineer is free at the end of the day")
	assert.Zero(t, postgrestest.MustQueryInt(t, env.db, `SELECT count(*) FROM part_reservations WHERE state = 'reserved'`))
	postgrestest.AssertJobInvariants(t, env.db, nil)
}

// TestSimulatedDayUnderChaos runs `aftercare simulate -chaos` for a short
// compressed day: the simulator starts a cluster of its own (PostgreSQL,
// Temporal, two API replicas, two workers — this test binary acting as
// the aftercare command), kills API replicas, workers and PostgreSQL with
// SIGKILL at seeded random moments, and every invariant must still hold.
func TestSimulatedDayUnderChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated day under chaos takes two minutes")
	}
	workflowstest.MustDial(t) // the Temporal CLI is installed with the test server
	t.Setenv("AFTERCARE_TEST_RUN_MAIN", "1")
	dir, err := os.MkdirTemp("", "aftercare-chaos-test-") // t.TempDir's parent is closed to PostgreSQL's user
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var out bytes.Buffer
	err = run(context.Background(), []string{"simulate", "-chaos", "-chaos-dir", dir, "-temporal-cli", "../../.bin/temporal",
		"-hours", "1", "-speed-up", "120", "-size", "400", "-start-hour", "9", "-seed", "3", "-engineers", "40", "-drain", "1m",
		"-chaos-kinds", "api,worker,postgres", "-chaos-every", "10s"}, &out, &out)
	t.Log(out.String())
	require.NoError(t, err, "every invariant holds under chaos")
	assert.Contains(t, out.String(), "chaos: SIGKILL", "processes were killed")
	assert.NotContains(t, out.String(), "never:", "every process served again after each fault")
}
