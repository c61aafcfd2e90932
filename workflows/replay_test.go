package workflows_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"
)

// recordedHistory is a real server's history of one incident: clocks of a
// few seconds that fire their whole ladder, a wait on the customer, a
// priority change, an invalid action refused, and a cancellation.
const recordedHistory = "testdata/incident_history.json"

// TestReplayRecordedHistory replays the recorded history against today's
// workflow code: a change that breaks determinism for running incidents
// fails here. Re-record after a deliberate change with
// AFTERCARE_RECORD_HISTORY=1 (needs the Temporal test server).
func TestReplayRecordedHistory(t *testing.T) {
	if os.Getenv("AFTERCARE_RECORD_HISTORY") == "1" {
		recordHistory(t)
	}
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.IncidentWorkflow, workflow.RegisterOptions{Name: workflows.IncidentWorkflowName})
	require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, recordedHistory))
}

// fakeSLA is an SLAStore in memory: one platinum P1 incident in UTC whose
// clocks last seconds.
type fakeSLA struct {
	mu          sync.Mutex
	changes     []aftercare.IncidentChange
	escalations []aftercare.EscalationFired
	created     time.Time
}

func (f *fakeSLA) FindSLAFacts(_ context.Context, id string) (*aftercare.SLAFacts, error) {
	return &aftercare.SLAFacts{
		Incident: &aftercare.Incident{ID: id, AccountID: "00000000-0000-4000-8000-0000000000aa", Number: 7,
			Tier: aftercare.TierPlatinum, Priority: aftercare.P1, Status: aftercare.StatusNew, CreatedAt: f.created},
		TimeZone:  "Asia/Shanghai",
		Overrides: map[string]string{"P1.response": "3s", "P1.on_site": "20s", "P1.restore": "30s", "P2.on_site": "16s"},
	}, nil
}

func (f *fakeSLA) RecordIncidentChange(_ context.Context, c aftercare.IncidentChange) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changes = append(f.changes, c)
	return nil
}

func (f *fakeSLA) RecordEscalation(_ context.Context, e aftercare.EscalationFired, _ []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.escalations = append(f.escalations, e)
	return nil
}

type noIncidents struct{}

func (noIncidents) MarkWorkflowStarted(context.Context, string) error { return nil }

// recordHistory runs one incident on the real server and writes its
// history to recordedHistory.
func recordHistory(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	store := &fakeSLA{created: time.Now().UTC()}
	w := workflows.NewWorker(c, queue, &workflows.Activities{Incidents: noIncidents{}, SLA: store})
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx := context.Background()
	id := "0000cafe-0000-4000-8000-" + time.Now().UTC().Format("150405000000")
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: aftercare.IncidentWorkflowID(id), TaskQueue: queue,
	}, workflows.IncidentWorkflowName, workflows.IncidentInput{IncidentID: id})
	require.NoError(t, err)
	update := func(in workflows.TransitionInput) error {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: run.GetID(), UpdateName: workflows.UpdateTransition, Args: []any{in},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	}
	time.Sleep(4 * time.Second) // the response clock breaches
	require.NoError(t, update(workflows.TransitionInput{Action: aftercare.ActionAcknowledge, By: "rec"}))
	assert.Error(t, update(workflows.TransitionInput{Action: aftercare.ActionRepair, By: "rec"}))
	require.NoError(t, update(workflows.TransitionInput{Action: aftercare.ActionAwaitCustomer, Reason: string(aftercare.PauseSiteAccess), By: "rec"}))
	time.Sleep(2 * time.Second)
	require.NoError(t, update(workflows.TransitionInput{Action: aftercare.ActionCustomerResponded, By: "rec"}))
	require.NoError(t, update(workflows.TransitionInput{Action: aftercare.ActionChangePriority, Priority: aftercare.P2, By: "rec"}))
	time.Sleep(14 * time.Second) // on-site levels fire
	require.NoError(t, update(workflows.TransitionInput{Action: aftercare.ActionCancel, Reason: "recorded", By: "rec"}))
	require.NoError(t, run.Get(ctx, nil))

	var hist historypb.History
	it := c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, 0)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, e)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&hist)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(recordedHistory), 0o755))
	require.NoError(t, os.WriteFile(recordedHistory, b, 0o644))
	store.mu.Lock()
	defer store.mu.Unlock()
	t.Logf("recorded %d events: %d changes, %d escalations", len(hist.Events), len(store.changes), len(store.escalations))
	assert.NotEmpty(t, store.escalations)
}
