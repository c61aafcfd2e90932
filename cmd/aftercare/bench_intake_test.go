package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/bench"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchIntakeEndToEnd runs the intake benchmark at a small size against
// the API and worker of this process: every incident it files has its
// workflow started before the report is written, both floors report a
// rate, and the incidents are cancelled afterwards.
func TestBenchIntakeEndToEnd(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	ctx := context.Background()
	var out bytes.Buffer
	err := bench.Intake(ctx, bench.IntakeConfig{URL: m.URL(), DB: env.db, Temporal: workflowstest.MustDial(t),
		Clients: []int{1, 4}, Incidents: 12, Timeout: time.Minute,
		Mint: func(ctx context.Context, username string) (string, error) {
			return mintToken(ctx, &env.cfg, env.db, username, time.Hour)
		}}, &out)
	require.NoError(t, err)
	t.Log("\n" + out.String())

	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n")[2:] {
		rows = append(rows, strings.Split(strings.Trim(line, "| "), " | "))
	}
	require.Len(t, rows, 2, "a row per number of clients")
	for _, r := range rows {
		for _, col := range []int{2, 3, 6, 8} { // filed/s, started/s, bare/s, bare past first task/s
			v, err := strconv.ParseFloat(r[col], 64)
			require.NoError(t, err, r[col])
			assert.Positive(t, v, "column %d of %v", col, r)
		}
	}
	assert.Equal(t, int64(24), postgrestest.MustQueryInt(t, env.db,
		`SELECT count(*) FROM incidents WHERE client_request_id LIKE 'bench-intake-%' AND workflow_started_at IS NOT NULL`),
		"incidents filed with their workflows started")
	waitFor(t, 30*time.Second, "the filed incidents cancelled", func() bool {
		return postgrestest.MustQueryInt(t, env.db,
			`SELECT count(*) FROM incidents WHERE client_request_id LIKE 'bench-intake-%' AND status <> 'cancelled'`) == 0
	})
}
