package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// client sends GraphQL requests over HTTP to the API replicas in turn, as
// a real integration does: a request that did not reach an API (refused,
// cut off, a replica restarting), or that the API answered EUNAVAILABLE
// (its database or Temporal restarting), is sent again, to the next
// replica, until its deadline. Requests that change something carry their own idempotency
// (a client request ID) where the API has one, so sending again is safe.
type client struct {
	urls  []string
	http  *http.Client
	next  atomic.Uint64
	stats *stats
}

// gqlError is one GraphQL error of a response.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// response is a GraphQL response.
type response struct {
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
}

// code returns the first error's extensions.code, "" when none.
func (r *response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// err returns the response's first error as a Go error, nil when none.
func (r *response) err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", r.code(), r.Errors[0].Message)
}

// errUnreachable is a request that reached no API before its deadline.
var errUnreachable = errors.New("no API replica answered")

// retryFor is how long a request is sent again while no replica answers:
// long enough to ride out a restart of PostgreSQL or of every replica.
const retryFor = 2 * time.Minute

// do sends one operation as the token's user and returns its response.
// op names the operation in the latency figures.
func (c *client) do(ctx context.Context, token, op, query string, vars map[string]any) (*response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(retryFor)
	for attempt := 0; ; attempt++ {
		url := c.urls[int(c.next.Add(1))%len(c.urls)] + "/query"
		start := time.Now()
		resp, status, err := c.post(ctx, url, token, body)
		c.stats.observe(op, time.Since(start), status, err)
		if err == nil && status < 500 {
			if resp.code() != "EUNAVAILABLE" {
				return resp, nil
			}
			c.stats.unavailable.Add(1)
			err = errors.New("EUNAVAILABLE")
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("HTTP %d", status)
			}
			return nil, fmt.Errorf("%w: %s: %v", errUnreachable, op, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff(attempt)):
		}
	}
}

// must sends an operation and returns its data, or an error for a
// GraphQL error or an unreachable API.
func (c *client) must(ctx context.Context, token, op, query string, vars map[string]any) (map[string]any, error) {
	resp, err := c.do(ctx, token, op, query, vars)
	if err != nil {
		return nil, err
	}
	if err := resp.err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return resp.Data, nil
}

// backoff is the pause before the attempt after attempt: 100 ms doubling
// to 2 s.
func backoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt, 5)
	return min(d, 2*time.Second)
}

// post sends one request. A status of 500 or more is returned with a nil
// error; a request that got no answer returns an error.
func (c *client) post(ctx context.Context, url, token string, body []byte) (*response, int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, res.StatusCode, err
	}
	if res.StatusCode >= 500 {
		return nil, res.StatusCode, nil
	}
	var out response
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, res.StatusCode, fmt.Errorf("HTTP %d: %.200s", res.StatusCode, b)
	}
	return &out, res.StatusCode, nil
}

// stats keeps every operation's latencies, and counts the server errors
// and the requests that got no answer.
type stats struct {
	mu          sync.Mutex
	latency     map[string][]time.Duration
	serverError map[int]int
	unanswered  int
	unavailable atomic.Int64 // answers EUNAVAILABLE, sent again
}

func newStats() *stats {
	return &stats{latency: map[string][]time.Duration{}, serverError: map[int]int{}}
}

// observe records one request: its latency when the API answered, its
// status when that is a server error, or that it got no answer.
func (s *stats) observe(op string, d time.Duration, status int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		s.unanswered++
	case status >= 500:
		s.serverError[status]++
	default:
		s.latency[op] = append(s.latency[op], d)
	}
}

// opLatency is one operation's latency figures.
type opLatency struct {
	Op       string
	Count    int
	P50, P99 time.Duration
}

// latencies returns each operation's count, p50 and p99, by operation.
func (s *stats) latencies() []opLatency {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []opLatency
	for op, ds := range s.latency {
		sorted := slices.Clone(ds)
		slices.Sort(sorted)
		out = append(out, opLatency{Op: op, Count: len(sorted), P50: quantile(sorted, 0.50), P99: quantile(sorted, 0.99)})
	}
	slices.SortFunc(out, func(a, b opLatency) int { return cmpString(a.Op, b.Op) })
	return out
}

// serverErrors returns how many responses had a status of 500, and how
// many another status of 500 or more (503 while a dependency restarts).
func (s *stats) serverErrors() (internal, other int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for status, c := range s.serverError {
		if status == 500 {
			internal += c
		} else {
			other += c
		}
	}
	return internal, other
}

// quantile returns the q-quantile of sorted durations (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
