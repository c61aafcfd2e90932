package bench

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare"
)

// TestSameKPIsComparesEveryField checks that a change to any one field of a
// KPI row makes the benchmark's agreement check fail.
func TestSameKPIsComparesEveryField(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	base := func() *aftercare.KPI {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		return &aftercare.KPI{
			Dimension: aftercare.KPIDimension("account"), Key: "a1", Name: "Acme",
			PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0),
			Response: aftercare.ClockAttainment{Clock: aftercare.ClockKind("response"), Met: 3, Breached: 1, Attainment: f(0.75)},
			OnSite:   aftercare.ClockAttainment{Clock: aftercare.ClockKind("on_site"), Met: 2, Breached: 2, Attainment: f(0.5)},
			Restore:  aftercare.ClockAttainment{Clock: aftercare.ClockKind("restore"), Met: 1, Breached: 3, Attainment: f(0.25)},
			Restored: 4, MeanTimeToRestoreSecs: f(3600),
			Resolved: 4, Visited: 3, FirstTimeFixes: 2, FirstTimeFixRate: f(2.0 / 3), RepeatVisits: 1, RepeatVisitRate: f(1.0 / 3),
			SurveysAnswered: 2, SurveysSatisfied: 1, CSAT: f(0.5), MeanSurveyScore: f(3.5),
			Breaches: 6, ServiceCreditPercent: 5,
		}
	}
	if !sameKPIs([]*aftercare.KPI{base()}, []*aftercare.KPI{base()}) {
		t.Fatal("identical rows do not agree")
	}
	for name, change := range map[string]func(k *aftercare.KPI){
		"dimension":           func(k *aftercare.KPI) { k.Dimension = "region" },
		"key":                 func(k *aftercare.KPI) { k.Key = "a2" },
		"name":                func(k *aftercare.KPI) { k.Name = "Other" },
		"period start":        func(k *aftercare.KPI) { k.PeriodStart = k.PeriodStart.Add(time.Hour) },
		"period end":          func(k *aftercare.KPI) { k.PeriodEnd = k.PeriodEnd.Add(time.Hour) },
		"response met":        func(k *aftercare.KPI) { k.Response.Met++ },
		"response breached":   func(k *aftercare.KPI) { k.Response.Breached++ },
		"response attainment": func(k *aftercare.KPI) { k.Response.Attainment = nil },
		"on-site met":         func(k *aftercare.KPI) { k.OnSite.Met++ },
		"on-site breached":    func(k *aftercare.KPI) { k.OnSite.Breached++ },
		"on-site attainment":  func(k *aftercare.KPI) { k.OnSite.Attainment = f(0.6) },
		"restore met":         func(k *aftercare.KPI) { k.Restore.Met++ },
		"restore breached":    func(k *aftercare.KPI) { k.Restore.Breached++ },
		"restore clock":       func(k *aftercare.KPI) { k.Restore.Clock = "response" },
		"restored":            func(k *aftercare.KPI) { k.Restored++ },
		"restore seconds":     func(k *aftercare.KPI) { k.MeanTimeToRestoreSecs = f(3601) },
		"resolved":            func(k *aftercare.KPI) { k.Resolved++ },
		"visited":             func(k *aftercare.KPI) { k.Visited++ },
		"first-time fixes":    func(k *aftercare.KPI) { k.FirstTimeFixes++ },
		"first-time fix rate": func(k *aftercare.KPI) { k.FirstTimeFixRate = f(0.7) },
		"repeat visits":       func(k *aftercare.KPI) { k.RepeatVisits++ },
		"repeat visit rate":   func(k *aftercare.KPI) { k.RepeatVisitRate = nil },
		"surveys answered":    func(k *aftercare.KPI) { k.SurveysAnswered++ },
		"surveys satisfied":   func(k *aftercare.KPI) { k.SurveysSatisfied++ },
		"csat":                func(k *aftercare.KPI) { k.CSAT = f(0.6) },
		"mean score":          func(k *aftercare.KPI) { k.MeanSurveyScore = f(3.6) },
		"breaches":            func(k *aftercare.KPI) { k.Breaches++ },
		"service credit":      func(k *aftercare.KPI) { k.ServiceCreditPercent = 7.5 },
	} {
		other := base()
		change(other)
		if sameKPIs([]*aftercare.KPI{base()}, []*aftercare.KPI{other}) {
			t.Errorf("a change to %s is not caught", name)
		}
	}
}
