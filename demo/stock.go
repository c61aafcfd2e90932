package demo

import (
	"context"
	"math/rand/v2"

	"github.com/aftercare/aftercare/postgres"
)

// seedDepotStockShare is the share of the catalogue each depot stocks.
const seedDepotStockShare = 0.7

// seedStock is one stock row of the demo: a part at a depot or in a van
// (the other column nil), and the units received there.
type seedStock struct {
	id              int64
	part            uuid
	depot, engineer any
	onHand          int32
}

// stockRows streams the demo's stock rows, numbered from first: about
// 70 % of the catalogue in every depot, 0 to 20 of each, then
// VanStockPerEngineer parts in every van, 0 to 3 of each. The same config
// always streams the same rows, so the rows and their receipts are
// streamed apart without being held in memory.
func (s *seeder) stockRows(first int64) func() (seedStock, bool) {
	id := first - 1
	d, p := 0, 0
	r := s.rng(seedStreamDepotStock, 0)
	per, vanRow := s.cfg.VanStockPerEngineer, 0
	current := -1
	var engineer uuid
	var parts []int
	var vr *rand.Rand
	return func() (seedStock, bool) {
		for d < len(s.depots) {
			if p == len(s.parts) {
				d, p = d+1, 0
				if d < len(s.depots) {
					r = s.rng(seedStreamDepotStock, d)
				}
				continue
			}
			p++
			if r.Float64() < seedDepotStockShare {
				id++
				return seedStock{id: id, part: s.parts[p-1].id, depot: s.depots[d].id, onHand: int32(r.IntN(21))}, true
			}
		}
		if per == 0 || vanRow == s.cfg.Engineers*per {
			return seedStock{}, false
		}
		if e := vanRow / per; e != current {
			eng := s.engineer(e)
			vr = s.rng(seedStreamVanStock, e)
			current, engineer, parts = e, eng.id, s.vanParts(vr, eng)
		}
		part := s.parts[parts[vanRow%per]].id
		vanRow++
		id++
		return seedStock{id: id, part: part, engineer: engineer, onHand: int32(vr.IntN(4))}, true
	}
}

// stockLedgerTriggers are the triggers copyStock holds while it loads: it
// writes each stock row with its units and the receipt that brought them,
// both at once, where the triggers would have the row created empty and
// filled by applying the receipt.
var stockLedgerTriggers = [][2]string{
	{"stock", "stock_quantities_follow_ledger"},
	{"stock_movements", "stock_movements_apply"},
	{"stock_movements", "stock_movements_alert"},
}

// copyStock loads the demo's stock rows and, so that every row is its
// ledger's sum from the start, one receipt per row that holds units, both
// with COPY: a million stock rows load as fast as before the ledger.
func (s *seeder) copyStock(ctx context.Context, l *postgres.Loader) error {
	var first int64
	if err := l.QueryRow(ctx, `SELECT nextval('stock_id_seq')`, nil, &first); err != nil {
		return err
	}
	for _, t := range stockLedgerTriggers {
		if _, err := l.Exec(ctx, "ALTER TABLE "+t[0]+" DISABLE TRIGGER "+t[1]); err != nil {
			return err
		}
	}
	next := s.stockRows(first)
	last := first - 1
	if err := s.copyFrom(ctx, l, "stock", []string{"id", "part_id", "depot_id", "engineer_id", "on_hand", "reserved"},
		func() ([]any, error) {
			st, ok := next()
			if !ok {
				return nil, nil
			}
			last = st.id
			return []any{st.id, st.part, st.depot, st.engineer, st.onHand, int32(0)}, nil
		}); err != nil {
		return err
	}
	if _, err := l.Exec(ctx, `SELECT setval('stock_id_seq', greatest($1::bigint, 1), $1::bigint >= 1)`, last); err != nil {
		return err
	}
	next = s.stockRows(first)
	if err := s.copyFrom(ctx, l, "stock_movements",
		[]string{"stock_id", "kind", "on_hand_delta", "on_hand_after", "reason"}, func() ([]any, error) {
			for {
				st, ok := next()
				if !ok {
					return nil, nil
				}
				if st.onHand > 0 {
					return []any{st.id, "receipt", st.onHand, st.onHand, "demo stock"}, nil
				}
			}
		}); err != nil {
		return err
	}
	for _, t := range stockLedgerTriggers {
		if _, err := l.Exec(ctx, "ALTER TABLE "+t[0]+" ENABLE TRIGGER "+t[1]); err != nil {
			return err
		}
	}
	return nil
}
