package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/sim"
)

// simulateFlags are the flags of `aftercare simulate`.
type simulateFlags struct {
	cfg  Config
	day  sim.Config
	urls string
}

// runSimulate runs a simulated service day against a running Aftercare
// through its public API, then checks what must hold and prints the
// day's report.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("simulate", stderr)
	var f simulateFlags
	f.cfg.bindFlags(fs)
	fs.Float64Var(&f.day.Hours, "hours", 24, "simulated hours the day lasts")
	fs.Float64Var(&f.day.SpeedUp, "speed-up", 60, "simulated seconds per real second")
	fs.Uint64Var(&f.day.Seed, "seed", 1, "seed of the day's arrivals and choices")
	fs.IntVar(&f.day.Incidents, "size", 400, "incidents a whole simulated day brings (a shorter day its hours' share)")
	fs.Float64Var(&f.day.StartHour, "start-hour", 8, "simulated hour of day the run starts at")
	fs.DurationVar(&f.day.Drain, "drain", 5*time.Minute, "real time the end of the day waits for engineers to finish")
	fs.StringVar(&f.urls, "url", "http://127.0.0.1:8080", "base URL of the API, or several separated by commas")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, f.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	env := sim.Env{URLs: strings.Split(f.urls, ","), Log: stdout,
		Mint: func(ctx context.Context, username string) (string, error) {
			return mintToken(ctx, &f.cfg, db, username, 48*time.Hour)
		}}
	tc, err := client.DialContext(ctx, client.Options{HostPort: f.cfg.TemporalAddress, Namespace: f.cfg.TemporalNamespace,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", f.cfg.TemporalAddress, err)
	}
	defer tc.Close()
	day, err := sim.Run(ctx, f.day, env)
	if err != nil {
		return err
	}
	return checkDay(ctx, stdout, db, workflowCounter{tc, f.cfg.TemporalNamespace}, day, nil)
}
