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
)

// unstartedIncidents is an IncidentService that knows one incident whose
// workflow the intake relay has not started yet.
type unstartedIncidents struct {
	aftercare.IncidentService
	inc aftercare.Incident
}

func (s *unstartedIncidents) FindIncidentByID(_ context.Context, id string) (*aftercare.Incident, error) {
	if id != s.inc.ID {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", id)
	}
	inc := s.inc
	return &inc, nil
}

// TestAnActionStartsAWorkflowTheRelayHasNotReached acknowledges an
// incident whose workflow was never started, on the real Temporal server:
// the lifecycle starts it and the acknowledgement is applied, once. Without
// a task queue to start it on, the action is refused as a conflict.
func TestAnActionStartsAWorkflowTheRelayHasNotReached(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	store := &fakeSLA{created: time.Now().UTC()}
	w := workflows.NewWorker(c, queue, &workflows.Activities{Incidents: noIncidents{}, SLA: store, Dispatch: fakeDispatch{skip: true}})
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx := context.Background()
	id := fmt.Sprintf("0000a5a1-0000-4000-8000-%012d", time.Now().UnixNano()%1e12)
	incidents := &unstartedIncidents{inc: aftercare.Incident{ID: id, Number: 7, WorkflowID: aftercare.IncidentWorkflowID(id),
		Status: aftercare.StatusNew}}
	ack := aftercare.LifecycleRequest{IncidentID: id, Action: aftercare.ActionAcknowledge}

	without := &workflows.Lifecycle{Client: c, Incidents: incidents}
	_, err := without.Transition(ctx, ack)
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "%v", err)

	lifecycle := &workflows.Lifecycle{Client: c, Incidents: incidents, TaskQueue: queue}
	_, err = lifecycle.Transition(ctx, ack)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"clocks_started:new", "acknowledge:triaged"}, store.path(), "in either order: the start is recorded while the update may already run")
	_, err = c.DescribeWorkflow(ctx, aftercare.IncidentWorkflowID(id), "")
	require.NoError(t, err)
	require.NoError(t, c.TerminateWorkflow(ctx, aftercare.IncidentWorkflowID(id), "", "test done"))
}
