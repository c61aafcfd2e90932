package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchDispatchSmall runs `aftercare bench dispatch` on a small fleet
// without PostGIS: every method runs and finds the same top candidate as
// Aftercare's index for every incident. Timings are printed, not checked.
func TestBenchDispatchSmall(t *testing.T) {
	var out, log bytes.Buffer
	err := run(context.Background(), []string{"bench", "dispatch",
		"-engineers", "2000", "-depots", "40", "-incidents", "200", "-warmup", "10", "-reference", "20",
		"-postgis=false",
	}, &out, &log)
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
