// Package cluster runs the processes of a chaos run of `aftercare
// simulate` on one machine, apart from everything else on it: a
// PostgreSQL cluster of its own (own data directory, own port), a Temporal
// dev server with its state in a file of its own, and API replicas and
// workers of the aftercare binary. Any of them can be killed with SIGKILL
// and is then started again with the same arguments; a fault is over when
// every process serves again.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Kind is a kind of process of the cluster.
type Kind string

// The kinds of process.
const (
	API      Kind = "api"
	Worker   Kind = "worker"
	Temporal Kind = "temporal"
	Postgres Kind = "postgres"
)

// Config is what a cluster runs and where.
type Config struct {
	// Dir holds the data directories and the logs; it is created.
	Dir string
	// Binary is the aftercare binary.
	Binary string
	// TemporalCLI is the Temporal CLI whose dev server runs (default
	// .bin/temporal, which scripts/temporal.sh install builds).
	TemporalCLI string
	// SearchAttributes are the search attributes the dev server registers,
	// each as Name=Type (its --search-attribute flag).
	SearchAttributes []string
	// PGBin is the directory of PostgreSQL's programs (default: the
	// newest under /usr/lib/postgresql).
	PGBin string
	// APIs and Workers are how many API replicas and workers run (default
	// 2 each).
	APIs, Workers int
	// Env is extra environment for the API replicas and workers.
	Env []string
	// Prepare runs once PostgreSQL and Temporal serve, before the API
	// replicas and workers start: the simulator migrates and seeds there.
	Prepare func(ctx context.Context, databaseURL string) error
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Fault is one process killed and started again.
type Fault struct {
	Kind  Kind
	Index int
	At    time.Time
	// Down is how long from the kill until every process of the cluster
	// served again.
	Down time.Duration
	// Err says why the cluster did not serve again, "" when it did.
	Err string
}

// Cluster is the running processes.
type Cluster struct {
	cfg      Config
	procs    []*proc
	pgPort   int
	tmpPort  int
	apiPorts []int
	tokenKey string
	mu       sync.Mutex
	faults   []Fault
}

// Start starts PostgreSQL and Temporal, prepares the database, then starts
// the API replicas and workers, and returns once every process serves. On
// an error it stops what it started.
func Start(ctx context.Context, cfg Config) (_ *Cluster, err error) {
	if cfg.APIs <= 0 {
		cfg.APIs = 2
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.TemporalCLI == "" {
		cfg.TemporalCLI = ".bin/temporal"
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.PGBin, err = findPGBin(cfg.PGBin); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.Chmod(cfg.Dir, 0o755); err != nil { // PostgreSQL's user reaches its data directory through it
		return nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	c := &Cluster{cfg: cfg, tokenKey: hex.EncodeToString(key)}
	defer func() {
		if err != nil {
			_ = c.Close()
		}
	}()
	if err := c.startStore(ctx); err != nil {
		return nil, err
	}
	if cfg.Prepare != nil {
		if err := cfg.Prepare(ctx, c.DatabaseURL()); err != nil {
			return nil, fmt.Errorf("prepare the database: %w", err)
		}
	}
	if err := c.startServers(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// startStore starts PostgreSQL (initialising its data directory) and the
// Temporal dev server.
func (c *Cluster) startStore(ctx context.Context) error {
	ports, err := freePorts(2 + c.cfg.APIs)
	if err != nil {
		return err
	}
	c.pgPort, c.tmpPort, c.apiPorts = ports[0], ports[1], ports[2:]
	pg, err := c.postgres(ctx)
	if err != nil {
		return err
	}
	c.procs = append(c.procs, pg, c.temporal())
	for _, p := range c.procs {
		if err := p.start(); err != nil {
			return err
		}
	}
	if err := c.waitServing(ctx, 2*time.Minute); err != nil {
		return err
	}
	return c.createDatabase(ctx)
}

// startServers starts the API replicas and the workers.
func (c *Cluster) startServers(ctx context.Context) error {
	env := append([]string{
		"AFTERCARE_DATABASE_URL=" + c.DatabaseURL(),
		"AFTERCARE_TEMPORAL_ADDRESS=" + c.TemporalAddress(),
		"AFTERCARE_TASK_QUEUE=simulated-day",
		"AFTERCARE_TOKEN_KEY=" + c.tokenKey,
		"AFTERCARE_LOG_LEVEL=warn",
	}, c.cfg.Env...)
	for i, port := range c.apiPorts {
		c.procs = append(c.procs, c.api(i, port, env))
	}
	for i := range c.cfg.Workers {
		c.procs = append(c.procs, c.worker(i, env))
	}
	for _, p := range c.procs {
		if p.kind == API || p.kind == Worker {
			if err := p.start(); err != nil {
				return err
			}
		}
	}
	return c.waitServing(ctx, 2*time.Minute)
}

// APIURLs returns the base URL of each API replica.
func (c *Cluster) APIURLs() []string {
	out := make([]string, len(c.apiPorts))
	for i, p := range c.apiPorts {
		out[i] = fmt.Sprintf("http://127.0.0.1:%d", p)
	}
	return out
}

// DatabaseURL returns the URL of the cluster's database.
func (c *Cluster) DatabaseURL() string {
	return fmt.Sprintf("postgres://aftercare:aftercare@127.0.0.1:%d/aftercare?sslmode=disable", c.pgPort)
}

// TemporalAddress returns the Temporal frontend's host:port.
func (c *Cluster) TemporalAddress() string { return fmt.Sprintf("127.0.0.1:%d", c.tmpPort) }

// TaskQueue is the task queue the API replicas and workers share.
const TaskQueue = "simulated-day"

// TokenKey returns the hex key every API replica signs tokens with.
func (c *Cluster) TokenKey() string { return c.tokenKey }

// LogFiles returns every process's log file.
func (c *Cluster) LogFiles() []string {
	var out []string
	for _, p := range c.procs {
		out = append(out, p.logPath)
	}
	return out
}

// Faults returns the faults so far.
func (c *Cluster) Faults() []Fault {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Fault(nil), c.faults...)
}

// Kill kills a process with SIGKILL, starts it again, and waits until
// every process serves.
func (c *Cluster) Kill(ctx context.Context, kind Kind, index int) (Fault, error) {
	var p *proc
	for _, q := range c.procs {
		if q.kind == kind && q.index == index {
			p = q
		}
	}
	if p == nil {
		return Fault{}, fmt.Errorf("no %s %d", kind, index)
	}
	f := Fault{Kind: kind, Index: index, At: time.Now()}
	fmt.Fprintf(c.cfg.Log, "chaos: SIGKILL %s\n", p.name)
	err := p.kill()
	if err == nil {
		err = p.start()
	}
	if err == nil {
		err = c.waitServing(ctx, 3*time.Minute)
	}
	f.Down = time.Since(f.At)
	if err != nil {
		f.Err = err.Error()
	}
	fmt.Fprintf(c.cfg.Log, "chaos: %s served again; every process served after %s\n", p.name, f.Down.Round(time.Millisecond))
	c.mu.Lock()
	c.faults = append(c.faults, f)
	c.mu.Unlock()
	return f, err
}

// Chaos kills processes of the kinds given at seeded random moments, a
// mean of every apart, one at a time, until ctx ends. The kinds take turns
// in a seeded order, so that every kind is hit once before any twice; the
// process of the kind is chosen at random.
func (c *Cluster) Chaos(ctx context.Context, rng *mrand.Rand, kinds []Kind, every time.Duration) {
	var turn []Kind
	for {
		if len(turn) == 0 {
			for _, i := range rng.Perm(len(kinds)) {
				turn = append(turn, kinds[i])
			}
		}
		wait := time.Duration(-math.Log(1-rng.Float64()) * float64(every))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		kind := turn[0]
		turn = turn[1:]
		n := 0
		for _, p := range c.procs {
			if p.kind == kind {
				n++
			}
		}
		if n == 0 {
			continue
		}
		if _, err := c.Kill(ctx, kind, rng.IntN(n)); err != nil && ctx.Err() == nil {
			fmt.Fprintf(c.cfg.Log, "chaos: %v\n", err)
		}
	}
}

// waitServing waits until every process passes its health check.
func (c *Cluster) waitServing(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, p := range c.procs {
		for {
			err := p.healthy(ctx)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s does not serve after %s: %w (log: %s)", p.name, timeout, err, p.logPath)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// Close stops every process, servers first, PostgreSQL last, and leaves
// Dir.
func (c *Cluster) Close() error {
	var errs []error
	for i := len(c.procs) - 1; i >= 0; i-- {
		errs = append(errs, c.procs[i].stop(syscall.SIGTERM, 15*time.Second))
	}
	return errors.Join(errs...)
}

// logPath is the log file of a process.
func (c *Cluster) logPath(name string) string { return filepath.Join(c.cfg.Dir, name+".log") }
