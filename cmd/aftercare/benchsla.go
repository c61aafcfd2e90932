package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// benchSLAConfig is what `aftercare bench sla` runs.
type benchSLAConfig struct {
	TemporalAddress string
	Incidents       int
	Rates           []float64
	Window          time.Duration
	Concurrency     int
	// Pollers is how many goroutines poll each of the worker's task queues
	// (workflow and activity); the SDK's default is 2.
	Pollers int
}

// The bench's floor workflow and activity: a bare workflow that sleeps to
// the same instants as an incident's escalations and runs one activity at
// each, the least any Temporal workflow can do.
const (
	floorWorkflowName = "BenchFloor"
	floorActivityName = "BenchFloorFire"
	floorReadyName    = "BenchFloorReady"
)

// benchTarget is the response target of the measured incidents: its ladder
// falls due 20, 30, 36 and 40 seconds after registration.
const benchTarget = 40 * time.Second

// benchLevels are the offsets of the default ladder's levels on benchTarget.
var benchLevels = []time.Duration{20 * time.Second, 30 * time.Second, 36 * time.Second, 40 * time.Second}

// floorOptions shape a floor workflow.
type floorOptions struct {
	// Ready runs one local activity first, as an incident's workflow loads
	// its inputs and records its clocks, so that how fast workflows get
	// going can be compared too.
	Ready bool
	// Local runs the activity at each instant as a local activity, as
	// Aftercare's workflow records its escalations, instead of through the
	// server's activity queue.
	Local bool
}

// floorWorkflow sleeps until each due instant and runs one activity there.
func floorWorkflow(ctx workflow.Context, key string, dues []time.Time, opts floorOptions) error {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 30 * time.Second})
	if opts.Ready {
		if err := workflow.ExecuteLocalActivity(lctx, floorReadyName, key).Get(ctx, nil); err != nil {
			return err
		}
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	for _, d := range dues {
		if wait := d.Sub(workflow.Now(ctx)); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return err
			}
		}
		f := workflow.ExecuteActivity(actx, floorActivityName, key, d)
		if opts.Local {
			f = workflow.ExecuteLocalActivity(lctx, floorActivityName, key, d)
		}
		if err := f.Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// benchStore is the bench's SLA store, in memory: it hands out the facts of
// each incident and records how late each escalation and floor activity
// ran. The database is left out so that the bench compares Aftercare's
// workflow with the bare one on the same engine.
type benchStore struct {
	mu      sync.Mutex
	facts   map[string]*aftercare.SLAFacts
	phase   map[string]string // incident or floor key → phase
	late    map[string][]time.Duration
	started atomic.Int64 // clocks_started changes recorded
	ready   atomic.Int64 // floor workflows past their first local activity
}

func newBenchStore() *benchStore {
	return &benchStore{facts: map[string]*aftercare.SLAFacts{}, phase: map[string]string{}, late: map[string][]time.Duration{}}
}

func (s *benchStore) add(id, phase string, f *aftercare.SLAFacts) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.facts[id], s.phase[id] = f, phase
}

func (s *benchStore) record(key string, due time.Time) {
	late := time.Since(due)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.phase[key]
	s.late[p] = append(s.late[p], late)
}

func (s *benchStore) lateness(phase string) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.late[phase])
}

func (s *benchStore) FindSLAFacts(_ context.Context, id string) (*aftercare.SLAFacts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.facts[id]
	if !ok {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", id)
	}
	return f, nil
}

func (s *benchStore) RecordIncidentChange(_ context.Context, c aftercare.IncidentChange) error {
	if c.Kind == "clocks_started" {
		s.started.Add(1)
	}
	return nil
}

func (s *benchStore) RecordEscalation(_ context.Context, e aftercare.EscalationFired, _ []string) error {
	s.record(e.IncidentID, e.DueAt)
	return nil
}

func (s *benchStore) MarkWorkflowStarted(context.Context, string) error { return nil }

