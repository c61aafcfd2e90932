package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// APIConfig is what `aftercare bench api` runs against an API it serves.
type APIConfig struct {
	// Operations are the requests measured, in the order run.
	Operations []APIOperation
	// Clients are the numbers of concurrent clients each operation is
	// measured at.
	Clients []int
	// Duration is how long each operation is sent at each number of
	// clients, after Warmup of the same untimed.
	Duration, Warmup time.Duration
	// CPUProfile, when set, names the file a CPU profile of each
	// operation's measurements goes to, with the operation's name added.
	CPUProfile string
}

// APIOperation is one kind of request: Request returns the body and the
// bearer token of a client's i-th call, posted to URL.
type APIOperation struct {
	Name    string
	URL     string
	Request func(client, i int) (token string, body []byte)
}

// GraphQLBody returns the JSON body of a GraphQL request.
func GraphQLBody(query string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err) // vars are the bench's own maps of strings and numbers
	}
	return b
}

// APIResult is one operation at one number of clients.
type APIResult struct {
	Operation string
	Clients   int
	Calls     int
	Errors    int
	// FirstError is the first failure's message.
	FirstError string
	Wall       time.Duration
	// Latency holds every call's latency, sorted.
	Latency []time.Duration
	// CPU is this process's CPU time over the window (the API and the
	// clients), PostgresCPU that of the PostgreSQL server's processes.
	CPU, PostgresCPU time.Duration
}

// PerSecond is the calls completed per second of the window.
func (r APIResult) PerSecond() float64 { return float64(r.Calls) / r.Wall.Seconds() }

// At returns the q-quantile of the latencies.
func (r APIResult) At(q float64) time.Duration {
	if len(r.Latency) == 0 {
		return 0
	}
	return quantile(r.Latency, q)
}

// API sends every operation from each number of concurrent clients in
// turn, each client one call at a time over HTTP keep-alive, and writes a
// Markdown table of throughput, latency, failures and CPU time. A call
// fails on a transport error, an HTTP status other than 200, or a GraphQL
// error in the answer.
func API(ctx context.Context, cfg APIConfig, w io.Writer) ([]APIResult, error) {
	if cfg.Duration <= 0 || len(cfg.Clients) == 0 {
		return nil, fmt.Errorf("bench api: a positive duration and at least one number of clients are needed")
	}
	host, _ := os.Hostname()
	fmt.Fprintf(w, "machine: %s, %d CPUs (GOMAXPROCS %d), %s, %s\n\n", host, runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAverage(), runtime.Version())
	fmt.Fprintln(w, "| operation | clients | calls | calls/s | p50 | p99 | max | errors | CPU ms/call, bench process | CPU ms/call, PostgreSQL | load average after |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	var results []APIResult
	for _, op := range cfg.Operations {
		stop := func() error { return nil }
		if cfg.CPUProfile != "" {
			slug := strings.Map(func(r rune) rune {
				if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
					return r
				}
				return '-'
			}, op.Name)
			var err error
			if stop, err = startCPUProfile(profilePath(cfg.CPUProfile, slug)); err != nil {
				return nil, err
			}
		}
		for _, clients := range cfg.Clients {
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
			if cfg.Warmup > 0 {
				if _, err := sendFor(ctx, hc, op, clients, cfg.Warmup); err != nil {
					_ = stop()
					return nil, err
				}
			}
			runtime.GC()
			r, err := sendFor(ctx, hc, op, clients, cfg.Duration)
			hc.CloseIdleConnections()
			if err != nil {
				_ = stop()
				return nil, err
			}
			results = append(results, r)
			perCall := func(d time.Duration) string {
				return fmt.Sprintf("%.2f", float64(d)/float64(max(1, r.Calls))/1e6)
			}
			fmt.Fprintf(w, "| %s | %d | %d | %.0f | %s | %s | %s | %d | %s | %s | %s |\n", op.Name, clients, r.Calls, r.PerSecond(),
				ms(r.At(0.5)), ms(r.At(0.99)), ms(r.At(1)), r.Errors, perCall(r.CPU), perCall(r.PostgresCPU),
				strings.TrimPrefix(loadAverage(), "load average "))
		}
		if err := stop(); err != nil {
			return nil, err
		}
	}
	for _, r := range results {
		if r.Errors > 0 {
			fmt.Fprintf(w, "\n%s at %d clients: %d of %d calls failed, the first with: %s\n", r.Operation, r.Clients, r.Errors,
				r.Calls+r.Errors, r.FirstError)
		}
	}
	return results, nil
}

