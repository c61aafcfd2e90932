package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/stocking"
	"github.com/jackc/pgx/v5"
)

// PartsPlanService plans a region's depot stocking from the consumption in
// the stock ledger with package stocking, and applies plans to reorder
// points through the ledger's own path.
type PartsPlanService struct {
	db *DB
	// now is the clock the history ends by.
	now func() time.Time
}

var _ aftercare.PartsPlanService = (*PartsPlanService)(nil)

// NewPartsPlanService returns a PartsPlanService backed by db.
func NewPartsPlanService(db *DB) *PartsPlanService {
	return &PartsPlanService{db: db, now: time.Now}
}

// planKey is one part at one depot.
type planKey struct{ depotID, partID string }

// PlanParts computes the region's plan. A depot's catchment is the depot
// and the vans of the engineers based there: every unit consumed from
// either, by a repair, is demand on the depot, on the day it was used,
// with the on-site promise of its incident.
func (s *PartsPlanService) PlanParts(ctx context.Context, r aftercare.PartsPlanRequest) (_ *aftercare.PartsPlan, err error) {
	defer wrap(&err, fmt.Sprintf("PartsPlanService.PlanParts(ctx, %q)", r.Region))
	r.Normalize()
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var plan *aftercare.PartsPlan
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		plan, err = s.plan(ctx, tx, r)
		return err
	})
	return plan, err
}

// ApplyPartsPlan computes the region's plan and sets each line's reorder
// point to its recommendation where it differs, in one transaction, each
// change audited with the evidence behind it.
func (s *PartsPlanService) ApplyPartsPlan(ctx context.Context, r aftercare.PartsPlanRequest) (_ *aftercare.PartsPlanApplication, err error) {
	defer wrap(&err, fmt.Sprintf("PartsPlanService.ApplyPartsPlan(ctx, %q)", r.Region))
	r.Normalize()
	if err := r.Validate(); err != nil {
		return nil, err
	}
	out := &aftercare.PartsPlanApplication{}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if out.Plan, err = s.plan(ctx, tx, r); err != nil {
			return err
		}
		for _, l := range out.Plan.Lines {
			point := l.Recommended.ReorderPoint
			if (l.ReorderPoint != nil && *l.ReorderPoint == point) || (l.ReorderPoint == nil && point == 0) {
				continue // a reorder point of 0 is as good as none
			}
			level, err := setReorderPoint(ctx, tx, aftercare.ReorderPointChange{DepotID: l.DepotID, FRU: l.FRU, Point: &point},
				map[string]any{"parts_plan": map[string]any{"order_up_to": l.Recommended.OrderUpTo,
					"target_fill_rate": r.TargetFillRate, "lead_time_days": r.LeadTimeDays, "forecast_per_week": l.Forecast,
					"method": l.Method, "why": l.Why}})
			if err != nil {
				return err
			}
			l.StockID, l.ReorderPoint = level.ID, &point
			out.Changed = append(out.Changed, level)
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "parts_plan.apply", "region", r.Region, nil,
			map[string]any{"request": r, "lines": len(out.Plan.Lines), "changed": len(out.Changed),
				"backtest": out.Plan.Backtest, "flat": out.Plan.Flat})
	})
	return out, err
}

