package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The providers migration 010 loads.
const (
	ownProvider     = "5e7a1c00-0000-4000-8000-000000000001"
	huatongProvider = "5e7a1c00-0000-4000-8000-000000000002"
)

// kpiHistory builds incidents and what happened to them row by row, as the
// workflows and the seed write them, so that the triggers keep the facts.
type kpiHistory struct {
	tb testing.TB
	db *postgres.DB
	n  int
}

// at is an instant of 2026 in UTC: at(3, 2, 10, 0) is 2 March 10:00.
func at(month, day, hour, minute int) time.Time {
	return time.Date(2026, time.Month(month), day, hour, minute, 0, 0, time.UTC)
}

func (h *kpiHistory) exec(sql string, args ...any) {
	h.tb.Helper()
	postgres.MustExecSQL(h.tb, h.db, sql, args...)
}

// engineer adds an engineer of a provider in a region and returns its ID.
func (h *kpiHistory) engineer(code, region, provider string) string {
	h.tb.Helper()
	h.exec(`INSERT INTO depots (code, name, city, region, lat, lng, time_zone)
		VALUES ('DEP-' || $1, $1, 'Shanghai', $2, 31.2, 121.4, 'Asia/Shanghai') ON CONFLICT DO NOTHING`, code, region)
	return postgres.MustQueryString(h.tb, h.db, `
		INSERT INTO engineers (code, name, region, home_depot_id, tier_clearance, capacity, time_zone, lat, lng, provider_id)
		SELECT $1, 'Engineer ' || $1, $2, id, 'platinum', 3, 'Asia/Shanghai', 31.2, 121.4, $3 FROM depots WHERE code = 'DEP-' || $1
		RETURNING id::text`, code, region, provider)
}

// fileKPIIncident files an incident for the asset with serial $1 under
// client request $2 at instant $3, returning its ID.
const fileKPIIncident = `
	INSERT INTO incidents (account_id, site_id, asset_id, tier, priority, category, symptoms, status, contact_name,
		contact_email, client_request_id, created_at, workflow_id)
	SELECT a.account_id, a.site_id, a.id, 'platinum', 'P1', 'hardware_failure', 'down', 'new', 'Wang Fang',
		'wang@example.com', $2, $3, 'kpi-' || $2
	FROM assets a WHERE a.serial_number = $1
	RETURNING id::text`

// incident files an incident for an asset at an instant and returns its ID.
func (h *kpiHistory) incident(serial string, created time.Time) string {
	h.tb.Helper()
	h.n++
	return postgres.MustQueryString(h.tb, h.db, fileKPIIncident, serial, fmt.Sprintf("kpi-%d", h.n), created)
}

// clock records a clock; stopped is nil for one still running.
func (h *kpiHistory) clock(incident, kind, state string, started, deadline time.Time, stopped *time.Time) {
	h.tb.Helper()
	h.exec(`INSERT INTO sla_clocks (incident_id, kind, target, started_at, deadline, state, stopped_at)
		VALUES ($1, $2, '4h', $3, $4, $5, $6)`, incident, kind, started, deadline, state, stopped)
}

func (h *kpiHistory) event(incident, from, to string, when time.Time) {
	h.tb.Helper()
	h.exec(`INSERT INTO incident_events (incident_id, kind, from_status, to_status, at) VALUES ($1, 'transition', $2, $3, $4)`,
		incident, from, to, when)
}

func (h *kpiHistory) assign(incident, engineer, state string, when time.Time) {
	h.tb.Helper()
	h.exec(`INSERT INTO assignments (incident_id, engineer_id, state, eta, distance_km, created_at) VALUES ($1, $2, $3, $4, 1, $4::timestamptz)`,
		incident, engineer, state, when)
}

