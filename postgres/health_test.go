package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failingDrive is six days of a drive's readings: reallocated sectors
// 0 → 48 and 12 pending at the end, which assess above the threshold.
func failingDrive(serial string, now time.Time) []aftercare.HealthReading {
	var out []aftercare.HealthReading
	for day := 0; day <= 6; day++ {
		realloc, pending := day*8, 0
		if day == 6 {
			pending = 12
		}
		out = append(out, aftercare.HealthReading{SerialNumber: serial, Kind: aftercare.ComponentDrive, Slot: 2,
			TakenAt: now.Add(time.Duration(day-6) * 24 * time.Hour), Reallocated: &realloc, Pending: &pending})
	}
	return out
}

func healthyFan(serial string, now time.Time) aftercare.HealthReading {
	faulted, temp := false, 41.0
	return aftercare.HealthReading{SerialNumber: serial, Kind: aftercare.ComponentFan, TakenAt: now,
		Faulted: &faulted, TemperatureC: &temp}
}

func mustDrivePart(t *testing.T, db *postgres.DB) {
	require.NoError(t, db.ExecScript(context.Background(), `
		INSERT INTO parts (fru, description, unit_price, currency, component) VALUES
			('03LH001', 'ThinkSystem 2.4TB 10K SAS HDD', 3200, 'CNY', 'drive'),
			('03LH002', 'ThinkSystem 960GB SATA SSD', 2600, 'CNY', 'drive');
		INSERT INTO part_product_lines SELECT id, 'thinksystem_sr' FROM parts WHERE fru IN ('03LH001', '03LH002')`))
}

func itContext(f postgres.Fixture) context.Context {
	return aftercare.NewContextWithScope(aftercare.NewContextWithUser(context.Background(),
		&aftercare.User{ID: f.UserID, Role: aftercare.RoleCustomerIT, AccountID: f.AccountID}),
		&aftercare.Scope{UserID: f.UserID, AccountIDs: []string{f.AccountID}})
}

