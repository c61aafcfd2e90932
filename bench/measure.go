package bench

import (
	"context"
	"runtime"
	"slices"
	"time"

	"github.com/aftercare/aftercare/dispatch"
)

// timing is one method's run over the incidents: each incident's top
// candidate ("" for none), the sorted latencies and the sorted CPU times of
// the querying thread (nil where the clock cannot be read).
type timing struct {
	top     []string
	latency []time.Duration
	cpu     []time.Duration
}

func (t timing) at(q float64) time.Duration { return quantile(t.latency, q) }

// quantile returns the q-quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// measure runs query over the first warmup requests untimed, then over
// every request timed one by one: the wall-clock latency, and the CPU time
// of the thread the goroutine is locked to, which leaves out the time the
// query waited for a core while other processes ran.
func measure(ctx context.Context, reqs []dispatch.Request, warmup int, query func(*dispatch.Request) (string, error)) (timing, error) {
	for i := range min(warmup, len(reqs)) {
		if _, err := query(&reqs[i]); err != nil {
			return timing{}, err
		}
	}
	runtime.GC()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t := timing{top: make([]string, len(reqs)), latency: make([]time.Duration, len(reqs)), cpu: make([]time.Duration, len(reqs))}
	for i := range reqs {
		if err := ctx.Err(); err != nil {
			return timing{}, err
		}
		cpuStart, cpuOK := threadCPU()
		start := time.Now()
		top, err := query(&reqs[i])
		t.latency[i] = time.Since(start)
		cpuEnd, _ := threadCPU()
		if err != nil {
			return timing{}, err
		}
		if !cpuOK {
			t.cpu = nil
		} else if t.cpu != nil {
			t.cpu[i] = cpuEnd - cpuStart
		}
		t.top[i] = top
	}
	slices.Sort(t.latency)
	slices.Sort(t.cpu)
	return t, nil
}

// agreement counts the incidents whose top candidate is the same in a and b.
func agreement(a, b []string) int {
	n := 0
	for i := range min(len(a), len(b)) {
		if a[i] == b[i] {
			n++
		}
	}
	return n
}
