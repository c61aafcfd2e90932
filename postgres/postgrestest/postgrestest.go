// Package postgrestest gives tests a fresh, migrated Aftercare database on
// the real PostgreSQL server that `make test` prepares, and the checks that
// the store's tests and the demo data's tests share.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// AssertKPICountersMatchBase checks that the stored KPI counters give what
// the naive query computes from the base tables, for every dimension and
// granularity over the last three years, as the system and in each scope
// given (which lead to other counters tables).
func AssertKPICountersMatchBase(t *testing.T, s *postgres.KPIService, scopes ...*aftercare.Scope) {
	t.Helper()
	for _, scope := range append([]*aftercare.Scope{{All: true}}, scopes...) {
		assertKPICountersMatchBaseIn(aftercare.NewContextWithScope(context.Background(), scope), t, s)
	}
}

func assertKPICountersMatchBaseIn(ctx context.Context, t *testing.T, s *postgres.KPIService) {
	t.Helper()
	for _, d := range aftercare.KPIDimensions {
		for _, g := range []aftercare.KPIGranularity{aftercare.KPIMonthly, aftercare.KPIQuarterly, aftercare.KPIYearly, aftercare.KPIWholePeriod} {
			f := aftercare.KPIFilter{Dimension: d, Granularity: g, From: time.Now().AddDate(-3, 0, 0), To: time.Now().AddDate(0, 1, 0)}
			stored, err := s.FindKPIs(ctx, f)
			require.NoError(t, err)
			base, err := s.FindKPIsFromBase(ctx, f)
			require.NoError(t, err)
			require.NotEmpty(t, base, "%s by %s", d, g)
			require.Equal(t, len(base), len(stored), "%s by %s", d, g)
			for i := range base {
				assert.Equal(t, base[i].Key, stored[i].Key)
				assert.Equal(t, base[i].PeriodStart, stored[i].PeriodStart)
				assert.Equal(t, base[i].Response, stored[i].Response)
				assert.Equal(t, base[i].Restore, stored[i].Restore)
				assert.Equal(t, base[i].Resolved, stored[i].Resolved)
				assert.Equal(t, base[i].FirstTimeFixes, stored[i].FirstTimeFixes)
				assert.Equal(t, base[i].RepeatVisits, stored[i].RepeatVisits)
				assert.Equal(t, base[i].SurveysAnswered, stored[i].SurveysAnswered)
				assert.Equal(t, base[i].Breaches, stored[i].Breaches)
				assert.InDelta(t, base[i].ServiceCreditPercent, stored[i].ServiceCreditPercent, 1e-6)
			}
		}
	}
}
