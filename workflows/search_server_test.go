package workflows_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

// findWorkflows returns the workflow IDs a visibility query lists, each
// with its search attributes decoded.
func findWorkflows(t *testing.T, c client.Client, query string) map[string]map[string]any {
	t.Helper()
	resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
	require.NoError(t, err, query)
	found := map[string]map[string]any{}
	for _, e := range resp.GetExecutions() {
		attrs := map[string]any{}
		for name, p := range e.GetSearchAttributes().GetIndexedFields() {
			var v any
			require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &v))
			attrs[name] = v
		}
		found[e.GetExecution().GetWorkflowId()] = attrs
	}
	return found
}

// eventuallyFound waits until the query lists the workflow (or, with
// found false, no longer lists it): visibility follows the workflow a
// moment later.
func eventuallyFound(t *testing.T, c client.Client, query, workflowID string, found bool) map[string]any {
	t.Helper()
	var attrs map[string]any
	require.Eventually(t, func() bool {
		a, ok := findWorkflows(t, c, query)[workflowID]
		attrs = a
		return ok == found
	}, 20*time.Second, 100*time.Millisecond, "%s lists %s: %v", query, workflowID, found)
	return attrs
}

// TestIncidentWorkflowsAreFoundBySearchAttributes files an incident's
// workflow on the real Temporal server as the intake relay does, with what
// it knows of the incident, and finds it the way an operator looks for the
// open P1 incidents of one account: by account, priority and status, after
// a transition, after a priority change, and no more once it is closed.
func TestIncidentWorkflowsAreFoundBySearchAttributes(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	now := time.Now()
	account := fmt.Sprintf("0000acc0-0000-4000-8000-%012d", now.UnixNano()%1e12)
	id := fmt.Sprintf("00005ea1-0000-4000-8000-%012d", now.UnixNano()%1e12)
	wfID := aftercare.IncidentWorkflowID(id)
	store := &fakeSLA{created: now.UTC(), policyTargets: true, account: account}
	w := workflows.NewWorker(c, queue, &workflows.Activities{Incidents: noIncidents{}, SLA: store, Dispatch: fakeDispatch{skip: true}})
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx := context.Background()

	require.NoError(t, workflows.StartIncidentWorkflow(ctx, c, queue, &aftercare.Incident{ID: id, Number: 7,
		AccountID: account, Tier: aftercare.TierPlatinum, Priority: aftercare.P1, Status: aftercare.StatusNew}, ""))
	transition := func(in workflows.TransitionInput) {
		t.Helper()
		in.By = "test"
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wfID, UpdateName: workflows.UpdateTransition,
			Args: []any{in}, WaitForStage: client.WorkflowUpdateStageCompleted})
		require.NoError(t, err)
		require.NoError(t, h.Get(ctx, nil))
	}
	openP1 := fmt.Sprintf("AftercareAccount = '%s' AND AftercarePriority = 'P1' AND AftercareStatus != 'closed'", account)

	attrs := eventuallyFound(t, c, openP1+" AND AftercareStatus = 'new'", wfID, true)
	assert.Equal(t, "platinum", attrs["AftercareTier"])

	transition(workflows.TransitionInput{Action: aftercare.ActionAcknowledge})
	attrs = eventuallyFound(t, c, openP1+" AND AftercareStatus = 'triaged'", wfID, true)
	assert.Equal(t, map[string]any{"AftercareIncidentNumber": float64(7), "AftercareAccount": account,
		"AftercareTier": "platinum", "AftercarePriority": "P1", "AftercareStatus": "triaged", "AftercareRegion": "east"},
		withoutSystemAttributes(attrs), "the workflow's search attributes")
	assert.Contains(t, findWorkflows(t, c, fmt.Sprintf("AftercareIncidentNumber = 7 AND AftercareAccount = '%s'", account)), wfID,
		"found by its number")

	transition(workflows.TransitionInput{Action: aftercare.ActionChangePriority, Priority: aftercare.P2, Reason: "workaround in place"})
	eventuallyFound(t, c, openP1, wfID, false)
	eventuallyFound(t, c, fmt.Sprintf("AftercareAccount = '%s' AND AftercarePriority = 'P2'", account), wfID, true)

	transition(workflows.TransitionInput{Action: aftercare.ActionCancel, Reason: "filed twice"})
	attrs = eventuallyFound(t, c, fmt.Sprintf("AftercareAccount = '%s' AND ExecutionStatus = 'Completed'", account), wfID, true)
	assert.Equal(t, "cancelled", attrs["AftercareStatus"])
	assert.Empty(t, findWorkflows(t, c, fmt.Sprintf("AftercareAccount = '%s' AND ExecutionStatus = 'Running'", account)),
		"no open incident of the account is left")
}

