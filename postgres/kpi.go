package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// KPIService answers KPI queries from the monthly counters of migration
// 010, which triggers keep in step with the base tables: a query sums the
// counters of the smallest table that has the dimension and the caller's
// scope as columns, never the incidents behind them.
type KPIService struct {
	db *DB
}

var _ aftercare.KPIService = (*KPIService)(nil)

// NewKPIService returns a KPIService backed by db.
func NewKPIService(db *DB) *KPIService {
	return &KPIService{db: db}
}

// scopeKPIs limits KPI counters to the caller's domains: an account
// manager's or customer IT's accounts, a dispatcher's regions, an
// engineer's own work. Every counter row carries all three keys.
var scopeKPIs = scopeRule{
	account:  "k.account_id = ANY(?::uuid[])",
	region:   "k.region = ANY(?::text[])",
	engineer: "k.engineer_id = ?::uuid",
}

// kpiSources are the counters tables of migration 010, smallest first,
// with the key columns each has besides the month.
var kpiSources = []struct {
	table   string
	columns []string
}{
	{"kpi_by_provider", []string{"provider_id", "region"}},
	{"kpi_by_engineer", []string{"engineer_id", "provider_id", "region"}},
	{"kpi_by_account", []string{"account_id", "region"}},
	{"kpi_monthly", []string{"account_id", "region", "engineer_id", "provider_id"}},
}

// kpiSource returns the smallest counters table with the dimension's
// column and the columns the caller's scope is limited by.
func kpiSource(ctx context.Context, d aftercare.KPIDimension) string {
	need := []string{kpiDimensions[d].column}
	if sc := aftercare.ScopeFromContext(ctx); !sc.All {
		if len(sc.AccountIDs) > 0 {
			need = append(need, "account_id")
		}
		if len(sc.Regions) > 0 {
			need = append(need, "region")
		}
		if sc.EngineerID != "" {
			need = append(need, "engineer_id")
		}
	}
	for _, src := range kpiSources {
		if !slices.ContainsFunc(need, func(c string) bool { return !slices.Contains(src.columns, c) }) {
			return src.table
		}
	}
	return "kpi_monthly"
}

// kpiBaseSource computes the same counters, one row per contribution,
// from the base tables at query time (the facts view of migration 010): no
// stored facts, no counters. It is the naive query the benchmark compares
// with and the reference the tests check the counters against.
const kpiBaseSource = `(
	SELECT c.month, b.account_id, b.region, b.engineer_id, b.provider_id,
		(c.measure = 'response_met')::int AS response_met,
		(c.measure = 'response_breached')::int AS response_breached,
		(c.measure = 'on_site_met')::int AS on_site_met,
		(c.measure = 'on_site_breached')::int AS on_site_breached,
		(c.measure = 'restore_met')::int AS restore_met,
		(c.measure = 'restore_breached')::int AS restore_breached,
		(c.measure = 'restored')::int AS restored,
		CASE WHEN c.measure = 'restore_seconds' THEN c.value ELSE 0 END AS restore_seconds,
		(c.measure = 'resolved')::int AS resolved,
		(c.measure = 'visited')::int AS visited,
		(c.measure = 'first_time_fix')::int AS first_time_fixes,
		(c.measure = 'repeat_visit')::int AS repeat_visits,
		(c.measure = 'survey_answered')::int AS surveys_answered,
		(c.measure = 'survey_satisfied')::int AS surveys_satisfied,
		CASE WHEN c.measure = 'survey_score' THEN c.value ELSE 0 END AS survey_score_sum,
		(c.measure = 'breach')::int AS breaches,
		CASE WHEN c.measure = 'credit' THEN c.value ELSE 0 END AS credit_percent
	FROM kpi_incident_base b, LATERAL kpi_contributions(ROW(b.*)::incident_facts) c)`