// runBenchSLA keeps incidents open with live clocks on a Temporal server,
// lets escalations fall due at steady rates, and drives the floor workflow
// to the same instants in the same run; it prints a Markdown report.
func runBenchSLA(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench sla", stderr)
	cfg := benchSLAConfig{}
	fs.StringVar(&cfg.TemporalAddress, "temporal-address", env("AFTERCARE_TEMPORAL_ADDRESS", "localhost:7233"),
		"Temporal frontend host:port of a dev server kept for the bench (AFTERCARE_TEMPORAL_ADDRESS)")
	fs.IntVar(&cfg.Incidents, "incidents", 10000, "incidents kept open with live clocks during the run")
	rates := fs.String("rates", "10,30,100", "escalations per second to measure, comma-separated")
	fs.DurationVar(&cfg.Window, "window", 30*time.Second, "how long escalations fall due at each rate")
	fs.IntVar(&cfg.Concurrency, "concurrency", 32, "workflow starts in flight at once")
	fs.IntVar(&cfg.Pollers, "pollers", 2, "pollers per task queue of the bench's one worker, which runs both the floor and Aftercare")
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
	b, err := newBenchSLA(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer b.close()
	return b.run(ctx, stdout)
}

// benchSLA is one run of the SLA bench.
type benchSLA struct {
	cfg    benchSLAConfig
	c      client.Client
	w      worker.Worker
	store  *benchStore
	queue  string
	log    *slog.Logger
	prefix string
}

func newBenchSLA(ctx context.Context, cfg benchSLAConfig, stderr io.Writer) (*benchSLA, error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, err := client.DialContext(ctx, client.Options{HostPort: cfg.TemporalAddress,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	var id [4]byte
	_, _ = rand.Read(id[:])
	b := &benchSLA{cfg: cfg, c: c, store: newBenchStore(), queue: "bench-" + hex.EncodeToString(id[:]), log: log,
		prefix: "bench-" + hex.EncodeToString(id[:]) + "-"}
	// Every open incident stays in the worker's cache, as in production
	// where a worker is sized for its share of open incidents.
	worker.SetStickyWorkflowCacheSize(2*cfg.Incidents + 20000)
	b.w = worker.New(c, b.queue, worker.Options{
		MaxConcurrentWorkflowTaskPollers: cfg.Pollers,
		MaxConcurrentActivityTaskPollers: cfg.Pollers,
	})
	workflows.Register(b.w, &workflows.Activities{Incidents: b.store, SLA: b.store})
	b.w.RegisterWorkflowWithOptions(floorWorkflow, workflow.RegisterOptions{Name: floorWorkflowName})
	b.w.RegisterActivityWithOptions(func(_ context.Context, key string, due time.Time) error {
		b.store.record(key, due)
		return nil
	}, activity.RegisterOptions{Name: floorActivityName})
	b.w.RegisterActivityWithOptions(func(context.Context, string) error {
		b.store.ready.Add(1)
		return nil
	}, activity.RegisterOptions{Name: floorReadyName})
	if err := b.w.Start(); err != nil {
		c.Close()
		return nil, err
	}
	return b, nil
}

func (b *benchSLA) close() {
	b.w.Stop()
	b.c.Close()
}

// incidentFacts returns the facts of a platinum incident registered at
// created; overrides give it bench targets.
func incidentFacts(id string, pri aftercare.Priority, created time.Time, overrides map[string]string) *aftercare.SLAFacts {
	return &aftercare.SLAFacts{
		Incident: &aftercare.Incident{ID: id, AccountID: "bench", Tier: aftercare.TierPlatinum, Priority: pri,
			Status: aftercare.StatusNew, CreatedAt: created},
		TimeZone: "Asia/Shanghai", Overrides: overrides,
	}
}

// startAll calls start for 0..n-1 with cfg.Concurrency in flight and
// returns how long it took.
func (b *benchSLA) startAll(ctx context.Context, n int, start func(i int) error) (time.Duration, error) {
	began := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	for range b.cfg.Concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := start(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(began), firstErr
}

// startIncident starts an incident's workflow as the intake relay does.
func (b *benchSLA) startIncident(ctx context.Context, id string) error {
	return workflows.StartIncidentWorkflow(ctx, b.c, b.queue, id)
}

// startFloor starts a floor workflow for the due instants.
func (b *benchSLA) startFloor(ctx context.Context, key string, dues []time.Time, opts floorOptions) error {
	_, err := b.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: key, TaskQueue: b.queue}, floorWorkflowName, key, dues, opts)
	return err
}

// heap returns the live heap after a collection.
func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