func (h *kpiHistory) survey(incident string, score int, answered time.Time) {
	h.tb.Helper()
	h.exec(`INSERT INTO surveys (incident_id, token, contact_email, sent_at, expires_at) VALUES ($1::uuid, $1::text, 'wang@example.com', $2, $2::timestamptz + interval '30 days')`,
		incident, answered.Add(-time.Hour))
	h.exec(`UPDATE surveys SET score = $2, answered_at = $3 WHERE incident_id = $1`, incident, score, answered)
}

func (h *kpiHistory) credit(incident, clock string, percent float64, fired time.Time) {
	h.tb.Helper()
	h.exec(`INSERT INTO escalations (incident_id, clock, level, percent, due_at, fired_at) VALUES ($1, $2, 4, 100, $3, $3)`,
		incident, clock, fired)
	h.exec(`UPDATE escalations SET service_credit_percent = $3 WHERE incident_id = $1 AND clock = $2 AND level = 4`,
		incident, clock, percent)
}

func ptr(t time.Time) *time.Time { return &t }

// kpiWorld is the hand-built history the KPI tests share: account ACME in
// the east with engineers E1 (own field service) and E2 (Huatong), and
// account NORTHCO in the north, served remotely.
type kpiWorld struct {
	acme, north    postgres.Fixture
	e1, e2         string
	i1, i2, i3, i4 string
}

// mustKPIWorld writes the history whose figures the tests work out by hand:
//
//	I1 ACME covered asset, E1: filed 2 Mar 10:00; response met 10:10,
//	   on-site met 12:00 (one visit), restore met 14:00 (4 h); resolved
//	   14:30; survey 5 on 5 Mar.
//	I2 ACME bare asset, E1 (after E2 declined): filed 10 Mar 08:00; every
//	   clock breached (deadlines 08:30, 12:00, 14:00; stops 09:00, 13:00,
//	   20:00 = 12 h to restore); two visits (a return from a hold is none);
//	   restore breach credited 5 %; resolved 20:30; survey 2 on 1 Apr.
//	I3 ACME covered asset again, E2: filed 20 Mar 09:00, 18 days after I1
//	   was resolved (I1 is a repeat visit); response met 09:05; restore
//	   still running past its deadline of 21 Mar 09:00; open.
//	I4 NORTHCO, nobody sent: filed 27 Feb 22:00; response met 22:10 (in
//	   February); resolved remotely 1 Mar 02:00 with restore met then
//	   (28 h to restore).
func mustKPIWorld(t *testing.T, db *postgres.DB) kpiWorld {
	h := &kpiHistory{tb: t, db: db}
	w := kpiWorld{acme: postgres.MustFixture(t, db, "ACME", "platinum")}
	h.exec(`INSERT INTO regions VALUES ('north', 'North China') ON CONFLICT DO NOTHING`)
	w.north = postgres.MustFixture(t, db, "NORTHCO", "standard")
	h.exec(`UPDATE sites SET region = 'north' WHERE id = $1`, w.north.SiteID)
	w.e1 = h.engineer("E1", "east", ownProvider)
	w.e2 = h.engineer("E2", "east", huatongProvider)

	w.i1 = h.incident(w.acme.CoveredSerial, at(3, 2, 10, 0))
	h.clock(w.i1, "response", "met", at(3, 2, 10, 0), at(3, 2, 10, 15), ptr(at(3, 2, 10, 10)))
	h.clock(w.i1, "on_site", "met", at(3, 2, 10, 0), at(3, 2, 14, 0), ptr(at(3, 2, 12, 0)))
	h.clock(w.i1, "restore", "met", at(3, 2, 10, 0), at(3, 2, 16, 0), ptr(at(3, 2, 14, 0)))
	h.event(w.i1, "new", "triaged", at(3, 2, 10, 10))
	h.assign(w.i1, w.e1, "accepted", at(3, 2, 10, 20))
	h.event(w.i1, "triaged", "dispatched", at(3, 2, 10, 20))
	h.event(w.i1, "dispatched", "on_site", at(3, 2, 12, 0))
	h.event(w.i1, "verified", "resolved", at(3, 2, 14, 30))
	h.survey(w.i1, 5, at(3, 5, 9, 0))

	w.i2 = h.incident(w.acme.BareSerial, at(3, 10, 8, 0))
	h.clock(w.i2, "response", "breached", at(3, 10, 8, 0), at(3, 10, 8, 30), ptr(at(3, 10, 9, 0)))
	h.clock(w.i2, "on_site", "breached", at(3, 10, 8, 0), at(3, 10, 12, 0), ptr(at(3, 10, 13, 0)))
	h.clock(w.i2, "restore", "breached", at(3, 10, 8, 0), at(3, 10, 14, 0), ptr(at(3, 10, 20, 0)))
	h.assign(w.i2, w.e2, "declined", at(3, 10, 9, 0))
	h.assign(w.i2, w.e1, "accepted", at(3, 10, 9, 30))
	h.event(w.i2, "en_route", "on_site", at(3, 10, 13, 0))
	h.event(w.i2, "on_site", "awaiting_customer", at(3, 10, 14, 0))
	h.event(w.i2, "awaiting_customer", "on_site", at(3, 10, 15, 0))
	h.event(w.i2, "dispatched", "on_site", at(3, 10, 18, 0))
	h.event(w.i2, "verified", "resolved", at(3, 10, 20, 30))
	h.credit(w.i2, "restore", 5, at(3, 10, 14, 0))
	h.survey(w.i2, 2, at(4, 1, 9, 0))

	w.i3 = h.incident(w.acme.CoveredSerial, at(3, 20, 9, 0))
	h.clock(w.i3, "response", "met", at(3, 20, 9, 0), at(3, 20, 9, 15), ptr(at(3, 20, 9, 5)))
	h.clock(w.i3, "restore", "breached", at(3, 20, 9, 0), at(3, 21, 9, 0), nil)
	h.assign(w.i3, w.e2, "accepted", at(3, 20, 9, 30))

	w.i4 = h.incident(w.north.CoveredSerial, at(2, 27, 22, 0))
	h.clock(w.i4, "response", "met", at(2, 27, 22, 0), at(2, 27, 23, 0), ptr(at(2, 27, 22, 10)))
	h.clock(w.i4, "restore", "met", at(2, 27, 22, 0), at(3, 2, 22, 0), ptr(at(3, 1, 2, 0)))
	h.event(w.i4, "triaged", "resolved", at(3, 1, 2, 0))
	return w
}

