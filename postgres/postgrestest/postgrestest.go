// Package postgrestest gives tests a fresh, migrated Aftercare database on
// the real PostgreSQL server that `make test` prepares.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/aftercare/aftercare/postgres"
)

// DefaultServerURL is the server tests use when AFTERCARE_TEST_DATABASE_URL
// is not set: the one scripts/postgres.sh prepares.
const DefaultServerURL = "postgres://aftercare:aftercare@localhost:5432/aftercare?sslmode=disable"

// ServerURL returns the URL of the PostgreSQL server tests create their
// databases on.
func ServerURL() string {
	if u := os.Getenv("AFTERCARE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultServerURL
}

// MustOpen creates a fresh database, applies every migration, and returns it
// open; the database is dropped when the test ends. It fails the test, saying
// how to start PostgreSQL, when the server does not answer.
func MustOpen(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, _ := MustOpenURL(tb)
	return db
}

// MustOpenURL is MustOpen that also returns the new database's URL, for
// tests that start processes of their own on it.
func MustOpenURL(tb testing.TB) (*postgres.DB, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "aftercare_test_" + hex.EncodeToString(b[:])
	url, err := postgres.CreateDatabase(ctx, ServerURL(), name)
	if err != nil {
		tb.Fatalf("PostgreSQL not reachable at %s (%v): run `make test`, or scripts/postgres.sh to start it", ServerURL(), err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := postgres.DropDatabase(ctx, ServerURL(), name); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	db, err := postgres.Open(ctx, url)
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate test database: %v", err)
	}
	return db, url
}

// MustQueryInt runs a query that returns one integer, such as a count.
func MustQueryInt(tb testing.TB, db *postgres.DB, sql string, args ...any) int64 {
	tb.Helper()
	var n int64
	if err := db.QueryRow(context.Background(), sql, args, &n); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return n
}

// MustQueryString runs a query that returns one text value.
func MustQueryString(tb testing.TB, db *postgres.DB, sql string, args ...any) string {
	tb.Helper()
	var s string
	if err := db.QueryRow(context.Background(), sql, args, &s); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return s
}
