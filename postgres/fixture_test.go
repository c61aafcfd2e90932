package postgres

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mustTestDB creates a fresh, migrated database, opened with an optional
// query tracer, and drops it when the test ends. It fails, saying how to
// start PostgreSQL, when the server does not answer.
func mustTestDB(tb testing.TB, tracer pgx.QueryTracer) *DB {
	tb.Helper()
	ctx := context.Background()
	serverURL := os.Getenv("AFTERCARE_TEST_DATABASE_URL")
	if serverURL == "" {
		serverURL = "postgres://aftercare:aftercare@localhost:5432/aftercare?sslmode=disable"
	}
	var suffix [6]byte
	_, _ = crand.Read(suffix[:])
	name := "aftercare_internaltest_" + hex.EncodeToString(suffix[:])
	dbURL, err := CreateDatabase(ctx, serverURL, name)
	if err != nil {
		tb.Fatalf("PostgreSQL not reachable: run `make test`, or scripts/postgres.sh to start it (%v)", err)
	}
	tb.Cleanup(func() { assert.NoError(tb, DropDatabase(context.Background(), serverURL, name)) })
	db, err := open(ctx, dbURL, tracer)
	require.NoError(tb, err)
	tb.Cleanup(db.Close)
	require.NoError(tb, db.Migrate(ctx))
	return db
}

// fixture is a minimal account with one site, one covered asset and one
// uncovered asset, for store tests that need something to file against.
type fixture struct {
	accountID, siteID, contractID string
	coveredSerial, bareSerial     string
	userID                        string
}

// mustFixture inserts a fixture for an account code and tier.
func mustFixture(tb testing.TB, db *DB, code, tier string) fixture {
	tb.Helper()
	ctx := context.Background()
	f := fixture{accountID: newID(), siteID: newID(), contractID: newID(), userID: newID(),
		coveredSerial: code + "-COVERED", bareSerial: code + "-BARE"}
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO regions VALUES ('east', 'East China') ON CONFLICT DO NOTHING`, nil},
		{`INSERT INTO product_lines VALUES ('thinksystem_sr', 'ThinkSystem SR', 'server') ON CONFLICT DO NOTHING`, nil},
		{`INSERT INTO accounts (id, code, name) VALUES ($1, $2, $2)`, []any{f.accountID, code}},
		{`INSERT INTO users (id, username, display_name, email, role, account_id) VALUES ($1, $2, $2, 'it@example.com', 'customer_it', $3)`,
			[]any{f.userID, "it." + strings.ToLower(code), f.accountID}},
		{`INSERT INTO sites (id, account_id, name, address, city, country, region, lat, lng, time_zone)
			VALUES ($1, $2, 'HQ', '1 Road', 'Shanghai', 'CN', 'east', 31.23, 121.47, 'Asia/Shanghai')`, []any{f.siteID, f.accountID}},
		{`INSERT INTO assets (account_id, site_id, serial_number, product_line, model, shipped_on, warranty_ends_on)
			VALUES ($1, $2, $3, 'thinksystem_sr', 'SR650 V3', '2024-01-01', '2027-01-01'),
			       ($1, $2, $4, 'thinksystem_sr', 'SR650 V3', '2019-01-01', '2022-01-01')`,
			[]any{f.accountID, f.siteID, f.coveredSerial, f.bareSerial}},
		{`INSERT INTO contracts (id, number, account_id, tier, status, starts_on, ends_on)
			VALUES ($1, $2, $3, $4, 'active', current_date - 30, current_date + 300)`,
			[]any{f.contractID, "CT-" + code, f.accountID, tier}},
		{`INSERT INTO contract_assets SELECT $1, id FROM assets WHERE serial_number = $2`, []any{f.contractID, f.coveredSerial}},
		{`INSERT INTO entitlements (contract_id, kind) VALUES ($1, 'on_site')`, []any{f.contractID}},
	}
	for _, s := range stmts {
		_, err := db.pool.Exec(ctx, s.sql, s.args...)
		require.NoError(tb, err, s.sql)
	}
	return f
}
