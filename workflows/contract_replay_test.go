package workflows_test

import (
	"context"
	"os"
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

// recordedContractHistory is a real server's history of one contract: a
// draft activated 50 days before its end (active, then expiring with the
// 60-day reminder), claims counted, one refused, a renewal, a cancellation.
const recordedContractHistory = "testdata/contract_history.json"

// TestReplayRecordedContractHistory replays the recorded history against
// today's contract workflow: a change that breaks determinism for running
// contracts fails here. Re-record after a deliberate change with
// AFTERCARE_RECORD_HISTORY=1 (needs the Temporal test server).
func TestReplayRecordedContractHistory(t *testing.T) {
	if os.Getenv("AFTERCARE_RECORD_HISTORY") == "1" {
		recordContractHistory(t)
	}
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.ContractWorkflow, workflow.RegisterOptions{Name: workflows.ContractWorkflowName})
	require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, recordedContractHistory))
}

// recordContractHistory runs one contract on the real server and writes
// its history to recordedContractHistory.
func recordContractHistory(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	id := "0000feed-0000-4000-8000-" + time.Now().UTC().Format("150405000000")
	adp := aftercare.EntitlementAccidentalDamageProtection
	store := &fakeContracts{refused: map[string]string{}, contract: aftercare.Contract{ID: id, Number: "CT-REC-1",
		Tier: aftercare.TierPremium, Status: aftercare.ContractDraft, StartsOn: today.AddDate(0, 0, -300),
		EndsOn: today.AddDate(0, 0, 50), Entitlements: []aftercare.Entitlement{{Kind: adp, AnnualLimit: 2}}}}
	w := workflows.NewWorker(c, queue, &workflows.Activities{Contracts: store})
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx := context.Background()
	require.NoError(t, workflows.StartContractWorkflow(ctx, c, queue, id))
	act := func(action string, in workflows.ContractActionInput) error {
		in.By = "rec"
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: aftercare.ContractWorkflowID(id),
			UpdateName: action, Args: []any{in}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	}
	require.NoError(t, act(workflows.ActionActivateContract, workflows.ContractActionInput{}))
	for _, inc := range []string{"inc-1", "inc-2", "inc-1"} {
		_, err := workflows.ClaimEntitlement(ctx, c, queue, aftercare.EntitlementClaim{ContractID: id, IncidentID: inc, Kind: adp})
		require.NoError(t, err)
	}
	_, err := workflows.ClaimEntitlement(ctx, c, queue, aftercare.EntitlementClaim{ContractID: id, IncidentID: "inc-3", Kind: adp})
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
	require.NoError(t, act(workflows.ActionRenewContract, workflows.ContractActionInput{Years: 1}))
	require.NoError(t, act(workflows.ActionCancelContract, workflows.ContractActionInput{Reason: "recorded"}))
	run := c.GetWorkflow(ctx, aftercare.ContractWorkflowID(id), "")
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
	require.NoError(t, os.WriteFile(recordedContractHistory, b, 0o644))
	store.mu.Lock()
	defer store.mu.Unlock()
	var kinds []string
	for _, ch := range store.changes {
		kinds = append(kinds, ch.Kind)
	}
	assert.Equal(t, []string{"activated", "expiring", "claim", "claim", "renewed", "cancelled"}, kinds)
	t.Logf("recorded %d events", len(hist.Events))
}
