package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
)

// devHealthEvery is how often the demo's monitoring reports.
const devHealthEvery = 30 * time.Second

// monitorDemoDevices stands in for corporate IT's monitoring on `make
// run`: a few demo servers report their drives' health, drifting toward
// failure, through the same service the API's reportHealth uses, as their
// accounts' corporate IT. Within minutes a platinum server's warning files
// a proactive incident. It stops with ctx.
func monitorDemoDevices(ctx context.Context, db *postgres.DB, logger *slog.Logger) {
	devices, err := demo.DriftingDevices(ctx, db)
	if err != nil || len(devices) == 0 {
		logger.Warn("demo monitoring: no devices to report on", "err", err)
		return
	}
	health := postgres.NewHealthService(db)
	report := func(d demo.DriftingDevice, readings []aftercare.HealthReading) {
		ctx := aftercare.NewContextWithScope(aftercare.NewContextWithUser(ctx,
			&aftercare.User{ID: d.ReporterID, Role: aftercare.RoleCustomerIT, AccountID: d.AccountID}),
			&aftercare.Scope{UserID: d.ReporterID, AccountIDs: []string{d.AccountID}})
		r, err := health.ReportHealth(ctx, readings)
		if err != nil {
			logger.Warn("demo monitoring: report refused", "serial", d.Serial, "err", err)
			return
		}
		for _, w := range r.Warnings {
			logger.Info("demo monitoring: health warning", "serial", d.Serial, "tier", d.Tier, "score", w.Score,
				"reasons", w.Reasons, "incident", w.IncidentID)
		}
	}
	now := time.Now()
	for _, d := range devices {
		report(d, d.Backfill(now))
	}
	tick := time.NewTicker(devHealthEvery)
	defer tick.Stop()
	for n := 0; ; n++ {
		for _, d := range devices {
			report(d, []aftercare.HealthReading{d.Report(time.Now(), n)})
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// keepHealthPartitions keeps the device health partitions hourly until ctx
// ends: next month's ready, months past the retention dropped.
func (m *Main) keepHealthPartitions(ctx context.Context) {
	health := postgres.NewHealthService(m.DB)
	for {
		dropped, err := health.KeepPartitions(ctx, time.Now(), m.Config.HealthRetention)
		switch {
		case err != nil && ctx.Err() == nil:
			m.Logger.Warn("device health partitions", "err", err)
		case len(dropped) > 0:
			m.Logger.Info("device health readings past retention dropped", "partitions", dropped)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}
