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
}

// Covers reports whether the contract is in force on the calendar day of t.
func (c *Contract) Covers(t time.Time) bool {
	if c.Status != ContractActive && c.Status != ContractExpiring {
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

// ContractService finds contracts.
type ContractService interface {
	// FindContractByID returns the contract with the given ID, or ENOTFOUND.
	FindContractByID(ctx context.Context, id string) (*Contract, error)
	// FindContracts returns a page of contracts ordered by number.
	FindContracts(ctx context.Context, filter ContractFilter) ([]*Contract, PageInfo, error)
}