// The key and name of each dimension, over the counters k.
var kpiDimensions = map[aftercare.KPIDimension]struct {
	column, key, names string
}{
	aftercare.KPIByAccount:  {"account_id", "k.account_id::text", "accounts"},
	aftercare.KPIByRegion:   {"region", "k.region", "regions"},
	aftercare.KPIByEngineer: {"engineer_id", "coalesce(k.engineer_id::text, '')", "engineers"},
	aftercare.KPIByProvider: {"provider_id", "coalesce(k.provider_id::text, '')", "service_providers"},
}

// FindKPIs returns the KPIs of the filter's dimension per key and period,
// within the caller's scope, summed from the monthly counters.
func (s *KPIService) FindKPIs(ctx context.Context, filter aftercare.KPIFilter) (_ []*aftercare.KPI, err error) {
	defer wrap(&err, fmt.Sprintf("KPIService.FindKPIs(ctx, %s)", filter.Dimension))
	return s.findKPIs(ctx, filter, kpiSource(ctx, filter.Dimension))
}

// FindKPIsFromBase is FindKPIs computed from the base tables at query
// time, without the stored facts and counters: the naive query, for the
// benchmark's comparison and for checking the counters.
func (s *KPIService) FindKPIsFromBase(ctx context.Context, filter aftercare.KPIFilter) (_ []*aftercare.KPI, err error) {
	defer wrap(&err, fmt.Sprintf("KPIService.FindKPIsFromBase(ctx, %s)", filter.Dimension))
	return s.findKPIs(ctx, filter, kpiBaseSource)
}

// FindKPIsOfKeys returns the KPIs of each of keys of the filter's
// dimension, as FindKPIs with that Key, in one query.
func (s *KPIService) FindKPIsOfKeys(ctx context.Context, kf aftercare.KPIFilter, keys []string) (_ [][]*aftercare.KPI, err error) {
	defer wrap(&err, fmt.Sprintf("KPIService.FindKPIsOfKeys(ctx, %s, %d keys)", kf.Dimension, len(keys)))
	kf.Key = ""
	found, err := s.findKPIsOf(ctx, kf, kpiSource(ctx, kf.Dimension), keys)
	if err != nil {
		return nil, err
	}
	return groupBy(keys, found, func(k *aftercare.KPI) string { return k.Key }, nil), nil
}

// findKPIs sums the counters of source (kpi_monthly's columns) per key and
// period, of the filter's Key alone when it names one.
func (s *KPIService) findKPIs(ctx context.Context, kf aftercare.KPIFilter, source string) ([]*aftercare.KPI, error) {
	var keys []string
	if kf.Key != "" {
		keys = []string{kf.Key}
	}
	return s.findKPIsOf(ctx, kf, source, keys)
}

