package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aftercare/aftercare/bench"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

const benchUsage = `Usage: aftercare bench <benchmark> [flags]

Benchmarks:
  sla   keep incidents open with live clocks on a Temporal dev server and
        a fresh PostgreSQL database, let escalations fall due at steady
        rates, and drive a bare workflow to the same instants in the same
        run: the engine's own floor
  dispatch  rank the nearest qualified engineer with the part for 10,000
        incidents over 100,000 engineers, against a brute-force scan in Go
        and PostgreSQL with PostGIS (scripts/postgis.sh) in the same run
  dispatch-build  load a fleet into a fresh PostgreSQL database with COPY
        and time the dispatcher's start-up build from it, with its heap per
        engineer and the process's resident memory
  kpi   load two years of closed incidents (1,000,000 by default) and time
        every KPI query per dimension from the stored counters, and computed
        from the base tables in the same run
  intake  file incidents over HTTP against a running Aftercare (make run)
        from concurrent clients until every workflow has started, beside
        bare StartWorkflow calls on the same Temporal server in the same run
  api   serve the API in this process over a fleet and a history (100,000
        engineers and 1,000,000 incidents by default, loaded once into a
        database of its own) and measure its operations over HTTP at 1, 8
        and 32 concurrent clients, the nested list beside a hand-written
        handler of the same JSON
`

// runBench runs one whole-system benchmark of package bench.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, benchUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "sla":
		return runBenchSLA(ctx, args[1:], stdout, stderr)
	case "dispatch":
		return runBenchDispatch(ctx, args[1:], stdout, stderr)
	case "dispatch-build":
		return runBenchDispatchBuild(ctx, args[1:], stdout, stderr)
	case "kpi":
		return runBenchKPI(ctx, args[1:], stdout, stderr)
	case "intake":
		return runBenchIntake(ctx, args[1:], stdout, stderr)
	case "api":
		return runBenchAPI(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, benchUsage)
	return fmt.Errorf("unknown benchmark %q", args[0])
}

// runBenchSLA runs bench.SLA with the configuration of its flags and
// prints a Markdown report.
func runBenchSLA(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench sla", stderr)
	cfg := bench.SLAConfig{}
	fs.StringVar(&cfg.TemporalAddress, "temporal-address", env("AFTERCARE_TEMPORAL_ADDRESS", "localhost:7233"),
		"Temporal frontend host:port of a dev server kept for the bench (AFTERCARE_TEMPORAL_ADDRESS)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "",
		"PostgreSQL database to run on (migrated first; pool_max_conns sets the pool); empty creates a fresh one and drops it afterwards")
	fs.StringVar(&cfg.DatabaseServer, "database-server", env("AFTERCARE_DATABASE_URL", DefaultDatabaseURL),
		"PostgreSQL server the fresh database is created on, as the URL of a database there (AFTERCARE_DATABASE_URL)")
	fs.IntVar(&cfg.Incidents, "incidents", 10000, "incidents kept open with live clocks during the run")
	rates := fs.String("rates", "10,30,100", "escalations per second to measure, comma-separated")
	fs.DurationVar(&cfg.Window, "window", 30*time.Second, "how long escalations fall due at each rate")
	fs.DurationVar(&cfg.Target, "target", 40*time.Second, "response target of the measured incidents (ladder at 50/75/90/100 %)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 32, "workflow starts in flight at once")
	fs.IntVar(&cfg.Pollers, "pollers", 2, "pollers per task queue of the bench's one worker, which runs both the floor and Aftercare")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of each rate's Aftercare run to this file (the rate is added when there are several)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, r := range strings.Split(*rates, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		if err != nil || v <= 0 {
			return fmt.Errorf("rate %q is not a positive number", r)
		}
		cfg.Rates = append(cfg.Rates, v)
	}
	return bench.SLA(ctx, cfg, stdout, stderr)
}

// runBenchDispatch runs bench.Dispatch with the configuration of its flags:
// the dispatch workload through Aftercare's index, a brute-force
// scan in Go and PostgreSQL with PostGIS, under the full parts rule and
// van-only, reporting latency per query and top-candidate agreement.
func runBenchDispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench dispatch", stderr)
	cfg := bench.DispatchConfig{}
	fs.StringVar(&cfg.CitiesFile, "cities", "",
		"city list the fleet and incidents are drawn around, a CSV file laid out as data/cities.csv (default the embedded data/cities.csv)")
	fs.Int64Var(&cfg.Seed, "seed", 20260302, "workload seed")
	fs.IntVar(&cfg.Engineers, "engineers", 100_000, "engineers in the fleet")
	fs.IntVar(&cfg.Depots, "depots", 1_000, "depots")
	fs.IntVar(&cfg.Incidents, "incidents", 10_000, "incidents, each dispatched once by every method")
	at := fs.String("at", "2026-03-04T10:00:00Z", "the dispatch instant every incident is moved to (RFC 3339), at which shifts are read")
	fs.IntVar(&cfg.Warmup, "warmup", 200, "incidents each method runs before it is timed")
	fs.IntVar(&cfg.Reference, "reference", 100, "incidents also run through dispatch.BruteForce, the package's naive reference (0 for none)")
	fs.BoolVar(&cfg.PostGIS, "postgis", true, "compare with PostgreSQL and PostGIS")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env("AFTERCARE_POSTGIS_DATABASE_URL", bench.DefaultPostGISURL),
		"PostgreSQL URL of a database with PostGIS, whose bench_* tables are replaced (AFTERCARE_POSTGIS_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if cfg.At, err = time.Parse(time.RFC3339, *at); err != nil {
		return fmt.Errorf("-at: %w", err)
	}
	return bench.Dispatch(ctx, cfg, stdout, stderr)
}

