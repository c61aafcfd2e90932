package dispatch

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkIndexMemory builds the dispatch workload's index and reports the
// heap it holds per engineer (after a collection, before and after the
// build) besides the build time.
func BenchmarkIndexMemory(b *testing.B) {
	benchmarkIndexMemory(b, func(w *workload) *Index { return mustIndex(b, defaultLayout(), w.Engineers, w.Depots) })
}

// BenchmarkIndexMemoryPut is BenchmarkIndexMemory for an index filled one
// engineer at a time and compacted, as a process builds it while the fleet
// streams in from the database.
func BenchmarkIndexMemoryPut(b *testing.B) {
	benchmarkIndexMemory(b, func(w *workload) *Index {
		x, err := NewIndex(nil, nil)
		require.NoError(b, err)
		for i := range w.Engineers {
			require.NoError(b, x.Put(w.Engineers[i]))
		}
		for i := range w.Depots {
			require.NoError(b, x.PutDepot(w.Depots[i]))
		}
		x.Compact()
		return x
	})
}

func benchmarkIndexMemory(b *testing.B, build func(*workload) *Index) {
	w := mustBenchWorkload(b)
	var perEngineer float64
	for b.Loop() {
		runtime.GC()
		before := heapInUse()
		x := build(w)
		runtime.GC()
		perEngineer = float64(heapInUse()-min(before, heapInUse())) / float64(len(w.Engineers))
		runtime.KeepAlive(x)
	}
	b.ReportMetric(perEngineer, "heap-B/engineer")
}

// heapInUse returns the bytes of heap allocated and not yet freed.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
