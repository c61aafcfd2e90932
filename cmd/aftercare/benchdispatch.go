package main

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
	"github.com/aftercare/aftercare/postgres/postgis"
)

// benchDispatchConfig is what `aftercare bench dispatch` runs.
type benchDispatchConfig struct {
	Cities      string
	Seed        int64
	Engineers   int
	Depots      int
	Incidents   int
	At          time.Time
	Warmup      int
	Reference   int
	PostGIS     bool
	DatabaseURL string
}

// defaultPostGISURL is the database scripts/postgis.sh prepares.
const defaultPostGISURL = "postgres://aftercare:aftercare@localhost:5432/aftercare_postgis_bench?sslmode=disable"

// runBenchDispatch builds the dispatch workload and runs its
// incidents through Aftercare's index, a brute-force scan in Go and
// PostgreSQL with PostGIS, under the full parts rule and van-only, and
// reports latency per query and top-candidate agreement.
func runBenchDispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench dispatch", stderr)
	cfg := benchDispatchConfig{}
	fs.StringVar(&cfg.Cities, "cities", "", "city list the fleet and incidents are drawn around, a CSV file laid out as data/cities.csv (default the embedded data/cities.csv)")
	fs.Int64Var(&cfg.Seed, "seed", 20260302, "workload seed")
	fs.IntVar(&cfg.Engineers, "engineers", 100_000, "engineers in the fleet")
	fs.IntVar(&cfg.Depots, "depots", 1_000, "depots")
	fs.IntVar(&cfg.Incidents, "incidents", 10_000, "incidents, each dispatched once by every method")
	at := fs.String("at", "2026-03-04T10:00:00Z", "the dispatch instant every incident is moved to (RFC 3339), at which shifts are read")
	fs.IntVar(&cfg.Warmup, "warmup", 200, "incidents each method runs before it is timed")
	fs.IntVar(&cfg.Reference, "reference", 100, "incidents also run through dispatch.BruteForce, the package's naive reference (0 for none)")
	fs.BoolVar(&cfg.PostGIS, "postgis", true, "compare with PostgreSQL and PostGIS")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env("AFTERCARE_POSTGIS_DATABASE_URL", defaultPostGISURL),
		"PostgreSQL URL of a database with PostGIS, whose bench_* tables are replaced (AFTERCARE_POSTGIS_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if cfg.At, err = time.Parse(time.RFC3339, *at); err != nil {
		return fmt.Errorf("-at: %w", err)
	}
	return benchDispatch(ctx, cfg, stdout, stderr)
}

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

func candidatesTop(x *dispatch.Index) func(*dispatch.Request) (string, error) {
	return func(req *dispatch.Request) (string, error) {
		res, err := x.Candidates(*req)
		if err != nil || len(res.Candidates) == 0 {
			return "", err
		}
		return res.Candidates[0].EngineerID, nil
	}
}

