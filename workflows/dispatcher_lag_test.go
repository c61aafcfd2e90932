package workflows_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storedVersion reads an engineer's version as PostgreSQL holds it.
func storedVersion(t testing.TB, db *postgres.DB, engineerID string) int64 {
	t.Helper()
	return postgrestest.MustQueryInt(t, db, `SELECT version FROM engineers WHERE id = $1`, engineerID)
}

// TestFollowTakesAnnouncedChanges: with a polling interval of an hour,
// only the store's announcements can bring changes in. A location
// reported straight to the store (not through this dispatcher) and a
// stock receipt into a van each reach the index within moments, and
// Candidates, which reads the index alone, answers with them.
func TestFollowTakesAnnouncedChanges(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, partID := raceFixture(t, db)
	d := newDispatcher(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Follow(ctx, time.Hour)

	dec, err := d.Candidates(ctx, incidents[0], 0)
	require.NoError(t, err)
	nearest := dec.Candidates[0].EngineerID
	store := postgres.NewDispatchService(db)
	require.NoError(t, store.ReportLocation(ctx, nearest, 30.00, 120.00, time.Now()))
	want := storedVersion(t, db, nearest)
	require.Eventually(t, func() bool { v, _ := d.IndexedVersion(nearest); return v >= want }, 5*time.Second, 5*time.Millisecond,
		"the location report reached the index without a refresh by hand")
	dec, err = d.Candidates(ctx, incidents[0], 0)
	require.NoError(t, err)
	assert.Equal(t, nearest, dec.Candidates[len(dec.Candidates)-1].EngineerID, "moved far away: now the last")

	// A unit received into the farthest engineer's van: the van now holds
	// the part, so the trip no longer goes through the depot.
	far := raceEngineer(1)
	require.NoError(t, db.ExecScript(ctx, fmt.Sprintf(`
		INSERT INTO stock (part_id, engineer_id) VALUES ('%[1]s', '%[2]s');
		INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reason)
			SELECT id, 'receipt', 1, 'van restocked' FROM stock WHERE part_id = '%[1]s' AND engineer_id = '%[2]s';`, partID, far)))
	want = storedVersion(t, db, far)
	require.Eventually(t, func() bool { v, _ := d.IndexedVersion(far); return v >= want }, 5*time.Second, 5*time.Millisecond,
		"the van's stock reached the index without a refresh by hand")
	dec, err = d.Candidates(ctx, incidents[0], 0)
	require.NoError(t, err)
	i := slices.IndexFunc(dec.Candidates, func(c aftercare.DispatchCandidate) bool { return c.EngineerID == far })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, []aftercare.PartNeed{{PartID: partID, Quantity: 1}}, dec.Candidates[i].FromVan)
	lag, err := d.Lag(ctx)
	require.NoError(t, err)
	assert.Zero(t, lag.Pending, "nothing committed is left for the index to apply")
	assert.Less(t, lag.Age, time.Hour, "the index caught up at the last announcement, not at the hourly poll")
}

// BenchmarkFollowLag measures how long a location report committed to
// PostgreSQL takes to reach a following dispatcher's index: each
// operation reports a location straight to the store and waits until the
// index holds the engineer's new version. The p50 and p99 of that lag are
// reported beside ns/op.
func BenchmarkFollowLag(b *testing.B) {
	db := postgrestest.MustOpen(b)
	raceFixture(b, db)
	d := newDispatcher(b, db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Follow(ctx, time.Hour)
	store := postgres.NewDispatchService(db)
	id := raceEngineer(3)
	var lags []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if err := store.ReportLocation(ctx, id, 31.1+float64(i%100)*0.001, 121.4, start); err != nil {
			b.Fatal(err)
		}
		want := storedVersion(b, db, id)
		for {
			if v, _ := d.IndexedVersion(id); v >= want {
				break
			}
			time.Sleep(50 * time.Microsecond)
		}
		lags = append(lags, time.Since(start))
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	b.ReportMetric(float64(lags[len(lags)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds()), "p99-µs")
}
