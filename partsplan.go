package aftercare

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// PartsPlanRequest asks for the stocking plan of a region's depots.
type PartsPlanRequest struct {
	Region string
	// TargetFillRate is the share of units each depot should serve from
	// its own stock, in (0, 1); 0.95 when 0.
	TargetFillRate float64
	// LeadTimeDays is the supplier's lead time; 7 when 0.
	LeadTimeDays int
	// HistoryWeeks is how much consumption history to plan from; 26 when
	// 0. The first half trains the backtest, the second is replayed.
	HistoryWeeks int
	// FetchHours is how long a part a depot lacks takes to come from
	// another; 12 when 0.
	FetchHours float64
}

// Normalize fills in the defaults.
func (r *PartsPlanRequest) Normalize() {
	r.Region = strings.TrimSpace(r.Region)
	if r.TargetFillRate == 0 {
		r.TargetFillRate = 0.95
	}
	if r.LeadTimeDays == 0 {
		r.LeadTimeDays = 7
	}
	if r.HistoryWeeks == 0 {
		r.HistoryWeeks = 26
	}
	if r.FetchHours == 0 {
		r.FetchHours = 12
	}
}

// Validate returns EINVALID naming the first field out of range.
func (r *PartsPlanRequest) Validate() error {
	switch {
	case r.Region == "":
		return InvalidField("region", "region is required")
	case !(r.TargetFillRate >= 0.5 && r.TargetFillRate <= 0.999):
		return InvalidField("targetFillRate", "targetFillRate must be 0.5 to 0.999, not %v", r.TargetFillRate)
	case r.LeadTimeDays < 1 || r.LeadTimeDays > 120:
		return InvalidField("leadTimeDays", "leadTimeDays must be 1 to 120, not %d", r.LeadTimeDays)
	case r.HistoryWeeks < 8 || r.HistoryWeeks > 104 || r.HistoryWeeks%2 != 0:
		return InvalidField("historyWeeks", "historyWeeks must be an even number of weeks from 8 to 104, not %d", r.HistoryWeeks)
	case !(r.FetchHours > 0 && r.FetchHours <= 720):
		return InvalidField("fetchHours", "fetchHours must be above 0 and at most 720, not %v", r.FetchHours)
	}
	return nil
}

// StockingLevel is a reorder point and order-up-to level, and the share of
// demand it is expected to serve from stock. The reorder point is as the
// stock ledger keeps it: the depot reorders, up to OrderUpTo, when its
// units available fall below it; 0 never.
type StockingLevel struct {
	ReorderPoint, OrderUpTo int
	ExpectedFillRate        float64
}

// StockingOutcome is what replaying demand against a stocking policy
// measured.
type StockingOutcome struct {
	Asked, Served int
	FillRate      float64
	// StockOuts are demand lines not served in full from the depot;
	// SLAStockOuts those whose on-site promise was shorter than a fetch
	// from elsewhere, so the stock-out delayed it.
	StockOuts, SLAStockOuts int
	Orders                  int
	// InventoryValue is the mean units on hand times the unit price.
	InventoryValue float64
}

// Add adds o's counts and value to t and recomputes the fill rate.
func (t *StockingOutcome) Add(o StockingOutcome) {
	t.Asked += o.Asked
	t.Served += o.Served
	t.StockOuts += o.StockOuts
	t.SLAStockOuts += o.SLAStockOuts
	t.Orders += o.Orders
	t.InventoryValue += o.InventoryValue
	t.FillRate = 1
	if t.Asked > 0 {
		t.FillRate = float64(t.Served) / float64(t.Asked)
	}
}