// runBenchDispatchBuild runs bench.DispatchBuild with the configuration of
// its flags: a fleet of demo engineers in a fresh database, and the
// dispatcher the API builds from it at start.
func runBenchDispatchBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench dispatch-build", stderr)
	cfg := bench.DispatchBuildConfig{Seed: demo.DefaultConfig()}
	fs.StringVar(&cfg.DatabaseURL, "database-url", "",
		"PostgreSQL database without accounts to run on (migrated first); empty creates a fresh one and drops it afterwards")
	fs.StringVar(&cfg.DatabaseServer, "database-server", env("AFTERCARE_DATABASE_URL", DefaultDatabaseURL),
		"PostgreSQL server the fresh database is created on, as the URL of a database there (AFTERCARE_DATABASE_URL)")
	fs.IntVar(&cfg.Seed.Engineers, "engineers", 100_000, "field engineers in the fleet")
	fs.IntVar(&cfg.Seed.Depots, "depots", 1_000, "parts depots")
	fs.IntVar(&cfg.Seed.Parts, "parts", 500, "parts in the catalogue")
	fs.IntVar(&cfg.Seed.VanStockPerEngineer, "van-parts", 10, "different parts in each van")
	fs.Float64Var(&cfg.SpeedKmh, "speed", 60, "travel speed of the dispatcher, km/h")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return bench.DispatchBuild(ctx, cfg, stdout, stderr)
}

// runBenchKPI runs bench.KPI with the configuration of its flags: a
// history of incidents in a database of its own (loaded once, reused
// after) and every KPI query of the API timed per dimension, from the
// stored counters and from the base tables.
func runBenchKPI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench kpi", stderr)
	cfg := bench.KPIConfig{Seed: demo.DefaultConfig()}
	fs.StringVar(&cfg.ServerURL, "server-url", env("AFTERCARE_DATABASE_URL", DefaultDatabaseURL),
		"PostgreSQL URL of any database on the server the benchmark's database is created on (AFTERCARE_DATABASE_URL)")
	fs.StringVar(&cfg.Database, "database", "aftercare_kpi_bench", "the benchmark's database, created and seeded when it holds no history")
	fs.IntVar(&cfg.Incidents, "incidents", 1_000_000, "closed incidents in the history, over two years")
	fs.IntVar(&cfg.Seed.Accounts, "accounts", 1_000, "enterprise accounts")
	fs.IntVar(&cfg.Seed.SitesPerAccount, "sites-per-account", 10, "sites per account")
	fs.IntVar(&cfg.Seed.AssetsPerSite, "assets-per-site", 40, "assets per site (400,000 in all by default, so that one asset in ten fails again within a month)")
	fs.IntVar(&cfg.Seed.Engineers, "engineers", 2_000, "field engineers")
	fs.IntVar(&cfg.Seed.Depots, "depots", 100, "parts depots")
	fs.IntVar(&cfg.Runs, "runs", 200, "timed runs of each query from the stored counters")
	fs.IntVar(&cfg.NaiveRuns, "naive-runs", 1, "timed runs of each query computed from the base tables (no warm-up: each takes tens of seconds at the default size)")
	fs.StringVar(&cfg.Only, "only", "", "run only the queries whose dimension and name contain this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return bench.KPI(ctx, cfg, stdout)
}

// runBenchIntake runs bench.Intake against the running Aftercare its
// configuration names: the API at -url, its database and Temporal server.
func runBenchIntake(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench intake", stderr)
	var cfg Config
	cfg.bindFlags(fs)
	url := fs.String("url", "http://127.0.0.1:8080", "base URL of the running API")
	clients := fs.String("clients", "1,8,32", "concurrent clients to measure, comma-separated")
	incidents := fs.Int("incidents", 300, "incidents each round files")
	timeout := fs.Duration("timeout", 5*time.Minute, "longest wait for a round's workflows to start")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	tc, err := client.DialContext(ctx, client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer tc.Close()
	bc := bench.IntakeConfig{URL: *url, DB: db, Temporal: tc, Incidents: *incidents, Timeout: *timeout,
		Mint: func(ctx context.Context, username string) (string, error) {
			return mintToken(ctx, &cfg, db, username, time.Hour)
		}}
	for _, c := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n <= 0 {
			return fmt.Errorf("clients %q is not a positive number", c)
		}
		bc.Clients = append(bc.Clients, n)
	}
	return bench.Intake(ctx, bc, stdout)
}
