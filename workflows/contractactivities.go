package workflows

import (
	"context"

	"github.com/aftercare/aftercare"
)

// ContractStore is what the contract activities and the contract relay
// need of the database.
type ContractStore interface {
	// LoadContractFacts returns a contract with the claims counted against
	// it, the reminders sent and its successor.
	LoadContractFacts(ctx context.Context, id string) (*aftercare.ContractFacts, error)
	// RecordContractChange mirrors one change once per key, with one
	// webhook notification per URL for a reminder, and returns a renewal's
	// successor.
	RecordContractChange(ctx context.Context, change aftercare.ContractChange, webhooks []string) (string, error)
	// RefuseClaim records that a claim was refused: the incident's work is
	// not covered, for the reason given.
	RefuseClaim(ctx context.Context, claim aftercare.EntitlementClaim, reason string) error
}

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
