package postgres

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mustAssignment gives an incident to the fixture's engineer with one unit
// of the drive reserved from the van, as dispatch does.
func mustAssignment(t *testing.T, db *DB, f repairFixture, incidentID string) string {
	t.Helper()
	ctx := context.Background()
	id := newID()
	_, err := db.pool.Exec(ctx, `
		INSERT INTO assignments (id, incident_id, engineer_id, state, eta, distance_km) VALUES ($1, $2, $3, 'on_site', now(), 3)`,
		id, incidentID, f.engineerID)
	require.NoError(t, err)
	var reservation int64
	require.NoError(t, db.pool.QueryRow(ctx, `
		INSERT INTO part_reservations (assignment_id, stock_id, quantity, state) VALUES ($1, $2, 1, 'reserved') RETURNING id`,
		id, f.vanDrive).Scan(&reservation))
	_, err = db.pool.Exec(ctx, `INSERT INTO stock_movements (stock_id, kind, reserved_delta, assignment_id, reservation_id)
		VALUES ($1, 'reservation', 1, $2, $3)`, f.vanDrive, id, reservation)
	require.NoError(t, err)
	return id
}

// stockOf returns a stock row's on hand and reserved units.
func stockOf(t *testing.T, db *DB, id int64) [2]int {
	t.Helper()
	var s [2]int
	require.NoError(t, db.pool.QueryRow(context.Background(), `SELECT on_hand, reserved FROM stock WHERE id = $1`, id).Scan(&s[0], &s[1]))
	return s
}

// asEngineer returns a context of the fixture's engineer.
func asEngineer(f repairFixture) context.Context {
	ctx := aftercare.NewContextWithUser(context.Background(), &aftercare.User{ID: f.engineerUserID, Role: aftercare.RoleEngineer})
	return aftercare.NewContextWithScope(ctx, &aftercare.Scope{UserID: f.engineerUserID, EngineerID: f.engineerID})
}

func TestRepairRecordTracesEveryPart(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustRepairFixture(t, db, "REPAIR", "platinum", false)
	s := NewRepairService(db)
	inc := mustIncident(t, db, f.coveredSerial, "r-1", "wang@example.com", aftercare.StatusDispatched)
	asg := mustAssignment(t, db, f, inc.ID)
	ctx := asEngineer(f)

	_, err := s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: f.driveFRU, SerialNumber: "S1"})
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "a serial number is 3 characters or more")
	_, err = s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: f.driveFRU, SerialNumber: "WX1001"})
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "parts are installed on site: %v", err)
	_, err = s.RecordTestResult(ctx, inc.ID, true, "")
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "tests are run on site")

	rec, err := s.RecordDiagnosis(ctx, inc.ID, "Drive 3 of the RAID 5 array reports predictive failure")
	require.NoError(t, err, "a diagnosis may be made before arrival")
	assert.Equal(t, "Drive 3 of the RAID 5 array reports predictive failure", rec.Diagnosis)
	assert.Equal(t, f.engineerUserID, rec.DiagnosedBy)

	setStatus(t, db, inc.ID, aftercare.StatusOnSite)
	t.Run("the reserved unit is consumed from the van", func(t *testing.T) {
		before := stockOf(t, db, f.vanDrive)
		p, err := s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: " " + f.driveFRU + " ",
			SerialNumber: "wx1001", RemovedSerialNumber: "WX0999"})
		require.NoError(t, err)
		assert.Equal(t, "WX1001", p.SerialNumber)
		assert.Equal(t, f.vanDrive, p.StockID)
		assert.Equal(t, f.engineerID, p.VanEngineerID, "from the engineer's van")
		assert.Empty(t, p.DepotID)
		assert.Equal(t, f.engineerID, p.EngineerID)
		assert.Equal(t, asg, p.AssignmentID)
		assert.NotZero(t, p.ReservationID)
		assert.Equal(t, f.engineerUserID, p.InstalledBy)
		assert.Equal(t, [2]int{before[0] - 1, before[1] - 1}, stockOf(t, db, f.vanDrive), "on hand and reserved both go down")
		var state string
		require.NoError(t, db.pool.QueryRow(context.Background(), `SELECT state FROM part_reservations WHERE id = $1`,
			p.ReservationID).Scan(&state))
		assert.Equal(t, "consumed", state)
		require.NotNil(t, p.Return, "the failed drive gets a return record")
		assert.Equal(t, aftercare.ReturnToDepot, p.Return.Disposition)
		assert.Equal(t, f.depotID, p.Return.DepotID, "a van's failed part goes back to the engineer's home depot")
		assert.Equal(t, "WX0999", p.Return.SerialNumber)

		_, err = s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: f.driveFRU, SerialNumber: "WX1001",
			StockID: f.depotDrive})
		assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "a genuine serial is installed once")
		_, err = s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: f.driveFRU, SerialNumber: "WX1002"})
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "nothing left reserved: name the stock row")
		assert.Equal(t, [2]int{before[0] - 1, before[1] - 1}, stockOf(t, db, f.vanDrive), "a refused use consumes nothing")
	})

	t.Run("an unreserved unit from a named depot row", func(t *testing.T) {
		p, err := s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: f.psuFRU, SerialNumber: "PS-778",
			StockID: f.depotPSU, RemovedSerialNumber: "PS-100"})
		require.NoError(t, err)
		assert.Equal(t, f.depotID, p.DepotID)
		assert.Empty(t, p.VanEngineerID)
		assert.Zero(t, p.ReservationID)
		assert.Equal(t, [2]int{2, 0}, stockOf(t, db, f.depotPSU))
		assert.Equal(t, f.depotID, p.Return.DepotID)

		_, err = s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: f.psuFRU, SerialNumber: "PS-779", StockID: f.vanDrive})
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "the row holds another part")
		_, err = db.pool.Exec(context.Background(), `INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reason)
			SELECT id, 'adjustment', -on_hand, 'counted none' FROM stock WHERE id = $1`, f.depotDrive)
		require.NoError(t, err)
		_, err = s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: f.driveFRU, SerialNumber: "WX2001", StockID: f.depotDrive})
		assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "no unit left there")
	})

	t.Run("only the assigned engineer installs", func(t *testing.T) {
		other := aftercare.NewContextWithScope(context.Background(), &aftercare.Scope{EngineerID: newID()})
		_, err := s.RecordPartUsed(other, aftercare.PartUse{IncidentID: inc.ID, FRU: f.psuFRU, SerialNumber: "PS-780", StockID: f.depotPSU})
		assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "an engineer without the job does not see it")
	})

	t.Run("tests: the latest decides", func(t *testing.T) {
		_, err := s.RecordTestResult(ctx, inc.ID, false, "")
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "a failed test says what failed")
		rec, err := s.RecordTestResult(ctx, inc.ID, false, "array rebuild stalls at 40 %")
		require.NoError(t, err)
		assert.False(t, rec.Passed())
		rec, err = s.RecordTestResult(ctx, inc.ID, true, "rebuild complete, POST clean")
		require.NoError(t, err)
		assert.True(t, rec.Passed())
		require.Len(t, rec.Tests, 2)
		require.Len(t, rec.Parts, 2)
		got, err := s.FindRepairRecord(asCustomer(f.userID, f.accountID), inc.ID)
		require.NoError(t, err)
		assert.Equal(t, rec, got, "the customer reads the same record")
		_, err = s.FindRepairRecord(asCustomer(newID(), newID()), inc.ID)
		assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
	})

	var audits int
	require.NoError(t, db.pool.QueryRow(context.Background(), `
		SELECT count(*) FROM audit_events WHERE object_id = $1 AND action LIKE 'repair.%'`, inc.ID).Scan(&audits))
	assert.Equal(t, 1+2+2, audits, "diagnosis, two parts, two tests")
}

