package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/sim"
	"github.com/aftercare/aftercare/sim/cluster"
	"github.com/aftercare/aftercare/workflows"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// simulateFlags are the flags of `aftercare simulate`.
type simulateFlags struct {
	cfg         Config
	day         sim.Config
	urls        string
	chaos       bool
	chaosKinds  string
	chaosEvery  time.Duration
	chaosDir    string
	temporalCLI string
	engineers   int
}

// runSimulate runs a simulated service day through the public API —
// against a running Aftercare, or, with -chaos, against a cluster of its
// own whose processes it kills and restarts — then checks what must hold
// and prints the day's report.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("simulate", stderr)
	var f simulateFlags
	f.cfg.bindFlags(fs)
	fs.Float64Var(&f.day.Hours, "hours", 24, "simulated hours the day lasts")
	fs.Float64Var(&f.day.SpeedUp, "speed-up", 60, "simulated seconds per real second")
	fs.Uint64Var(&f.day.Seed, "seed", 1, "seed of the day's arrivals, choices and faults")
	fs.IntVar(&f.day.Incidents, "size", 400, "incidents a whole simulated day brings (a shorter day its hours' share)")
	fs.Float64Var(&f.day.StartHour, "start-hour", 8, "simulated hour of day the run starts at")
	fs.DurationVar(&f.day.Drain, "drain", 5*time.Minute, "real time the end of the day waits for engineers to finish")
	fs.StringVar(&f.urls, "url", "http://127.0.0.1:8080", "base URL of the API, or several separated by commas (not with -chaos)")
	fs.BoolVar(&f.chaos, "chaos", false, "run on a cluster of the simulator's own (PostgreSQL, Temporal, 2 API replicas, 2 workers) and kill its processes at random")
	fs.StringVar(&f.chaosKinds, "chaos-kinds", "api,worker,temporal,postgres", "the kinds of process chaos kills")
	fs.DurationVar(&f.chaosEvery, "chaos-every", 2*time.Minute, "mean real time between faults")
	fs.StringVar(&f.chaosDir, "chaos-dir", "", "where the chaos cluster keeps its data and logs (default: a new temporary folder)")
	fs.StringVar(&f.temporalCLI, "temporal-cli", env("AFTERCARE_TEMPORAL_CLI", ".bin/temporal"), "Temporal CLI whose dev server the chaos cluster runs")
	fs.IntVar(&f.engineers, "engineers", 360, "engineers of the chaos cluster's organisation")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stdout = &lockedWriter{w: stdout} // the simulator and the chaos cluster print from their own goroutines
	hooks, err := sim.NewReceiver()
	if err != nil {
		return err
	}
	defer hooks.Close()
	if f.chaos {
		return simulateChaos(ctx, &f, hooks, stdout)
	}
	return simulateOn(ctx, &f, strings.Split(f.urls, ","), nil, nil, stdout, nil)
}

// simulateOn runs the day against the API at urls, the database and
// Temporal of f.cfg, and checks it. hooks, when the system delivers its
// webhooks there, lets contacts answer surveys; logs are the processes'
// logs to scan; afterDay, when set, runs once the day is over, before the
// checks.
func simulateOn(ctx context.Context, f *simulateFlags, urls []string, hooks *sim.Receiver, logs []string, stdout io.Writer,
	afterDay func()) error {
	db, err := postgres.Open(ctx, f.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	tc, err := client.DialContext(ctx, client.Options{HostPort: f.cfg.TemporalAddress, Namespace: f.cfg.TemporalNamespace,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", f.cfg.TemporalAddress, err)
	}
	defer tc.Close()
	env := sim.Env{URLs: urls, Log: stdout, Webhooks: hooks,
		Mint: func(ctx context.Context, username string) (string, error) {
			return mintToken(ctx, &f.cfg, db, username, 48*time.Hour)
		}}
	day, err := sim.Run(ctx, f.day, env)
	if afterDay != nil {
		afterDay()
	}
	if err != nil {
		return err
	}
	return checkDay(ctx, stdout, db, workflowCounter{tc, f.cfg.TemporalNamespace}, day, logs)
}

// simulateChaos starts a cluster of the simulator's own, seeds it, runs
// the day against it while killing its processes at seeded random
// moments, and lists the faults with the checks.
func simulateChaos(ctx context.Context, f *simulateFlags, hooks *sim.Receiver, stdout io.Writer) error {
	dir := f.chaosDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "aftercare-chaos-"); err != nil {
			return err
		}
	}
	binary, err := os.Executable()
	if err != nil {
		return err
	}
	var searchAttributes []string
	for _, k := range workflows.SearchAttributes {
		searchAttributes = append(searchAttributes, k.GetName()+"="+workflows.SearchAttributeType(k))
	}
	c, err := cluster.Start(ctx, cluster.Config{Dir: dir, Binary: binary, TemporalCLI: f.temporalCLI, Log: stdout,
		SearchAttributes: searchAttributes, Env: append(chaosEnv(), "AFTERCARE_WEBHOOK_URLS="+hooks.URL()),
		Prepare: func(ctx context.Context, url string) error {
			return seedChaos(ctx, url, f.engineers, stdout)
		}})
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(stdout, "chaos cluster in %s: API %v, Temporal %s\n", dir, c.APIURLs(), c.TemporalAddress())
	f.cfg.DatabaseURL, f.cfg.TemporalAddress, f.cfg.TokenKey, f.cfg.TokenKeyFile = c.DatabaseURL(), c.TemporalAddress(), c.TokenKey(), ""
	var kinds []cluster.Kind
	for _, k := range strings.Split(f.chaosKinds, ",") {
		kinds = append(kinds, cluster.Kind(strings.TrimSpace(k)))
	}
	chaosCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Chaos(chaosCtx, rand.New(rand.NewPCG(f.day.Seed, 0xc4a05)), kinds, f.chaosEvery)
	}()
	return simulateOn(ctx, f, c.APIURLs(), hooks, c.LogFiles(), stdout, func() {
		stop()
		<-done
		writeFaults(stdout, c.Faults())
	})
}

// writeFaults prints each fault, when, and how long until every process
// served again.
func writeFaults(w io.Writer, faults []cluster.Fault) {
	fmt.Fprintf(w, "\n## Faults\n\n| at | killed | every process served again after |\n|---|---|---:|\n")
	for _, f := range faults {
		down := f.Down.Round(time.Millisecond).String()
		if f.Err != "" {
			down = "never: " + f.Err
		}
		fmt.Fprintf(w, "| %s | %s %d | %s |\n", f.At.Format(time.TimeOnly), f.Kind, f.Index, down)
	}
}

// chaosEnv is the environment the chaos cluster's processes need of this
// one: a test binary runs as the aftercare command only when told so.
func chaosEnv() []string {
	var out []string
	if v := os.Getenv("AFTERCARE_TEST_RUN_MAIN"); v != "" {
		out = append(out, "AFTERCARE_TEST_RUN_MAIN="+v)
	}
	return out
}

// seedChaos migrates the chaos cluster's database and loads the demo
// organisation with the number of engineers asked for.
func seedChaos(ctx context.Context, url string, engineers int, w io.Writer) error {
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	cfg := demo.DefaultConfig()
	cfg.Engineers = engineers
	start := time.Now()
	if _, err := demo.Seed(ctx, db, cfg); err != nil {
		return err
	}
	fmt.Fprintf(w, "seeded the chaos cluster's organisation (%d engineers) in %s\n", engineers, time.Since(start).Round(time.Millisecond))
	return nil
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
