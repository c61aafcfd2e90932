package workflows

import (
	"context"

	"github.com/aftercare/aftercare"
)

// LoadContractInput names the contract a workflow runs.
type LoadContractInput struct {
	ContractID string
}

// LoadContract loads what a contract's workflow starts from.
func (a *Activities) LoadContract(ctx context.Context, in LoadContractInput) (aftercare.ContractFacts, error) {
	f, err := a.Contracts.LoadContractFacts(ctx, in.ContractID)
	if err != nil {
		return aftercare.ContractFacts{}, activityError(err)
	}
	return *f, nil
}

// RecordContractChange mirrors one change of a contract's workflow; it is
// idempotent by the change's key, and returns a renewal's successor.
func (a *Activities) RecordContractChange(ctx context.Context, c aftercare.ContractChange) (string, error) {
	id, err := a.Contracts.RecordContractChange(ctx, c, a.Webhooks)
	return id, activityError(err)
}
