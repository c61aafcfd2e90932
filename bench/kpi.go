package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	neturl "net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
)

// KPIConfig is what `aftercare bench kpi` runs.
type KPIConfig struct {
	// ServerURL is the URL of any database on the server the benchmark's
	// database, Database, is created on.
	ServerURL string
	Database  string
	// Seed is the demo data the history is filed against.
	Seed      demo.Config
	Incidents int
	// Runs and NaiveRuns are the timed runs of each query from the stored
	// counters and from the base tables.
	Runs      int
	NaiveRuns int
	// Only keeps the queries whose dimension and name hold it.
	Only string
}

// KPI loads a history of incidents into a database of its own (once: a
// database that holds it already is reused) and times every KPI query of
// the API per dimension, from the stored counters and, in the same run,
// computed from the base tables. It writes the report to out.
func KPI(ctx context.Context, cfg KPIConfig, out io.Writer) error {
	if cfg.Runs < 1 || cfg.NaiveRuns < 0 || cfg.Incidents < 1 {
		return fmt.Errorf("runs must be at least 1, naive runs at least 0, incidents at least 1")
	}
	return benchKPI(ctx, cfg, out)
}

// benchKPIQuery is one KPI query the benchmark times, as a caller in a
// scope asks it.
type benchKPIQuery struct {
	name   string
	scope  *aftercare.Scope
	filter aftercare.KPIFilter
}

func benchKPI(ctx context.Context, cfg KPIConfig, stdout io.Writer) error {
	db, err := HistoryDatabase{ServerURL: cfg.ServerURL, Database: cfg.Database, Seed: cfg.Seed, Incidents: cfg.Incidents}.Open(ctx, stdout)
	if err != nil {
		return err
	}
	defer db.Close()
	s := postgres.NewKPIService(db)
	now := time.Now().UTC()
	var queries []benchKPIQuery
	for _, d := range aftercare.KPIDimensions {
		queries = append(queries,
			benchKPIQuery{name: "12 months by month", filter: aftercare.KPIFilter{Dimension: d, From: now.AddDate(0, -11, 0), To: now}},
			benchKPIQuery{name: "24 months in one", filter: aftercare.KPIFilter{Dimension: d, From: now.AddDate(0, -23, 0), To: now,
				Granularity: aftercare.KPIWholePeriod}})
	}
	// am.chen manages every account but am.li's three: by engineer, the
	// all-key counters are read, nearly all of them.
	for _, q := range []struct {
		username string
		dim      aftercare.KPIDimension
	}{{"am.li", aftercare.KPIByAccount}, {"dispatcher.east", aftercare.KPIByAccount}, {"engineer.zhang", aftercare.KPIByAccount},
		{"am.chen", aftercare.KPIByEngineer}} {
		scope, err := demoScope(ctx, db, q.username)
		if err != nil {
			return err
		}
		queries = append(queries, benchKPIQuery{name: "12 months by month, as " + q.username, scope: scope,
			filter: aftercare.KPIFilter{Dimension: q.dim, From: now.AddDate(0, -11, 0), To: now}})
	}
	fmt.Fprintf(stdout, "\n%-9s %-44s %-8s %6s %5s %10s %10s %10s %6s\n", "dimension", "query", "source", "rows", "runs", "p50", "p99", "max", "agree")
	for _, q := range queries {
		if !strings.Contains(string(q.filter.Dimension)+" "+q.name, cfg.Only) {
			continue
		}
		qctx := ctx
		if q.scope != nil {
			qctx = aftercare.NewContextWithScope(ctx, q.scope)
		}
		stored, storedTimes, err := timeKPIs(qctx, 1, cfg.Runs, func(ctx context.Context) ([]*aftercare.KPI, error) { return s.FindKPIs(ctx, q.filter) })
		if err != nil {
			return err
		}
		printKPITiming(stdout, q, "counters", len(stored), storedTimes, "")
		if cfg.NaiveRuns == 0 {
			continue
		}
		base, baseTimes, err := timeKPIs(qctx, 0, cfg.NaiveRuns, func(ctx context.Context) ([]*aftercare.KPI, error) { return s.FindKPIsFromBase(ctx, q.filter) })
		if err != nil {
			return err
		}
		agree := "yes"
		if !sameKPIs(stored, base) {
			agree = "NO"
		}
		printKPITiming(stdout, q, "base", len(base), baseTimes, agree)
	}
	return nil
}

