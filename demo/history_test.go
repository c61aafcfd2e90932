package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeedHistory(t *testing.T) {
	db := postgrestest.MustOpen(t)
	ctx := context.Background()
	cfg := demo.DefaultConfig()
	cfg.Accounts, cfg.SitesPerAccount, cfg.AssetsPerSite, cfg.Engineers, cfg.Depots = 4, 3, 20, 40, 6
	cfg.Now = time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	_, err := demo.Seed(ctx, db, cfg)
	require.NoError(t, err)
	rows, err := demo.SeedHistory(ctx, db, demo.HistoryConfig{Seed: 7, Incidents: 3000, Now: cfg.Now})
	require.NoError(t, err)
	assert.Equal(t, int64(3000), rows["incidents"])
	for _, table := range []string{"sla_clocks", "incident_events", "assignments", "surveys", "escalations"} {
		assert.Positive(t, rows[table], table)
	}
	n, err := demo.HistoryIncidents(ctx, db)
	require.NoError(t, err)
	assert.Equal(t, int64(3000), n)

	t.Run("providers are seeded", func(t *testing.T) {
		got := postgrestest.MustQueryString(t, db, `SELECT count(DISTINCT provider_id)::text FROM engineers`)
		assert.Equal(t, "4", got)
	})
	t.Run("credits stay within each contract's monthly cap", func(t *testing.T) {
		over := postgrestest.MustQueryString(t, db, `
			SELECT count(*)::text FROM (
				SELECT i.contract_id, date_trunc('month', x.fired_at AT TIME ZONE 'UTC')
				FROM escalations x JOIN incidents i ON i.id = x.incident_id JOIN contracts c ON c.id = i.contract_id
				GROUP BY 1, 2, c.credit_cap_percent HAVING sum(x.service_credit_percent) > c.credit_cap_percent) o`)
		assert.Equal(t, "0", over)
	})
	s := postgres.NewKPIService(db)
	t.Run("the history has every kind of figure", func(t *testing.T) {
		got, err := s.FindKPIs(ctx, aftercare.KPIFilter{Dimension: aftercare.KPIByProvider, Granularity: aftercare.KPIWholePeriod,
			From: cfg.Now.AddDate(-2, 0, 0), To: cfg.Now})
		require.NoError(t, err)
		var total aftercare.KPI
		for _, k := range got {
			total.Response.Met += k.Response.Met
			total.Restore.Breached += k.Restore.Breached
			total.Visited += k.Visited
			total.FirstTimeFixes += k.FirstTimeFixes
			total.RepeatVisits += k.RepeatVisits
			total.SurveysAnswered += k.SurveysAnswered
			total.Breaches += k.Breaches
			total.ServiceCreditPercent += k.ServiceCreditPercent
		}
		assert.Positive(t, total.Response.Met)
		assert.Positive(t, total.Restore.Breached)
		assert.Greater(t, total.Visited, total.FirstTimeFixes)
		assert.Positive(t, total.FirstTimeFixes)
		assert.Positive(t, total.RepeatVisits)
		assert.Positive(t, total.SurveysAnswered)
		assert.Positive(t, total.Breaches)
		assert.Positive(t, total.ServiceCreditPercent)
	})
	t.Run("the rebuilt counters equal the base tables", func(t *testing.T) {
		postgrestest.AssertKPICountersMatchBase(t, s)
	})
	t.Run("the same seed loads the same incidents", func(t *testing.T) {
		again := postgrestest.MustOpen(t)
		_, err := demo.Seed(ctx, again, cfg)
		require.NoError(t, err)
		_, err = demo.SeedHistory(ctx, again, demo.HistoryConfig{Seed: 7, Incidents: 3000, Now: cfg.Now})
		require.NoError(t, err)
		query := `SELECT string_agg(id::text || created_at::text || priority, ',' ORDER BY id) FROM
			(SELECT * FROM incidents WHERE client_request_id IN ('history-0', 'history-1500', 'history-2999')) i`
		assert.Equal(t, postgrestest.MustQueryString(t, db, query), postgrestest.MustQueryString(t, again, query))
	})
}
