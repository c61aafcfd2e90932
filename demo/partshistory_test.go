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

func TestPartsHistoryFeedsAPartsPlan(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.MustOpen(t)
	cfg := demo.DefaultConfig()
	cfg.Accounts, cfg.Engineers = 40, 200
	_, err := demo.Seed(ctx, db, cfg)
	require.NoError(t, err)
	const stockDigest = `SELECT md5(string_agg(id || ':' || on_hand || ':' || reserved, ',' ORDER BY id)) FROM stock WHERE id <= $1`
	lastStock := postgrestest.MustQueryInt(t, db, `SELECT max(id) FROM stock`)
	stockBefore := postgrestest.MustQueryString(t, db, stockDigest, lastStock)
	_, err = demo.SeedHistory(ctx, db, demo.HistoryConfig{Seed: cfg.Seed, Incidents: 4000, Now: time.Now(), Days: 182})
	require.NoError(t, err)
	units, err := demo.SeedPartsHistory(ctx, db, demo.PartsHistoryConfig{Seed: cfg.Seed, Share: 0.8})
	require.NoError(t, err)

	repairs := postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM incidents i
		JOIN assignments a ON a.incident_id = i.id AND a.state = 'completed'
		WHERE i.category IN ('hardware_failure', 'physical_damage') AND i.status = 'closed'`)
	assert.InDelta(t, 0.8*float64(repairs), float64(units), 0.05*float64(repairs), "about the share of repairs")
	assert.EqualValues(t, units, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM stock_movements m
		JOIN assignments a ON a.id = m.assignment_id AND a.incident_id = m.incident_id
		JOIN engineers e ON e.id = a.engineer_id JOIN stock st ON st.id = m.stock_id AND st.depot_id = e.home_depot_id
		WHERE m.kind = 'consumption'`), "each unit used by its job, at its engineer's depot")
	assert.Equal(t, stockBefore, postgrestest.MustQueryString(t, db, stockDigest, lastStock),
		"today's stock is as the demo set it")
	assert.Zero(t, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM stock WHERE id > $1 AND on_hand <> 0`, lastStock),
		"rows made for the history end empty")
	postgrestest.AssertStockLedger(t, db)
	assert.Zero(t, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM parts p JOIN part_product_lines pl ON pl.part_id = p.id
		WHERE p.component IS NULL AND p.description ~ '(SSD|HDD|DIMM)'`), "drives and memory name their component")

	region := postgrestest.MustQueryString(t, db, `SELECT d.region FROM stock_movements m JOIN stock st ON st.id = m.stock_id
		JOIN depots d ON d.id = st.depot_id WHERE m.kind = 'consumption' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)
	plan, err := postgres.NewPartsPlanService(db).PlanParts(ctx, aftercare.PartsPlanRequest{Region: region})
	require.NoError(t, err)
	require.NotEmpty(t, plan.Lines)
	asked := 0
	for _, l := range plan.Lines {
		asked += l.Asked
		require.Len(t, l.Weekly, 26)
	}
	assert.EqualValues(t, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM stock_movements m JOIN stock st ON st.id = m.stock_id
		JOIN depots d ON d.id = st.depot_id WHERE m.kind = 'consumption' AND d.region = $1 AND m.at >= $2 AND m.at < $3`,
		region, plan.From, plan.To), asked, "every unit the region's depots gave out is in the plan")
	assert.Positive(t, plan.Backtest.Asked)
	for _, l := range plan.Lines {
		if l.Recommended.OrderUpTo > 0 {
			require.Positive(t, l.Recommended.ReorderPoint, "%s at %s: a policy that orders alerts below 1 or more", l.FRU, l.DepotCode)
		}
	}
	_, err = postgres.NewPartsPlanService(db).PlanParts(ctx, aftercare.PartsPlanRequest{Region: "atlantis"})
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))

	applied, err := postgres.NewPartsPlanService(db).ApplyPartsPlan(ctx, aftercare.PartsPlanRequest{Region: region})
	require.NoError(t, err)
	require.NotEmpty(t, applied.Changed)
	set := map[int64]int{}
	for _, level := range applied.Changed {
		require.NotNil(t, level.ReorderPoint)
		set[level.ID] = *level.ReorderPoint
	}
	for _, l := range applied.Plan.Lines {
		if got, ok := set[l.StockID]; ok {
			assert.Equal(t, l.Recommended.ReorderPoint, got, "%s at %s: the ledger keeps the plan's point", l.FRU, l.DepotCode)
		}
	}
	assert.EqualValues(t, len(applied.Changed), postgrestest.MustQueryInt(t, db,
		`SELECT count(*) FROM audit_events WHERE action = 'stock.reorder_point' AND after ? 'parts_plan'`))
	assert.EqualValues(t, 1, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM audit_events WHERE action = 'parts_plan.apply'`))

	t.Logf("%s: %d lines, %d units over 26 weeks; backtest fill %.3f (SLA stock-outs %d, value %.0f) against flat %.3f (%d, %.0f)",
		region, len(plan.Lines), asked, plan.Backtest.FillRate, plan.Backtest.SLAStockOuts, plan.Backtest.InventoryValue,
		plan.Flat.FillRate, plan.Flat.SLAStockOuts, plan.Flat.InventoryValue)
}
