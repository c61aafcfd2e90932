package aftercare

import (
	"context"
	"time"
)

// ContractStatus is where a contract is in its life.
type ContractStatus string

// The contract statuses.
const (
	ContractDraft     ContractStatus = "draft"
	ContractActive    ContractStatus = "active"
	ContractExpiring  ContractStatus = "expiring"
	ContractRenewed   ContractStatus = "renewed"
	ContractExpired   ContractStatus = "expired"
	ContractCancelled ContractStatus = "cancelled"
)

// EntitlementKind is a service a contract entitles its assets to.
type EntitlementKind string

// The entitlements a contract can carry.
const (
	EntitlementOnSite                     EntitlementKind = "on_site"
	EntitlementAdvancePartsReplacement    EntitlementKind = "advance_parts_replacement"
	EntitlementAccidentalDamageProtection EntitlementKind = "accidental_damage_protection"
	EntitlementKeepYourDrive              EntitlementKind = "keep_your_drive"
	EntitlementSealedBattery              EntitlementKind = "sealed_battery"
	EntitlementDataRecovery               EntitlementKind = "data_recovery"
	EntitlementExtendedWarranty           EntitlementKind = "extended_warranty"
)

// Contract is a service contract: an account buys a tier of service for a
// set of assets over a term.
type Contract struct {
	ID               string
	Number           string
	AccountID        string
	Tier             Tier
	Status           ContractStatus
	StartsOn         time.Time
	EndsOn           time.Time
	AccountManagerID string
	Entitlements     []Entitlement
	// ActivatedAt is when the contract was signed (activated); a draft so
	// signed becomes active on its start date. Nil while unsigned.
	ActivatedAt *time.Time
	// RenewalOf is the contract this one renews, "" for a first contract.
	RenewalOf string
	// WorkflowID is the ID of the contract's workflow.
	WorkflowID string
}

// Covers reports whether the contract is in force on the calendar day of t:
// active, expiring, or renewed (a renewed contract runs to its end, its
// successor from the day after).
func (c *Contract) Covers(t time.Time) bool {
	switch c.Status {
	case ContractActive, ContractExpiring, ContractRenewed:
	default:
		return false
	}
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return !day.Before(c.StartsOn) && !day.After(c.EndsOn)
}

// Entitlement is one service a contract includes.
type Entitlement struct {
	Kind EntitlementKind
	// AnnualLimit is the number of claims allowed per contract year; 0 means
	// unlimited.
	AnnualLimit int
	// ExtendsTo is the extended warranty end, for EntitlementExtendedWarranty.
	ExtendsTo time.Time
}

// ContractFilter selects contracts.
type ContractFilter struct {
	AccountID string
	AssetID   string
	Status    ContractStatus
	Page      PageRequest
}

// ContractService creates and finds contracts.
type ContractService interface {
	// CreateContract writes a draft contract for an account in the caller's
	// scope, with the outbox message that starts its workflow.
	CreateContract(ctx context.Context, create ContractCreate) (*Contract, error)
	// FindContractByID returns the contract with the given ID, or ENOTFOUND.
	FindContractByID(ctx context.Context, id string) (*Contract, error)
	// FindContracts returns a page of contracts ordered by number.
	FindContracts(ctx context.Context, filter ContractFilter) ([]*Contract, PageInfo, error)
	// FindContractsByIDs is FindContractByID for many IDs in one query: the
	// contracts in the order of ids, nil where FindContractByID would
	// answer ENOTFOUND.
	FindContractsByIDs(ctx context.Context, ids []string) ([]*Contract, error)
	// FindContractsOfAccounts is FindContracts by account for many
	// accounts in one query: the same page of each account's contracts, in
	// the order of accountIDs.
	FindContractsOfAccounts(ctx context.Context, accountIDs []string, page PageRequest) ([]Page[*Contract], error)
	// FindContractsOfAssets is FindContracts by asset for many assets in
	// one query: the same page of the contracts covering each asset, in the
	// order of assetIDs.
	FindContractsOfAssets(ctx context.Context, assetIDs []string, page PageRequest) ([]Page[*Contract], error)
}

// ContractWorkflowID returns the ID of the one workflow that runs the
// contract with the given ID.
func ContractWorkflowID(contractID string) string {
	return "contract-" + contractID
}

// Outbox topics of contracts: messages that start a contract's workflow
// (key and payload the contract ID), and claims against limited
// entitlements bound for it (key the incident ID, payload an
// EntitlementClaim).
const (
	OutboxTopicContractWorkflow = "contract.workflow"
	OutboxTopicEntitlementClaim = "contract.claim"
)

// EntitlementClaim claims one use of a limited entitlement of a contract for
// an incident; the contract's workflow counts it once per incident.
type EntitlementClaim struct {
	ContractID string          `json:"contract_id"`
	IncidentID string          `json:"incident_id"`
	Kind       EntitlementKind `json:"kind"`
}

// ReminderDays are the days before a contract's end on which its account
// manager is reminded to renew it; the first also makes it expiring.
var ReminderDays = []int{90, 60, 30}

// MaxContractYears bounds a contract's term.
const MaxContractYears = 5

// ContractCreate asks for a draft contract.
type ContractCreate struct {
	AccountID string
	Tier      Tier
	StartsOn  time.Time
	EndsOn    time.Time
	// AccountManagerID is the user who manages the account; optional.
	AccountManagerID string
	// SerialNumbers are the covered assets, which must be the account's.
	SerialNumbers []string
	Entitlements  []Entitlement
}

