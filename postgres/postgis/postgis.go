// Package postgis answers dispatch's nearest-engineer question in
// PostgreSQL with PostGIS, the comparison `aftercare bench dispatch` runs
// Aftercare's index against. It loads a dispatch.Workload into its own
// tables (engineers as geography points with a GiST index, van and depot
// stock as rows, loaded with COPY) and asks, per incident, for the nearest
// engineer who passes the same rules.
//
// It lives under postgres/ because it imports pgx; it may import the
// standard library, pgx and package dispatch. The database must have the
// postgis extension (scripts/postgis.sh creates one that has).
package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aftercare/aftercare/dispatch"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is a connection pool to the benchmark's database.
type DB struct {
	pool *pgxpool.Pool
}

// Open connects to the database at url and checks that it has PostGIS.
func Open(ctx context.Context, url string) (*DB, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("postgis.Open: %w", err)
	}
	var version string
	err = pool.QueryRow(ctx, `SELECT extversion FROM pg_extension WHERE extname = 'postgis'`).Scan(&version)
	if err != nil {
		pool.Close()
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, errors.New("postgis.Open: the database has no postgis extension: run scripts/postgis.sh")
		}
		return nil, fmt.Errorf("postgis.Open: %w (is PostgreSQL running? scripts/postgis.sh prepares it)", err)
	}
	return &DB{pool: pool}, nil
}

// Close closes every connection.
func (db *DB) Close() { db.pool.Close() }

// Version returns the PostgreSQL and PostGIS versions, for the report.
func (db *DB) Version(ctx context.Context) (string, error) {
	var pg, gis string
	err := db.pool.QueryRow(ctx, `SELECT current_setting('server_version'), postgis_lib_version()`).Scan(&pg, &gis)
	if err != nil {
		return "", fmt.Errorf("DB.Version: %w", err)
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

// Load replaces the benchmark's tables with the workload's engineers, van
// stock, depots and depot stock, each engineer's shift read at the instant
// at, and builds the GiST index on engineer locations.
func (db *DB) Load(ctx context.Context, w *dispatch.Workload, at time.Time) error {
	if _, err := db.pool.Exec(ctx, schema); err != nil {
		return fmt.Errorf("DB.Load: schema: %w", err)
	}
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
		if _, err := db.pool.CopyFrom(ctx, pgx.Identifier{t.table}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("DB.Load: copy %s: %w", t.table, err)
		}
	}
	if _, err := db.pool.Exec(ctx, indexes); err != nil {
		return fmt.Errorf("DB.Load: index: %w", err)
	}
	return nil
}
