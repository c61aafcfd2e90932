package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aftercare/aftercare/postgres"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// IntakeConfig is the shape of an intake run against a running Aftercare.
type IntakeConfig struct {
	// URL is the API's base URL.
	URL string
	// DB is the API's database, read for the assets to file against and
	// for when each incident's workflow started.
	DB *postgres.DB
	// Temporal is a client of the API's Temporal server, on which the
	// floor starts bare workflows.
	Temporal client.Client
	// Mint returns a bearer token for a user.
	Mint func(ctx context.Context, username string) (string, error)
	// Clients are the numbers of concurrent clients to measure, in turn.
	Clients []int
	// Incidents is how many incidents each round files.
	Incidents int
	// Timeout bounds the wait for a round's workflows to start.
	Timeout time.Duration
}

// Intake files incidents over HTTP with concurrent clients, as corporate
// IT would in a site-wide outage, and measures intake end to end: how fast
// the API accepted them, and how fast their workflows started (the moment
// each workflow recorded its start), with the lag from filing to start.
// Beside it, in the same run, two floors on the same Temporal server, each
// the same number of starts from as many goroutines: bare StartWorkflow
// calls of a workflow no worker runs, and bare workflows run by a worker
// in this process until their first workflow task has run one local
// activity, which is what an incident's start is without Aftercare's work
// in it (the incident's first task loads and records its clocks and
// dispatches, in local activities). The incidents filed are cancelled at
// the end, the bare workflows terminated.
func Intake(ctx context.Context, cfg IntakeConfig, w io.Writer) error {
	var users, serials []string
	if err := cfg.DB.QueryRow(ctx, `
		SELECT array_agg('it.' || lower(ac.code) ORDER BY s.serial_number), array_agg(s.serial_number ORDER BY s.serial_number)
		FROM assets s JOIN accounts ac ON ac.id = s.account_id
		WHERE EXISTS (SELECT 1 FROM users u WHERE u.username = 'it.' || lower(ac.code) AND u.disabled_at IS NULL)`,
		nil, &users, &serials); err != nil {
		return fmt.Errorf("find assets to file against: %w", err)
	}
	if len(serials) == 0 {
		return fmt.Errorf("no asset of an account with a corporate IT user (it.<code>): seed the demo data first (make run)")
	}
	tokens := map[string]string{}
	for _, u := range users {
		if _, ok := tokens[u]; !ok {
			t, err := cfg.Mint(ctx, u)
			if err != nil {
				return err
			}
			tokens[u] = t
		}
	}
	admin, err := cfg.Mint(ctx, "admin")
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: time.Minute}
	run := time.Now().UnixNano()
	ready, stop, err := startReadyWorker(cfg.Temporal, fmt.Sprintf("bench-intake-ready-%d", run))
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(w, "| clients | incidents | filed/s over HTTP | workflows started/s | lag p50 | lag p99 | bare StartWorkflow/s | started ÷ bare | bare past first task/s | started ÷ bare past first task | CPU of this process |\n")
	fmt.Fprintf(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, clients := range cfg.Clients {
		cpu0 := processCPU()
		r, err := fileRound(ctx, cfg, hc, tokens, users, serials, clients, fmt.Sprintf("bench-intake-%d-%d", run, clients))
		if err != nil {
			return err
		}
		floor, err := bareStarts(ctx, cfg.Temporal, clients, cfg.Incidents, fmt.Sprintf("bench-intake-floor-%d-%d", run, clients), nil)
		if err != nil {
			return err
		}
		firstTask, err := bareStarts(ctx, cfg.Temporal, clients, cfg.Incidents, fmt.Sprintf("bench-intake-ready-%d-%d", run, clients), ready)
		if err != nil {
			return err
		}
		cpu := processCPU() - cpu0
		fmt.Fprintf(w, "| %d | %d | %.1f | %.1f | %.2f s | %.2f s | %.1f | %.2f | %.1f | %.2f | %.1f s |\n", clients, cfg.Incidents,
			r.filedPerSec, r.startedPerSec, r.lagP50, r.lagP99, floor, r.startedPerSec/floor, firstTask,
			r.startedPerSec/firstTask, cpu.Seconds())
		cancelAll(ctx, hc, cfg.URL, admin, r.ids)
	}
	return nil
}

type intakeRound struct {
	ids                        []string
	filedPerSec, startedPerSec float64
	lagP50, lagP99             float64 // seconds
}