// TestContractWorkflowsAreFoundBySearchAttributes starts a contract's
// workflow on the real Temporal server with what the starter knows of the
// contract, activates it, and finds it by number, account and state.
func TestContractWorkflowsAreFoundBySearchAttributes(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	id := fmt.Sprintf("0000c5ea-0000-4000-8000-%012d", time.Now().UnixNano()%1e12)
	k := aftercare.Contract{ID: id, Number: "CT-" + id[24:], AccountID: "0000acc0-0000-4000-8000-" + id[24:],
		Tier: aftercare.TierPremium, Status: aftercare.ContractDraft, StartsOn: today.AddDate(0, 0, -10),
		EndsOn: today.AddDate(1, 0, 0)}
	store := &fakeContracts{refused: map[string]string{}, contract: k}
	w := workflows.NewWorker(c, queue, &workflows.Activities{Contracts: store})
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx := context.Background()

	require.NoError(t, workflows.StartContractWorkflow(ctx, c, queue, &k))
	byNumber := fmt.Sprintf("AftercareContractNumber = '%s'", k.Number)
	attrs := eventuallyFound(t, c, byNumber+" AND AftercareContractState = 'draft'", aftercare.ContractWorkflowID(id), true)
	assert.Equal(t, k.AccountID, attrs["AftercareAccount"])

	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: aftercare.ContractWorkflowID(id),
		UpdateName: workflows.ActionActivateContract, Args: []any{workflows.ContractActionInput{By: "test"}},
		WaitForStage: client.WorkflowUpdateStageCompleted})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))
	eventuallyFound(t, c, fmt.Sprintf("%s AND AftercareAccount = '%s' AND AftercareContractState = 'active'", byNumber, k.AccountID),
		aftercare.ContractWorkflowID(id), true)
	require.NoError(t, c.TerminateWorkflow(ctx, aftercare.ContractWorkflowID(id), "", "test done"))
}

// TestSearchAttributesCheck checks a namespace without Aftercare's search
// attributes on the real Temporal server: the check names every one and
// how to register it, and passes once they are registered.
func TestSearchAttributesCheck(t *testing.T) {
	c := workflowstest.MustDial(t)
	ctx := context.Background()
	ns := "aftercare-bare-" + workflowstest.TaskQueue(t)
	_, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
	require.NoError(t, err)

	err = workflows.CheckSearchAttributes(ctx, c, ns)
	require.Error(t, err)
	for _, k := range workflows.SearchAttributes {
		assert.Contains(t, err.Error(), k.GetName()+" ("+workflows.SearchAttributeType(k)+")")
	}
	assert.Contains(t, err.Error(), "`temporal operator search-attribute create --namespace "+ns+" --type Int --name AftercareIncidentNumber`")
	assert.Contains(t, err.Error(), "`temporal operator search-attribute create --namespace "+ns+" --type Keyword --name AftercareAccount --name AftercareTier")

	require.NoError(t, workflows.RegisterSearchAttributes(ctx, c, ns))
	require.Eventually(t, func() bool { return workflows.CheckSearchAttributes(ctx, c, ns) == nil }, 10*time.Second, 100*time.Millisecond)
	require.NoError(t, workflows.RegisterSearchAttributes(ctx, c, ns), "registering again is harmless")
}

// withoutSystemAttributes returns a workflow's search attributes of
// Aftercare's own.
func withoutSystemAttributes(attrs map[string]any) map[string]any {
	own := map[string]any{}
	for name, v := range attrs {
		if slices.ContainsFunc(workflows.SearchAttributes, func(k temporal.SearchAttributeKey) bool { return k.GetName() == name }) {
			own[name] = v
		}
	}
	return own
}