// plan reads the region's stock and history in tx and plans every line.
func (s *PartsPlanService) plan(ctx context.Context, tx pgx.Tx, r aftercare.PartsPlanRequest) (*aftercare.PartsPlan, error) {
	var known bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM regions WHERE code = $1)`, r.Region).Scan(&known); err != nil {
		return nil, err
	}
	if sc := aftercare.ScopeFromContext(ctx); !known || (!sc.All && !slices.Contains(sc.Regions, r.Region)) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "region %q not found", r.Region)
	}
	to := s.now().UTC().Truncate(24 * time.Hour)
	plan := &aftercare.PartsPlan{PartsPlanRequest: r, To: to, From: to.AddDate(0, 0, -7*r.HistoryWeeks),
		TrainWeeks: r.HistoryWeeks / 2}
	lines, err := planLines(ctx, tx, r.Region)
	if err != nil {
		return nil, err
	}
	demand, err := planDemand(ctx, tx, r.Region, plan.From, plan.To, lines)
	if err != nil {
		return nil, err
	}
	cfg := stocking.PlanConfig{Days: 7 * r.HistoryWeeks, TrainDays: 7 * plan.TrainWeeks, TargetFillRate: r.TargetFillRate,
		LeadTimeDays: r.LeadTimeDays, FetchHours: r.FetchHours}
	pooled, err := pooledUse(ctx, tx, r.Region, demand, cfg.Days)
	if err != nil {
		return nil, err
	}
	if err := addVanStock(ctx, tx, r.Region, lines); err != nil {
		return nil, err
	}
	for k, l := range lines {
		cfg.FlatLevel, cfg.UnitCost, cfg.Pooled = l.CatchmentOnHand, l.UnitPrice, pooled[k.partID]
		line, err := stocking.Plan(demand[k], cfg)
		if err != nil {
			return nil, err
		}
		fillLine(l, line)
		plan.Lines = append(plan.Lines, l)
		plan.Flat.Add(l.Flat)
		plan.Backtest.Add(l.Backtest)
	}
	for _, l := range plan.Lines {
		l.Why = l.Explain(plan)
	}
	slices.SortFunc(plan.Lines, func(a, b *aftercare.PartsPlanLine) int {
		return cmp.Or(cmp.Compare(a.DepotCode, b.DepotCode), cmp.Compare(b.Asked, a.Asked), cmp.Compare(a.FRU, b.FRU))
	})
	return plan, nil
}

// addVanStock sets each line's catchment stock: the depot's units on hand
// and those in the vans of the engineers based there.
func addVanStock(ctx context.Context, tx pgx.Tx, region string, lines map[planKey]*aftercare.PartsPlanLine) error {
	for _, l := range lines {
		l.CatchmentOnHand = l.OnHand
	}
	rows, err := tx.Query(ctx, `
		SELECT e.home_depot_id, st.part_id, sum(st.on_hand)::int
		FROM stock st JOIN engineers e ON e.id = st.engineer_id JOIN depots d ON d.id = e.home_depot_id
		WHERE d.region = $1 AND st.on_hand > 0
		GROUP BY 1, 2`, region)
	if err != nil {
		return err
	}
	var k planKey
	var units int
	_, err = pgx.ForEachRow(rows, []any{&k.depotID, &k.partID, &units}, func() error {
		if l := lines[k]; l != nil {
			l.CatchmentOnHand += units
		}
		return nil
	})
	return err
}

// pooledUse returns each part's weekly use per depot across the region:
// the region's total over its number of depots.
func pooledUse(ctx context.Context, tx pgx.Tx, region string, demand map[planKey][]stocking.Demand, days int) (map[string][]float64, error) {
	var depots int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM depots WHERE region = $1`, region).Scan(&depots); err != nil {
		return nil, err
	}
	pooled := make(map[string][]float64)
	for k, d := range demand {
		weekly := stocking.Periods(d, days, stocking.PlanWeek)
		sum := pooled[k.partID]
		if sum == nil {
			sum = make([]float64, len(weekly))
			pooled[k.partID] = sum
		}
		for i, w := range weekly {
			sum[i] += w / float64(max(depots, 1))
		}
	}
	return pooled, nil
}

