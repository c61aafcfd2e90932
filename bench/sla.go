package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// SLAConfig is what `aftercare bench sla` runs.
type SLAConfig struct {
	TemporalAddress string
	// DatabaseURL names a database to run on; "" creates a fresh one on
	// DatabaseServer and drops it afterwards.
	DatabaseURL    string
	DatabaseServer string
	Incidents      int
	Rates          []float64
	Window         time.Duration
	// Target is the response target of the measured incidents; their
	// ladder falls due at 50, 75, 90 and 100 % of it.
	Target      time.Duration
	Concurrency int
	// Pollers is how many goroutines poll each of the worker's task queues
	// (workflow and activity); the SDK's default is 2.
	Pollers int
	// CPUProfile, when set, names the file a CPU profile of the bench
	// process is written to during each rate's Aftercare run; with more
	// than one rate the rate is added before the extension.
	CPUProfile string
}

// levels returns the offsets from registration at which the default
// ladder's levels fall due on the measured incidents' response clock.
func (c SLAConfig) levels() []time.Duration {
	out := make([]time.Duration, 0, len(aftercare.DefaultEscalationLadder()))
	for _, lv := range aftercare.DefaultEscalationLadder() {
		out = append(out, c.Target*time.Duration(lv.Percent)/100)
	}
	return out
}

// The bench's floor workflow and activity: a bare workflow that sleeps to
// the same instants as an incident's escalations and runs one activity at
// each, the least any Temporal workflow can do.
const (
	floorWorkflowName = "BenchFloor"
	floorActivityName = "BenchFloorFire"
	floorReadyName    = "BenchFloorReady"
)

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
		// Only one of the two is scheduled: a workflow that called
		// ExecuteActivity and dropped its future would still run it.
		var f workflow.Future
		if opts.Local {
			f = workflow.ExecuteLocalActivity(lctx, floorActivityName, key, d)
		} else {
			f = workflow.ExecuteActivity(actx, floorActivityName, key, d)
		}
		if err := f.Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// SLA keeps cfg.Incidents incidents open with live clocks on a Temporal
// server and a PostgreSQL database, lets escalations fall due at each of
// cfg.Rates per second, and drives the floor workflow to the same instants
// in the same run. It writes a Markdown report to out and its log to log.
func SLA(ctx context.Context, cfg SLAConfig, out, log io.Writer) error {
	if cfg.Target < 4*time.Second || cfg.Incidents < 1 || cfg.Concurrency < 1 || len(cfg.Rates) == 0 {
		return fmt.Errorf("-target must be at least 4s, -incidents and -concurrency at least 1, and -rates must give a rate")
	}
	for _, r := range cfg.Rates {
		if !(r > 0) {
			return fmt.Errorf("rate %g is not a positive number", r)
		}
	}
	b, err := newBenchSLA(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer b.close()
	return b.run(ctx, out)
}

// benchSLA is one run of the SLA bench.
type benchSLA struct {
	cfg    SLAConfig
	c      client.Client
	w      worker.Worker
	db     *postgres.DB
	drop   func()
	world  *benchWorld
	ledger *benchLedger
	sink   *webhookSink
	relay  context.CancelFunc
	done   chan struct{}
	queue  string
	log    *slog.Logger
	prefix string
}

func newBenchSLA(ctx context.Context, cfg SLAConfig, stderr io.Writer) (_ *benchSLA, err error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var id [4]byte
	_, _ = rand.Read(id[:])
	b := &benchSLA{cfg: cfg, ledger: newBenchLedger(), queue: "bench-" + hex.EncodeToString(id[:]), log: log,
		prefix: "bench-" + hex.EncodeToString(id[:]) + "-", drop: func() {}, done: make(chan struct{})}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	if b.db, b.drop, err = openBenchDatabase(ctx, cfg.DatabaseURL, cfg.DatabaseServer); err != nil {
		return nil, err
	}
	if b.world, err = seedBench(ctx, b.db, cfg.Target); err != nil {
		return nil, err
	}
	if b.sink, err = newWebhookSink(); err != nil {
		return nil, err
	}
	b.c, err = client.DialContext(ctx, client.Options{HostPort: cfg.TemporalAddress,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	if err = workflows.CheckSearchAttributes(ctx, b.c, client.DefaultNamespace); err != nil {
		return nil, err
	}
	// Every open incident stays in the worker's cache, as in production
	// where a worker is sized for its share of open incidents.
	worker.SetStickyWorkflowCacheSize(2*cfg.Incidents + 20000)
	b.w = worker.New(b.c, b.queue, worker.Options{
		MaxConcurrentWorkflowTaskPollers: cfg.Pollers,
		MaxConcurrentActivityTaskPollers: cfg.Pollers,
	})
	// The production worker's activities on the production store; only
	// the ledger is told when each write commits.
	workflows.Register(b.w, &workflows.Activities{
		Incidents: postgres.NewIncidentService(b.db),
		SLA:       timedSLA{SLAService: postgres.NewSLAService(b.db), ledger: b.ledger},
		Webhooks:  []string{b.sink.url},
	})
	b.w.RegisterWorkflowWithOptions(floorWorkflow, workflow.RegisterOptions{Name: floorWorkflowName})
	b.w.RegisterActivityWithOptions(func(_ context.Context, key string, due time.Time) error {
		b.ledger.record(key, key+"@"+due.Format(time.RFC3339Nano), due)
		return nil
	}, activity.RegisterOptions{Name: floorActivityName})
	b.w.RegisterActivityWithOptions(func(context.Context, string) error {
		b.ledger.ready.Add(1)
		return nil
	}, activity.RegisterOptions{Name: floorReadyName})
	if err := b.w.Start(); err != nil {
		return nil, err
	}
	// The webhook relay of `aftercare worker`, delivering the escalations'
	// outbox messages to a local endpoint, runs beside the worker as it
	// does in production.
	relayCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	b.relay = cancel
	relay := &workflows.WebhookRelay{Outbox: b.db, Client: &http.Client{Timeout: 10 * time.Second}, Logger: log,
		Lease: 30 * time.Second, PollInterval: time.Second, BatchSize: 50, MinBackoff: time.Second, MaxBackoff: time.Minute}
	go func() {
		defer close(b.done)
		_ = relay.Run(relayCtx)
	}()
	return b, nil
}

// close stops the relay and the worker, closes the connections and drops a
// database the bench created.
func (b *benchSLA) close() {
	if b.relay != nil {
		b.relay()
		<-b.done
	}
	if b.w != nil {
		b.w.Stop()
	}
	if b.c != nil {
		b.c.Close()
	}
	if b.sink != nil {
		b.sink.close()
	}
	if b.db != nil {
		b.db.Close()
	}
	b.drop()
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
	return workflows.StartIncidentWorkflow(ctx, b.c, b.queue, &aftercare.Incident{ID: id}, "")
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
