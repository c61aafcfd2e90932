package dispatch_test

import (
	"github.com/aftercare/aftercare/bench"
	"github.com/aftercare/aftercare/data"
	"github.com/aftercare/aftercare/dispatch"
)

// init gives the tests inside package dispatch the benchmark workload,
// which they cannot import themselves: package bench imports dispatch.
func init() {
	dispatch.NewBenchWorkload = func(seed int64, engineers, depots, incidents int) ([]dispatch.Engineer, []dispatch.Depot, []dispatch.Request, error) {
		w, err := bench.NewWorkload(seed, engineers, depots, incidents, data.Cities())
		if err != nil {
			return nil, nil, nil, err
		}
		return w.Engineers, w.Depots, w.Requests, nil
	}
}
