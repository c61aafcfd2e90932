package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/require"
)

// BenchmarkReportHealth measures intake with 100,000 assets of one account
// reporting: each op is one batch of 500 readings (drives and memory of
// random assets, counters moving), assessed and stored ("report"), beside
// the same batches only stored ("store only", the baseline: serial
// numbers resolved and one INSERT). It reports readings/s and the bytes
// health_readings holds per reading, indexes included.
//
//	go test ./postgres -run '^$' -bench ReportHealth -benchtime 200x
func BenchmarkReportHealth(b *testing.B) {
	b.Run("report", func(b *testing.B) {
		benchmarkHealthIntake(b, func(db *postgres.DB) healthIntake {
			s := postgres.NewHealthService(db)
			return func(ctx context.Context, batch []aftercare.HealthReading) error {
				_, err := s.ReportHealth(ctx, batch)
				return err
			}
		})
	})
	b.Run("store only", func(b *testing.B) {
		benchmarkHealthIntake(b, func(db *postgres.DB) healthIntake {
			return func(ctx context.Context, batch []aftercare.HealthReading) error {
				return postgres.StoreHealthReadings(ctx, db, batch)
			}
		})
	})
}

// healthIntake takes one batch of readings.
type healthIntake func(context.Context, []aftercare.HealthReading) error

func benchmarkHealthIntake(b *testing.B, open func(*postgres.DB) healthIntake) {
	const assets, batch = 100_000, 500
	db := postgrestest.MustOpen(b)
	f := postgres.MustFixture(b, db, "BENCH", "premium")
	ctx := context.Background()
	require.NoError(b, db.ExecScript(ctx, fmt.Sprintf(`
		INSERT INTO assets (account_id, site_id, serial_number, product_line, model, shipped_on, warranty_ends_on)
		SELECT '%s', '%s', 'BENCH-' || lpad(n::text, 6, '0'), 'thinksystem_sr', 'SR650 V3', '2024-01-01', '2027-01-01'
		FROM generate_series(1, %d) n; ANALYZE assets`, f.AccountID, f.SiteID, assets)))
	ictx, intake := itContext(f), open(db)
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	batches := make([][]aftercare.HealthReading, b.N)
	for i := range batches {
		batches[i] = make([]aftercare.HealthReading, batch)
		for j := range batches[i] {
			n, realloc, hours, ecc := r.IntN(assets)+1, r.IntN(3), 20000+i, r.IntN(50)
			rd := aftercare.HealthReading{SerialNumber: fmt.Sprintf("BENCH-%06d", n), Slot: r.IntN(4),
				TakenAt: now.Add(-time.Duration(b.N-i) * time.Second)}
			if j%2 == 0 {
				rd.Kind, rd.Reallocated, rd.PowerOnHours = aftercare.ComponentDrive, &realloc, &hours
			} else {
				rd.Kind, rd.ECCCorrected = aftercare.ComponentMemory, &ecc
			}
			batches[i][j] = rd
		}
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := intake(ictx, batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*batch)/elapsed.Seconds(), "readings/s")
	bytes := postgrestest.MustQueryInt(b, db, `SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'health_readings'::regclass`)
	rows := postgrestest.MustQueryInt(b, db, `SELECT count(*) FROM health_readings`)
	b.ReportMetric(float64(bytes)/float64(rows), "bytes/reading")
	b.ReportMetric(float64(postgrestest.MustQueryInt(b, db, `SELECT count(*) FROM health_warnings`))/float64(b.N), "warnings/op")
}
