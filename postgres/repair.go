package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// RepairService records repairs: diagnoses, installed parts consumed from
// stock, returns of failed parts and tests.
type RepairService struct {
	db *DB
}

var _ aftercare.RepairService = (*RepairService)(nil)

// NewRepairService returns a RepairService backed by db.
func NewRepairService(db *DB) *RepairService {
	return &RepairService{db: db}
}

// lockWorkedIncident locks an incident in the caller's scope whose status
// allows the work.
func lockWorkedIncident(ctx context.Context, tx pgx.Tx, id string, work aftercare.RepairWork) (*aftercare.Incident, error) {
	inc, err := lockIncident(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := work.CheckRecordable(inc); err != nil {
		return nil, err
	}
	return inc, nil
}

// RecordDiagnosis sets the incident's diagnosis.
func (s *RepairService) RecordDiagnosis(ctx context.Context, incidentID, diagnosis string) (_ *aftercare.RepairRecord, err error) {
	defer wrap(&err, fmt.Sprintf("RepairService.RecordDiagnosis(ctx, %q)", incidentID))
	diagnosis = strings.TrimSpace(diagnosis)
	if err := aftercare.ValidateRepairText("the diagnosis", diagnosis, true); err != nil {
		return nil, err
	}
	var out *aftercare.RepairRecord
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := lockWorkedIncident(ctx, tx, incidentID, aftercare.WorkDiagnosis); err != nil {
			return err
		}
		before, err := findRepairRecord(ctx, tx, incidentID)
		if err != nil {
			return err
		}
		actor := aftercare.UserFromContext(ctx)
		if _, err := tx.Exec(ctx, `
			INSERT INTO repair_diagnoses (incident_id, diagnosis, diagnosed_by) VALUES ($1, $2, $3)
			ON CONFLICT (incident_id) DO UPDATE SET diagnosis = $2, diagnosed_by = $3, diagnosed_at = now()`,
			incidentID, diagnosis, actorRef(actor)); err != nil {
			return err
		}
		if out, err = findRepairRecord(ctx, tx, incidentID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "repair.diagnose", "incident", incidentID,
			map[string]any{"diagnosis": before.Diagnosis}, map[string]any{"diagnosis": diagnosis})
	})
	return out, err
}

