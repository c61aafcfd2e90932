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
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// TestContinueAsNewOnTheRealServer runs an incident whose workflow must
// continue as new every few dozen history events, on the real Temporal
// server, through holds and a whole ladder of seconds-long clocks: the
// chain of runs fires every level exactly once, answers updates across
// the hand-overs, and ends with the incident.
func TestContinueAsNewOnTheRealServer(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	store := &fakeSLA{created: time.Now().UTC()}
	w := workflows.NewWorker(c, queue, &workflows.Activities{Incidents: noIncidents{}, SLA: store})
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx := context.Background()
	id := fmt.Sprintf("0000ca11-0000-4000-8000-%012d", time.Now().UnixNano()%1e12)
	wfID := aftercare.IncidentWorkflowID(id)
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wfID, TaskQueue: queue},
		workflows.IncidentWorkflowName, workflows.IncidentInput{IncidentID: id, ContinueAfter: 30})
	require.NoError(t, err)
	update := func(in workflows.TransitionInput) error {
		in.By = "test"
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: wfID, UpdateName: workflows.UpdateTransition, Args: []any{in},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	}

	// Holds and answers while the on-site and restore clocks (20 s and 30 s)
	// run; each pair pauses them for about half a second.
	time.Sleep(time.Second)
	require.NoError(t, update(workflows.TransitionInput{Action: aftercare.ActionAcknowledge}))
	for range 8 {
		require.NoError(t, update(workflows.TransitionInput{Action: aftercare.ActionAwaitCustomer, Reason: string(aftercare.PauseSiteAccess)}))
		time.Sleep(500 * time.Millisecond)
		require.NoError(t, update(workflows.TransitionInput{Action: aftercare.ActionCustomerResponded}))
		time.Sleep(500 * time.Millisecond)
	}
	require.Eventually(t, func() bool {
		store.mu.Lock()
		defer store.mu.Unlock()
		return len(store.escalations) >= 8 // on-site and restore ladders; response was met
	}, 60*time.Second, 250*time.Millisecond)
	require.NoError(t, update(workflows.TransitionInput{Action: aftercare.ActionCancel, Reason: "done"}))
	require.NoError(t, c.GetWorkflow(ctx, wfID, "").Get(ctx, nil))

	runs := 0
	assert.Eventually(t, func() bool {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + wfID + "'"})
		require.NoError(t, err)
		runs = len(resp.GetExecutions())
		return runs >= 3
	}, 10*time.Second, 250*time.Millisecond, "the workflow continued as new more than once")
	t.Logf("%d runs", runs)

	store.mu.Lock()
	defer store.mu.Unlock()
	fired := map[string]int{}
	for _, e := range store.escalations {
		fired[fmt.Sprintf("%s:%d", e.Clock.Kind, e.Level)]++
	}
	want := map[string]int{}
	for _, k := range []aftercare.ClockKind{aftercare.ClockOnSite, aftercare.ClockRestore} {
		for level := 1; level <= 4; level++ {
			want[fmt.Sprintf("%s:%d", k, level)] = 1
		}
	}
	assert.Equal(t, want, fired, "every level of the clocks still running fired exactly once across the runs")
	var versions []int64
	for _, ch := range store.changes {
		versions = append(versions, ch.Version)
	}
	for i := 1; i < len(versions); i++ {
		assert.Greater(t, versions[i], versions[i-1], "snapshot versions keep rising across runs")
	}
}