func TestReportHealthFilesAProactiveIncident(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	mustDrivePart(t, db)
	s := postgres.NewHealthService(db)
	ctx, now := itContext(f), time.Now()

	readings := append(failingDrive(f.CoveredSerial, now), healthyFan(f.CoveredSerial, now))
	readings[len(readings)-2].FRU = "03lh001" // the drive names itself on its last reading
	report, err := s.ReportHealth(ctx, readings)
	require.NoError(t, err)
	assert.Equal(t, 8, report.Accepted)
	require.Len(t, report.Warnings, 1, "the fan is healthy")
	w := report.Warnings[0]
	assert.Equal(t, aftercare.ComponentDrive, w.Kind)
	assert.Equal(t, 2, w.Slot)
	assert.GreaterOrEqual(t, w.Score, aftercare.HealthWarningThreshold)
	assert.Contains(t, w.Reasons, "reallocated sectors 0 → 48 in 6 days")
	assert.Contains(t, w.Reasons, "pending sectors 12")
	assert.Equal(t, "03LH001", w.FRU, "the part the drive named, though another is cheaper")
	require.NotEmpty(t, w.IncidentID, "platinum monitors")

	inc, err := postgres.NewIncidentService(db).FindIncidentByID(ctx, w.IncidentID)
	require.NoError(t, err)
	assert.Equal(t, aftercare.CategoryPredictedFailure, inc.Category)
	assert.Contains(t, inc.Symptoms, "reallocated sectors 0 → 48")
	require.Len(t, inc.NeededParts, 1)
	assert.True(t, inc.Coverage.Covered, "a predicted failure is covered as a hardware failure: %s", inc.Coverage.Reason)

	assert.EqualValues(t, 1, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM notifications
		WHERE kind = 'health_warning' AND health_warning_id = $1 AND user_id = $2 AND reason = 'customer_it'`,
		w.ID, f.UserID), "corporate IT is told")
	assert.EqualValues(t, 1, postgrestest.MustQueryInt(t, db,
		`SELECT count(*) FROM outbox WHERE key = 'health-warning:' || $1::bigint`, w.ID), "and the webhooks")

	t.Run("the same risk reported again raises nothing", func(t *testing.T) {
		again, err := s.ReportHealth(ctx, failingDrive(f.CoveredSerial, time.Now()))
		require.NoError(t, err)
		assert.Empty(t, again.Warnings)
	})

	t.Run("the incident's resolution ends the warning; the component may warn again", func(t *testing.T) {
		require.NoError(t, db.ExecScript(context.Background(),
			`UPDATE incidents SET status = 'resolved' WHERE id = '`+w.IncidentID+`'`))
		ended, err := s.FindHealthWarning(ctx, w.ID)
		require.NoError(t, err)
		assert.Equal(t, aftercare.WarningResolved, ended.State)
		assert.NotNil(t, ended.ResolvedAt)
		again, err := s.ReportHealth(ctx, failingDrive(f.CoveredSerial, time.Now()))
		require.NoError(t, err)
		require.Len(t, again.Warnings, 1)
		assert.NotEqual(t, w.IncidentID, again.Warnings[0].IncidentID)

		t.Run("dismissed, it keeps its reason and stays quiet", func(t *testing.T) {
			d, err := s.DismissHealthWarning(ctx, aftercare.HealthWarningDismissal{WarningID: again.Warnings[0].ID,
				Reason: "  drive already replaced by our own staff  "})
			require.NoError(t, err)
			assert.Equal(t, aftercare.WarningDismissed, d.State)
			assert.Equal(t, "drive already replaced by our own staff", d.DismissReason)
			assert.Equal(t, f.UserID, d.DismissedBy)
			quiet, err := s.ReportHealth(ctx, failingDrive(f.CoveredSerial, time.Now()))
			require.NoError(t, err)
			assert.Empty(t, quiet.Warnings)
			_, err = s.DismissHealthWarning(ctx, aftercare.HealthWarningDismissal{WarningID: d.ID, Reason: "again"})
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
			_, err = s.DismissHealthWarning(ctx, aftercare.HealthWarningDismissal{WarningID: d.ID, Reason: " "})
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
		})
	})

	t.Run("how the warnings ended, the labels for the rules", func(t *testing.T) {
		outcomes, err := s.FindHealthWarningOutcomes(ctx)
		require.NoError(t, err)
		require.Len(t, outcomes, 1)
		assert.Equal(t, aftercare.HealthWarningOutcome{Kind: aftercare.ComponentDrive, Raised: 2, Unconfirmed: 1, Dismissed: 1},
			*outcomes[0], "one resolved without a part installed, one dismissed")
		none, err := s.FindHealthWarningOutcomes(itContext(postgres.MustFixture(t, db, "OTHER", "platinum")))
		require.NoError(t, err)
		assert.Empty(t, none, "another account's are not counted")
	})

	t.Run("assessed per component with its reasons", func(t *testing.T) {
		risks, err := s.FindAssetRisk(ctx, f.CoveredSerial)
		require.NoError(t, err)
		require.Len(t, risks, 2)
		assert.Equal(t, aftercare.ComponentDrive, risks[0].Kind)
		assert.Contains(t, risks[0].Reasons, "reallocated sectors")
		assert.Equal(t, aftercare.ComponentFan, risks[1].Kind)
		assert.Zero(t, risks[1].Score)
	})
}

func TestReportHealthReadsAMissingValueAsUnknown(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	s := postgres.NewHealthService(db)
	ctx, now := itContext(f), time.Now()
	hours, realloc := 30000, 150
	// A drive that has had 150 reallocated sectors for years; its first
	// report in the window left the counter out.
	report, err := s.ReportHealth(ctx, []aftercare.HealthReading{
		{SerialNumber: f.CoveredSerial, Kind: aftercare.ComponentDrive, TakenAt: now.Add(-6 * 24 * time.Hour), PowerOnHours: &hours},
		{SerialNumber: f.CoveredSerial, Kind: aftercare.ComponentDrive, TakenAt: now, PowerOnHours: &hours, Reallocated: &realloc},
	})
	require.NoError(t, err)
	assert.Empty(t, report.Warnings, "no jump from 0 to 150 that nobody measured")
	risks, err := s.FindAssetRisk(ctx, f.CoveredSerial)
	require.NoError(t, err)
	require.Len(t, risks, 1)
	assert.Equal(t, "reallocated sectors 150", risks[0].Reasons)
	assert.Less(t, risks[0].Score, aftercare.HealthWarningThreshold)

	t.Run("a reading sent again is stored once", func(t *testing.T) {
		again, err := s.ReportHealth(ctx, []aftercare.HealthReading{
			{SerialNumber: f.CoveredSerial, Kind: aftercare.ComponentDrive, TakenAt: now, PowerOnHours: &hours, Reallocated: &realloc},
			{SerialNumber: f.CoveredSerial, Kind: aftercare.ComponentDrive, TakenAt: now, PowerOnHours: &hours, Reallocated: &realloc},
		})
		require.NoError(t, err)
		assert.Equal(t, 2, again.Accepted)
		assert.EqualValues(t, 2, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM health_readings`))
	})
}

