package workflows

import (
	"context"
	"errors"
	"fmt"

	"github.com/aftercare/aftercare"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// contractStart returns the options that start the workflow of contract k
// unless one with its ID has ever run, with the search attributes of what
// the starter knows of k (its ID at least).
func contractStart(taskQueue string, k *aftercare.Contract) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       aftercare.ContractWorkflowID(k.ID),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    startSearchAttributes(0, contractKeywords(k)),
	}
}

// StartContractWorkflow starts the workflow of contract k unless one with
// its ID has ever run; starting it twice is not an error. The starter
// passes what it knows of k, its ID at least; the workflow sets the
// search attributes it was not started with once it has loaded k.
func StartContractWorkflow(ctx context.Context, c client.Client, taskQueue string, k *aftercare.Contract) error {
	_, err := c.ExecuteWorkflow(ctx, contractStart(taskQueue, k), ContractWorkflowName,
		ContractInput{ContractID: k.ID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// ClaimEntitlement sends a claim to the contract's workflow, starting it if
// it does not run yet, and returns how the entitlement stands after it. A
// claim the workflow refuses (past the annual limit, an entitlement the
// contract lacks, a contract not in force) is ECONFLICT with the reason.
func ClaimEntitlement(ctx context.Context, c client.Client, taskQueue string, claim aftercare.EntitlementClaim) (ClaimResult, error) {
	var res ClaimResult
	err := updateContract(ctx, c, taskQueue, &aftercare.Contract{ID: claim.ContractID}, UpdateClaimEntitlement, claim, &res)
	return res, err
}

// updateContract sends an update to the workflow of contract k (what the
// caller knows of it, its ID at least), starting the workflow with it when
// it does not run yet, waits for the result, and maps what the workflow
// answered to a domain error.
func updateContract(ctx context.Context, c client.Client, taskQueue string, k *aftercare.Contract, name string, arg, out any) error {
	start := c.NewWithStartWorkflowOperation(contractStart(taskQueue, k), ContractWorkflowName,
		ContractInput{ContractID: k.ID})
	handle, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID: aftercare.ContractWorkflowID(k.ID), UpdateName: name, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err == nil {
		err = handle.Get(ctx, out)
	}
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch code := app.Type(); code {
		case aftercare.EINVALID, aftercare.ECONFLICT, aftercare.ENOTFOUND:
			return aftercare.Errorf(code, "%s", app.Message())
		}
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return aftercare.Errorf(aftercare.ECONFLICT, "the contract's workflow has ended: the contract is no longer in force")
	}
	return fmt.Errorf("update contract workflow %s (%s): %w", k.ID, name, err)
}