// Validate returns EINVALID naming the first thing that is wrong.
func (c *ContractCreate) Validate() error {
	switch {
	case !c.Tier.Valid():
		return Errorf(EINVALID, "tier %q is not one of platinum, premium, standard", c.Tier)
	case c.StartsOn.IsZero() || c.EndsOn.IsZero():
		return Errorf(EINVALID, "a contract needs a start and an end date")
	case !c.EndsOn.After(c.StartsOn):
		return Errorf(EINVALID, "the contract must end after it starts")
	case c.EndsOn.After(c.StartsOn.AddDate(MaxContractYears, 0, 0)):
		return Errorf(EINVALID, "a contract runs at most %d years", MaxContractYears)
	case len(c.SerialNumbers) == 0:
		return Errorf(EINVALID, "a contract covers at least one asset")
	}
	seen := map[EntitlementKind]bool{}
	for _, e := range c.Entitlements {
		switch {
		case !e.Kind.Valid():
			return Errorf(EINVALID, "entitlement %q is not known", e.Kind)
		case seen[e.Kind]:
			return Errorf(EINVALID, "entitlement %s is listed twice", e.Kind)
		case e.AnnualLimit < 0 || e.AnnualLimit > 1000:
			return Errorf(EINVALID, "%s: annual limit must be 0 (unlimited) to 1000", e.Kind)
		case (e.Kind == EntitlementExtendedWarranty) != !e.ExtendsTo.IsZero():
			return Errorf(EINVALID, "an extended warranty, and only an extended warranty, has a date it extends to")
		}
		seen[e.Kind] = true
	}
	return nil
}

// Valid reports whether k is a known entitlement.
func (k EntitlementKind) Valid() bool {
	switch k {
	case EntitlementOnSite, EntitlementAdvancePartsReplacement, EntitlementAccidentalDamageProtection,
		EntitlementKeepYourDrive, EntitlementSealedBattery, EntitlementDataRecovery, EntitlementExtendedWarranty:
		return true
	}
	return false
}

// ContractRenewal asks to renew a contract.
type ContractRenewal struct {
	ContractID string
	// Years is the successor's term; 0 keeps the current term's length.
	// A draft already prepared as the renewal keeps its own term.
	Years int
}

// ContractUsage is a contract as its workflow holds it: status, the
// contract year and each entitlement's claims in it, the reminders sent
// and the successor of a renewal.
type ContractUsage struct {
	ContractID string
	Status     ContractStatus
	// Activated says the contract was signed.
	Activated bool
	// Year is the contract year, 0 for the first; YearStartsOn and
	// ResetsOn bound it.
	Year         int
	YearStartsOn time.Time
	ResetsOn     time.Time
	Entitlements []EntitlementUsage
	// RemindersSent are the reminder levels sent for the current term end,
	// in days before it.
	RemindersSent []int
	SuccessorID   string
}

// EntitlementUsage is one entitlement's claims in a contract year.
type EntitlementUsage struct {
	Kind EntitlementKind
	// AnnualLimit is 0 for unlimited.
	AnnualLimit int
	Used        int
}

// ContractLifecycleService moves contracts through their life by way of
// their workflows, for contracts the caller may see.
type ContractLifecycleService interface {
	// ActivateContract signs a draft: it becomes active now, or on its
	// start date.
	ActivateContract(ctx context.Context, id string) (*Contract, error)
	// RenewContract renews an active or expiring contract and returns the
	// successor, which becomes active when this one ends.
	RenewContract(ctx context.Context, renewal ContractRenewal) (*Contract, error)
	// CancelContract ends a contract now.
	CancelContract(ctx context.Context, id, reason string) (*Contract, error)
	// ContractUsage returns the contract's live state from its workflow.
	ContractUsage(ctx context.Context, id string) (*ContractUsage, error)
}

// ContractChange is one change a contract's workflow records: a status
// change, a signature, a renewal reminder, a renewal, or a claim counted.
// Key makes recording idempotent.
type ContractChange struct {
	ContractID string
	Key        string
	// Kind is activated, activation_scheduled, expiring, reminder, renewed,
	// expired, cancelled or claim.
	Kind       string
	FromStatus ContractStatus
	ToStatus   ContractStatus
	Reason     string
	// ActorID is the user who caused the change, "" for the system.
	ActorID string
	At      time.Time
	// Activated marks the contract signed.
	Activated bool
	Reminder  *ContractReminder
	Claim     *ClaimCounted
	// Renewal asks for the successor: the draft prepared as the renewal,
	// signed, or a new one.
	Renewal *ContractRenewal
	// Audit, for a change a user asked for, is its audit event, written in
	// the same transaction; nil for the system's own.
	Audit *ChangeAudit
}

// ContractReminder is a renewal reminder to the account manager.
type ContractReminder struct {
	DaysBefore int
	DueOn      time.Time
	EndsOn     time.Time
}

// ClaimCounted is a claim the contract's workflow counted in a contract
// year.
type ClaimCounted struct {
	EntitlementClaim
	Year int
	At   time.Time
}

// ContractFacts is what a contract's workflow loads when it starts: the
// contract and the claims already counted against it.
type ContractFacts struct {
	Contract *Contract
	Claims   []ClaimCounted
	// RemindersSent are the reminder levels already sent for the
	// contract's current end date.
	RemindersSent []int
	// SuccessorID is the contract that renews this one, "" for none.
	SuccessorID string
}
