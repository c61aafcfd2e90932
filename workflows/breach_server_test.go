package workflows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
)

// TestAChangeArrivingWithItsBreachFiresTheLevelsFirst makes an
// acknowledgement reach the workflow in the same task as the response
// clock's timer, on the real Temporal server: no worker runs while the
// clock's levels fall due and the acknowledgement is sent, so the next
// worker gets both at once. Every level due before the acknowledgement's
// instant fires exactly once, and the clock stops breached.
func TestAChangeArrivingWithItsBreachFiresTheLevelsFirst(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	store := &fakeSLA{created: time.Now().UTC()}
	acts := &workflows.Activities{Incidents: noIncidents{}, SLA: store, Dispatch: fakeDispatch{skip: true}}
	first := workflows.NewWorker(c, queue, acts)
	require.NoError(t, first.Start())
	ctx := context.Background()
	id := fmt.Sprintf("0000b2ea-0000-4000-8000-%012d", time.Now().UnixNano()%1e12)
	wfID := aftercare.IncidentWorkflowID(id)
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wfID, TaskQueue: queue},
		workflows.IncidentWorkflowName, workflows.IncidentInput{IncidentID: id})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(store.path()) > 0 }, 10*time.Second, 50*time.Millisecond,
		"the workflow recorded its start")
	first.Stop()

	// The response clock (3 s) passes all its levels with no worker running.
	time.Sleep(time.Until(store.created.Add(4 * time.Second)))
	acked := make(chan error, 1)
	go func() {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wfID, UpdateName: workflows.UpdateTransition,
			Args: []any{workflows.TransitionInput{Action: aftercare.ActionAcknowledge, By: "test"}}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		acked <- err
	}()
	time.Sleep(time.Second) // the update waits at the server with the fired timer
	second := workflows.NewWorker(c, queue, acts)
	require.NoError(t, second.Start())
	defer second.Stop()
	select {
	case err := <-acked:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the acknowledgement was never answered")
	}

	store.mu.Lock()
	fired := map[int]int{}
	for _, e := range store.escalations {
		if e.Clock.Kind == aftercare.ClockResponse {
			fired[e.Level]++
		}
	}
	var ack *aftercare.IncidentChange
	for i := range store.changes {
		if store.changes[i].Kind == string(aftercare.ActionAcknowledge) {
			ack = &store.changes[i]
		}
	}
	store.mu.Unlock()
	assert.Equal(t, map[int]int{1: 1, 2: 1, 3: 1, 4: 1}, fired, "every response level due before the acknowledgement fired once")
	require.NotNil(t, ack, "the acknowledgement was recorded")
	for _, s := range ack.Clocks {
		if s.Kind == aftercare.ClockResponse {
			assert.Equal(t, aftercare.ClockBreached, s.State, "the response clock stopped breached")
		}
	}
	require.NoError(t, c.TerminateWorkflow(ctx, wfID, "", "test done"))
}