func TestHealthWarningsEnd(t *testing.T) {
	db := postgrestest.MustOpen(t)
	platinum := postgres.MustFixture(t, db, "ACME", "platinum")
	premium := postgres.MustFixture(t, db, "GLOBEX", "premium")
	s := postgres.NewHealthService(db)

	t.Run("a warning that filed nothing ends when the component calms", func(t *testing.T) {
		ctx := itContext(premium)
		report, err := s.ReportHealth(ctx, failingDrive(premium.CoveredSerial, time.Now().Add(-20*24*time.Hour)))
		require.NoError(t, err)
		require.Len(t, report.Warnings, 1)
		// Fifteen quiet days later the window holds no growth.
		later := failingDrive(premium.CoveredSerial, time.Now())
		for i := range later {
			later[i].Reallocated, later[i].Pending = later[6].Reallocated, new(int)
		}
		calm, err := s.ReportHealth(ctx, later)
		require.NoError(t, err)
		assert.Empty(t, calm.Warnings)
		w, err := s.FindHealthWarning(ctx, report.Warnings[0].ID)
		require.NoError(t, err)
		assert.Equal(t, aftercare.WarningResolved, w.State)
	})

	t.Run("a cancelled proactive incident keeps the component quiet", func(t *testing.T) {
		ctx := itContext(platinum)
		report, err := s.ReportHealth(ctx, failingDrive(platinum.CoveredSerial, time.Now()))
		require.NoError(t, err)
		require.Len(t, report.Warnings, 1)
		require.NoError(t, db.ExecScript(context.Background(),
			`UPDATE incidents SET status = 'cancelled' WHERE id = '`+report.Warnings[0].IncidentID+`'`))
		again, err := s.ReportHealth(ctx, failingDrive(platinum.CoveredSerial, time.Now()))
		require.NoError(t, err)
		assert.Empty(t, again.Warnings, "corporate IT cancelled it: no new incident every report")
		assert.EqualValues(t, 1, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM incidents WHERE category = 'predicted_failure'`))
	})
}

func TestReportHealthWithoutMonitoringWarnsOnly(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "premium")
	mustDrivePart(t, db)
	s := postgres.NewHealthService(db)
	ctx := itContext(f)
	for _, serial := range []string{f.CoveredSerial, f.BareSerial} {
		report, err := s.ReportHealth(ctx, failingDrive(serial, time.Now()))
		require.NoError(t, err)
		require.Len(t, report.Warnings, 1, serial)
		assert.Empty(t, report.Warnings[0].IncidentID, "%s: premium and no contract do not monitor", serial)
		assert.Equal(t, "03LH002", report.Warnings[0].FRU, "unnamed, the cheapest fitting drive")
	}
	t.Run("a contract that opts in monitors", func(t *testing.T) {
		require.NoError(t, db.ExecScript(context.Background(),
			`UPDATE contracts SET proactive_monitoring = true; UPDATE health_warnings SET state = 'resolved', resolved_at = now()`))
		report, err := s.ReportHealth(ctx, failingDrive(f.CoveredSerial, time.Now()))
		require.NoError(t, err)
		require.Len(t, report.Warnings, 1)
		assert.NotEmpty(t, report.Warnings[0].IncidentID)
	})
}

func TestReportHealthConcurrentReportsFileOnce(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	s := postgres.NewHealthService(db)
	ctx := itContext(f)
	const reporters = 8
	var wg sync.WaitGroup
	raised := make([]int, reporters)
	errs := make([]error, reporters)
	start := make(chan struct{})
	for i := range reporters {
		wg.Go(func() {
			<-start
			report, err := s.ReportHealth(ctx, failingDrive(f.CoveredSerial, time.Now()))
			errs[i] = err
			if err == nil {
				raised[i] = len(report.Warnings)
			}
		})
	}
	close(start)
	wg.Wait()
	total := 0
	for i := range reporters {
		require.NoError(t, errs[i])
		total += raised[i]
	}
	assert.Equal(t, 1, total, "one warning between all reporters")
	assert.EqualValues(t, 1, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM health_warnings`))
	assert.EqualValues(t, 1, postgrestest.MustQueryInt(t, db,
		`SELECT count(*) FROM incidents WHERE category = 'predicted_failure'`), "one proactive incident")
	assert.EqualValues(t, reporters*7, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM health_readings`),
		"every reading is kept")
}

func TestReportHealthRefusesWhatIsNotTheCallers(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	other := postgres.MustFixture(t, db, "GLOBEX", "platinum")
	s := postgres.NewHealthService(db)
	ctx, now := itContext(f), time.Now()
	bad := func(mod func(*aftercare.HealthReading)) []aftercare.HealthReading {
		r := healthyFan(f.CoveredSerial, now)
		mod(&r)
		return []aftercare.HealthReading{healthyFan(f.CoveredSerial, now), r}
	}
	tests := []struct {
		name     string
		readings []aftercare.HealthReading
	}{
		{"another company's device", bad(func(r *aftercare.HealthReading) { r.SerialNumber = other.CoveredSerial })},
		{"an unknown device", bad(func(r *aftercare.HealthReading) { r.SerialNumber = "NOPE-0000" })},
		{"an unknown component", bad(func(r *aftercare.HealthReading) { r.Kind = "gpu" })},
		{"a slot out of range", bad(func(r *aftercare.HealthReading) { r.Slot = 256 })},
		{"taken in the future", bad(func(r *aftercare.HealthReading) { r.TakenAt = now.Add(time.Hour) })},
		{"taken too long ago", bad(func(r *aftercare.HealthReading) { r.TakenAt = now.Add(-31 * 24 * time.Hour) })},
		{"a negative counter", bad(func(r *aftercare.HealthReading) { n := -1; r.Reallocated = &n })},
		{"a bad part number", bad(func(r *aftercare.HealthReading) { r.FRU = "no such" })},
		{"nothing", nil},
		{"too many", make([]aftercare.HealthReading, aftercare.MaxHealthBatch+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ReportHealth(ctx, tt.readings)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "%v", err)
		})
	}
	assert.Zero(t, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM health_readings`),
		"a refused batch stores nothing, not even its good readings")

	t.Run("a batch that fails after its readings were written keeps none of them", func(t *testing.T) {
		// No one can be named the contact of the proactive incident: the
		// account's corporate IT is disabled and the system reports.
		require.NoError(t, db.ExecScript(context.Background(),
			`UPDATE users SET disabled_at = now() WHERE account_id = '`+f.AccountID+`'`))
		t.Cleanup(func() {
			require.NoError(t, db.ExecScript(context.Background(),
				`UPDATE users SET disabled_at = NULL WHERE account_id = '`+f.AccountID+`'`))
		})
		batch := append(failingDrive(f.CoveredSerial, now), healthyFan(f.CoveredSerial, now))
		_, err := s.ReportHealth(context.Background(), batch)
		assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "%v", err)
		assert.Zero(t, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM health_readings`), "all or nothing")
		assert.Zero(t, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM health_warnings`))
	})

	t.Run("another company's warnings are not found", func(t *testing.T) {
		report, err := s.ReportHealth(itContext(other), failingDrive(other.CoveredSerial, now))
		require.NoError(t, err)
		require.Len(t, report.Warnings, 1)
		_, err = s.FindHealthWarning(ctx, report.Warnings[0].ID)
		assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
		_, err = s.DismissHealthWarning(ctx, aftercare.HealthWarningDismissal{WarningID: report.Warnings[0].ID, Reason: "x"})
		assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
		mine, _, err := s.FindHealthWarnings(ctx, aftercare.HealthWarningFilter{})
		require.NoError(t, err)
		assert.Empty(t, mine)
	})
}