// PartsPlanLine is the plan of one part at one depot, with its evidence.
type PartsPlanLine struct {
	DepotID, DepotCode       string
	PartID, FRU, Description string
	UnitPrice                float64
	// StockID is the depot's stock row of the part, 0 when it has none.
	StockID int64
	// OnHand and ReorderPoint are today's at the depot; CatchmentOnHand
	// adds the vans of the engineers based there: today's stock the
	// backtest replays.
	OnHand, CatchmentOnHand int
	ReorderPoint            *int
	// Weekly is the catchment's consumption per week, oldest first;
	// Asked its total.
	Weekly []float64
	Asked  int
	// Forecast is the expected demand per week by Method; NaiveForecast
	// the moving average's. MASE and NaiveMASE score both one week ahead
	// over the replayed weeks; nil where undefined.
	Forecast, NaiveForecast float64
	Method                  string
	MASE, NaiveMASE         *float64
	// Pooled says the recommendation was planned from the region's use
	// per depot, the depot's own being too thin (used in fewer than two
	// weeks).
	Pooled bool
	// Recommended is the level to apply, from the whole history.
	Recommended StockingLevel
	// BacktestLevel is the level recommended from the training weeks
	// alone; Backtest is it replayed over the later weeks, Flat is
	// today's stock replayed over the same weeks.
	BacktestLevel  StockingLevel
	Flat, Backtest StockingOutcome
	// Why is Explain's sentence.
	Why string
}

// Explain says in one sentence why the line recommends what it does.
func (l *PartsPlanLine) Explain(p *PartsPlan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d used over %d weeks; %s forecasts %.2f a week", l.Asked, p.HistoryWeeks, l.Method, l.Forecast)
	if l.MASE != nil && l.NaiveMASE != nil {
		fmt.Fprintf(&b, " (MASE %.2f against the moving average's %.2f)", *l.MASE, *l.NaiveMASE)
	}
	if l.Pooled {
		b.WriteString("; too seldom used here to forecast alone, it is planned from the region's use per depot")
	}
	fmt.Fprintf(&b, ". Over a %d-day lead time, reordering up to %d when fewer than %d are available is expected to serve %.1f %% from stock",
		p.LeadTimeDays, l.Recommended.OrderUpTo, l.Recommended.ReorderPoint, 100*l.Recommended.ExpectedFillRate)
	if l.Backtest.Asked > 0 {
		fmt.Fprintf(&b, ". Replayed over the last %d weeks, the level planned before them served %.0f %% with %d SLA-delaying stock-outs, where today's %d in the catchment served %.0f %% with %d",
			p.HistoryWeeks-p.TrainWeeks, 100*l.Backtest.FillRate, l.Backtest.SLAStockOuts, l.CatchmentOnHand,
			100*l.Flat.FillRate, l.Flat.SLAStockOuts)
	}
	return b.String() + "."
}

// PartsPlan is the stocking plan of a region's depots: one line per depot
// and part that was used over the history or is stocked today, with the
// backtest's totals.
type PartsPlan struct {
	PartsPlanRequest
	// From and To bound the history; TrainWeeks is its first part.
	From, To   time.Time
	TrainWeeks int
	Lines      []*PartsPlanLine
	// Flat and Backtest total the lines' replays.
	Flat, Backtest StockingOutcome
}

// PartsPlanApplication is what applying a plan changed.
type PartsPlanApplication struct {
	Plan *PartsPlan
	// Changed are the stock rows whose reorder point the plan set.
	Changed []*StockLevel
}

// PartsPlanService plans the stocking of a region's depots from the
// consumption in the stock ledger, and applies plans to the depots'
// reorder points. A region outside the caller's scope is ENOTFOUND.
type PartsPlanService interface {
	// PlanParts computes the region's plan.
	PlanParts(ctx context.Context, r PartsPlanRequest) (*PartsPlan, error)
	// ApplyPartsPlan computes the region's plan and sets every line's
	// reorder point to its recommendation, audited, in one transaction.
	ApplyPartsPlan(ctx context.Context, r PartsPlanRequest) (*PartsPlanApplication, error)
}

// RoundMoney rounds an amount to the cent.
func RoundMoney(x float64) float64 { return math.Round(x*100) / 100 }
