package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchDispatchFlags runs `aftercare bench dispatch` tiny, over the
// embedded city list and over a file given with -cities: the flags reach
// the bench, which reports its workload and a row per method.
func TestBenchDispatchFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cities.csv")
	require.NoError(t, os.WriteFile(file, []byte("city,country,lat,lng,tz\nHangzhou,CN,30.2741,120.1551,Asia/Shanghai\n"), 0o644))
	for _, tt := range []struct {
		name   string
		cities []string
	}{
		{"embedded cities", nil},
		{"cities file", []string{"-cities", file}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, log bytes.Buffer
			args := append([]string{"bench", "dispatch", "-seed", "7", "-engineers", "300", "-depots", "5", "-incidents", "20",
				"-warmup", "2", "-reference", "2", "-postgis=false"}, tt.cities...)
			require.NoError(t, run(context.Background(), args, &out, &log), "log:\n%s", log.String())
			assert.Contains(t, out.String(), "Workload (seed 7): 300 engineers")
			assert.Contains(t, out.String(), "| full | dispatch.BruteForce, the package's naive reference (first 2 incidents) |")
		})
	}
	var out, log bytes.Buffer
	err := run(context.Background(), []string{"bench", "dispatch", "-cities", filepath.Join(t.TempDir(), "missing.csv"), "-postgis=false"}, &out, &log)
	assert.ErrorContains(t, err, "missing.csv")
}