func TestHealthReadingPartitionsAreDroppedWhole(t *testing.T) {
	db := postgrestest.MustOpen(t)
	ctx := context.Background()
	require.NoError(t, db.ExecScript(ctx, `SELECT ensure_health_reading_partitions('2025-01-15', '2025-03-02')`))
	assert.Equal(t, "health_readings_2025_01 health_readings_2025_02", postgrestest.MustQueryString(t, db,
		`SELECT string_agg(n, ' ') FROM drop_health_reading_partitions('2025-03-01') n`),
		"the months that ended by then, and not March")
	assert.EqualValues(t, 1, postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM pg_class
		WHERE relname IN ('health_readings_2025_01', 'health_readings_2025_02', 'health_readings_2025_03')`))
}

func TestHealthPartitionsAreKept(t *testing.T) {
	db := postgrestest.MustOpen(t)
	ctx := context.Background()
	s := postgres.NewHealthService(db)
	require.NoError(t, db.ExecScript(ctx, `SELECT ensure_health_reading_partitions('2026-01-10', '2026-04-10')`))
	dropped, err := s.KeepPartitions(ctx, time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC), 60*24*time.Hour)
	require.NoError(t, err)
	assert.Equal(t, []string{"health_readings_2026_01", "health_readings_2026_02"}, dropped,
		"the months that ended by 21 March, 60 days before")
	assert.EqualValues(t, 1, postgrestest.MustQueryInt(t, db,
		`SELECT count(*) FROM pg_class WHERE relname = 'health_readings_2026_06'`), "next month is ready")
	_, err = s.KeepPartitions(ctx, time.Now(), 7*24*time.Hour)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "a retention shorter than what intake reads")
}
