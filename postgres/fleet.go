package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// FleetChangesSince returns the engineers and depots written by the
// transactions that had not committed when the cursor was handed out, with
// their load and available stock, and the cursor to continue from.
//
// Versions cannot serve as the cursor: one is drawn when a statement runs,
// not when its transaction commits, so "version above the last seen" passes
// over a transaction that commits after a later version has been read.
// Instead every engineer and depot row records the transaction that last
// wrote it (fleet_xid, see schema/migrations/013_fleet_feed.sql), and the
// cursor is the snapshot the read was taken in, as pg_snapshot text
// (xmin:xmax:xip,...). The transactions a snapshot did not see are those
// at or above its xmax and those it lists as in progress, so the next read
// returns exactly the rows whose last writer is one of them: none is lost
// whatever order transactions commit in, none the snapshot saw is read
// again, and a transaction left open costs each read only the rows it has
// written itself.
//
// Of two reads of one engineer or depot the newer has the higher version:
// a writer draws the version it keeps while holding the row locked (one
// that waited for the lock draws again) and holds the lock until it
// commits, so writers of one row commit in the order of their versions.
func (s *DispatchService) FleetChangesSince(ctx context.Context, cursor aftercare.FleetCursor) (_ *aftercare.FleetChanges, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.FleetChangesSince(ctx, %q)", cursor))
	var engineers []aftercare.FleetEngineer
	out, err := s.readFleet(ctx, cursor, func(fe *aftercare.FleetEngineer) error {
		engineers = append(engineers, *fe)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Engineers = engineers
	return out, nil
}

// ReadFleet reads the whole fleet as FleetChangesSince does from the zero
// cursor, handing each engineer to each as its row is read.
func (s *DispatchService) ReadFleet(ctx context.Context, each func(*aftercare.FleetEngineer) error) (_ *aftercare.FleetChanges, err error) {
	defer wrap(&err, "DispatchService.ReadFleet(ctx, each)")
	return s.readFleet(ctx, "", each)
}

// readFleet is FleetChangesSince, handing each engineer to each instead of
// collecting them.
func (s *DispatchService) readFleet(ctx context.Context, cursor aftercare.FleetCursor, each func(*aftercare.FleetEngineer) error) (*aftercare.FleetChanges, error) {
	var args []any
	if cursor != "" {
		args = []any{string(cursor)}
	}
	out := &aftercare.FleetChanges{}
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		// One snapshot for the cursor, the engineers and the depots: the
		// first statement takes it.
		if _, err := tx.Exec(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text`).Scan(&out.Cursor); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+engineerColumns+`,
			(SELECT count(*) FROM assignments x WHERE x.engineer_id = e.id AND x.state IN `+activeStates+`),
			coalesce((SELECT jsonb_object_agg(st.part_id, st.on_hand - st.reserved)
				FROM stock st WHERE st.engineer_id = e.id AND st.on_hand > st.reserved), '{}'),
			e.version,
			EXISTS (SELECT 1 FROM service_providers p WHERE p.id = e.provider_id AND p.status = 'active')
			FROM engineers e WHERE `+fleetChanged("e", cursor), args...)
		if err != nil {
			return err
		}
		if err := eachEngineerRow(rows, each); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `
			SELECT d.id, d.code, d.name, d.city, coalesce(d.country, ''), d.region, d.lat, d.lng, d.time_zone, d.version,
				coalesce((SELECT jsonb_object_agg(st.part_id, st.on_hand - st.reserved)
					FROM stock st WHERE st.depot_id = d.id AND st.on_hand > st.reserved), '{}')
			FROM depots d WHERE `+fleetChanged("d", cursor), args...)
		if err != nil {
			return err
		}
		out.Depots, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (aftercare.FleetDepot, error) {
			var d aftercare.FleetDepot
			err := row.Scan(&d.ID, &d.Code, &d.Name, &d.City, &d.Country, &d.Region, &d.Lat, &d.Lng, &d.TimeZone, &d.Version, &d.Stock)
			return d, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachEngineerRow hands each row of a fleet read to each as it is read.
func eachEngineerRow(rows pgx.Rows, each func(*aftercare.FleetEngineer) error) error {
	defer rows.Close()
	for rows.Next() {
		var fe aftercare.FleetEngineer
		e, err := scanEngineerWith(rows, &fe.Load, &fe.VanStock, &fe.Version, &fe.InService)
		if err != nil {
			return err
		}
		fe.Engineer = *e
		if err := each(&fe); err != nil {
			return err
		}
	}
	return rows.Err()
}

// WaitFleetChange blocks until the fleet's change feed may have moved since
// the previous call returned (a transaction that wrote engineers or depots
// committed), until timeout passes, or until ctx ends.
func (s *DispatchService) WaitFleetChange(ctx context.Context, timeout time.Duration) error {
	return s.db.wait(ctx, fleetChannel, "", timeout)
}

// CountFleetChangesSince counts the engineers and depots FleetChangesSince
// would return for the cursor. Both reads go through the fleet_xid indexes.
func (s *DispatchService) CountFleetChangesSince(ctx context.Context, cursor aftercare.FleetCursor) (_ int, err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.CountFleetChangesSince(ctx, %q)", cursor))
	var args []any
	if cursor != "" {
		args = []any{string(cursor)}
	}
	var n int
	err = s.db.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM engineers e WHERE `+fleetChanged("e", cursor)+`) +
		(SELECT count(*) FROM depots d WHERE `+fleetChanged("d", cursor)+`)`, args...).Scan(&n)
	return n, err
}

// fleetChanged is FleetChangesSince's condition on the engineer or depot
// row called alias: every row for the zero cursor, otherwise those written
// by a transaction the cursor's snapshot ($1) did not see.
func fleetChanged(alias string, cursor aftercare.FleetCursor) string {
	if cursor == "" {
		return "true"
	}
	return "(" + alias + ".fleet_xid >= pg_snapshot_xmax($1::text::pg_snapshot) OR " +
		alias + ".fleet_xid = ANY (ARRAY(SELECT pg_snapshot_xip($1::text::pg_snapshot))))"
}

// ReportLocation records where an engineer is; an engineer may report only
// their own location.
func (s *DispatchService) ReportLocation(ctx context.Context, engineerID string, lat, lng float64, at time.Time) (err error) {
	defer wrap(&err, fmt.Sprintf("DispatchService.ReportLocation(ctx, %q)", engineerID))
	if !(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180) {
		return aftercare.Errorf(aftercare.EINVALID, "location %v, %v is not on the globe", lat, lng)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := findOne(ctx, tx, engineerSelect, "e.id", "engineer", engineerID, &scopeEngineers, scanEngineer)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE engineers SET lat = $2, lng = $3, located_at = $4 WHERE id = $1`,
			engineerID, lat, lng, at); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "engineer.report_location", "engineer", engineerID,
			map[string]any{"lat": before.Lat, "lng": before.Lng}, map[string]any{"lat": lat, "lng": lng, "at": at})
	})
}