// kpiWant is the hand-worked figures of one KPI row.
type kpiWant struct {
	response, onSite, restore [2]int64 // met, breached
	restored                  int64
	mttr                      *float64
	resolved, visited, ftf    int64
	repeats                   int64
	answered, satisfied       int64
	meanScore                 *float64
	breaches                  int64
	credit                    float64
}

func f64(v float64) *float64 { return &v }

func assertKPI(t *testing.T, want kpiWant, got *aftercare.KPI) {
	t.Helper()
	for _, c := range []struct {
		want [2]int64
		got  aftercare.ClockAttainment
	}{{want.response, got.Response}, {want.onSite, got.OnSite}, {want.restore, got.Restore}} {
		assert.Equal(t, c.want, [2]int64{c.got.Met, c.got.Breached}, "%s met, breached", c.got.Clock)
		if c.want[0]+c.want[1] == 0 {
			assert.Nil(t, c.got.Attainment, "%s attainment", c.got.Clock)
		} else {
			assert.InDelta(t, float64(c.want[0])/float64(c.want[0]+c.want[1]), *c.got.Attainment, 1e-9, "%s attainment", c.got.Clock)
		}
	}
	assert.Equal(t, want.restored, got.Restored, "restored")
	if assert.Equal(t, want.mttr == nil, got.MeanTimeToRestoreSecs == nil, "MTTR") && want.mttr != nil {
		assert.InDelta(t, *want.mttr, *got.MeanTimeToRestoreSecs, 1e-3, "MTTR")
	}
	assert.Equal(t, [3]int64{want.resolved, want.visited, want.ftf}, [3]int64{got.Resolved, got.Visited, got.FirstTimeFixes},
		"resolved, visited, first-time fixes")
	assert.Equal(t, want.repeats, got.RepeatVisits, "repeat visits")
	assert.Equal(t, [2]int64{want.answered, want.satisfied}, [2]int64{got.SurveysAnswered, got.SurveysSatisfied}, "surveys")
	assert.Equal(t, want.meanScore, got.MeanSurveyScore, "mean score")
	assert.Equal(t, want.breaches, got.Breaches, "breaches")
	assert.InDelta(t, want.credit, got.ServiceCreditPercent, 1e-9, "credits")
}

