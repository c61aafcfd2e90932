package dispatch

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The dispatch workload: 100,000 engineers, about 1,000 depots and 10,000
// incidents around the cities of data/cities.csv.
const (
	benchEngineers = 100_000
	benchDepots    = 1_000
	benchIncidents = 10_000
	benchSeed      = 20260302
)

var benchWorkload = sync.OnceValues(func() (*workload, error) {
	return newWorkload(benchSeed, benchEngineers, benchDepots, benchIncidents)
})

func mustBenchWorkload(b *testing.B) *workload {
	b.Helper()
	w, err := benchWorkload()
	require.NoError(b, err)
	return w
}

// BenchmarkCandidates runs the workload's incidents through the index in
// turn and reports the 50th and 99th percentile latency besides the mean.
func BenchmarkCandidates(b *testing.B) {
	w := mustBenchWorkload(b)
	x := mustIndex(b, defaultLayout(), w.Engineers, w.Depots)
	benchmarkQueries(b, func(req Request) (Result, error) { return x.Candidates(req) }, w.Requests)
}

// BenchmarkCandidatesVansOnly runs the incidents through an index without
// depots, where only a van can bring the part.
func BenchmarkCandidatesVansOnly(b *testing.B) {
	w := mustBenchWorkload(b)
	x := mustIndex(b, defaultLayout(), w.Engineers, nil)
	benchmarkQueries(b, func(req Request) (Result, error) { return x.Candidates(req) }, w.Requests)
}

// BenchmarkBruteForce runs the same incidents through the reference scan.
func BenchmarkBruteForce(b *testing.B) {
	w := mustBenchWorkload(b)
	benchmarkQueries(b, func(req Request) (Result, error) { return BruteForce(w.Engineers, w.Depots, req) }, w.Requests)
}

// BenchmarkBruteForceScan is BruteForce without validating the fleet on
// every call, the fairer baseline for the search itself.
func BenchmarkBruteForceScan(b *testing.B) {
	w := mustBenchWorkload(b)
	benchmarkQueries(b, func(req Request) (Result, error) { return scan(w.Engineers, w.Depots, &req), nil }, w.Requests)
}

// BenchmarkCandidatesNoParts and BenchmarkBruteForceNoParts drop the parts
// from the incidents, isolating the engineer search from the depot detours.
func BenchmarkCandidatesNoParts(b *testing.B) {
	w := mustBenchWorkload(b)
	x := mustIndex(b, defaultLayout(), w.Engineers, w.Depots)
	benchmarkQueries(b, func(req Request) (Result, error) { return x.Candidates(req) }, withoutParts(w.Requests))
}

func BenchmarkBruteForceNoParts(b *testing.B) {
	w := mustBenchWorkload(b)
	benchmarkQueries(b, func(req Request) (Result, error) { return BruteForce(w.Engineers, w.Depots, req) }, withoutParts(w.Requests))
}

func BenchmarkBruteForceScanNoParts(b *testing.B) {
	w := mustBenchWorkload(b)
	benchmarkQueries(b, func(req Request) (Result, error) { return scan(w.Engineers, w.Depots, &req), nil }, withoutParts(w.Requests))
}

// BenchmarkResolution compares fine resolutions for the ring walk, each
// with a disk that certifies about the same distance, the best-first search
// alone, and depots at resolution 4. defaultLayout records the numbers.
func BenchmarkResolution(b *testing.B) {
	w := mustBenchWorkload(b)
	for _, l := range []layout{
		{fine: 3, rings: []int{1}, depot: 3, vans: vanResolution},
		{fine: 4, rings: []int{3}, depot: 3, vans: vanResolution},
		{fine: 5, rings: []int{4}, depot: 3, vans: vanResolution},
		{fine: 6, rings: []int{8}, depot: 3, vans: vanResolution},
		{fine: 7, rings: []int{16}, depot: 3, vans: vanResolution},
		{fine: 4, depot: 3, vans: vanResolution},
		{fine: 4, rings: []int{3}, depot: 4, vans: vanResolution},
	} {
		b.Run(fmt.Sprintf("res=%d/rings=%v/depots=%d", l.fine, l.rings, l.depot), func(b *testing.B) {
			x := mustIndex(b, l, w.Engineers, w.Depots)
			benchmarkQueries(b, func(req Request) (Result, error) { return x.Candidates(req) }, w.Requests)
		})
	}
}

// BenchmarkVanResolution compares resolutions for the leaves of the trees
// of vans, with depots (the first pass looks no farther than the nearest
// depot holding the part) and without (it looks until the shortlist is
// full). vanResolution records the numbers.
func BenchmarkVanResolution(b *testing.B) {
	w := mustBenchWorkload(b)
	for _, res := range []int{1, 2, 3, 4} {
		for _, depots := range []bool{true, false} {
			l := defaultLayout()
			l.vans = res
			var ds []Depot
			if depots {
				ds = w.Depots
			}
			b.Run(fmt.Sprintf("vans=%d/depots=%v", res, depots), func(b *testing.B) {
				x := mustIndex(b, l, w.Engineers, ds)
				benchmarkQueries(b, func(req Request) (Result, error) { return x.Candidates(req) }, w.Requests)
			})
		}
	}
}

func benchmarkQueries(b *testing.B, query func(Request) (Result, error), reqs []Request) {
	b.ReportAllocs()
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := query(reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		latencies = append(latencies, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2]), "p50-ns")
	b.ReportMetric(float64(latencies[len(latencies)*99/100]), "p99-ns")
}

func withoutParts(reqs []Request) []Request {
	out := slices.Clone(reqs)
	for i := range out {
		out[i].Parts = nil
	}
	return out
}
