package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/workflows"
)

// DispatchBuildConfig is what `aftercare bench dispatch-build` runs.
type DispatchBuildConfig struct {
	// DatabaseServer is the PostgreSQL server the fresh database is
	// created on, as the URL of a database there; DatabaseURL, when set,
	// names a database to run on instead, which must hold no accounts.
	DatabaseServer, DatabaseURL string
	// Seed is the demo data set loaded first: its Engineers, Depots, Parts
	// and VanStockPerEngineer size the fleet.
	Seed demo.Config
	// SpeedKmh is the travel speed of the dispatcher built.
	SpeedKmh float64
}

// DispatchBuild loads a fleet into a fresh database with COPY (the demo
// data set at the configured size), then builds the dispatcher exactly as
// the API and worker processes do at start (workflows.NewDispatcher over
// postgres.NewDispatchService: the fleet read, then the index), and reports
// the build's wall and CPU time, the heap the dispatcher holds per engineer
// (after a collection, before and after the build) and the process's
// resident memory.
func DispatchBuild(ctx context.Context, cfg DispatchBuildConfig, out, log io.Writer) error {
	db, drop, err := openBenchDatabase(ctx, cfg.DatabaseURL, cfg.DatabaseServer)
	if err != nil {
		return err
	}
	defer drop()
	defer db.Close()
	host, _ := os.Hostname()
	fmt.Fprintf(out, "machine: %s, %d CPUs (GOMAXPROCS %d), %s, %s\n", host, runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAverage(), runtime.Version())
	fmt.Fprintf(log, "bench dispatch-build: loading %d engineers\n", cfg.Seed.Engineers)
	start := time.Now()
	if _, err := demo.Seed(ctx, db, cfg.Seed); err != nil {
		return err
	}
	if err := db.ExecScript(ctx, "ANALYZE engineers, engineer_skills, stock, assignments"); err != nil {
		return err
	}
	fmt.Fprintf(out, "fleet loaded (COPY, then ANALYZE): %d engineers, %d depots, %d parts, %d parts per van, in %s\n",
		cfg.Seed.Engineers, cfg.Seed.Depots, cfg.Seed.Parts, cfg.Seed.VanStockPerEngineer, time.Since(start).Round(time.Millisecond))

	fmt.Fprintln(log, "bench dispatch-build: building the dispatcher")
	runtime.GC()
	before := heapAlloc()
	rssBefore := procStatus("VmRSS")
	cpu := processCPU()
	start = time.Now()
	d, err := workflows.NewDispatcher(ctx, postgres.NewDispatchService(db), slog.New(slog.NewTextHandler(io.Discard, nil)),
		workflows.DispatcherConfig{SpeedKmh: cfg.SpeedKmh, Shortlist: 5})
	if err != nil {
		return err
	}
	wall, cpu := time.Since(start), processCPU()-cpu
	runtime.GC()
	after := heapAlloc()
	n := max(1, cfg.Seed.Engineers)
	fmt.Fprintf(out, "dispatcher built (fleet read and index) in %.2f s wall, %.2f s CPU (user+sys of this process; PostgreSQL's backend not included)\n",
		wall.Seconds(), cpu.Seconds())
	fmt.Fprintf(out, "heap held by the dispatcher: %.1f MiB, %.0f bytes per engineer\n",
		float64(after-min(before, after))/(1<<20), float64(after-min(before, after))/float64(n))
	fmt.Fprintf(out, "process memory: VmRSS %s before the build, %s after; VmHWM (peak) %s\n",
		rssBefore, procStatus("VmRSS"), procStatus("VmHWM"))
	runtime.KeepAlive(d)
	return nil
}

// procStatus returns a field of /proc/self/status, such as "VmRSS", as
// written there ("123456 kB"), or "unknown".
func procStatus(field string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