// benchDispatch builds the workload, the indexes and scans and, with
// cfg.PostGIS, loads the database; then times every method over the
// incidents and writes the report to out and progress to log.
func benchDispatch(ctx context.Context, cfg benchDispatchConfig, out, log io.Writer) error {
	cities, err := loadCities(cfg.Cities)
	if err != nil {
		return err
	}
	w, err := dispatch.NewWorkload(cfg.Seed, cfg.Engineers, cfg.Depots, cfg.Incidents, cities)
	if err != nil {
		return err
	}
	reqs := atInstant(w.Requests, cfg.At)
	vanRows, onShift := 0, 0
	for i := range w.Engineers {
		vanRows += len(w.Engineers[i].Van)
		if w.Engineers[i].Calendar.OnShift(cfg.At) {
			onShift++
		}
	}

	fmt.Fprintln(log, "bench dispatch: building the indexes")
	runtime.GC()
	before := heapAlloc()
	start := time.Now()
	x, err := dispatch.NewIndex(w.Engineers, w.Depots)
	if err != nil {
		return err
	}
	build := time.Since(start)
	runtime.GC()
	perEngineer := float64(heapAlloc()-min(before, heapAlloc())) / float64(max(1, len(w.Engineers)))
	vanIndex, err := dispatch.NewIndex(w.Engineers, nil)
	if err != nil {
		return err
	}
	scan, vanScan := newFleetScan(w.Engineers, w.Depots, true), newFleetScan(w.Engineers, nil, true)
	plainScan := newFleetScan(w.Engineers, w.Depots, false)

	var db *postgis.DB
	var version string
	var load time.Duration
	if cfg.PostGIS {
		if db, err = postgis.Open(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
		defer db.Close()
		if version, err = db.Version(ctx); err != nil {
			return err
		}
		fmt.Fprintln(log, "bench dispatch: loading PostGIS")
		start := time.Now()
		if err := db.Load(ctx, w, cfg.At); err != nil {
			return err
		}
		load = time.Since(start)
	}

	scanTop := func(s *fleetScan) func(*dispatch.Request) (string, error) {
		return func(r *dispatch.Request) (string, error) { return s.top(r), nil }
	}
	one := withShortlist(reqs, 1)
	full := []method{
		{"full", "Aftercare Index.Candidates, shortlist 5 with reasons", candidatesTop(x), reqs, false},
		{"full", "Aftercare Index.Candidates, shortlist 1 with reasons", candidatesTop(x), one, false},
		{"full", "brute-force scan in Go: filters, then every qualified engineer's trip", scanTop(plainScan), reqs, false},
		{"full", "brute-force scan in Go, bounded by the best trip so far", scanTop(scan), reqs, false},
	}
	vanOnly := []method{
		{"van only", "Aftercare Index.Candidates without depots, shortlist 1 with reasons", candidatesTop(vanIndex), one, false},
		{"van only", "Aftercare Index.Candidates without depots, shortlist 5 with reasons", candidatesTop(vanIndex), reqs, false},
		{"van only", "brute-force scan in Go without depots, bounded", scanTop(vanScan), reqs, false},
	}
	if cfg.PostGIS {
		full = append(full, method{"full", "PostGIS: KNN for the van, then depot detours within its distance",
			func(r *dispatch.Request) (string, error) { return db.NearestWithDetour(ctx, r) }, reqs, true})
		vanOnly = append(vanOnly, method{"van only", "PostGIS: KNN `ORDER BY location <-> site LIMIT 1`",
			func(r *dispatch.Request) (string, error) { return db.Nearest(ctx, r) }, reqs, true})
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
	methods := append(full, vanOnly...)
	timings := make([]timing, len(methods))
	for i, m := range methods {
		fmt.Fprintf(log, "bench dispatch: %s (%s rule), %d incidents\n", m.name, m.rule, len(m.reqs))
		if timings[i], err = measure(ctx, m.reqs, min(cfg.Warmup, len(m.reqs)/2), m.query); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	fmt.Fprintf(out, "Workload (seed %d): %d engineers (%d on shift at %s), %d van-stock rows, %d depots, %d incidents, all dispatched at that instant.\n",
		cfg.Seed, len(w.Engineers), onShift, cfg.At.Format(time.RFC3339), vanRows, len(w.Depots), len(reqs))
	fmt.Fprintf(out, "Index build: %.2f s, %.0f bytes of heap per engineer. %s\n", build.Seconds(), perEngineer, runtime.Version())
	if cfg.PostGIS {
		fmt.Fprintf(out, "PostGIS load (COPY, GiST index, ANALYZE): %.1f s. %s\n", load.Seconds(), version)
	}
	report(out, methods, timings)
	return nil
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

func micros(d time.Duration) string {
	return fmt.Sprintf("%.0f", float64(d)/float64(time.Microsecond))
}

func heapAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// loadCities reads the city list at path, or the embedded one for "", and
// loads each city's time zone.
func loadCities(path string) ([]dispatch.City, error) {
	list := data.Cities()
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cities (-cities): %w", err)
		}
		defer f.Close()
		if list, err = data.ParseCities(f); err != nil {
			return nil, fmt.Errorf("cities (-cities %s): %w", path, err)
		}
	}
	cities := make([]dispatch.City, len(list))
	for i, c := range list {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("cities: %s: %w", c.Name, err)
		}
		cities[i] = dispatch.City{Name: c.Name, Country: c.Country, Lat: c.Lat, Lng: c.Lng, Location: loc}
	}
	return cities, nil
}
