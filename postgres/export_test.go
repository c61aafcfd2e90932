package postgres

import "testing"

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
