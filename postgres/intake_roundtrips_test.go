package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateIncidentRoundTrips counts the round trips to PostgreSQL of
// filing an incident on a contract: BEGIN; the asset and the contract
// covering it; the coverage facts, the contract and its claims together;
// the incident row; the incident as stored; its event, outbox message,
// audit row, NOTIFY and entitlement claim together; COMMIT. Each further
// round trip adds to every filing's latency, so a change that adds one
// fails here.
func TestCreateIncidentRoundTrips(t *testing.T) {
	db, url := postgrestest.MustOpenURL(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	var mu sync.Mutex
	var trips []string
	observed, err := postgres.OpenObserved(context.Background(), url, func(_ context.Context, sql string) {
		mu.Lock()
		defer mu.Unlock()
		trips = append(trips, strings.Join(strings.Fields(sql), " "))
	})
	require.NoError(t, err)
	defer observed.Close()
	incidents := postgres.NewIncidentService(observed)

	mu.Lock()
	trips = nil
	mu.Unlock()
	inc, err := incidents.CreateIncident(context.Background(), validCreate(f.CoveredSerial, "round-trips-1"))
	require.NoError(t, err)
	require.NotNil(t, inc.Coverage)
	assert.True(t, inc.Coverage.Covered, "filed on the contract")

	mu.Lock()
	defer mu.Unlock()
	for i, sql := range trips {
		t.Logf("%d: %.120s", i+1, sql)
	}
	assert.Len(t, trips, 7, "round trips of one filing")
	assert.Equal(t, int64(1), postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM incident_events WHERE incident_id = $1`, inc.ID))
	assert.Equal(t, int64(1), postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM audit_events WHERE object_id = $1`, inc.ID))
	assert.Equal(t, int64(1), postgrestest.MustQueryInt(t, db,
		`SELECT count(*) FROM outbox WHERE key = $1 AND payload->>'region' <> ''`, inc.ID), "the workflow's outbox message, with its region")
}
