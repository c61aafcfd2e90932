package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIntakeRelayStartsABurstInParallel hands the relay a burst of 40
// filed incidents and one message it cannot read, delivered 8 at a time
// on the real Temporal server: each incident gets its workflow and its
// message is done, twice over changes nothing, and the unreadable one
// waits for its retry with the reason.
func TestIntakeRelayStartsABurstInParallel(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	outbox := &memOutbox{now: time.Now}
	var ids []string
	for i := range 40 {
		id := fmt.Sprintf("0000b0b5-0000-4000-8000-%06d%06d", time.Now().UnixNano()%1e6, i)
		ids = append(ids, id)
		payload, err := json.Marshal(map[string]string{"incident_id": id})
		require.NoError(t, err)
		outbox.msgs = append(outbox.msgs, &memMessage{OutboxMessage: aftercare.OutboxMessage{ID: int64(i + 1),
			Topic: aftercare.OutboxTopicIncidentWorkflow, Key: id, Payload: payload}})
	}
	outbox.msgs = append(outbox.msgs, &memMessage{OutboxMessage: aftercare.OutboxMessage{ID: 41,
		Topic: aftercare.OutboxTopicIncidentWorkflow, Key: "unreadable", Payload: []byte(`{}`)}})
	// Each start waits, up to a few seconds, until eight are waiting at
	// once: a relay that started them one after another never has more
	// than one.
	var mu sync.Mutex
	waiting, together := 0, false
	relay := &workflows.IntakeRelay{Client: c, TaskQueue: queue, Outbox: outbox, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Lease: time.Minute, PollInterval: time.Second, BatchSize: 50, Parallel: 8,
		BeforeStart: func(string) {
			mu.Lock()
			waiting++
			mu.Unlock()
			defer func() { mu.Lock(); waiting--; mu.Unlock() }()
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				mu.Lock()
				if waiting >= 8 {
					together = true
				}
				done := together
				mu.Unlock()
				if done {
					return
				}
			}
		}}
	ctx := context.Background()
	n, err := relay.DeliverOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 41, n)
	assert.True(t, together, "eight workflows were being started at once")
	assert.Equal(t, 1, outbox.pending(), "all but the unreadable message are done")
	assert.Contains(t, outbox.msgs[40].lastError, "no incident ID")
	for _, id := range ids {
		wf := aftercare.IncidentWorkflowID(id)
		_, err := c.DescribeWorkflow(ctx, wf, "")
		require.NoError(t, err, "incident %s has its workflow", id)
		t.Cleanup(func() { _ = c.TerminateWorkflow(context.Background(), wf, "", "test done") })
	}

	// Delivered again (a lease that ran out): the workflows stand, nothing
	// fails.
	for _, m := range outbox.msgs[:40] {
		m.delivered, m.due = false, time.Time{}
	}
	n, err = relay.DeliverOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 40, n, "the unreadable message waits for its retry")
	assert.Equal(t, 1, outbox.pending())
}
