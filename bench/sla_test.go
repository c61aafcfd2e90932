package bench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchSLASmall runs the SLA bench small, on the test Temporal server
// and a fresh database it creates and drops: every run of the one rate
// fires every escalation, and Aftercare's are in PostgreSQL with their
// notifications and reached the webhook, and the CPU profile of
// Aftercare's run was written. Timings are printed, not checked.
func TestBenchSLASmall(t *testing.T) {
	var out, log bytes.Buffer
	profile := filepath.Join(t.TempDir(), "cpu.pprof")
	err := SLA(context.Background(), SLAConfig{TemporalAddress: workflowstest.Address(), DatabaseServer: postgrestest.ServerURL(),
		Incidents: 20, Rates: []float64{20}, Window: 2 * time.Second, Target: 4 * time.Second, Concurrency: 32, Pollers: 2,
		CPUProfile: profile,
	}, &out, &log)
	require.NoError(t, err, "log:\n%s", log.String())
	t.Log("\n" + out.String())
	info, err := os.Stat(profile)
	require.NoError(t, err, "the CPU profile of Aftercare's run")
	assert.Positive(t, info.Size(), "the CPU profile of Aftercare's run is empty")
	assert.Contains(t, log.String(), "cpu_user_sys=", "each run logs its CPU time")

	var rows []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "| 20 |") {
			rows = append(rows, line)
		}
	}
	require.Len(t, rows, 3, "the floor, the local floor and Aftercare")
	for _, row := range rows {
		assert.Contains(t, row, "| 40/40 |", "every escalation fired: %s", row)
	}
	// Ten incidents, four levels each; per incident one dispatcher, the
	// duty manager, the account manager, and at the breach two directors
	// and the customer contact.
	assert.Contains(t, rows[2], "| 40 escalations, 60 notifications |")
	assert.Contains(t, out.String(), "Webhook deliveries of the measured escalations: 40 of 40")
}
