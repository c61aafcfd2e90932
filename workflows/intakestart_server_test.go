package workflows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// TestAnIncidentStartsInOneWorkflowTask starts an incident's workflow on
// the real Temporal server as the intake relay does, with everything the
// filing knew (its site's region too), for a contract with advance parts
// replacement, which dispatches the moment the clocks start. The start
// takes the server one workflow task: the clocks, the records and the
// dispatch run in it as local activities, with no activity task and no
// second workflow task, and no search attribute the starter gave is set
// again.
func TestAnIncidentStartsInOneWorkflowTask(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	now := time.Now()
	account := fmt.Sprintf("0000acc0-0000-4000-8000-%012d", now.UnixNano()%1e12)
	id := fmt.Sprintf("0000a57a-0000-4000-8000-%012d", now.UnixNano()%1e12)
	store := &fakeSLA{created: now.UTC(), policyTargets: true, account: account, advanceParts: true}
	w := workflows.NewWorker(c, queue, &workflows.Activities{Incidents: noIncidents{}, SLA: store, Dispatch: fakeDispatch{}})
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx := context.Background()

	require.NoError(t, workflows.StartIncidentWorkflow(ctx, c, queue, &aftercare.Incident{ID: id, Number: 7,
		AccountID: account, Tier: aftercare.TierPlatinum, Priority: aftercare.P1, Status: aftercare.StatusNew}, "east"))
	wfID := aftercare.IncidentWorkflowID(id)
	defer c.TerminateWorkflow(ctx, wfID, "", "test done")

	var events []*historypb.HistoryEvent
	require.Eventually(t, func() bool {
		events = nil
		it := c.GetWorkflowHistory(ctx, wfID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			require.NoError(t, err)
			events = append(events, e)
		}
		return slices.ContainsFunc(events, func(e *historypb.HistoryEvent) bool {
			return e.GetEventType() == enums.EVENT_TYPE_TIMER_STARTED
		})
	}, 20*time.Second, 50*time.Millisecond, "the workflow sleeps on its first timer")

	tasks := 0
	for _, e := range events {
		if e.GetEventType() == enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			tasks++
		}
	}
	assert.Equal(t, 1, tasks, "workflow tasks until the first timer")
	facts := historyFacts(t, &historypb.History{Events: events})
	for _, name := range []string{workflows.MarkWorkflowStartedActivityName, workflows.LoadSLAInputsActivityName,
		workflows.RecordIncidentChangeActivityName, workflows.DispatchIncidentActivityName} {
		assert.Contains(t, facts, "local activity:"+name)
	}
	for _, f := range facts {
		assert.False(t, strings.HasPrefix(f, "queued activity:"), "the start runs %s", f)
		assert.False(t, strings.HasPrefix(f, "search attribute:"), "the start gave the search attributes, yet the workflow sets %s", f)
	}
}
