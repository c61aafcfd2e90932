package aftercare

import (
	"context"
	"time"
)

// KPIDimension is what KPIs are grouped by.
type KPIDimension string

// The KPI dimensions.
const (
	// KPIByAccount groups by the incident's account.
	KPIByAccount KPIDimension = "account"
	// KPIByRegion groups by the region of the incident's site.
	KPIByRegion KPIDimension = "region"
	// KPIByEngineer groups by the engineer who did the work: the one of the
	// incident's latest assignment that was not declined, cancelled or
	// overridden. Incidents nobody was sent to form a group with key "".
	KPIByEngineer KPIDimension = "engineer"
	// KPIByProvider groups by that engineer's service provider (the
	// maker's own field service or an authorised partner).
	KPIByProvider KPIDimension = "provider"
)

// KPIDimensions lists every KPI dimension.
var KPIDimensions = []KPIDimension{KPIByAccount, KPIByRegion, KPIByEngineer, KPIByProvider}

// KPIGranularity is the length of the periods KPIs are reported per.
type KPIGranularity string

// The KPI granularities. KPIs are kept per calendar month (UTC), so every
// period is a whole number of months.
const (
	KPIMonthly   KPIGranularity = "month"
	KPIQuarterly KPIGranularity = "quarter"
	KPIYearly    KPIGranularity = "year"
	// KPIWholePeriod reports the filter's whole period as one.
	KPIWholePeriod KPIGranularity = "total"
)

// KPIMaxMonths bounds the period of one KPI query.
const KPIMaxMonths = 120

// KPIFilter selects KPIs: a dimension, the months from the one holding From
// through the one holding To (UTC, both included), and how to cut them.
type KPIFilter struct {
	Dimension KPIDimension
	From      time.Time
	To        time.Time
	// Granularity defaults to KPIMonthly.
	Granularity KPIGranularity
	// Key keeps one account ID, region code, engineer ID or provider ID
	// of the dimension; "" keeps all.
	Key string
}

// Months returns the first month of the period and the first month after
// it, at midnight UTC.
func (f *KPIFilter) Months() (from, until time.Time) {
	from = time.Date(f.From.UTC().Year(), f.From.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(f.To.UTC().Year(), f.To.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	return from, to.AddDate(0, 1, 0)
}

// Validate fills in the default granularity and returns EINVALID when the
// filter cannot be answered.
func (f *KPIFilter) Validate() error {
	if f.Granularity == "" {
		f.Granularity = KPIMonthly
	}
	switch f.Dimension {
	case KPIByAccount, KPIByRegion, KPIByEngineer, KPIByProvider:
	default:
		return Errorf(EINVALID, "KPI dimension %q is not account, region, engineer or provider", f.Dimension)
	}
	switch f.Granularity {
	case KPIMonthly, KPIQuarterly, KPIYearly, KPIWholePeriod:
	default:
		return Errorf(EINVALID, "KPI granularity %q is not month, quarter, year or total", f.Granularity)
	}
	if f.From.IsZero() || f.To.IsZero() {
		return Errorf(EINVALID, "a KPI period needs both from and to")
	}
	from, until := f.Months()
	if !from.Before(until) {
		return Errorf(EINVALID, "the KPI period ends (%s) before it starts (%s)", f.To.Format(time.DateOnly), f.From.Format(time.DateOnly))
	}
	if from.AddDate(0, KPIMaxMonths, 0).Before(until) {
		return Errorf(EINVALID, "a KPI period spans at most %d months", KPIMaxMonths)
	}
	return nil
}

// ClockAttainment is how often one SLA clock was met: met / (met +
// breached) over the clocks that stopped in the period. Attainment is nil
// when none stopped.
type ClockAttainment struct {
	Clock      ClockKind
	Met        int64
	Breached   int64
	Attainment *float64
}

// KPI holds the figures of one dimension key in one period. Each figure
// counts in the period of its own instant (UTC):
//
//   - SLA attainment per clock: met / (met + breached) over clocks that
//     stopped in the period;
//   - mean time to restore: the mean of (restore clock stop − incident
//     filed), wall-clock, over incidents whose restore clock stopped (met
//     or breached) in the period; business time is not kept per incident;
//   - first-time-fix rate: incidents resolved in the period with exactly
//     one on-site visit / those resolved with at least one (a visit is an
//     arrival on site from dispatched or en route, so a quote, approval and
//     second trip make two; remote fixes need no visit and are left out);
//   - repeat-visit rate: incidents resolved in the period whose asset had
//     another incident filed within 30 days after the resolution / all
//     incidents resolved in the period;
//   - CSAT: the share of surveys answered in the period that scored 4 or
//     5, beside the mean score;
//   - breaches: clocks whose deadline fell in the period and that were
//     breached (still running past it, or stopped late);
//   - service credits: the sum of the credits those breaches earned, in
//     percent of a monthly fee.
type KPI struct {
	Dimension KPIDimension
	// Key is the account ID, region code, engineer ID or provider ID; ""
	// for incidents without an engineer.
	Key string
	// Name is the account, region, engineer or provider name.
	Name        string
	PeriodStart time.Time
	// PeriodEnd is the first instant after the period.
	PeriodEnd time.Time

	Response ClockAttainment
	OnSite   ClockAttainment
	Restore  ClockAttainment

	Restored              int64
	MeanTimeToRestoreSecs *float64

	Resolved         int64
	Visited          int64
	FirstTimeFixes   int64
	FirstTimeFixRate *float64
	RepeatVisits     int64
	RepeatVisitRate  *float64

	SurveysAnswered  int64
	SurveysSatisfied int64
	CSAT             *float64
	MeanSurveyScore  *float64

	Breaches             int64
	ServiceCreditPercent float64
}

// KPIService answers KPI queries within the caller's scope: an account
// manager's accounts, customer IT's own account, a dispatcher's regions, an
// engineer's own work; directors and admins see everything.
type KPIService interface {
	// FindKPIs returns one KPI per dimension key and period that has any
	// figure, ordered by period, then name, then key.
	FindKPIs(ctx context.Context, filter KPIFilter) ([]*KPI, error)
	// FindKPIsOfKeys is FindKPIs for many keys of the filter's dimension
	// in one query, the filter's own Key aside: the KPIs of each key, in
	// the order of keys.
	FindKPIsOfKeys(ctx context.Context, filter KPIFilter, keys []string) ([][]*KPI, error)
}
