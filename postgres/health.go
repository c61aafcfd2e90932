package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/risk"
	"github.com/jackc/pgx/v5"
)

// HealthService takes device health readings (schema/migrations/
// 024_device_health.sql), assesses their components with package risk, and
// raises warnings and proactive incidents.
type HealthService struct {
	db *DB
	// months are the partitions of health_readings this process has made
	// sure of, by "YYYY-MM".
	months sync.Map
}

var _ aftercare.HealthService = (*HealthService)(nil)

// NewHealthService returns a HealthService backed by db.
func NewHealthService(db *DB) *HealthService {
	return &HealthService{db: db}
}

// healthAsset is what a report needs to know of an asset it is about.
type healthAsset struct {
	id, serial, accountID, productLine string
	// monitored: a contract in force on the asset includes proactive
	// monitoring.
	monitored bool
}

// componentKey is one component of one asset.
type componentKey struct {
	assetID string
	kind    aftercare.ComponentKind
	slot    int
}

// ReportHealth stores a batch of readings in one statement, assesses every
// component the batch is about from its first and last readings over
// HealthAssessmentWindow (the two the rules read), and raises a warning
// for each one at or above HealthWarningThreshold that has none open,
// filing its proactive incident where the asset's contract monitors. A
// warning that filed no incident ends when its component assesses below
// the threshold again. A reading already stored (the same component at the
// same time) is accepted and not stored twice. All in one transaction: a
// batch is stored whole or not at all.
func (s *HealthService) ReportHealth(ctx context.Context, readings []aftercare.HealthReading) (_ *aftercare.HealthReport, err error) {
	defer wrap(&err, fmt.Sprintf("HealthService.ReportHealth(ctx, %d readings)", len(readings)))
	now := time.Now()
	if err := aftercare.ValidateHealthBatch(readings, now); err != nil {
		return nil, err
	}
	if err := s.ensurePartitions(ctx, readings); err != nil {
		return nil, err
	}
	report := &aftercare.HealthReport{Accepted: len(readings)}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		assets, err := findHealthAssets(ctx, tx, readings)
		if err != nil {
			return err
		}
		if err := insertReadings(ctx, tx, readings, assets); err != nil {
			return err
		}
		keys, byID := batchComponents(readings, assets)
		scores, err := assessComponents(ctx, tx, keys, now)
		if err != nil {
			return err
		}
		var calm []componentKey
		for i, k := range keys {
			a := scores[i]
			if a.Score < aftercare.HealthWarningThreshold {
				calm = append(calm, k)
				continue
			}
			asset := byID[k.assetID]
			w, err := raiseWarning(ctx, tx, asset, k, a, fruOf(readings, asset.serial, k))
			if err != nil {
				return err
			}
			if w != nil {
				report.Warnings = append(report.Warnings, w)
			}
		}
		return endCalmWarnings(ctx, tx, calm)
	})
	if err != nil {
		return nil, err
	}
	return report, nil
}

// endCalmWarnings ends the open warnings of components assessed below the
// threshold again, where they filed no incident (an incident's warning
// ends with the incident).
func endCalmWarnings(ctx context.Context, tx pgx.Tx, calm []componentKey) error {
	if len(calm) == 0 {
		return nil
	}
	ids, kinds, slots := make([]string, len(calm)), make([]string, len(calm)), make([]int16, len(calm))
	for i, k := range calm {
		ids[i], kinds[i], slots[i] = k.assetID, string(k.kind), int16(k.slot)
	}
	_, err := tx.Exec(ctx, `
		UPDATE health_warnings w SET state = 'resolved', resolved_at = now()
		WHERE w.state = 'open' AND w.incident_id IS NULL
		  AND (w.asset_id, w.kind, w.slot) IN (SELECT * FROM unnest($1::uuid[], $2::text[], $3::smallint[]))`,
		ids, kinds, slots)
	return err
}

// ensurePartitions makes sure health_readings has the monthly partitions
// the readings fall in, asking the database once per month per process.
func (s *HealthService) ensurePartitions(ctx context.Context, readings []aftercare.HealthReading) error {
	for _, r := range readings {
		month := r.TakenAt.UTC().Format("2006-01")
		if _, ok := s.months.Load(month); ok {
			continue
		}
		if _, err := s.db.pool.Exec(ctx, `SELECT ensure_health_reading_partitions($1, $1)`, r.TakenAt); err != nil {
			return err
		}
		s.months.Store(month, true)
	}
	return nil
}

