package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/dispatch"
	"github.com/aftercare/aftercare/postgres"
)

// The PostGIS comparison answers dispatch's nearest-engineer question in
// PostgreSQL with PostGIS, the baseline `aftercare bench dispatch` runs
// Aftercare's index against. It loads a Workload into tables of its own
// (engineers as geography points with a GiST index, van and depot stock as
// rows, loaded with COPY through the store's bulk-load API) and asks, per
// incident, for the nearest engineer who passes the same rules. The
// database must have the postgis extension (scripts/postgis.sh creates one
// that has).

// postGIS is a connection pool to the PostGIS comparison's database.
type postGIS struct {
	db *postgres.DB
}

// openPostGIS connects to the database at url and checks that it has
// PostGIS.
func openPostGIS(ctx context.Context, url string) (*postGIS, error) {
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("postgis: %w (is PostgreSQL running? scripts/postgis.sh prepares it)", err)
	}
	var version string
	err = db.QueryRow(ctx, `SELECT extversion FROM pg_extension WHERE extname = 'postgis'`, nil, &version)
	if err != nil {
		db.Close()
		if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
			return nil, errors.New("postgis: the database has no postgis extension: run scripts/postgis.sh")
		}
		return nil, fmt.Errorf("postgis: %w", err)
	}
	return &postGIS{db: db}, nil
}

// close closes every connection.
func (g *postGIS) close() { g.db.Close() }

// version returns the PostgreSQL and PostGIS versions, for the report.
func (g *postGIS) version(ctx context.Context) (string, error) {
	var pg, gis string
	err := g.db.QueryRow(ctx, `SELECT current_setting('server_version'), postgis_lib_version()`, nil, &pg, &gis)
	if err != nil {
		return "", fmt.Errorf("postgis version: %w", err)
	}
	return fmt.Sprintf("PostgreSQL %s, PostGIS %s", pg, gis), nil
}

const schema = `
DROP TABLE IF EXISTS bench_van_stock, bench_engineers, bench_depot_stock, bench_depots;
CREATE TABLE bench_engineers (
	id        text PRIMARY KEY,
	lat       double precision NOT NULL,
	lng       double precision NOT NULL,
	location  geography(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography) STORED,
	skills    jsonb NOT NULL,    -- product line → level
	clearance smallint NOT NULL, -- 1 standard, 2 premium, 3 platinum
	on_shift  boolean NOT NULL,  -- at the benchmark's instant
	load      integer NOT NULL,
	capacity  integer NOT NULL
);
CREATE TABLE bench_van_stock (
	engineer_id text NOT NULL,
	part_id     text NOT NULL,
	qty         integer NOT NULL,
	PRIMARY KEY (engineer_id, part_id)
);
CREATE TABLE bench_depots (
	id       text PRIMARY KEY,
	lat      double precision NOT NULL,
	lng      double precision NOT NULL,
	location geography(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography) STORED
);
CREATE TABLE bench_depot_stock (
	depot_id text NOT NULL,
	part_id  text NOT NULL,
	qty      integer NOT NULL,
	PRIMARY KEY (part_id, depot_id)
);`

const indexes = `
CREATE INDEX bench_engineers_location ON bench_engineers USING gist (location);
ANALYZE bench_engineers; ANALYZE bench_van_stock; ANALYZE bench_depots; ANALYZE bench_depot_stock;`

// load replaces the comparison's tables with the workload's engineers, van
// stock, depots and depot stock, each engineer's shift read at the instant
// at, and builds the GiST index on engineer locations, in one transaction.
func (g *postGIS) load(ctx context.Context, w *Workload, at time.Time) error {
	engineers := make([][]any, len(w.Engineers))
	var van [][]any
	for i := range w.Engineers {
		e := &w.Engineers[i]
		engineers[i] = []any{e.ID, e.Lat, e.Lng, e.Skills, e.Clearance.Rank(), e.Calendar.OnShift(at), e.Load, e.Capacity}
		for part, qty := range e.Van {
			van = append(van, []any{e.ID, part, qty})
		}
	}
	var depots, stock [][]any
	for _, d := range w.Depots {
		depots = append(depots, []any{d.ID, d.Lat, d.Lng})
		for part, qty := range d.Stock {
			stock = append(stock, []any{d.ID, part, qty})
		}
	}
	err := g.db.BulkLoad(ctx, func(l *postgres.Loader) error {
		if _, err := l.Exec(ctx, schema); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
		for _, t := range []struct {
			table   string
			columns []string
			rows    [][]any
		}{
			{"bench_engineers", []string{"id", "lat", "lng", "skills", "clearance", "on_shift", "load", "capacity"}, engineers},
			{"bench_van_stock", []string{"engineer_id", "part_id", "qty"}, van},
			{"bench_depots", []string{"id", "lat", "lng"}, depots},
			{"bench_depot_stock", []string{"depot_id", "part_id", "qty"}, stock},
		} {
			if _, err := l.Copy(ctx, t.table, t.columns, postgres.Rows(t.rows)); err != nil {
				return err
			}
		}
		if _, err := l.Exec(ctx, indexes); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgis load: %w", err)
	}
	return nil
}

// qualifies is the rules both queries apply to an engineer e in SQL: the
// product line $1 at level $2 or above, clearance $3 or above, on shift,
// under capacity.
const qualifies = `(e.skills ->> $1)::int >= $2 AND e.clearance >= $3 AND e.on_shift AND e.load < e.capacity`

// hasPart is whether e's van holds $5 units of part $4.
const hasPart = `EXISTS (SELECT FROM bench_van_stock v WHERE v.engineer_id = e.id AND v.part_id = $4 AND v.qty >= $5)`

// site is the incident's site, longitude $6 and latitude $7.
const site = `ST_SetSRID(ST_MakePoint($6, $7), 4326)::geography`

// vanOnlyQuery is the plain KNN query: the nearest qualified engineer
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

// nearest returns the nearest engineer who qualifies for the request and
// carries its part in the van, or "" when nobody does. Like the plain KNN
// query it ranks by distance only.
func (g *postGIS) nearest(ctx context.Context, req *dispatch.Request) (string, error) {
	return g.query(ctx, "postgis nearest", vanOnlyQuery, req)
}

// nearestWithDetour returns the engineer with the shortest trip under
// dispatch's full parts rule: from the van, or through the depot that makes
// the shortest trip; ties go to the least load, then the smaller ID.
func (g *postGIS) nearestWithDetour(ctx context.Context, req *dispatch.Request) (string, error) {
	return g.query(ctx, "postgis nearest with detour", fullRuleQuery, req)
}

func (g *postGIS) query(ctx context.Context, op, sql string, req *dispatch.Request) (string, error) {
	if len(req.Parts) != 1 || req.Parts[0].Quantity != 1 {
		return "", fmt.Errorf("%s: the SQL covers the workload's incidents, one unit of one part, not %v", op, req.Parts)
	}
	var id string
	err := g.db.QueryRow(ctx, sql, []any{req.ProductLine, req.MinLevel, req.Tier.Rank(),
		req.Parts[0].PartID, req.Parts[0].Quantity, req.Lng, req.Lat}, &id)
	if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return id, nil
}
