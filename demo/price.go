package demo

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare/postgres"
)

// Demo price list terms: labour per hour and call-out per visit in CNY by
// tier, and the factor each tier pays on a part's list price; a contract of
// a higher tier buys better rates for the work it does not cover. Each
// region adds 0, 5, 10 or 15 % by its place in code order, so prices differ
// by region as they do by tier.
const seedPriceTerms = `
	(VALUES ('platinum', 380.00, 500.00, 0.90), ('premium', 420.00, 600.00, 0.95), ('standard', 480.00, 800.00, 1.00))
	AS t (tier, labour, call_out, part_factor)`

const seedRegionFactors = `
	(SELECT code, 1 + 0.05 * ((row_number() OVER (ORDER BY code) - 1) % 4) AS factor FROM regions) AS r`

// insertPriceList fills the price list from the catalogue and the regions
// loaded before it: for every tier and region, an hour of labour, a
// call-out, and each part at its list price times the tier's and region's
// factors. It draws no random numbers, so the same catalogue gives the same
// prices.
func (s *seeder) insertPriceList(ctx context.Context, l *postgres.Loader) error {
	n, err := l.Exec(ctx, `
		INSERT INTO price_list (kind, part_id, tier, region, unit_price, currency)
		SELECT 'labour', NULL::uuid, t.tier, r.code, round(t.labour * r.factor, 2), 'CNY' FROM `+seedPriceTerms+` CROSS JOIN `+seedRegionFactors+`
		UNION ALL
		SELECT 'call_out', NULL::uuid, t.tier, r.code, round(t.call_out * r.factor, 2), 'CNY' FROM `+seedPriceTerms+` CROSS JOIN `+seedRegionFactors+`
		UNION ALL
		SELECT 'part', p.id, t.tier, r.code, round(p.unit_price * t.part_factor * r.factor, 2), p.currency
		FROM parts p CROSS JOIN `+seedPriceTerms+` CROSS JOIN `+seedRegionFactors)
	if err != nil {
		return fmt.Errorf("insert price_list: %w", err)
	}
	s.summary.Rows["price_list"] = n
	return nil
}
