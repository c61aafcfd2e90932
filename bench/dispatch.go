package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/aftercare/aftercare/data"
	"github.com/aftercare/aftercare/dispatch"
)

// DispatchConfig is what `aftercare bench dispatch` runs.
type DispatchConfig struct {
	// CitiesFile is a city list laid out as data/cities.csv; "" is the
	// embedded one.
	CitiesFile string
	Seed       int64
	Engineers  int
	Depots     int
	Incidents  int
	// At is the dispatch instant every incident is moved to, at which
	// shifts are read.
	At     time.Time
	Warmup int
	// Reference is how many incidents also run through dispatch.BruteForce.
	Reference int
	// PostGIS compares with PostgreSQL and PostGIS, in the database at
	// DatabaseURL.
	PostGIS     bool
	DatabaseURL string
}

// DefaultPostGISURL is the database scripts/postgis.sh prepares.
const DefaultPostGISURL = "postgres://aftercare:aftercare@localhost:5432/aftercare_postgis_bench?sslmode=disable"

// Dispatch builds the dispatch workload and runs its incidents
// through Aftercare's index, a brute-force scan in Go, dispatch.BruteForce
// and, with cfg.PostGIS, PostgreSQL with PostGIS, under the full parts rule
// and van-only. It writes a report of latency per query and top-candidate
// agreement to out, and progress to log.
func Dispatch(ctx context.Context, cfg DispatchConfig, out, log io.Writer) error {
	cities, err := readCities(cfg.CitiesFile)
	if err != nil {
		return err
	}
	w, err := NewWorkload(cfg.Seed, cfg.Engineers, cfg.Depots, cfg.Incidents, cities)
	if err != nil {
		return err
	}
	reqs := atInstant(w.Requests, cfg.At)
	fmt.Fprintln(log, "bench dispatch: building the indexes")
	fleet, err := newBenchFleet(w)
	if err != nil {
		return err
	}
	var gis *postGIS
	var version string
	var load time.Duration
	if cfg.PostGIS {
		if gis, err = openPostGIS(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
		defer gis.close()
		if version, err = gis.version(ctx); err != nil {
			return err
		}
		fmt.Fprintln(log, "bench dispatch: loading PostGIS")
		start := time.Now()
		if err := gis.load(ctx, w, cfg.At); err != nil {
			return err
		}
		load = time.Since(start)
	}
	methods := dispatchMethods(ctx, cfg, w, reqs, fleet, gis)
	timings := make([]timing, len(methods))
	for i, m := range methods {
		fmt.Fprintf(log, "bench dispatch: %s (%s rule), %d incidents\n", m.name, m.rule, len(m.reqs))
		if timings[i], err = measure(ctx, m.reqs, min(cfg.Warmup, len(m.reqs)/2), m.query); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	vanRows, onShift := 0, 0
	for i := range w.Engineers {
		vanRows += len(w.Engineers[i].Van)
		if w.Engineers[i].Calendar.OnShift(cfg.At) {
			onShift++
		}
	}
	fmt.Fprintf(out, "Workload (seed %d): %d engineers (%d on shift at %s), %d van-stock rows, %d depots, %d incidents, all dispatched at that instant.\n",
		cfg.Seed, len(w.Engineers), onShift, cfg.At.Format(time.RFC3339), vanRows, len(w.Depots), len(reqs))
	fmt.Fprintf(out, "Index build: %.2f s, %.0f bytes of heap per engineer. %s\n", fleet.build.Seconds(), fleet.perEngineer, runtime.Version())
	if cfg.PostGIS {
		fmt.Fprintf(out, "PostGIS load (COPY, GiST index, ANALYZE): %.1f s. %s\n", load.Seconds(), version)
	}
	report(out, methods, timings)
	return nil
}

// readCities reads the city list at path, or the embedded one for "".
func readCities(path string) ([]data.City, error) {
	if path == "" {
		return data.Cities(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cities: %w", err)
	}
	defer f.Close()
	cities, err := data.ParseCities(f)
	if err != nil {
		return nil, fmt.Errorf("cities %s: %w", path, err)
	}
	return cities, nil
}

// benchFleet is the workload's fleet laid out for every method: Aftercare's
// index with and without depots, and the scans.
type benchFleet struct {
	index, vanIndex          *dispatch.Index
	scan, vanScan, plainScan *fleetScan
	// build is how long the index took to build, perEngineer the heap it
	// took per engineer.
	build       time.Duration
	perEngineer float64
}

func newBenchFleet(w *Workload) (*benchFleet, error) {
	runtime.GC()
	before := heapAlloc()
	start := time.Now()
	x, err := dispatch.NewIndex(w.Engineers, w.Depots)
	if err != nil {
		return nil, err
	}
	f := &benchFleet{index: x, build: time.Since(start)}
	runtime.GC()
	f.perEngineer = float64(heapAlloc()-min(before, heapAlloc())) / float64(max(1, len(w.Engineers)))
	if f.vanIndex, err = dispatch.NewIndex(w.Engineers, nil); err != nil {
		return nil, err
	}
	f.scan, f.vanScan = newFleetScan(w.Engineers, w.Depots, true), newFleetScan(w.Engineers, nil, true)
	f.plainScan = newFleetScan(w.Engineers, w.Depots, false)
	return f, nil
}

// dispatchMethods lists the methods the bench times, Aftercare's first
// under each rule: the full rule, then van only.
func dispatchMethods(ctx context.Context, cfg DispatchConfig, w *Workload, reqs []dispatch.Request, f *benchFleet, gis *postGIS) []method {
	scanTop := func(s *fleetScan) func(*dispatch.Request) (string, error) {
		return func(r *dispatch.Request) (string, error) { return s.top(r), nil }
	}
	one := withShortlist(reqs, 1)
	full := []method{
		{"full", "Aftercare Index.Candidates, shortlist 5 with reasons", candidatesTop(f.index), reqs, false},
		{"full", "Aftercare Index.Candidates, shortlist 1 with reasons", candidatesTop(f.index), one, false},
		{"full", "brute-force scan in Go: filters, then every qualified engineer's trip", scanTop(f.plainScan), reqs, false},
		{"full", "brute-force scan in Go, bounded by the best trip so far", scanTop(f.scan), reqs, false},
	}
	vanOnly := []method{
		{"van only", "Aftercare Index.Candidates without depots, shortlist 1 with reasons", candidatesTop(f.vanIndex), one, false},
		{"van only", "Aftercare Index.Candidates without depots, shortlist 5 with reasons", candidatesTop(f.vanIndex), reqs, false},
		{"van only", "brute-force scan in Go without depots, bounded", scanTop(f.vanScan), reqs, false},
	}
	if gis != nil {
		full = append(full, method{"full", "PostGIS: KNN for the van, then depot detours within its distance",
			func(r *dispatch.Request) (string, error) { return gis.nearestWithDetour(ctx, r) }, reqs, true})
		vanOnly = append(vanOnly, method{"van only", "PostGIS: KNN `ORDER BY location <-> site LIMIT 1`",
			func(r *dispatch.Request) (string, error) { return gis.nearest(ctx, r) }, reqs, true})
	}
	if n := min(cfg.Reference, len(reqs)); n > 0 {
		full = append(full, method{"full", fmt.Sprintf("dispatch.BruteForce, the package's naive reference (first %d incidents)", n),
			func(r *dispatch.Request) (string, error) {
				res, err := dispatch.BruteForce(w.Engineers, w.Depots, *r)
				if err != nil || len(res.Candidates) == 0 {
					return "", err
				}
				return res.Candidates[0].EngineerID, nil
			}, reqs[:n], false})
	}
	return append(full, vanOnly...)
}

// candidatesTop asks the index for the request's top candidate.
func candidatesTop(x *dispatch.Index) func(*dispatch.Request) (string, error) {
	return func(req *dispatch.Request) (string, error) {
		res, err := x.Candidates(*req)
		if err != nil || len(res.Candidates) == 0 {
			return "", err
		}
		return res.Candidates[0].EngineerID, nil
	}
}

// method is one way of answering the incidents under one parts rule.
// A remote method's work runs in another process, so the CPU time of the
// querying thread does not measure it.
type method struct {
	rule, name string
	query      func(*dispatch.Request) (string, error)
	reqs       []dispatch.Request
	remote     bool
}

// report writes a table row per method, comparing each with the first
// method of its rule (Aftercare's).
func report(out io.Writer, methods []method, timings []timing) {
	fmt.Fprintf(out, "\n| rule | method | p50 µs | p99 µs | max µs | p99 / Aftercare p99 | CPU p50 µs | CPU p99 µs | top candidate = Aftercare's | no candidate |\n")
	fmt.Fprintf(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, m := range methods {
		base := slices.IndexFunc(methods, func(b method) bool { return b.rule == m.rule })
		t, ref := timings[i], timings[base]
		none := 0
		for _, id := range t.top {
			if id == "" {
				none++
			}
		}
		agree := agreement(t.top, ref.top)
		cpu50, cpu99 := "–", "–"
		if t.cpu != nil && !m.remote {
			cpu50, cpu99 = micros(quantile(t.cpu, 0.50)), micros(quantile(t.cpu, 0.99))
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %.1f× | %s | %s | %d/%d (%.2f %%) | %d |\n", m.rule, m.name,
			micros(t.at(0.50)), micros(t.at(0.99)), micros(t.latency[len(t.latency)-1]),
			float64(t.at(0.99))/float64(ref.at(0.99)), cpu50, cpu99, agree, len(t.top), 100*float64(agree)/float64(len(t.top)), none)
	}
}

// withShortlist returns the requests asking for shortlists of k.
func withShortlist(reqs []dispatch.Request, k int) []dispatch.Request {
	out := slices.Clone(reqs)
	for i := range out {
		out[i].Shortlist = k
	}
	return out
}

// atInstant returns the requests moved to one dispatch instant, each on-site
// deadline keeping its distance from Now, so that every method reads the
// same shifts and PostGIS can hold on-shift as a column.
func atInstant(reqs []dispatch.Request, at time.Time) []dispatch.Request {
	out := slices.Clone(reqs)
	for i := range out {
		if !out[i].Deadline.IsZero() {
			out[i].Deadline = at.Add(out[i].Deadline.Sub(out[i].Now))
		}
		out[i].Now = at
	}
	return out
}

// micros formats a duration in whole microseconds.
func micros(d time.Duration) string {
	return fmt.Sprintf("%.0f", float64(d)/float64(time.Microsecond))
}

// heapAlloc returns the bytes of heap allocated and not yet freed.
func heapAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