// HistoryDatabase is a benchmark's database of its own: the demo data
// set Seed with a history of Incidents closed incidents over two years.
type HistoryDatabase struct {
	// ServerURL is the URL of any database on the server Database is
	// created on.
	ServerURL, Database string
	Seed                demo.Config
	Incidents           int
}

// Open creates, migrates and seeds the database, or reuses it when it
// holds a history already, and writes what it did to stdout.
func (h HistoryDatabase) Open(ctx context.Context, stdout io.Writer) (*postgres.DB, error) {
	url, err := postgres.CreateDatabase(ctx, h.ServerURL, h.Database)
	if aftercare.ErrorCode(err) == aftercare.ECONFLICT {
		url, err = databaseURL(h.ServerURL, h.Database)
	}
	if err != nil {
		return nil, err
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	n, err := demo.HistoryIncidents(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	host, _ := os.Hostname()
	fmt.Fprintf(stdout, "machine: %s, %d CPUs (GOMAXPROCS %d), %s\n", host, runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAverage())
	if n > 0 {
		fmt.Fprintf(stdout, "database %s: reusing its history of %d incidents\n", h.Database, n)
		return db, nil
	}
	seeded, err := demo.Seeded(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	start := time.Now()
	if !seeded {
		if _, err := demo.Seed(ctx, db, h.Seed); err != nil {
			db.Close()
			return nil, err
		}
		fmt.Fprintf(stdout, "demo data (%d accounts, %d assets, %d engineers) seeded in %s\n", h.Seed.Accounts,
			h.Seed.Accounts*h.Seed.SitesPerAccount*h.Seed.AssetsPerSite, h.Seed.Engineers, time.Since(start).Round(time.Millisecond))
	}
	start = time.Now()
	rows, err := demo.SeedHistory(ctx, db, demo.HistoryConfig{Seed: h.Seed.Seed, Incidents: h.Incidents, Now: h.Seed.Now})
	if err != nil {
		db.Close()
		return nil, err
	}
	fmt.Fprintf(stdout, "history loaded and KPI facts rebuilt in %s:", time.Since(start).Round(time.Millisecond))
	for _, t := range slices.Sorted(mapKeys(rows)) {
		fmt.Fprintf(stdout, " %s %d", t, rows[t])
	}
	fmt.Fprintln(stdout)
	return db, nil
}

// databaseURL returns the URL of another database on a server.
func databaseURL(serverURL, name string) (string, error) {
	u, err := neturl.Parse(serverURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// demoScope returns what a demo user sees, from their role assignments.
func demoScope(ctx context.Context, db *postgres.DB, username string) (*aftercare.Scope, error) {
	u, err := postgres.NewUserService(db).FindUserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	roles, err := postgres.NewAccessService(db).FindRoleAssignments(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	s := &aftercare.Scope{UserID: u.ID}
	for _, r := range roles {
		switch {
		case r.Domain == aftercare.DomainAll:
			s.All = true
		case strings.HasPrefix(r.Domain, aftercare.DomainAccountPrefix):
			s.AccountIDs = append(s.AccountIDs, strings.TrimPrefix(r.Domain, aftercare.DomainAccountPrefix))
		case strings.HasPrefix(r.Domain, aftercare.DomainRegionPrefix):
			s.Regions = append(s.Regions, strings.TrimPrefix(r.Domain, aftercare.DomainRegionPrefix))
		case strings.HasPrefix(r.Domain, aftercare.DomainEngineerPrefix):
			s.EngineerID = strings.TrimPrefix(r.Domain, aftercare.DomainEngineerPrefix)
		}
	}
	return s, nil
}

func mapKeys(m map[string]int64) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// loadAverage returns the machine's load averages, as uptime prints them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "load unknown"
	}
	return "load average " + strings.Join(f[:3], " ")
}

// timeKPIs runs query warmup times untimed, then runs times, and returns
// the last result with the sorted latencies.
func timeKPIs(ctx context.Context, warmup, runs int, query func(context.Context) ([]*aftercare.KPI, error)) ([]*aftercare.KPI, []time.Duration, error) {
	var last []*aftercare.KPI
	times := make([]time.Duration, 0, runs)
	for i := range warmup + runs {
		start := time.Now()
		got, err := query(ctx)
		if err != nil {
			return nil, nil, err
		}
		if i >= warmup {
			times = append(times, time.Since(start))
		}
		last = got
	}
	slices.Sort(times)
	return last, times, nil
}

func printKPITiming(w io.Writer, q benchKPIQuery, source string, rows int, times []time.Duration, agree string) {
	at := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "%-9s %-44s %-8s %6d %5d %10s %10s %10s %6s\n", q.filter.Dimension, q.name, source, rows, len(times),
		ms(at(0.5)), ms(at(0.99)), ms(times[len(times)-1]), agree)
}

// sameKPIs reports whether two answers hold the same rows: every field of
// every KPI (dimension, key, name, period bounds, each clock's met and
// breached counts and attainment, restored count and mean time to restore,
// resolved, visited, first-time fixes, repeat visits and their rates,
// surveys answered and satisfied, CSAT, mean score, breaches and service
// credit). Ratios and means are compared within a relative 1e-9, since the
// two paths may sum floating-point values in a different order.
func sameKPIs(a, b []*aftercare.KPI) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := *a[i], *b[i]
		if x.Dimension != y.Dimension || x.Key != y.Key || x.Name != y.Name ||
			!x.PeriodStart.Equal(y.PeriodStart) || !x.PeriodEnd.Equal(y.PeriodEnd) ||
			!sameAttainment(x.Response, y.Response) || !sameAttainment(x.OnSite, y.OnSite) ||
			!sameAttainment(x.Restore, y.Restore) ||
			x.Restored != y.Restored || !sameRatio(x.MeanTimeToRestoreSecs, y.MeanTimeToRestoreSecs) ||
			x.Resolved != y.Resolved || x.Visited != y.Visited ||
			x.FirstTimeFixes != y.FirstTimeFixes || !sameRatio(x.FirstTimeFixRate, y.FirstTimeFixRate) ||
			x.RepeatVisits != y.RepeatVisits || !sameRatio(x.RepeatVisitRate, y.RepeatVisitRate) ||
			x.SurveysAnswered != y.SurveysAnswered || x.SurveysSatisfied != y.SurveysSatisfied ||
			!sameRatio(x.CSAT, y.CSAT) || !sameRatio(x.MeanSurveyScore, y.MeanSurveyScore) ||
			x.Breaches != y.Breaches || !sameFloat(x.ServiceCreditPercent, y.ServiceCreditPercent) {
			return false
		}
	}
	return true
}

// sameAttainment reports whether two clock attainments agree in every field.
func sameAttainment(x, y aftercare.ClockAttainment) bool {
	return x.Clock == y.Clock && x.Met == y.Met && x.Breached == y.Breached && sameRatio(x.Attainment, y.Attainment)
}

// sameRatio reports whether two optional figures are both absent or both
// present and equal within a relative 1e-9.
func sameRatio(x, y *float64) bool {
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	return sameFloat(*x, *y)
}

// sameFloat reports whether x and y are equal within a relative 1e-9.
func sameFloat(x, y float64) bool {
	return math.Abs(x-y) <= 1e-9*max(1, math.Abs(x), math.Abs(y))
}