// kpiByKey indexes KPI rows by period month and key.
func kpiByKey(rows []*aftercare.KPI) map[string]*aftercare.KPI {
	out := map[string]*aftercare.KPI{}
	for _, r := range rows {
		out[r.PeriodStart.Format("2006-01")+" "+r.Key] = r
	}
	return out
}

func TestKPIsFromHandBuiltHistory(t *testing.T) {
	db := postgrestest.MustOpen(t)
	w := mustKPIWorld(t, db)
	s := postgres.NewKPIService(db)
	ctx := context.Background()
	find := func(t *testing.T, d aftercare.KPIDimension, g aftercare.KPIGranularity) map[string]*aftercare.KPI {
		rows, err := s.FindKPIs(ctx, aftercare.KPIFilter{Dimension: d, From: at(1, 15, 0, 0), To: at(4, 3, 0, 0), Granularity: g})
		require.NoError(t, err)
		return kpiByKey(rows)
	}

	// ACME in March: I1, I2 and I3 as worked out in mustKPIWorld.
	acmeMarch := kpiWant{response: [2]int64{2, 1}, onSite: [2]int64{1, 1}, restore: [2]int64{1, 1},
		restored: 2, mttr: f64((4*3600 + 12*3600) / 2), resolved: 2, visited: 2, ftf: 1, repeats: 1,
		answered: 1, satisfied: 1, meanScore: f64(5), breaches: 4, credit: 5}
	// I2's survey lands in April.
	acmeApril := kpiWant{answered: 1, satisfied: 0, meanScore: f64(2)}
	// E1 did I1 and I2: ACME's March less I3.
	e1March := kpiWant{response: [2]int64{1, 1}, onSite: [2]int64{1, 1}, restore: [2]int64{1, 1},
		restored: 2, mttr: f64(8 * 3600), resolved: 2, visited: 2, ftf: 1, repeats: 1,
		answered: 1, satisfied: 1, meanScore: f64(5), breaches: 3, credit: 5}
	e2March := kpiWant{response: [2]int64{1, 0}, breaches: 1}
	northFeb := kpiWant{response: [2]int64{1, 0}}
	northMarch := kpiWant{restore: [2]int64{1, 0}, restored: 1, mttr: f64(28 * 3600), resolved: 1}

	t.Run("by account", func(t *testing.T) {
		got := find(t, aftercare.KPIByAccount, aftercare.KPIMonthly)
		require.Len(t, got, 4)
		assertKPI(t, acmeMarch, got["2026-03 "+w.acme.AccountID])
		assertKPI(t, acmeApril, got["2026-04 "+w.acme.AccountID])
		assertKPI(t, northFeb, got["2026-02 "+w.north.AccountID])
		assertKPI(t, northMarch, got["2026-03 "+w.north.AccountID])
		acme := got["2026-03 "+w.acme.AccountID]
		assert.Equal(t, "ACME", acme.Name)
		assert.InDelta(t, 0.5, *acme.FirstTimeFixRate, 1e-9)
		assert.InDelta(t, 0.5, *acme.RepeatVisitRate, 1e-9)
		assert.InDelta(t, 1.0, *acme.CSAT, 1e-9)
		assert.Equal(t, at(3, 1, 0, 0), acme.PeriodStart)
		assert.Equal(t, at(4, 1, 0, 0), acme.PeriodEnd)
		assert.Nil(t, got["2026-03 "+w.north.AccountID].FirstTimeFixRate, "a remote fix needs no visit")
	})
	t.Run("by region", func(t *testing.T) {
		got := find(t, aftercare.KPIByRegion, aftercare.KPIMonthly)
		require.Len(t, got, 4)
		assertKPI(t, acmeMarch, got["2026-03 east"])
		assertKPI(t, northMarch, got["2026-03 north"])
		assert.Equal(t, "North China", got["2026-03 north"].Name)
	})
	t.Run("by engineer", func(t *testing.T) {
		got := find(t, aftercare.KPIByEngineer, aftercare.KPIMonthly)
		require.Len(t, got, 5)
		assertKPI(t, e1March, got["2026-03 "+w.e1])
		assertKPI(t, e2March, got["2026-03 "+w.e2])
		assertKPI(t, acmeApril, got["2026-04 "+w.e1])
		assertKPI(t, northMarch, got["2026-03 "]) // nobody was sent to I4
		assert.Equal(t, "Engineer E1", got["2026-03 "+w.e1].Name)
	})
	t.Run("by provider", func(t *testing.T) {
		got := find(t, aftercare.KPIByProvider, aftercare.KPIMonthly)
		assertKPI(t, e1March, got["2026-03 "+ownProvider])
		assertKPI(t, e2March, got["2026-03 "+huatongProvider])
		assert.Equal(t, "Huatong Technical Services", got["2026-03 "+huatongProvider].Name)
	})
	t.Run("whole period", func(t *testing.T) {
		got := find(t, aftercare.KPIByAccount, aftercare.KPIWholePeriod)
		require.Len(t, got, 2)
		acme := got["2026-01 "+w.acme.AccountID]
		want := acmeMarch
		want.answered, want.meanScore = 2, f64(3.5)
		assertKPI(t, want, acme)
		assert.Equal(t, at(1, 1, 0, 0), acme.PeriodStart)
		assert.Equal(t, at(5, 1, 0, 0), acme.PeriodEnd)
	})
	t.Run("one key", func(t *testing.T) {
		rows, err := s.FindKPIs(ctx, aftercare.KPIFilter{Dimension: aftercare.KPIByEngineer, Key: w.e2,
			From: at(3, 1, 0, 0), To: at(3, 31, 0, 0)})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assertKPI(t, e2March, rows[0])
	})
	t.Run("engineer moves to another provider", func(t *testing.T) {
		postgres.MustExecSQL(t, db, `UPDATE engineers SET provider_id = $2 WHERE id = $1`, w.e2, ownProvider)
		t.Cleanup(func() {
			postgres.MustExecSQL(t, db, `UPDATE engineers SET provider_id = $2 WHERE id = $1`, w.e2, huatongProvider)
		})
		got := find(t, aftercare.KPIByProvider, aftercare.KPIMonthly)
		assert.Nil(t, got["2026-03 "+huatongProvider])
		assert.Equal(t, [2]int64{2, 1}, [2]int64{got["2026-03 "+ownProvider].Response.Met, got["2026-03 "+ownProvider].Response.Breached})
	})
	t.Run("counters equal the base tables", func(t *testing.T) {
		postgrestest.AssertKPICountersMatchBase(t, s, &aftercare.Scope{AccountIDs: []string{w.acme.AccountID, w.north.AccountID}},
			&aftercare.Scope{Regions: []string{"east", "north"}}, &aftercare.Scope{EngineerID: w.e1})
	})
}

