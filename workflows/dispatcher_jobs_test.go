package workflows_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentDispatchesAndCancellations dispatches 50 incidents at
// once through three dispatchers (five engineers of capacity 3, 10 units
// of the part they all need: 10 win), then cancels the winners and every
// other incident, as their workflows record it, while dispatching all the
// rest again, all at once. Whatever order they commit in, no cancelled
// incident keeps a job, every cancelled job's unit and slot come back
// (dispatching what is left afterwards uses all 10 units again), and a
// dispatch index that followed the change feed throughout holds every
// engineer's load as the database counts it.
func TestConcurrentDispatchesAndCancellations(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, _ := raceFixture(t, db)
	follower := newDispatcher(t, db)
	dispatchers := []*workflows.Dispatcher{newDispatcher(t, db), newDispatcher(t, db), newDispatcher(t, db)}
	sla := postgres.NewSLAService(db)
	ctx := context.Background()
	all := func(work func(i int, id string)) {
		var wg sync.WaitGroup
		begin := make(chan struct{})
		for i, id := range incidents {
			wg.Go(func() { <-begin; work(i, id) })
		}
		close(begin)
		wg.Wait()
	}

	won := make([]bool, len(incidents))
	all(func(i int, id string) {
		_, err := dispatchers[i%len(dispatchers)].Assign(ctx, id, "", "")
		won[i] = err == nil
	})
	require.NoError(t, follower.Refresh(ctx))
	postgrestest.AssertJobInvariants(t, db, postgrestest.IndexLoads(t, db, follower))

	cancelled := make([]bool, len(incidents))
	errs := make([]error, len(incidents))
	all(func(i int, id string) {
		cancelled[i] = won[i] || i%2 == 1
		if !cancelled[i] {
			_, _ = dispatchers[i%len(dispatchers)].Assign(ctx, id, "", "")
			return
		}
		errs[i] = sla.RecordIncidentChange(ctx, aftercare.IncidentChange{IncidentID: id, Key: "cancel-" + id, Version: 1,
			Kind: string(aftercare.ActionCancel), FromStatus: aftercare.StatusTriaged, ToStatus: aftercare.StatusCancelled,
			Reason: "fixed by a reboot", At: time.Now()})
	})
	for i, err := range errs {
		assert.NoError(t, err, "cancelling incident %d", i)
	}
	require.NoError(t, follower.Refresh(ctx))
	postgrestest.AssertJobInvariants(t, db, postgrestest.IndexLoads(t, db, follower))

	for i, id := range incidents {
		if !cancelled[i] {
			_, _ = dispatchers[0].Assign(ctx, id, "", "")
		}
	}
	assert.Equal(t, int64(10), postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM assignments WHERE state = 'proposed'`),
		"every unit the cancellations released is dispatched again")
	assert.Equal(t, int64(10), postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM assignments WHERE state = 'cancelled'`),
		"the first winners' jobs ended with their incidents")
	require.NoError(t, follower.Refresh(ctx))
	postgrestest.AssertJobInvariants(t, db, postgrestest.IndexLoads(t, db, follower))
}