// KeepPartitions keeps health_readings' partitions: it creates this
// month's and the next's, and drops the months that ended more than
// retention before now, returning their names. The worker runs it hourly.
func (s *HealthService) KeepPartitions(ctx context.Context, now time.Time, retention time.Duration) (_ []string, err error) {
	defer wrap(&err, "HealthService.KeepPartitions")
	if retention < aftercare.HealthReadingWindow+aftercare.HealthAssessmentWindow {
		return nil, aftercare.Errorf(aftercare.EINVALID, "retention %s is shorter than the %s reports and assessments read",
			retention, aftercare.HealthReadingWindow+aftercare.HealthAssessmentWindow)
	}
	if _, err := s.db.pool.Exec(ctx, `SELECT ensure_health_reading_partitions($1::timestamptz, $1::timestamptz + interval '1 month')`, now); err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, `SELECT drop_health_reading_partitions($1)`, now.Add(-retention))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// findHealthAssets returns, by serial number, the assets of the readings' serial
// numbers in the caller's scope, or EINVALID naming a serial number that
// is not one.
func findHealthAssets(ctx context.Context, tx pgx.Tx, readings []aftercare.HealthReading) (map[string]*healthAsset, error) {
	serials := make([]string, 0, len(readings))
	for _, r := range readings {
		serials = append(serials, r.SerialNumber)
	}
	slices.Sort(serials)
	serials = slices.Compact(serials)
	var q filter
	q.add("a.serial_number = ANY(?::text[])", serials)
	q.addScope(ctx, scopeAssets)
	rows, err := tx.Query(ctx, `
		SELECT a.id, a.serial_number, a.account_id, a.product_line, coalesce(c.monitored, false)
		FROM assets a
		JOIN sites s ON s.id = a.site_id
		LEFT JOIN LATERAL (
			SELECT bool_or(coalesce(c.proactive_monitoring, c.tier = 'platinum')) AS monitored
			FROM contracts c JOIN contract_assets ca ON ca.contract_id = c.id AND ca.asset_id = a.id
			WHERE c.status IN ('active', 'expiring', 'renewed')
			  AND (now() AT TIME ZONE s.time_zone)::date BETWEEN c.starts_on AND c.ends_on) c ON true`+q.where(), q.args...)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*healthAsset, error) {
		var a healthAsset
		return &a, row.Scan(&a.id, &a.serial, &a.accountID, &a.productLine, &a.monitored)
	})
	if err != nil {
		return nil, err
	}
	bySerial := make(map[string]*healthAsset, len(found))
	for _, a := range found {
		bySerial[a.serial] = a
	}
	for _, serial := range serials {
		if bySerial[serial] == nil {
			return nil, aftercare.Errorf(aftercare.EINVALID, "no asset has serial number %q", serial)
		}
	}
	return bySerial, nil
}