func TestKPIsAreScoped(t *testing.T) {
	db := postgrestest.MustOpen(t)
	w := mustKPIWorld(t, db)
	s := postgres.NewKPIService(db)
	march := func(t *testing.T, scope *aftercare.Scope, d aftercare.KPIDimension) map[string]*aftercare.KPI {
		ctx := aftercare.NewContextWithScope(context.Background(), scope)
		rows, err := s.FindKPIs(ctx, aftercare.KPIFilter{Dimension: d, From: at(3, 1, 0, 0), To: at(3, 1, 0, 0)})
		require.NoError(t, err)
		return kpiByKey(rows)
	}
	keys := func(m map[string]*aftercare.KPI) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	t.Run("account manager or customer IT sees their accounts", func(t *testing.T) {
		got := march(t, &aftercare.Scope{AccountIDs: []string{w.north.AccountID}}, aftercare.KPIByAccount)
		assert.ElementsMatch(t, []string{"2026-03 " + w.north.AccountID}, keys(got))
		got = march(t, &aftercare.Scope{AccountIDs: []string{w.north.AccountID}}, aftercare.KPIByEngineer)
		assert.ElementsMatch(t, []string{"2026-03 "}, keys(got), "only the engineers of their incidents")
	})
	t.Run("dispatcher sees their regions", func(t *testing.T) {
		got := march(t, &aftercare.Scope{Regions: []string{"east"}}, aftercare.KPIByAccount)
		assert.ElementsMatch(t, []string{"2026-03 " + w.acme.AccountID}, keys(got))
	})
	t.Run("engineer sees their own work", func(t *testing.T) {
		got := march(t, &aftercare.Scope{EngineerID: w.e2}, aftercare.KPIByAccount)
		require.ElementsMatch(t, []string{"2026-03 " + w.acme.AccountID}, keys(got))
		assert.Equal(t, int64(1), got["2026-03 "+w.acme.AccountID].Response.Met, "I3 only")
		assert.Equal(t, int64(0), got["2026-03 "+w.acme.AccountID].Resolved)
	})
	t.Run("a scope with no domains sees nothing", func(t *testing.T) {
		assert.Empty(t, march(t, &aftercare.Scope{UserID: w.acme.UserID}, aftercare.KPIByRegion))
	})
	t.Run("director sees all", func(t *testing.T) {
		assert.Len(t, march(t, &aftercare.Scope{All: true}, aftercare.KPIByRegion), 2)
	})
}