// RecordTestResult records a test of the repair.
func (s *RepairService) RecordTestResult(ctx context.Context, incidentID string, passed bool, notes string) (_ *aftercare.RepairRecord, err error) {
	defer wrap(&err, fmt.Sprintf("RepairService.RecordTestResult(ctx, %q)", incidentID))
	notes = strings.TrimSpace(notes)
	if err := aftercare.ValidateRepairText("the test notes", notes, !passed); err != nil {
		return nil, err
	}
	var out *aftercare.RepairRecord
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := lockWorkedIncident(ctx, tx, incidentID, aftercare.WorkTestResult); err != nil {
			return err
		}
		actor := aftercare.UserFromContext(ctx)
		var id int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO repair_tests (incident_id, passed, notes, recorded_by) VALUES ($1, $2, $3, $4) RETURNING id`,
			incidentID, passed, notes, actorRef(actor)).Scan(&id); err != nil {
			return err
		}
		var err error
		if out, err = findRepairRecord(ctx, tx, incidentID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "repair.test", "incident", incidentID, nil,
			map[string]any{"test": id, "passed": passed, "notes": notes})
	})
	return out, err
}

// stockSource is a stock row as a repair consumes from it.
type stockSource struct {
	id                    int64
	partID                string
	depotID, vanEngineer  *string
	onHand, reservedUnits int
}

// RecordPartUsed records a part installed on site. In one transaction it
// consumes one unit from its stock row — the assignment's reservation of
// the part (state consumed, on hand and reserved down by one), or an
// unreserved unit of a named stock row — records the part with its serial
// number, where it came from and who installed it, and gives the failed
// part removed its return record: back to the depot, or kept by the
// customer when it is a drive under keep-your-drive.
func (s *RepairService) RecordPartUsed(ctx context.Context, use aftercare.PartUse) (_ *aftercare.InstalledPart, err error) {
	defer wrap(&err, fmt.Sprintf("RepairService.RecordPartUsed(ctx, %q, %q)", use.IncidentID, use.FRU))
	use.Normalize()
	if err := use.Validate(); err != nil {
		return nil, err
	}
	var out *aftercare.InstalledPart
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = recordPartUsed(ctx, tx, use)
		return err
	})
	return out, err
}

func recordPartUsed(ctx context.Context, tx pgx.Tx, use aftercare.PartUse) (*aftercare.InstalledPart, error) {
	inc, err := lockWorkedIncident(ctx, tx, use.IncidentID, aftercare.WorkPartUsed)
	if err != nil {
		return nil, err
	}
	var partID string
	var isDrive bool
	err = tx.QueryRow(ctx, `SELECT id, is_drive FROM parts WHERE fru = $1`, use.FRU).Scan(&partID, &isDrive)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, aftercare.Errorf(aftercare.EINVALID, "FRU %s is not in the parts catalogue", use.FRU)
	}
	if err != nil {
		return nil, err
	}
	job, err := installingJob(ctx, tx, inc)
	if err != nil {
		return nil, err
	}
	src, err := sourceOfUse(ctx, tx, use, inc.Number, job.assignmentID, partID)
	if err != nil {
		return nil, err
	}
	consumedID, err := consumeUnit(ctx, tx, src.stock, job.assignmentID, src.reservationID, src.reservedQty)
	if err != nil {
		return nil, err
	}
	actor := aftercare.UserFromContext(ctx)
	var installedID int64
	err = tx.QueryRow(ctx, `
		INSERT INTO installed_parts (incident_id, part_id, serial_number, stock_id, depot_id, van_engineer_id,
			reservation_id, assignment_id, engineer_id, installed_by, removed_serial_number)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (part_id, serial_number) DO NOTHING RETURNING id`,
		inc.ID, partID, use.SerialNumber, src.stock.id, src.stock.depotID, src.stock.vanEngineer, nullInt(consumedID),
		job.assignmentID, job.engineerID, actorRef(actor), use.RemovedSerialNumber).Scan(&installedID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "%s serial number %s was already installed; a genuine part is installed once",
			use.FRU, use.SerialNumber)
	}
	if err != nil {
		return nil, err
	}
	facts := aftercare.PartReturnFacts{RemovedSerialNumber: use.RemovedSerialNumber, Drive: isDrive, Coverage: inc.Coverage,
		HomeDepotID: job.homeDepotID}
	if src.stock.depotID != nil {
		facts.StockDepotID = *src.stock.depotID
	}
	if ret := aftercare.DecidePartReturn(facts); ret != nil {
		if _, err := tx.Exec(ctx, `
			INSERT INTO part_returns (installed_part_id, incident_id, part_id, serial_number, disposition, depot_id)
			VALUES ($1, $2, $3, $4, $5, nullif($6, '')::uuid)`,
			installedID, inc.ID, partID, ret.SerialNumber, ret.Disposition, ret.DepotID); err != nil {
			return nil, err
		}
	}
	return auditInstalledPart(ctx, tx, actor, inc.ID, installedID)
}

// installer is the active job whose engineer installs a part.
type installer struct {
	assignmentID, engineerID, homeDepotID string
}

// installingJob returns the incident's active job, which an engineer in
// the caller's scope must hold.
func installingJob(ctx context.Context, tx pgx.Tx, inc *aftercare.Incident) (installer, error) {
	var j installer
	err := tx.QueryRow(ctx, `
		SELECT x.id, x.engineer_id, e.home_depot_id FROM assignments x JOIN engineers e ON e.id = x.engineer_id
		WHERE x.incident_id = $1 AND x.state IN `+activeStates+` ORDER BY x.created_at DESC LIMIT 1`,
		inc.ID).Scan(&j.assignmentID, &j.engineerID, &j.homeDepotID)
	if errors.Is(err, pgx.ErrNoRows) {
		return j, aftercare.Errorf(aftercare.ECONFLICT, "incident %d has no engineer assigned to install parts", inc.Number)
	}
	if err != nil {
		return j, err
	}
	if sc := aftercare.ScopeFromContext(ctx); !sc.All && sc.EngineerID != "" && sc.EngineerID != j.engineerID {
		return j, aftercare.Errorf(aftercare.ECONFLICT, "incident %d is assigned to another engineer", inc.Number)
	}
	return j, nil
}

// partSource is the locked stock row a used part came from and the job's
// reservation there, if any (reservationID 0).
type partSource struct {
	stock                      stockSource
	reservationID, reservedQty int64
}

// sourceOfUse finds and locks where a used part came from: the stock row
// the use names, or else the row of the job's reservation of that part.
func sourceOfUse(ctx context.Context, tx pgx.Tx, use aftercare.PartUse, number int64, assignmentID, partID string) (partSource, error) {
	var src partSource
	stockID := use.StockID
	if stockID == 0 {
		err := tx.QueryRow(ctx, `
			SELECT r.id, r.stock_id, r.quantity FROM part_reservations r JOIN stock st ON st.id = r.stock_id
			WHERE r.assignment_id = $1 AND r.state = 'reserved' AND st.part_id = $2
			ORDER BY st.engineer_id IS NULL, r.id LIMIT 1 FOR UPDATE OF r`, assignmentID, partID).
			Scan(&src.reservationID, &stockID, &src.reservedQty)
		if errors.Is(err, pgx.ErrNoRows) {
			return src, aftercare.Errorf(aftercare.EINVALID,
				"no %s is reserved for incident %d; name the stock row the part was taken from", use.FRU, number)
		}
		if err != nil {
			return src, err
		}
	}
	locked, err := lockStockRows(ctx, tx, stockID)
	if err != nil {
		return src, err
	}
	l := locked[stockID]
	if l == nil {
		return src, aftercare.Errorf(aftercare.ENOTFOUND, "stock row %d not found", stockID)
	}
	st := &src.stock
	st.id, st.partID, st.onHand, st.reservedUnits = l.ID, l.PartID, l.OnHand, l.Reserved
	st.depotID, st.vanEngineer = nullID(l.DepotID), nullID(l.EngineerID)
	if st.partID != partID {
		return src, aftercare.Errorf(aftercare.EINVALID, "stock row %d holds another part than %s", st.id, use.FRU)
	}
	if src.reservationID == 0 {
		err := tx.QueryRow(ctx, `
			SELECT id, quantity FROM part_reservations
			WHERE assignment_id = $1 AND stock_id = $2 AND state = 'reserved' ORDER BY id LIMIT 1 FOR UPDATE`,
			assignmentID, st.id).Scan(&src.reservationID, &src.reservedQty)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return src, err
		}
	}
	return src, nil
}

// auditInstalledPart writes the audit event of an installed part and
// returns the part as the repair record shows it.
func auditInstalledPart(ctx context.Context, tx pgx.Tx, actor *aftercare.User, incidentID string, installedID int64) (*aftercare.InstalledPart, error) {
	rec, err := findRepairRecord(ctx, tx, incidentID)
	if err != nil {
		return nil, err
	}
	var part *aftercare.InstalledPart
	for _, p := range rec.Parts {
		if p.ID == installedID {
			part = p
		}
	}
	if err := writeAudit(ctx, tx, actor, "repair.part_used", "incident", incidentID, nil, part); err != nil {
		return nil, err
	}
	return part, nil
}

// consumeUnit takes one unit out of a stock row for an assignment, as a
// consumption in the ledger: from its reservation there if it has one
// (splitting off one consumed unit when the reservation holds more), or
// else an unreserved unit. It returns the
// consumed reservation's ID, 0 when the unit was not reserved.
func consumeUnit(ctx context.Context, tx pgx.Tx, st stockSource, assignmentID string, reservationID, reservedQty int64) (int64, error) {
	if reservationID == 0 {
		if st.onHand-st.reservedUnits < 1 {
			return 0, aftercare.Errorf(aftercare.ECONFLICT,
				"stock row %d has no unreserved unit (%d on hand, %d reserved)", st.id, st.onHand, st.reservedUnits)
		}
		_, err := recordMovement(ctx, tx, movement{stockID: st.id, kind: aftercare.MovementConsumption, onHand: -1,
			assignmentID: assignmentID})
		return 0, err
	}
	consumed := reservationID
	if reservedQty > 1 {
		if _, err := tx.Exec(ctx, `UPDATE part_reservations SET quantity = quantity - 1 WHERE id = $1`, reservationID); err != nil {
			return 0, err
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO part_reservations (assignment_id, stock_id, quantity, state) VALUES ($1, $2, 1, 'consumed') RETURNING id`,
			assignmentID, st.id).Scan(&consumed); err != nil {
			return 0, err
		}
	} else if _, err := tx.Exec(ctx, `UPDATE part_reservations SET state = 'consumed' WHERE id = $1`, reservationID); err != nil {
		return 0, err
	}
	_, err := recordMovement(ctx, tx, movement{stockID: st.id, kind: aftercare.MovementConsumption, onHand: -1,
		reserved: -1, assignmentID: assignmentID, reservationID: consumed})
	return consumed, err
}