func TestKeepYourDriveKeepsTheFailedDrive(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustRepairFixture(t, db, "KEEPER", "platinum", true)
	s := NewRepairService(db)
	inc := mustIncident(t, db, f.coveredSerial, "k-1", "wang@example.com", aftercare.StatusOnSite)
	require.True(t, inc.Coverage.Has(aftercare.EntitlementKeepYourDrive), "coverage: %+v", inc.Coverage)
	mustAssignment(t, db, f, inc.ID)
	ctx := asEngineer(f)

	drive, err := s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: f.driveFRU, SerialNumber: "WX3001",
		RemovedSerialNumber: "WX3000"})
	require.NoError(t, err)
	require.NotNil(t, drive.Return)
	assert.Equal(t, aftercare.KeptByCustomer, drive.Return.Disposition, "the failed drive stays with the customer")
	assert.Empty(t, drive.Return.DepotID)

	psu, err := s.RecordPartUsed(ctx, aftercare.PartUse{IncidentID: inc.ID, FRU: f.psuFRU, SerialNumber: "PS-900",
		StockID: f.depotPSU, RemovedSerialNumber: "PS-899"})
	require.NoError(t, err)
	assert.Equal(t, aftercare.ReturnToDepot, psu.Return.Disposition, "keep-your-drive keeps drives only")
}

// TestAPartInstalledWithNothingRemoved records a part that replaced no
// failed one (no removed serial number): it has no return record, and the
// repair record reads back.
func TestAPartInstalledWithNothingRemoved(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustRepairFixture(t, db, "ADDED", "platinum", false)
	s := NewRepairService(db)
	inc := mustIncident(t, db, f.coveredSerial, "a-1", "wang@example.com", aftercare.StatusOnSite)
	mustAssignment(t, db, f, inc.ID)

	p, err := s.RecordPartUsed(asEngineer(f), aftercare.PartUse{IncidentID: inc.ID, FRU: f.driveFRU, SerialNumber: "WX4001"})
	require.NoError(t, err)
	assert.Nil(t, p.Return, "nothing removed, nothing returned")
	rec, err := s.FindRepairRecord(context.Background(), inc.ID)
	require.NoError(t, err)
	require.Len(t, rec.Parts, 1)
	assert.Equal(t, "WX4001", rec.Parts[0].SerialNumber)
}
