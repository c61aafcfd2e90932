package demo

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// PartsHistoryConfig says how the parts used by historical repairs are
// loaded.
type PartsHistoryConfig struct {
	// Seed drives which repairs used a part and which part.
	Seed int64
	// Share is the share of hardware repairs that used a part, in (0, 1].
	Share float64
}

// SeedPartsHistory loads, through the stock ledger, the parts the history's
// completed hardware and physical-damage repairs used: for a Share of
// them, one unit of a part that fits the asset's product line, drawn from
// the depot the engineer is based at when the job was completed. Which
// part follows a skewed draw over the line's parts (u³ over a seeded
// order), so a few parts are used often and most seldom, as spare-part
// demand is. Each unit is received at the depot for the job and consumed
// by it (two movements, dated when the job ended), so today's stock stays
// as the demo set it and the ledger stays its sum. It is for a database
// with a history (SeedHistory) and returns the units loaded.
func SeedPartsHistory(ctx context.Context, db *postgres.DB, cfg PartsHistoryConfig) (_ int64, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("demo.SeedPartsHistory: %w", err)
		}
	}()
	if !(cfg.Share > 0 && cfg.Share <= 1) {
		return 0, aftercare.Errorf(aftercare.EINVALID, "parts history: share %v is not in (0, 1]", cfg.Share)
	}
	var units int64
	err = db.BulkLoad(ctx, func(l *postgres.Loader) error {
		if _, err := l.Exec(ctx, `
			CREATE TEMP TABLE parts_history ON COMMIT DROP AS
			WITH used AS (
				SELECT i.id AS incident_id, a.id AS assignment_id, e.home_depot_id AS depot_id, ast.product_line,
					a.updated_at AS at,
					('x' || substr(md5($1 || i.id::text), 1, 8))::bit(32)::bigint / 4294967296.0 AS u,
					('x' || substr(md5($1 || i.id::text), 9, 8))::bit(32)::bigint / 4294967296.0 AS v
				FROM incidents i
				JOIN assignments a ON a.incident_id = i.id AND a.state = 'completed'
				JOIN engineers e ON e.id = a.engineer_id
				JOIN assets ast ON ast.id = i.asset_id
				WHERE i.category IN ('hardware_failure', 'physical_damage') AND i.status = 'closed'),
			fitting AS (
				SELECT pl.product_line, pl.part_id,
					row_number() OVER (PARTITION BY pl.product_line ORDER BY md5($1 || pl.part_id::text)) - 1 AS k,
					count(*) OVER (PARTITION BY pl.product_line) AS n
				FROM part_product_lines pl)
			SELECT u.incident_id, u.assignment_id, u.depot_id, f.part_id, u.at
			FROM used u JOIN fitting f ON f.product_line = u.product_line AND f.k = floor(f.n * u.v ^ 3)
			WHERE u.u < $2`, fmt.Sprint(cfg.Seed), cfg.Share); err != nil {
			return err
		}
		if _, err := l.Exec(ctx, `
			INSERT INTO stock (part_id, depot_id) SELECT DISTINCT part_id, depot_id FROM parts_history
			ON CONFLICT DO NOTHING`); err != nil {
			return err
		}
		// Through the ledger's triggers, one movement at a time in the
		// order the jobs ended: a receipt for the job, then its use.
		n, err := l.Exec(ctx, `
			INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reserved_delta, assignment_id, incident_id, at,
				reason)
			SELECT st.id, m.kind, m.delta, 0, m.assignment_id, m.incident_id, h.at, m.reason
			FROM parts_history h
			JOIN stock st ON st.depot_id = h.depot_id AND st.part_id = h.part_id
			CROSS JOIN LATERAL (VALUES
				(1, 'receipt', 1, NULL::uuid, NULL::uuid, 'history: delivered for the job'),
				(2, 'consumption', -1, h.assignment_id, h.incident_id, 'history: installed')) m(step, kind, delta,
					assignment_id, incident_id, reason)
			ORDER BY h.at, h.incident_id, m.step`)
		units = n / 2
		return err
	})
	return units, err
}
