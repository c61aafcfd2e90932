package postgis

import (
	"context"
	"errors"
	"fmt"

	"github.com/aftercare/aftercare/dispatch"
	"github.com/jackc/pgx/v5"
)

// qualifies is the rules both queries apply to an engineer e in SQL: the
// product line $1 at level $2 or above, clearance $3 or above, on shift,
// under capacity.
const qualifies = `(e.skills ->> $1)::int >= $2 AND e.clearance >= $3 AND e.on_shift AND e.load < e.capacity`

// hasPart is whether e's van holds $5 units of part $4.
const hasPart = `EXISTS (SELECT FROM bench_van_stock v WHERE v.engineer_id = e.id AND v.part_id = $4 AND v.qty >= $5)`

// site is the incident's site, longitude $6 and latitude $7.
const site = `ST_SetSRID(ST_MakePoint($6, $7), 4326)::geography`

// vanOnlyQuery is the KNN query of the issue: the nearest qualified engineer
// with the part in the van, ordered by distance alone (a tie-break column in
// ORDER BY makes the planner drop the GiST index).
const vanOnlyQuery = `
SELECT e.id FROM bench_engineers e
WHERE ` + qualifies + ` AND ` + hasPart + `
ORDER BY e.location <-> ` + site + `
LIMIT 1`

// fullRuleQuery adds the depot detour: the nearest qualified engineer with
// the part in the van (KNN, as vanOnlyQuery) bounds the search; every
// qualified engineer without it who is no farther than that is priced
// through each depot holding the part (engineer → depot → site, at least
// the straight distance), and the shortest trip wins, then the least load,
// then the ID. Without anyone holding the part the bound is the whole globe.
const fullRuleQuery = `
WITH van AS (
	SELECT e.id, e.load, e.location <-> ` + site + ` AS m
	FROM bench_engineers e
	WHERE ` + qualifies + ` AND ` + hasPart + `
	ORDER BY e.location <-> ` + site + `
	LIMIT 1
), depot AS MATERIALIZED (
	SELECT d.location, d.location <-> ` + site + ` AS to_site
	FROM bench_depot_stock s JOIN bench_depots d ON d.id = s.depot_id
	WHERE s.part_id = $4 AND s.qty >= $5
), detour AS (
	SELECT e.id, e.load,
		GREATEST(min((e.location <-> d.location) + d.to_site), min(e.location <-> ` + site + `)) AS m
	FROM bench_engineers e CROSS JOIN depot d
	WHERE ` + qualifies + ` AND NOT ` + hasPart + `
		AND ST_DWithin(e.location, ` + site + `, COALESCE((SELECT m FROM van), 1e8), false)
	GROUP BY e.id, e.load
)
SELECT id FROM (SELECT id, load, m FROM van UNION ALL SELECT id, load, m FROM detour) c
ORDER BY m, load, id
LIMIT 1`

// Nearest returns the nearest engineer who qualifies for the request and
// carries its part in the van, or "" when nobody does. Like the issue's
// query it ranks by distance only.
func (db *DB) Nearest(ctx context.Context, req *dispatch.Request) (string, error) {
	return db.query(ctx, "DB.Nearest", vanOnlyQuery, req)
}

// NearestWithDetour returns the engineer with the shortest trip under
// dispatch's full parts rule: from the van, or through the depot that makes
// the shortest trip; ties go to the least load, then the smaller ID.
func (db *DB) NearestWithDetour(ctx context.Context, req *dispatch.Request) (string, error) {
	return db.query(ctx, "DB.NearestWithDetour", fullRuleQuery, req)
}

func (db *DB) query(ctx context.Context, op, sql string, req *dispatch.Request) (string, error) {
	if len(req.Parts) != 1 || req.Parts[0].Quantity != 1 {
		return "", fmt.Errorf("%s: the SQL covers the issue's incidents, one unit of one part, not %v", op, req.Parts)
	}
	var id string
	err := db.pool.QueryRow(ctx, sql, req.ProductLine, req.MinLevel, req.Tier.Rank(),
		req.Parts[0].PartID, req.Parts[0].Quantity, req.Lng, req.Lat).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return id, nil
}