// findKPIsOf is findKPIs for the given keys of the filter's dimension, or
// for every key when keys is nil.
func (s *KPIService) findKPIsOf(ctx context.Context, kf aftercare.KPIFilter, source string, keys []string) ([]*aftercare.KPI, error) {
	if err := kf.Validate(); err != nil {
		return nil, err
	}
	dim := kpiDimensions[kf.Dimension]
	from, until := kf.Months()
	var f filter
	f.add("k.month >= ?::date", from)
	f.add("k.month < ?::date", until)
	switch {
	case keys == nil:
	case kf.Dimension == aftercare.KPIByRegion:
		f.add("k.region = ANY(?::text[])", keys)
	case len(validIDs(keys)) == 0:
		return nil, nil
	default:
		f.add("k."+dim.column+" = ANY(?::uuid[])", validIDs(keys))
	}
	f.addScope(ctx, scopeKPIs)
	period := "k.month"
	switch kf.Granularity {
	case aftercare.KPIQuarterly:
		period = "date_trunc('quarter', k.month)::date"
	case aftercare.KPIYearly:
		period = "date_trunc('year', k.month)::date"
	case aftercare.KPIWholePeriod:
		period = f.arg(from) + "::date"
	}
	rows, err := s.db.pool.Query(ctx, `
		WITH sums AS (
			SELECT `+period+` AS period, `+dim.key+` AS key,
				sum(k.response_met)::bigint, sum(k.response_breached)::bigint,
				sum(k.on_site_met)::bigint, sum(k.on_site_breached)::bigint,
				sum(k.restore_met)::bigint, sum(k.restore_breached)::bigint,
				sum(k.restored)::bigint, sum(k.restore_seconds)::float8,
				sum(k.resolved)::bigint, sum(k.visited)::bigint, sum(k.first_time_fixes)::bigint, sum(k.repeat_visits)::bigint,
				sum(k.surveys_answered)::bigint, sum(k.surveys_satisfied)::bigint, sum(k.survey_score_sum)::float8,
				sum(k.breaches)::bigint, sum(k.credit_percent)::float8
			FROM `+source+` k`+f.where()+`
			GROUP BY 1, 2
			HAVING sum(k.response_met + k.response_breached + k.on_site_met + k.on_site_breached + k.restore_met
				+ k.restore_breached + k.restored + k.resolved + k.surveys_answered + k.breaches) > 0)
		SELECT sums.*, coalesce(n.name, '')
		FROM sums LEFT JOIN `+dim.names+` n ON n.`+kpiNameKey(kf.Dimension)+` = sums.key
		ORDER BY sums.period, coalesce(n.name, ''), sums.key`, f.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*aftercare.KPI, error) {
		k := &aftercare.KPI{Dimension: kf.Dimension,
			Response: aftercare.ClockAttainment{Clock: aftercare.ClockResponse},
			OnSite:   aftercare.ClockAttainment{Clock: aftercare.ClockOnSite},
			Restore:  aftercare.ClockAttainment{Clock: aftercare.ClockRestore}}
		var period time.Time
		var restoreSeconds, scoreSum float64
		if err := row.Scan(&period, &k.Key,
			&k.Response.Met, &k.Response.Breached, &k.OnSite.Met, &k.OnSite.Breached, &k.Restore.Met, &k.Restore.Breached,
			&k.Restored, &restoreSeconds, &k.Resolved, &k.Visited, &k.FirstTimeFixes, &k.RepeatVisits,
			&k.SurveysAnswered, &k.SurveysSatisfied, &scoreSum, &k.Breaches, &k.ServiceCreditPercent, &k.Name); err != nil {
			return nil, err
		}
		k.PeriodStart, k.PeriodEnd = kpiPeriod(period.UTC(), kf.Granularity, from, until)
		for _, c := range []*aftercare.ClockAttainment{&k.Response, &k.OnSite, &k.Restore} {
			c.Attainment = ratio(float64(c.Met), c.Met+c.Breached)
		}
		k.MeanTimeToRestoreSecs = ratio(restoreSeconds, k.Restored)
		k.FirstTimeFixRate = ratio(float64(k.FirstTimeFixes), k.Visited)
		k.RepeatVisitRate = ratio(float64(k.RepeatVisits), k.Resolved)
		k.CSAT = ratio(float64(k.SurveysSatisfied), k.SurveysAnswered)
		k.MeanSurveyScore = ratio(scoreSum, k.SurveysAnswered)
		return k, nil
	})
}

// kpiNameKey is the column of a dimension's names table that its keys
// match, as text.
func kpiNameKey(d aftercare.KPIDimension) string {
	if d == aftercare.KPIByRegion {
		return "code"
	}
	return "id::text"
}

// kpiPeriod returns the period that starts at start under granularity g,
// cut to the filter's months [from, until).
func kpiPeriod(start time.Time, g aftercare.KPIGranularity, from, until time.Time) (time.Time, time.Time) {
	var end time.Time
	switch g {
	case aftercare.KPIQuarterly:
		end = start.AddDate(0, 3, 0)
	case aftercare.KPIYearly:
		end = start.AddDate(1, 0, 0)
	case aftercare.KPIWholePeriod:
		end = until
	default:
		end = start.AddDate(0, 1, 0)
	}
	if start.Before(from) {
		start = from
	}
	if end.After(until) {
		end = until
	}
	return start, end
}

// ratio returns num / den, or nil when den is 0.
func ratio(num float64, den int64) *float64 {
	if den == 0 {
		return nil
	}
	r := num / float64(den)
	return &r
}
