// Package dispatch finds the field engineers who can take an incident and
// assigns queues of incidents to engineers.
//
// It holds the pure half of dispatch: an in-memory Index of engineers and
// depots filed by H3 cell (follows location, load and stock changes without a
// rebuild), the exact nearest-qualified-engineer search behind
// Index.Candidates, the reference scan BruteForce (the specification the
// index is tested against: its answer, checked rule by rule, is the one
// Candidates must give), and batch assignment by minimum total travel time
// (Index.Assign, Hungarian algorithm against a greedy baseline). The
// benchmark workload and the benchmarks' baselines live in package bench.
//
// The package does no I/O and never reads the clock: callers pass the data
// and the current time, so a Temporal workflow can call it deterministically.
// It may import the standard library, the root package aftercare and
// github.com/uber/h3-go (the only package of Aftercare that does).
package dispatch