// fileRound files cfg.Incidents incidents from clients goroutines and
// waits until every workflow has recorded its start.
func fileRound(ctx context.Context, cfg IntakeConfig, hc *http.Client, tokens map[string]string, users, serials []string,
	clients int, prefix string) (*intakeRound, error) {
	ids := make([]string, cfg.Incidents)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= cfg.Incidents || ctx.Err() != nil {
					return
				}
				k := i % len(serials)
				in := map[string]any{"serialNumber": serials[k], "priority": "P2", "category": "HARDWARE_FAILURE",
					"symptoms": "the whole site lost power; the server does not come back", "clientRequestId": fmt.Sprintf("%s-%d", prefix, i),
					"contact": map[string]any{"name": "IT on call", "email": "oncall@example.com", "phone": "+86 10 5555 0100"}}
				var out struct {
					CreateIncident struct{ ID string }
				}
				err := graphQL(ctx, hc, cfg.URL, tokens[users[k]], `mutation($in: CreateIncidentInput!) { createIncident(input: $in) { id } }`,
					map[string]any{"in": in}, &out)
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, fmt.Errorf("file incident %d: %w", i, err))
					mu.Unlock()
					return
				}
				ids[i] = out.CreateIncident.ID
			}
		})
	}
	wg.Wait()
	filed := time.Since(start)
	if firstErr != nil {
		return nil, firstErr
	}
	deadline := time.Now().Add(cfg.Timeout)
	for {
		var started int
		var lastStart time.Time
		var p50, p99 float64
		err := cfg.DB.QueryRow(ctx, `
			SELECT count(workflow_started_at), coalesce(max(workflow_started_at), now()),
				coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM workflow_started_at - created_at)), 0),
				coalesce(percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM workflow_started_at - created_at)), 0)
			FROM incidents WHERE id = ANY($1::uuid[])`, []any{ids}, &started, &lastStart, &p50, &p99)
		if err != nil {
			return nil, err
		}
		if started == len(ids) {
			span := lastStart.Sub(start).Seconds()
			return &intakeRound{ids: ids, filedPerSec: float64(len(ids)) / filed.Seconds(),
				startedPerSec: float64(len(ids)) / span, lagP50: p50, lagP99: p99}, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d workflows started within %s", started, len(ids), cfg.Timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// readyWorker runs bare workflows on its task queue: each runs one local
// activity, which counts it, and then sleeps.
type readyWorker struct {
	queue string
	ready atomic.Int64
}

// startReadyWorker starts a worker of the bench's floor workflow on queue;
// stop stops it.
func startReadyWorker(c client.Client, queue string) (_ *readyWorker, stop func(), _ error) {
	r := &readyWorker{queue: queue}
	wk := worker.New(c, queue, worker.Options{})
	wk.RegisterWorkflowWithOptions(floorWorkflow, workflow.RegisterOptions{Name: floorWorkflowName})
	wk.RegisterActivityWithOptions(func(context.Context, string) error {
		r.ready.Add(1)
		return nil
	}, activity.RegisterOptions{Name: floorReadyName})
	if err := wk.Start(); err != nil {
		return nil, nil, fmt.Errorf("start the floor's worker: %w", err)
	}
	return r, wk.Stop, nil
}

// bareStarts starts n bare workflows from clients goroutines and returns
// how many started per second; it terminates them afterwards. With ready
// nil they are of a type no worker runs, counted started when
// StartWorkflow returns; otherwise they are ready's floor workflows,
// counted started when their first task has run its local activity.
func bareStarts(ctx context.Context, c client.Client, clients, n int, prefix string, ready *readyWorker) (float64, error) {
	opts := func(i int) (client.StartWorkflowOptions, string, []any) {
		return client.StartWorkflowOptions{ID: fmt.Sprintf("%s-%d", prefix, i), TaskQueue: prefix}, "BenchIntakeFloor", nil
	}
	var before int64
	if ready != nil {
		before = ready.ready.Load()
		sleep := []time.Time{time.Now().Add(time.Hour)}
		opts = func(i int) (client.StartWorkflowOptions, string, []any) {
			return client.StartWorkflowOptions{ID: fmt.Sprintf("%s-%d", prefix, i), TaskQueue: ready.queue},
				floorWorkflowName, []any{fmt.Sprintf("%s-%d", prefix, i), sleep, floorOptions{Ready: true, Local: true}}
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				o, name, args := opts(i)
				_, err := c.ExecuteWorkflow(ctx, o, name, args...)
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, fmt.Errorf("bare StartWorkflow: %w", err)
	}
	for ready != nil && ready.ready.Load()-before < int64(n) {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		time.Sleep(5 * time.Millisecond)
	}
	perSec := float64(n) / time.Since(start).Seconds()
	ids := make(chan int)
	for range clients {
		wg.Go(func() {
			for i := range ids {
				_ = c.TerminateWorkflow(context.WithoutCancel(ctx), fmt.Sprintf("%s-%d", prefix, i), "", "bench done")
			}
		})
	}
	for i := range n {
		ids <- i
	}
	close(ids)
	wg.Wait()
	return perSec, nil
}

// cancelAll cancels the incidents a round filed, so that the system they
// ran against is left as it was found, but for their history.
func cancelAll(ctx context.Context, hc *http.Client, url, token string, ids []string) {
	work := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for id := range work {
				_ = graphQL(ctx, hc, url, token, `mutation($id: ID!) { cancelIncident(id: $id, reason: "intake benchmark") { id } }`,
					map[string]any{"id": id}, nil)
			}
		})
	}
	for _, id := range slices.Clip(ids) {
		work <- id
	}
	close(work)
	wg.Wait()
}

// graphQL posts one operation and decodes its data into out, failing on
// any error the answer carries.
func graphQL(ctx context.Context, hc *http.Client, url, token, query string, vars map[string]any, out any) error {
	resp, err := postBearer(ctx, hc, url+"/query", token, GraphQLBody(query, vars))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if len(answer.Errors) > 0 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, answer.Errors[0].Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer.Data, out)
}

// processCPU returns the CPU time, user and system, this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