// fillLine copies a computed plan into its line.
func fillLine(l *aftercare.PartsPlanLine, p stocking.Line) {
	l.Weekly, l.Asked, l.Forecast, l.NaiveForecast, l.Method = p.Weekly, p.Asked, p.Forecast, p.Naive, p.Method
	l.Pooled = p.Pooled
	if p.MASEDefined {
		l.MASE, l.NaiveMASE = &p.MASE, &p.NaiveMASE
	}
	// The ledger reorders when the units available fall below its point;
	// the policy when they are at its s or below: the ledger's point is
	// s + 1, and none (0) for a policy that never orders.
	level := func(v stocking.Level) aftercare.StockingLevel {
		point := 0
		if v.OrderUpTo > v.ReorderPoint {
			point = v.ReorderPoint + 1
		}
		return aftercare.StockingLevel{ReorderPoint: point, OrderUpTo: v.OrderUpTo, ExpectedFillRate: v.FillRate}
	}
	outcome := func(o stocking.Outcome) aftercare.StockingOutcome {
		return aftercare.StockingOutcome{Asked: o.Asked, Served: o.Served, FillRate: o.FillRate, StockOuts: o.StockOuts,
			SLAStockOuts: o.SLAStockOuts, Orders: o.Orders, InventoryValue: aftercare.RoundMoney(o.InventoryValue)}
	}
	l.Recommended, l.BacktestLevel = level(p.Recommended), level(p.Backtest)
	l.Flat, l.Backtest = outcome(p.Flat), outcome(p.BacktestOutcome)
}

// planLines returns the region's depot stock rows, by depot and part.
func planLines(ctx context.Context, tx pgx.Tx, region string) (map[planKey]*aftercare.PartsPlanLine, error) {
	rows, err := tx.Query(ctx, `
		SELECT d.id, d.code, p.id, p.fru, p.description, p.unit_price::float8, st.id, st.on_hand, st.reorder_point
		FROM stock st JOIN depots d ON d.id = st.depot_id JOIN parts p ON p.id = st.part_id
		WHERE d.region = $1`, region)
	if err != nil {
		return nil, err
	}
	lines := make(map[planKey]*aftercare.PartsPlanLine)
	var l aftercare.PartsPlanLine
	_, err = pgx.ForEachRow(rows, []any{&l.DepotID, &l.DepotCode, &l.PartID, &l.FRU, &l.Description, &l.UnitPrice,
		&l.StockID, &l.OnHand, &l.ReorderPoint}, func() error {
		line := l
		if l.ReorderPoint != nil {
			point := *l.ReorderPoint
			line.ReorderPoint = &point
		}
		lines[planKey{l.DepotID, l.PartID}] = &line
		return nil
	})
	return lines, err
}

// planDemand returns the consumption of each depot's catchment in the
// region over [from, to), as demand lines by day, adding a line for each
// part used where the depot has no stock row.
func planDemand(ctx context.Context, tx pgx.Tx, region string, from, to time.Time, lines map[planKey]*aftercare.PartsPlanLine) (map[planKey][]stocking.Demand, error) {
	rows, err := tx.Query(ctx, `
		SELECT d.id, d.code, p.id, p.fru, p.description, p.unit_price::float8,
			floor(extract(epoch FROM m.at - $2) / 86400)::int, -m.on_hand_delta,
			coalesce(extract(epoch FROM c.deadline - c.started_at) / 3600, 0)::float8
		FROM stock_movements m
		JOIN stock st ON st.id = m.stock_id
		LEFT JOIN engineers e ON e.id = st.engineer_id
		JOIN depots d ON d.id = coalesce(st.depot_id, e.home_depot_id)
		JOIN parts p ON p.id = st.part_id
		LEFT JOIN sla_clocks c ON c.incident_id = m.incident_id AND c.kind = 'on_site'
		WHERE m.kind = 'consumption' AND m.at >= $2 AND m.at < $3 AND d.region = $1
		ORDER BY m.at, m.id`, region, from, to)
	if err != nil {
		return nil, err
	}
	demand := make(map[planKey][]stocking.Demand)
	var l aftercare.PartsPlanLine
	var d stocking.Demand
	_, err = pgx.ForEachRow(rows, []any{&l.DepotID, &l.DepotCode, &l.PartID, &l.FRU, &l.Description, &l.UnitPrice,
		&d.Day, &d.Quantity, &d.OnSiteHours}, func() error {
		k := planKey{l.DepotID, l.PartID}
		if lines[k] == nil {
			line := l
			lines[k] = &line
		}
		demand[k] = append(demand[k], d)
		return nil
	})
	return demand, err
}