// insertReadings writes the readings as one INSERT from arrays, one per
// column.
func insertReadings(ctx context.Context, tx pgx.Tx, readings []aftercare.HealthReading, assets map[string]*healthAsset) error {
	n := len(readings)
	var (
		ids                      = make([]string, n)
		at                       = make([]time.Time, n)
		kinds                    = make([]string, n)
		slots                    = make([]int16, n)
		realloc, reported, pend  = make([]*int, n), make([]*int, n), make([]*int, n)
		offline, hours, cycles   = make([]*int, n), make([]*int, n), make([]*int, n)
		timeouts, eccC, eccU     = make([]*int, n), make([]*int, n), make([]*int, n)
		failing, faulted         = make([]*bool, n), make([]*bool, n)
		temperature, capacityPct = make([]*float64, n), make([]*float64, n)
	)
	for i, r := range readings {
		ids[i], at[i], kinds[i], slots[i] = assets[r.SerialNumber].id, r.TakenAt, string(r.Kind), int16(r.Slot)
		realloc[i], reported[i], pend[i] = r.Reallocated, r.ReportedUncorrectable, r.Pending
		offline[i], hours[i], cycles[i] = r.OfflineUncorrectable, r.PowerOnHours, r.Cycles
		timeouts[i], eccC[i], eccU[i] = r.CommandTimeouts, r.ECCCorrected, r.ECCUncorrected
		failing[i], faulted[i] = r.SMARTFailing, r.Faulted
		temperature[i], capacityPct[i] = r.TemperatureC, r.CapacityPercent
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO health_readings (asset_id, taken_at, kind, slot, reallocated, reported_uncorrectable, pending,
			offline_uncorrectable, power_on_hours, cycles, command_timeouts, ecc_corrected, ecc_uncorrected,
			smart_failing, faulted, temperature_c, capacity_percent)
		SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::smallint[], $5::int[], $6::int[], $7::int[],
			$8::int[], $9::int[], $10::int[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bool[], $15::bool[],
			$16::real[], $17::real[])
		ON CONFLICT (asset_id, kind, slot, taken_at) DO NOTHING`,
		ids, at, kinds, slots, realloc, reported, pend, offline, hours, cycles, timeouts, eccC, eccU, failing, faulted,
		temperature, capacityPct)
	return err
}

// batchComponents returns the components a batch is about, each once, in
// a stable order, and the assets by ID.
func batchComponents(readings []aftercare.HealthReading, assets map[string]*healthAsset) ([]componentKey, map[string]*healthAsset) {
	keys := make([]componentKey, 0, len(readings))
	byID := make(map[string]*healthAsset, len(assets))
	for _, r := range readings {
		a := assets[r.SerialNumber]
		keys = append(keys, componentKey{a.id, r.Kind, r.Slot})
		byID[a.id] = a
	}
	slices.SortFunc(keys, func(a, b componentKey) int {
		if c := cmp.Compare(a.assetID, b.assetID); c != 0 {
			return c
		}
		if c := cmp.Compare(string(a.kind), string(b.kind)); c != 0 {
			return c
		}
		return a.slot - b.slot
	})
	return slices.Compact(keys), byID
}

// fruOf returns the part number the newest of the batch's readings of a
// component names, "" when none does.
func fruOf(readings []aftercare.HealthReading, serial string, k componentKey) string {
	fru, newest := "", time.Time{}
	for _, r := range readings {
		if r.SerialNumber == serial && r.Kind == k.kind && r.Slot == k.slot && r.FRU != "" && !r.TakenAt.Before(newest) {
			fru, newest = r.FRU, r.TakenAt
		}
	}
	return fru
}

// assessComponents assesses each component from its newest reading and
// the oldest within HealthAssessmentWindow before it, in one query.
func assessComponents(ctx context.Context, tx pgx.Tx, keys []componentKey, now time.Time) ([]risk.Assessment, error) {
	ids, kinds, slots := make([]string, len(keys)), make([]string, len(keys)), make([]int16, len(keys))
	for i, k := range keys {
		ids[i], kinds[i], slots[i] = k.assetID, string(k.kind), int16(k.slot)
	}
	// Readings older than this cannot be in any window: it prunes the
	// partitions the query reads.
	horizon := now.Add(-aftercare.HealthReadingWindow - aftercare.HealthAssessmentWindow)
	rows, err := tx.Query(ctx, `
		SELECT k.n, f.*, l.*
		FROM unnest($1::uuid[], $2::text[], $3::smallint[]) WITH ORDINALITY AS k(asset_id, kind, slot, n)
		CROSS JOIN LATERAL (SELECT `+readingColumns+` FROM health_readings r
			WHERE r.asset_id = k.asset_id AND r.kind = k.kind AND r.slot = k.slot AND r.taken_at >= $4
			ORDER BY r.taken_at DESC LIMIT 1) l
		CROSS JOIN LATERAL (SELECT `+readingColumns+` FROM health_readings r
			WHERE r.asset_id = k.asset_id AND r.kind = k.kind AND r.slot = k.slot AND r.taken_at >= $4
			  AND r.taken_at >= l.taken_at - $5::interval
			ORDER BY r.taken_at LIMIT 1) f`,
		ids, kinds, slots, horizon, aftercare.HealthAssessmentWindow)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]risk.Assessment, len(keys))
	for rows.Next() {
		var n int64
		var first, last rawReading
		dest := append([]any{&n}, first.dest()...)
		if err := rows.Scan(append(dest, last.dest()...)...); err != nil {
			return nil, err
		}
		if n < 1 || int(n) > len(keys) {
			return nil, errors.New("assessComponents: a row for no component")
		}
		out[n-1] = risk.Assess(risk.Kind(keys[n-1].kind), fillGaps([]rawReading{first, last}))
	}
	return out, rows.Err()
}