func TestKPIFilterIsValidated(t *testing.T) {
	db := postgrestest.MustOpen(t)
	s := postgres.NewKPIService(db)
	for _, f := range []aftercare.KPIFilter{
		{Dimension: "site", From: at(1, 1, 0, 0), To: at(2, 1, 0, 0)},
		{Dimension: aftercare.KPIByAccount, From: at(1, 1, 0, 0), To: at(2, 1, 0, 0), Granularity: "week"},
		{Dimension: aftercare.KPIByAccount, To: at(2, 1, 0, 0)},
		{Dimension: aftercare.KPIByAccount, From: at(3, 1, 0, 0), To: at(2, 1, 0, 0)},
		{Dimension: aftercare.KPIByAccount, From: at(3, 1, 0, 0).AddDate(-11, 0, 0), To: at(3, 1, 0, 0)},
	} {
		_, err := s.FindKPIs(context.Background(), f)
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "%+v", f)
	}
	rows, err := s.FindKPIs(context.Background(), aftercare.KPIFilter{Dimension: aftercare.KPIByAccount, Key: "not-an-id",
		From: at(1, 1, 0, 0), To: at(2, 1, 0, 0)})
	require.NoError(t, err)
	assert.Empty(t, rows)
}

// TestKPIsFollowLiveIncidents files an incident through the store and
// records its life as its workflow does; the KPIs change at each step.
func TestKPIsFollowLiveIncidents(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	postgres.SetCredits(t, db, f.ContractID, 5, 50)
	ctx := context.Background()
	kpis := postgres.NewKPIService(db)
	slas := postgres.NewSLAService(db)
	inc, err := postgres.NewIncidentService(db).CreateIncident(ctx, validCreate(f.CoveredSerial, "live-1"))
	require.NoError(t, err)
	// The incident lives in steps of 100 ms, so that it is resolved in
	// the past when the asset fails again.
	start := inc.CreatedAt.UTC()
	step := func(n int) time.Time { return start.Add(time.Duration(n) * 100 * time.Millisecond) }
	current := func(t *testing.T) *aftercare.KPI {
		t.Helper()
		rows, err := kpis.FindKPIs(ctx, aftercare.KPIFilter{Dimension: aftercare.KPIByAccount, Key: f.AccountID,
			From: start.AddDate(0, -1, 0), To: start.AddDate(0, 1, 0), Granularity: aftercare.KPIWholePeriod})
		require.NoError(t, err)
		if len(rows) == 0 {
			return nil
		}
		require.Len(t, rows, 1)
		return rows[0]
	}
	snapshot := func(kind aftercare.ClockKind, state aftercare.ClockState, deadline time.Time, stopped *time.Time) aftercare.ClockSnapshot {
		s := responseSnapshot(t, start)
		s.Kind, s.State, s.Deadline, s.StoppedAt = kind, state, &deadline, stopped
		return s
	}
	version := int64(0)
	change := func(from, to aftercare.IncidentStatus, when time.Time, clocks ...aftercare.ClockSnapshot) {
		t.Helper()
		version++
		require.NoError(t, slas.RecordIncidentChange(ctx, aftercare.IncidentChange{IncidentID: inc.ID,
			Key: fmt.Sprintf("live-%d", version), Version: version, Kind: "transition", FromStatus: from, ToStatus: to,
			At: when, Clocks: clocks}))
	}

	change("", "", start, snapshot(aftercare.ClockResponse, aftercare.ClockRunning, step(3), nil),
		snapshot(aftercare.ClockRestore, aftercare.ClockRunning, step(4), nil))
	assert.Nil(t, current(t), "nothing has stopped or been breached yet")

	change(aftercare.StatusNew, aftercare.StatusTriaged, step(1),
		snapshot(aftercare.ClockResponse, aftercare.ClockMet, step(3), ptr(step(1))))
	require.NotNil(t, current(t))
	assert.Equal(t, int64(1), current(t).Response.Met)

	breach := snapshot(aftercare.ClockRestore, aftercare.ClockBreached, step(4), nil)
	version++
	require.NoError(t, slas.RecordEscalation(ctx, aftercare.EscalationFired{
		Escalation: aftercare.Escalation{IncidentID: inc.ID, Clock: aftercare.ClockRestore, Level: 4, Percent: 100,
			Actions: []aftercare.EscalationAction{aftercare.EscalationBreach}, DueAt: step(4), FiredAt: step(4)},
		Key: "live-breach", Version: version, Clock: breach}, nil))
	got := current(t)
	assert.Equal(t, int64(1), got.Breaches, "the breach counts while the clock still runs")
	assert.InDelta(t, 5.0, got.ServiceCreditPercent, 1e-9)
	assert.Equal(t, int64(0), got.Restore.Breached, "attainment waits for the clock to stop")

	change(aftercare.StatusTriaged, aftercare.StatusDispatched, step(2))
	change(aftercare.StatusDispatched, aftercare.StatusOnSite, step(5))
	stopped := step(8)
	change(aftercare.StatusOnSite, aftercare.StatusRepaired, stopped,
		snapshot(aftercare.ClockRestore, aftercare.ClockBreached, step(4), &stopped))
	change(aftercare.StatusRepaired, aftercare.StatusVerified, step(9))
	change(aftercare.StatusVerified, aftercare.StatusResolved, step(10))

	got = current(t)
	assertKPI(t, kpiWant{response: [2]int64{1, 0}, restore: [2]int64{0, 1}, restored: 1, mttr: f64(0.8),
		resolved: 1, visited: 1, ftf: 1, breaches: 1, credit: 5}, got)

	postgres.MustExecSQL(t, db, `INSERT INTO surveys (incident_id, token, contact_email, sent_at, expires_at, score, answered_at)
		VALUES ($1, 'live-token', 'wang@example.com', $2, $2::timestamptz + interval '7 days', 4, $2)`, inc.ID, step(11))
	got = current(t)
	assert.Equal(t, [2]int64{1, 1}, [2]int64{got.SurveysAnswered, got.SurveysSatisfied})

	time.Sleep(time.Until(step(12)))
	again, err := postgres.NewIncidentService(db).CreateIncident(ctx, validCreate(f.CoveredSerial, "live-2"))
	require.NoError(t, err)
	require.NotEmpty(t, again.ID)
	assert.Equal(t, int64(1), current(t).RepeatVisits, "the asset failed again within 30 days of the resolution")
	postgrestest.AssertKPICountersMatchBase(t, kpis, &aftercare.Scope{AccountIDs: []string{f.AccountID}})
}

