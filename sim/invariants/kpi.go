package invariants

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

const (
	kpisName = "KPIs equal their recomputation"
	kpisRule = "for every dimension (account, region, engineer, provider) and granularity (month, quarter, year, " +
		"whole period) over the months from the day's start to now, as the system, the KPIs summed from the " +
		"stored counters (FindKPIs) equal those computed from the base tables (FindKPIsFromBase), key by key " +
		"and period by period"
)

// kpiCounts are the additive figures of a KPI, which the counters keep.
type kpiCounts struct {
	Response, OnSite, Restore                       [2]int64
	Restored, Resolved, Visited, FirstTimeFixes     int64
	RepeatVisits, SurveysAnswered, SurveysSatisfied int64
	Breaches                                        int64
	MeanTimeToRestoreSecs, MeanSurveyScore, Credit  float64
}

func countsOf(k *aftercare.KPI) kpiCounts {
	return kpiCounts{
		Response: [2]int64{k.Response.Met, k.Response.Breached}, OnSite: [2]int64{k.OnSite.Met, k.OnSite.Breached},
		Restore: [2]int64{k.Restore.Met, k.Restore.Breached}, Restored: k.Restored, Resolved: k.Resolved,
		Visited: k.Visited, FirstTimeFixes: k.FirstTimeFixes, RepeatVisits: k.RepeatVisits,
		SurveysAnswered: k.SurveysAnswered, SurveysSatisfied: k.SurveysSatisfied, Breaches: k.Breaches,
		MeanTimeToRestoreSecs: value(k.MeanTimeToRestoreSecs), MeanSurveyScore: value(k.MeanSurveyScore),
		Credit: k.ServiceCreditPercent,
	}
}

func value(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}

// equal reports whether two KPIs' figures agree, the sums of fractions to
// within rounding.
func (a kpiCounts) equal(b kpiCounts) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-6*max(1, math.Abs(x)) }
	fa, fb := a, b
	fa.MeanTimeToRestoreSecs, fa.MeanSurveyScore, fa.Credit = 0, 0, 0
	fb.MeanTimeToRestoreSecs, fb.MeanSurveyScore, fb.Credit = 0, 0, 0
	return fa == fb && near(a.MeanTimeToRestoreSecs, b.MeanTimeToRestoreSecs) &&
		near(a.MeanSurveyScore, b.MeanSurveyScore) && near(a.Credit, b.Credit)
}

// checkKPIs checks invariant 8: the KPI counters agree with the base
// tables.
func (c *checker) checkKPIs(ctx context.Context) Result {
	ctx = aftercare.NewContextWithScope(ctx, &aftercare.Scope{All: true})
	s := postgres.NewKPIService(c.db)
	var p problems
	compared := 0
	for _, d := range aftercare.KPIDimensions {
		for _, g := range []aftercare.KPIGranularity{aftercare.KPIMonthly, aftercare.KPIQuarterly,
			aftercare.KPIYearly, aftercare.KPIWholePeriod} {
			f := aftercare.KPIFilter{Dimension: d, Granularity: g, From: c.rec.Since, To: c.now}
			stored, err := s.FindKPIs(ctx, f)
			if err != nil {
				return failed(kpisName, kpisRule, err)
			}
			base, err := s.FindKPIsFromBase(ctx, f)
			if err != nil {
				return failed(kpisName, kpisRule, err)
			}
			compared += len(base)
			compareKPIs(&p, fmt.Sprintf("by %s per %s", d, g), stored, base)
		}
	}
	return p.result(kpisName, kpisRule, fmt.Sprintf("%d KPI rows compared over 4 dimensions × 4 granularities", compared))
}

// compareKPIs reports each key and period whose stored figures differ
// from the base tables', or that only one of them has.
func compareKPIs(p *problems, what string, stored, base []*aftercare.KPI) {
	type at struct {
		key   string
		start time.Time
	}
	byKey := map[at]*aftercare.KPI{}
	for _, k := range stored {
		byKey[at{k.Key, k.PeriodStart.UTC()}] = k
	}
	for _, b := range base {
		k := at{b.Key, b.PeriodStart.UTC()}
		s, ok := byKey[k]
		delete(byKey, k)
		switch {
		case !ok:
			p.add("KPIs %s: key %q from %s: the counters have no row, the base tables %+v", what, b.Key,
				k.start.Format(time.DateOnly), countsOf(b))
		case !countsOf(s).equal(countsOf(b)):
			p.add("KPIs %s: key %q from %s: counters %+v, base tables %+v", what, b.Key, k.start.Format(time.DateOnly),
				countsOf(s), countsOf(b))
		}
	}
	for k, s := range byKey {
		p.add("KPIs %s: key %q from %s: the base tables have no row, the counters %+v", what, k.key,
			k.start.Format(time.DateOnly), countsOf(s))
	}
}