// sendFor sends op from clients goroutines for d and times every call
// that completed.
func sendFor(ctx context.Context, hc *http.Client, op APIOperation, clients int, d time.Duration) (APIResult, error) {
	r := APIResult{Operation: op.Name, Clients: clients}
	var mu sync.Mutex
	var wg sync.WaitGroup
	cpu, pgCPU := processCPU(), postgresCPU()
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Go(func() {
			var lat []time.Duration
			failed, first := 0, ""
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				token, body := op.Request(c, i)
				t := time.Now()
				err := post(ctx, hc, op.URL, token, body)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					failed++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			r.Latency = append(r.Latency, lat...)
			r.Errors += failed
			if r.FirstError == "" {
				r.FirstError = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	r.Wall = time.Since(start)
	r.CPU, r.PostgresCPU = processCPU()-cpu, postgresCPU()-pgCPU
	r.Calls = len(r.Latency)
	slices.Sort(r.Latency)
	return r, ctx.Err()
}

// post sends one request and reads its whole answer.
func post(ctx context.Context, hc *http.Client, url, token string, body []byte) error {
	resp, err := postBearer(ctx, hc, url, token, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
	}
	// The API writes an answer's errors before its data.
	if bytes.HasPrefix(b, []byte(`{"errors":`)) {
		return fmt.Errorf("%.300s", b)
	}
	return nil
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

// APISummary writes the ratios the targets of the API are stated in:
// dispatchCandidates' p99 against the floor's (`{ me { id } }`) and its
// throughput as clients are added, the nested list's throughput against
// the hand-written handler's, and createIncident's p99 at 8 clients.
func APISummary(w io.Writer, results []APIResult) {
	find := func(op string, clients int) (APIResult, bool) {
		for _, r := range results {
			if r.Operation == op && r.Clients == clients {
				return r, true
			}
		}
		return APIResult{}, false
	}
	fmt.Fprintln(w)
	for _, r := range results {
		if r.Operation != APIDispatchCandidates {
			continue
		}
		if floor, ok := find(APIMe, r.Clients); ok && floor.At(0.99) > 0 {
			fmt.Fprintf(w, "- %d clients: dispatchCandidates p99 %s = %.2f× the floor's %s (target ≤ 3×)\n", r.Clients,
				ms(r.At(0.99)), float64(r.At(0.99))/float64(floor.At(0.99)), ms(floor.At(0.99)))
		}
		if one, ok := find(APIDispatchCandidates, 1); ok && r.Clients > 1 && one.PerSecond() > 0 {
			fmt.Fprintf(w, "- %d clients: dispatchCandidates %.0f calls/s = %.2f× one client's\n", r.Clients, r.PerSecond(),
				r.PerSecond()/one.PerSecond())
		}
	}
	for _, r := range results {
		if r.Operation != APINestedList {
			continue
		}
		if hw, ok := find(APIHandwritten, r.Clients); ok && hw.PerSecond() > 0 {
			fmt.Fprintf(w, "- %d clients: the nested list at %.0f calls/s = %.0f %% of the hand-written handler's %.0f (target ≥ 70 %%)\n",
				r.Clients, r.PerSecond(), 100*r.PerSecond()/hw.PerSecond(), hw.PerSecond())
		}
	}
	if r, ok := find(APICreateIncident, 8); ok {
		fmt.Fprintf(w, "- 8 clients: createIncident p99 %s (target ≤ 20 ms)\n", ms(r.At(0.99)))
	}
}

// postBearer posts a JSON body with a bearer token.
func postBearer(ctx context.Context, hc *http.Client, url, token string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return hc.Do(req)
}
