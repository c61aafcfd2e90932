package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOutbox(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "premium")
	incidents := postgres.NewIncidentService(db)
	ctx := context.Background()
	topic := aftercare.OutboxTopicIncidentWorkflow

	inc, err := incidents.CreateIncident(ctx, validCreate(f.CoveredSerial, "outbox-1"))
	require.NoError(t, err)

	claimed, err := db.ClaimOutbox(ctx, topic, 10, time.Hour)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	assert.Equal(t, inc.ID, claimed[0].Key)
	assert.JSONEq(t, fmt.Sprintf(`{"incident_id": %q, "number": %d, "account_id": %q, "tier": "premium", "priority": %q, "status": "new", "region": "east"}`,
		inc.ID, inc.Number, inc.AccountID, inc.Priority), string(claimed[0].Payload))
	assert.Equal(t, 1, claimed[0].Attempts)

	again, err := db.ClaimOutbox(ctx, topic, 10, time.Hour)
	require.NoError(t, err)
	assert.Empty(t, again, "a leased message is hidden from other claimers")

	require.NoError(t, db.RetryOutbox(ctx, claimed[0].ID, "temporal unavailable", 0))
	retried, err := db.ClaimOutbox(ctx, topic, 10, time.Hour)
	require.NoError(t, err)
	require.Len(t, retried, 1, "a retried message is due again")
	assert.Equal(t, 2, retried[0].Attempts)

	require.NoError(t, db.CompleteOutbox(ctx, retried[0].ID))
	require.NoError(t, db.RetryOutbox(ctx, retried[0].ID, "late failure", 0))
	done, err := db.ClaimOutbox(ctx, topic, 10, 0)
	require.NoError(t, err)
	assert.Empty(t, done, "a delivered message is never handed out again")
}

// TestOutboxBacklog: the backlog counts a topic's undelivered messages,
// due or not, dates the oldest by when it was written, and forgets what
// was delivered.
func TestOutboxBacklog(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "premium")
	incidents := postgres.NewIncidentService(db)
	ctx := context.Background()
	topic := aftercare.OutboxTopicIncidentWorkflow

	empty, err := db.OutboxBacklog(ctx)
	require.NoError(t, err)
	assert.Empty(t, empty)

	for _, key := range []string{"backlog-1", "backlog-2"} {
		_, err := incidents.CreateIncident(ctx, validCreate(f.CoveredSerial, key))
		require.NoError(t, err)
	}
	require.NoError(t, db.ExecScript(ctx, `UPDATE outbox SET created_at = now() - interval '1 hour'
		WHERE id = (SELECT min(id) FROM outbox)`))
	claimed, err := db.ClaimOutbox(ctx, topic, 1, time.Hour)
	require.NoError(t, err)
	require.Len(t, claimed, 1)

	backlog, err := db.OutboxBacklog(ctx)
	require.NoError(t, err)
	require.Len(t, backlog, 1)
	assert.Equal(t, topic, backlog[0].Topic)
	assert.Equal(t, 2, backlog[0].Pending, "a leased message waits too")
	assert.InDelta(t, time.Hour.Seconds(), backlog[0].OldestAge.Seconds(), 60, "the oldest was written an hour ago")

	require.NoError(t, db.CompleteOutbox(ctx, claimed[0].ID))
	backlog, err = db.OutboxBacklog(ctx)
	require.NoError(t, err)
	require.Len(t, backlog, 1)
	assert.Equal(t, 1, backlog[0].Pending)
	assert.Less(t, backlog[0].OldestAge, time.Minute, "the delivered message no longer counts")
}

// TestPoolStats: the pool reports the connections it opened and what it
// handed out.
func TestPoolStats(t *testing.T) {
	db := postgrestest.MustOpen(t)
	require.NoError(t, db.Ping(context.Background()))
	s := db.PoolStats()
	assert.Positive(t, s.Max)
	assert.Positive(t, s.Total)
	assert.LessOrEqual(t, s.Total, s.Max)
	assert.Equal(t, s.Total, s.Acquired+s.Idle+s.Constructing)
	assert.Positive(t, s.Acquires)
}

func TestWaitOutboxWakesOnCommit(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "premium")
	incidents := postgres.NewIncidentService(db)
	ctx := context.Background()
	topic := aftercare.OutboxTopicIncidentWorkflow

	// The first wait starts the listener; give it a moment to LISTEN.
	require.NoError(t, db.WaitOutbox(ctx, topic, 300*time.Millisecond))

	woke := make(chan struct{})
	go func() {
		defer close(woke)
		_ = db.WaitOutbox(ctx, topic, time.Minute)
	}()
	_, err := incidents.CreateIncident(ctx, validCreate(f.CoveredSerial, "wake-1"))
	require.NoError(t, err)
	select {
	case <-woke:
	case <-time.After(20 * time.Second):
		t.Fatal("WaitOutbox did not wake after an incident was committed")
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, db.WaitOutbox(cctx, "other", time.Minute), context.Canceled)
}

// TestWaitWakesOnceListening: a notification sent before this process
// listened reached nobody, so the first wait returns as soon as the
// listener is connected instead of sleeping to its timeout.
func TestWaitWakesOnceListening(t *testing.T) {
	db := postgrestest.MustOpen(t)
	postgres.MustExecSQL(t, db, `SELECT pg_notify('aftercare_policy', '')`)
	start := time.Now()
	require.NoError(t, db.WaitPolicyChange(context.Background(), time.Minute))
	assert.Less(t, time.Since(start), 30*time.Second, "woken by the listener's connection, not the minute's timeout")
}