func nullInt(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

// FindRepairRecord returns an incident's repair record, or ENOTFOUND for an
// incident outside the caller's scope.
func (s *RepairService) FindRepairRecord(ctx context.Context, incidentID string) (_ *aftercare.RepairRecord, err error) {
	defer wrap(&err, fmt.Sprintf("RepairService.FindRepairRecord(ctx, %q)", incidentID))
	if _, err := findIncidentByID(ctx, s.db.pool, incidentID); err != nil {
		return nil, err
	}
	return findRepairRecord(ctx, s.db.pool, incidentID)
}

// FindRepairRecords returns the repair record of each incident, as
// FindRepairRecord, in four queries: the incidents the caller sees, then
// their diagnoses, installed parts and tests. An incident outside the
// scope gets nil.
func (s *RepairService) FindRepairRecords(ctx context.Context, incidentIDs []string) (_ []*aftercare.RepairRecord, err error) {
	defer wrap(&err, fmt.Sprintf("RepairService.FindRepairRecords(ctx, %d IDs)", len(incidentIDs)))
	_, ids, err := seenIDs(ctx, s.db.pool, "incidents i", "i.id", incidentIDs, scopeIncidents)
	if err != nil {
		return nil, err
	}
	recs, err := findRepairRecords(ctx, s.db.pool, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*aftercare.RepairRecord, len(recs))
	for _, r := range recs {
		byID[r.IncidentID] = r
	}
	out := make([]*aftercare.RepairRecord, len(incidentIDs))
	for i, id := range incidentIDs {
		if rec := byID[rowKey(id)]; rec != nil {
			// Each record names its incident as the key asked for it.
			named := *rec
			named.IncidentID = id
			out[i] = &named
		}
	}
	return out, nil
}

// findRepairRecord reads a repair record; the caller has checked the scope.
func findRepairRecord(ctx context.Context, q querier, incidentID string) (*aftercare.RepairRecord, error) {
	recs, err := findRepairRecords(ctx, q, []string{incidentID})
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// findRepairRecords reads the repair records of incidents whose scope the
// caller has checked, in their order, one query for each part of a record.
func findRepairRecords(ctx context.Context, q querier, incidentIDs []string) ([]*aftercare.RepairRecord, error) {
	recs := make([]*aftercare.RepairRecord, len(incidentIDs))
	byID := make(map[string]*aftercare.RepairRecord, len(incidentIDs))
	for i, id := range incidentIDs {
		recs[i] = &aftercare.RepairRecord{IncidentID: id, Parts: []*aftercare.InstalledPart{}, Tests: []*aftercare.RepairTest{}}
		byID[rowKey(id)] = recs[i]
	}
	if len(incidentIDs) == 0 {
		return recs, nil
	}
	var id string
	var rec aftercare.RepairRecord
	rows, err := q.Query(ctx, `
		SELECT incident_id::text, diagnosis, coalesce(diagnosed_by::text, ''), diagnosed_at FROM repair_diagnoses
		WHERE incident_id = ANY($1::uuid[])`, incidentIDs)
	if err != nil {
		return nil, err
	}
	if _, err := pgx.ForEachRow(rows, []any{&id, &rec.Diagnosis, &rec.DiagnosedBy, &rec.DiagnosedAt}, func() error {
		r := byID[id]
		r.Diagnosis, r.DiagnosedBy, r.DiagnosedAt = rec.Diagnosis, rec.DiagnosedBy, rec.DiagnosedAt
		return nil
	}); err != nil {
		return nil, err
	}
	parts, err := findInstalledParts(ctx, q, incidentIDs)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		r := byID[p.IncidentID]
		r.Parts = append(r.Parts, p)
	}
	rows, err = q.Query(ctx, `
		SELECT incident_id::text, id, passed, notes, coalesce(recorded_by::text, ''), recorded_at FROM repair_tests
		WHERE incident_id = ANY($1::uuid[]) ORDER BY id`, incidentIDs)
	if err != nil {
		return nil, err
	}
	tests, err := collectKeyed(rows, 0, func(row pgx.CollectableRow) (*aftercare.RepairTest, error) {
		var t aftercare.RepairTest
		err := row.Scan(&t.ID, &t.Passed, &t.Notes, &t.RecordedBy, &t.RecordedAt)
		return &t, err
	})
	if err != nil {
		return nil, err
	}
	for _, t := range tests {
		r := byID[t.key]
		r.Tests = append(r.Tests, t.row)
	}
	return recs, nil
}

// findInstalledParts reads the parts installed for incidents, in the
// order they were installed.
func findInstalledParts(ctx context.Context, q querier, incidentIDs []string) ([]*aftercare.InstalledPart, error) {
	rows, err := q.Query(ctx, `
		SELECT ip.id, ip.incident_id, ip.part_id, p.fru, ip.serial_number, ip.stock_id, coalesce(ip.depot_id::text, ''),
			coalesce(ip.van_engineer_id::text, ''), coalesce(ip.reservation_id, 0), coalesce(ip.assignment_id::text, ''),
			coalesce(ip.engineer_id::text, ''), coalesce(ip.installed_by::text, ''), ip.installed_at, ip.removed_serial_number,
			r.id, r.serial_number, r.disposition, coalesce(r.depot_id::text, ''), r.created_at
		FROM installed_parts ip
		JOIN parts p ON p.id = ip.part_id
		LEFT JOIN part_returns r ON r.installed_part_id = ip.id
		WHERE ip.incident_id = ANY($1::uuid[]) ORDER BY ip.id`, incidentIDs)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*aftercare.InstalledPart, error) {
		var p aftercare.InstalledPart
		var retID *int64
		var retSerial, retDisposition, retDepot *string
		var retCreated *time.Time
		var ret aftercare.PartReturn
		err := row.Scan(&p.ID, &p.IncidentID, &p.PartID, &p.FRU, &p.SerialNumber, &p.StockID, &p.DepotID, &p.VanEngineerID,
			&p.ReservationID, &p.AssignmentID, &p.EngineerID, &p.InstalledBy, &p.InstalledAt, &p.RemovedSerialNumber,
			&retID, &retSerial, &retDisposition, &retDepot, &retCreated)
		if retID != nil {
			ret.ID, ret.InstalledPartID, ret.PartID, ret.SerialNumber = *retID, p.ID, p.PartID, *retSerial
			ret.CreatedAt = *retCreated
			ret.Disposition, ret.DepotID = aftercare.PartDisposition(*retDisposition), *retDepot
			p.Return = &ret
		}
		return &p, err
	})
}
