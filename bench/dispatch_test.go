package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchDispatchSmall runs the dispatch bench on a small fleet without
// PostGIS: every method runs and finds the same top candidate as
// Aftercare's index for every incident. Timings are printed, not checked.
func TestBenchDispatchSmall(t *testing.T) {
	var out, log bytes.Buffer
	err := Dispatch(context.Background(), DispatchConfig{Seed: 20260302, Engineers: 2000, Depots: 40, Incidents: 200,
		At: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), Warmup: 10, Reference: 20}, &out, &log)
	require.NoError(t, err, "log:\n%s", log.String())
	t.Log("\n" + out.String())

	var rows []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "| full |") || strings.HasPrefix(line, "| van only |") {
			rows = append(rows, line)
		}
	}
	require.Len(t, rows, 8, "Aftercare twice, two scans and the reference under the full rule, Aftercare twice and a scan van-only")
	for _, row := range rows {
		assert.Contains(t, row, "(100.00 %)", "top candidates agree: %s", row)
	}
}