// TestKPIsUnderConcurrentChanges records the lives of many incidents of one
// account at once: the counters they share take every change, and none is
// lost or deadlocks.
func TestKPIsUnderConcurrentChanges(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	ctx := context.Background()
	slas := postgres.NewSLAService(db)
	const n = 12
	ids := make([]string, n)
	for i := range ids {
		inc, err := postgres.NewIncidentService(db).CreateIncident(ctx, validCreate(f.CoveredSerial, fmt.Sprintf("conc-%d", i)))
		require.NoError(t, err)
		ids[i] = inc.ID
	}
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	restore := responseSnapshot(t, start)
	restore.Kind = aftercare.ClockRestore
	errs := make(chan error, n)
	for i, id := range ids {
		go func() {
			var err error
			for v, step := range []struct {
				from, to aftercare.IncidentStatus
				state    aftercare.ClockState
			}{{aftercare.StatusNew, aftercare.StatusTriaged, aftercare.ClockRunning},
				{aftercare.StatusTriaged, aftercare.StatusDispatched, aftercare.ClockRunning},
				{aftercare.StatusDispatched, aftercare.StatusOnSite, aftercare.ClockRunning},
				{aftercare.StatusOnSite, aftercare.StatusRepaired, []aftercare.ClockState{aftercare.ClockMet, aftercare.ClockBreached}[i%2]},
				{aftercare.StatusRepaired, aftercare.StatusVerified, ""},
				{aftercare.StatusVerified, aftercare.StatusResolved, ""}} {
				at := start.Add(time.Duration(v+1) * time.Minute)
				var clocks []aftercare.ClockSnapshot
				if step.state != "" {
					c := restore
					c.State = step.state
					if step.state != aftercare.ClockRunning {
						c.StoppedAt = &at
					}
					clocks = append(clocks, c)
				}
				if err = slas.RecordIncidentChange(ctx, aftercare.IncidentChange{IncidentID: id, Key: fmt.Sprintf("%s-%d", id, v),
					Version: int64(v + 1), Kind: "transition", FromStatus: step.from, ToStatus: step.to, At: at, Clocks: clocks}); err != nil {
					break
				}
			}
			errs <- err
		}()
	}
	for range ids {
		require.NoError(t, <-errs)
	}
	rows, err := postgres.NewKPIService(db).FindKPIs(ctx, aftercare.KPIFilter{Dimension: aftercare.KPIByAccount,
		From: start.AddDate(0, -1, 0), To: start.AddDate(0, 1, 0), Granularity: aftercare.KPIWholePeriod})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, [2]int64{n / 2, n / 2}, [2]int64{rows[0].Restore.Met, rows[0].Restore.Breached})
	assert.Equal(t, [3]int64{n, n, n}, [3]int64{rows[0].Resolved, rows[0].Visited, rows[0].FirstTimeFixes})
	postgrestest.AssertKPICountersMatchBase(t, postgres.NewKPIService(db), &aftercare.Scope{AccountIDs: []string{f.AccountID}})
}
