package workflows

import (
	"context"
	"errors"

	"github.com/aftercare/aftercare"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Contracts implements aftercare.ContractLifecycleService by sending each
// action to the contract's workflow as an update (starting the workflow
// with it if it does not run yet) and waiting for it to complete, so that
// the database shows the change when the call returns.
type Contracts struct {
	Client    client.Client
	TaskQueue string
	// Store finds contracts in the caller's scope.
	Store aftercare.ContractService
}

var _ aftercare.ContractLifecycleService = (*Contracts)(nil)

// ActivateContract signs a draft the caller may see.
func (c *Contracts) ActivateContract(ctx context.Context, id string) (*aftercare.Contract, error) {
	_, err := c.act(ctx, id, ActionActivateContract, ContractActionInput{})
	if err != nil {
		return nil, err
	}
	return c.Store.FindContractByID(ctx, id)
}

// RenewContract renews a contract the caller may see and returns the
// successor.
func (c *Contracts) RenewContract(ctx context.Context, r aftercare.ContractRenewal) (*aftercare.Contract, error) {
	res, err := c.act(ctx, r.ContractID, ActionRenewContract, ContractActionInput{Years: r.Years})
	if err != nil {
		return nil, err
	}
	return c.Store.FindContractByID(ctx, res.SuccessorID)
}

// CancelContract cancels a contract the caller may see.
func (c *Contracts) CancelContract(ctx context.Context, id, reason string) (*aftercare.Contract, error) {
	if _, err := c.act(ctx, id, ActionCancelContract, ContractActionInput{Reason: reason}); err != nil {
		return nil, err
	}
	return c.Store.FindContractByID(ctx, id)
}

// ContractUsage asks the workflow of a contract the caller may see how it
// stands.
func (c *Contracts) ContractUsage(ctx context.Context, id string) (*aftercare.ContractUsage, error) {
	k, err := c.Store.FindContractByID(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := c.Client.QueryWorkflow(ctx, k.WorkflowID, "", QueryContract)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "contract %s has no workflow yet; it starts within seconds of the contract", k.Number)
	}
	if err != nil {
		return nil, err
	}
	var u aftercare.ContractUsage
	if err := v.Get(&u); err != nil {
		return nil, err
	}
	return &u, nil
}

// act sends one action on a contract in the caller's scope, as the caller.
func (c *Contracts) act(ctx context.Context, id, action string, in ContractActionInput) (ContractResult, error) {
	k, err := c.Store.FindContractByID(ctx, id)
	if err != nil {
		return ContractResult{}, err
	}
	in.RequestID = aftercare.RequestIDFromContext(ctx)
	if u := aftercare.UserFromContext(ctx); u != nil {
		in.By, in.ByRole = u.ID, u.Role
	}
	var res ContractResult
	err = updateContract(ctx, c.Client, c.TaskQueue, k, action, in, &res)
	return res, err
}
