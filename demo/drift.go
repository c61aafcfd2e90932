package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// DriftingDevice is a demo device whose drive drifts toward failure, and
// the corporate IT user its monitoring reports as.
type DriftingDevice struct {
	Serial, AccountID, ReporterID string
	Tier                          aftercare.Tier
	// Pace is the reallocated sectors the drive gains per report.
	Pace int
}

// DriftingDevices picks, for the demo's monitoring, two servers under
// platinum contracts (whose warnings file incidents) and one under premium
// (whose warning only warns): servers whose product line has a drive in
// the catalogue and whose account has corporate IT, the first by serial.
func DriftingDevices(ctx context.Context, db *postgres.DB) ([]DriftingDevice, error) {
	var out []DriftingDevice
	var d DriftingDevice
	err := db.Query(ctx, `
		SELECT serial_number, account_id, reporter, tier FROM (
			SELECT DISTINCT ON (a.serial_number) a.serial_number, a.account_id::text, u.id::text AS reporter, c.tier,
				row_number() OVER (PARTITION BY c.tier ORDER BY a.serial_number) AS n
			FROM contracts c
			JOIN contract_assets ca ON ca.contract_id = c.id
			JOIN assets a ON a.id = ca.asset_id
			JOIN product_lines pl ON pl.code = a.product_line AND pl.kind = 'server'
			JOIN LATERAL (SELECT id FROM users WHERE account_id = a.account_id AND role = 'customer_it'
				AND disabled_at IS NULL ORDER BY username LIMIT 1) u ON true
			WHERE c.status IN ('active', 'expiring') AND current_date BETWEEN c.starts_on AND c.ends_on
			  AND c.tier IN ('platinum', 'premium')
			  AND EXISTS (SELECT 1 FROM part_product_lines ppl JOIN parts p ON p.id = ppl.part_id
				WHERE ppl.product_line = a.product_line AND p.component = 'drive')) s
		WHERE (tier = 'platinum' AND n <= 2) OR (tier = 'premium' AND n = 1)
		ORDER BY tier DESC, serial_number`, nil, []any{&d.Serial, &d.AccountID, &d.ReporterID, &d.Tier}, func() error {
		d.Pace = 6 + 4*len(out)
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("demo.DriftingDevices: %w", err)
	}
	return out, nil
}

// Backfill is a device's last six days of drive readings before the
// demo's monitoring starts: reallocated sectors creeping up by a few a day,
// below the warning threshold.
func (d DriftingDevice) Backfill(now time.Time) []aftercare.HealthReading {
	var out []aftercare.HealthReading
	for day := 6; day >= 1; day-- {
		out = append(out, d.reading(now.Add(-time.Duration(day)*24*time.Hour), 2*(6-day), 0))
	}
	return out
}

// Report is the drive's reading at the tick-th report after the backfill:
// reallocated sectors grow by Pace a report and pending sectors appear
// from the third, until the drive settles at 400.
func (d DriftingDevice) Report(now time.Time, tick int) aftercare.HealthReading {
	realloc := min(10+d.Pace*tick, 400)
	pending := 0
	if tick >= 3 {
		pending = min(2*(tick-2), 40)
	}
	return d.reading(now, realloc, pending)
}

func (d DriftingDevice) reading(at time.Time, realloc, pending int) aftercare.HealthReading {
	hours, timeouts, temp := 21000+int(at.Unix()/3600)%1000, 0, 38.0
	return aftercare.HealthReading{SerialNumber: d.Serial, Kind: aftercare.ComponentDrive, Slot: 1, TakenAt: at,
		Reallocated: &realloc, Pending: &pending, PowerOnHours: &hours, CommandTimeouts: &timeouts, TemperatureC: &temp}
}
