package postgres

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// Fixture is the exported view of fixture for the external test package.
type Fixture struct {
	AccountID, SiteID, ContractID, UserID string
	CoveredSerial, BareSerial             string
}

// MustFixture inserts a minimal account for store tests; see mustFixture.
func MustFixture(tb testing.TB, db *DB, code, tier string) Fixture {
	f := mustFixture(tb, db, code, tier)
	return Fixture{AccountID: f.accountID, SiteID: f.siteID, ContractID: f.contractID, UserID: f.userID,
		CoveredSerial: f.coveredSerial, BareSerial: f.bareSerial}
}

// StoreHealthReadings stores a batch as ReportHealth does (serial numbers
// resolved in scope, one INSERT) without assessing it: the intake
// benchmark's baseline.
func StoreHealthReadings(ctx context.Context, db *DB, readings []aftercare.HealthReading) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		assets, err := findHealthAssets(ctx, tx, readings)
		if err != nil {
			return err
		}
		return insertReadings(ctx, tx, readings, assets)
	})
}
