package sim

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// outcomes counts what happened during the day, and keeps the first
// problems the simulated users met (an error no real user should see).
type outcomes struct {
	mu       sync.Mutex
	counts   map[string]int
	problems []string
	nproblem int
	serial   int
}

func newOutcomes() *outcomes { return &outcomes{counts: map[string]int{}} }

// add counts n of what.
func (o *outcomes) add(what string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.counts[what] += n
}

// problem records an error a simulated user met.
func (o *outcomes) problem(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.nproblem++
	if len(o.problems) < 20 {
		o.problems = append(o.problems, fmt.Sprintf(format, args...))
	}
}

// line is the progress line: the main counts so far.
func (o *outcomes) line() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprintf("filed %d, dispatched %d, completed %d, declined %d, quotes %d/%d, problems %d",
		o.counts["filed"], o.counts["dispatched by assignEngineer"]+o.counts["dispatched by overrideAssignment"]+
			o.counts["dispatched by optimizeDispatch"], o.counts["jobs completed"], o.counts["jobs declined"],
		o.counts["quotes approved"], o.counts["quotes rejected"], o.nproblem)
}

// serial returns the next serial number for a part installed.
func (s *sim) serial() int {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	s.out.serial++
	return s.out.serial
}

// Day is what a simulated day did, as its users saw it.
type Day struct {
	Start, End time.Time
	// Accepted maps the client request ID of every createIncident that
	// succeeded to the incident it named.
	Accepted map[string]string
	// Counts are the day's outcomes by name.
	Counts map[string]int
	// Problems are the first errors the simulated users met, and how many
	// there were in all.
	Problems     []string
	ProblemCount int
	// Latency is each operation's p50 and p99 over HTTP, as the users met it.
	Latency []opLatency
	// ServerErrors counts responses with HTTP status 500; Unavailable
	// those with another status of 500 or more (503 while a dependency
	// restarts) and the answers EUNAVAILABLE; Unanswered the requests
	// that reached no API. All but the first were sent again.
	ServerErrors, Unavailable, Unanswered int
}

// day returns the day's record.
func (s *sim) day() *Day {
	d := &Day{Start: s.start, End: time.Now(), Accepted: map[string]string{}, Latency: s.c.stats.latencies()}
	var other int
	d.ServerErrors, other = s.c.stats.serverErrors()
	d.Unavailable = other + int(s.c.stats.unavailable.Load())
	s.accepted.Range(func(k, v any) bool {
		d.Accepted[k.(string)] = v.(string)
		return true
	})
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	d.Counts = map[string]int{}
	for k, v := range s.out.counts {
		d.Counts[k] = v
	}
	d.Problems, d.ProblemCount = slices.Clone(s.out.problems), s.out.nproblem
	s.c.stats.mu.Lock()
	d.Unanswered = s.c.stats.unanswered
	s.c.stats.mu.Unlock()
	return d
}

// WriteReport prints the day's counts, problems and latencies.
func (d *Day) WriteReport(w io.Writer) {
	fmt.Fprintf(w, "\n## The day's outcomes (%s real)\n\n", d.End.Sub(d.Start).Round(time.Second))
	keys := make([]string, 0, len(d.Counts))
	for k := range d.Counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Fprintf(w, "| outcome | count |\n|---|---:|\n")
	for _, k := range keys {
		fmt.Fprintf(w, "| %s | %d |\n", k, d.Counts[k])
	}
	fmt.Fprintf(w, "\nRequests sent again: %d that reached no API, %d answered unavailable (HTTP 503 or EUNAVAILABLE); "+
		"responses HTTP 500: %d.\n", d.Unanswered, d.Unavailable, d.ServerErrors)
	if d.ProblemCount > 0 {
		fmt.Fprintf(w, "\nErrors the simulated users met: %d; the first:\n", d.ProblemCount)
		for _, p := range d.Problems {
			fmt.Fprintf(w, "- %s\n", strings.ReplaceAll(p, "\n", " "))
		}
	}
	fmt.Fprintf(w, "\n## API latency over HTTP, per operation\n\n| operation | calls | p50 | p99 |\n|---|---:|---:|---:|\n")
	for _, l := range d.Latency {
		fmt.Fprintf(w, "| %s | %d | %s | %s |\n", l.Op, l.Count, ms(l.P50), ms(l.P99))
	}
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
