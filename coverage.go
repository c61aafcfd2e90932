package aftercare

import (
	"slices"
	"time"
)

// Coverage is what an incident's asset is entitled to at the moment the
// incident is filed: the warranty (base dates, extended by an extended
// warranty entitlement), the covering contract and its tier, the
// entitlements in force and under their annual limits, and whether the work
// the incident describes is covered free of charge. Work that is not covered
// needs a quote the customer approves before it goes ahead.
type Coverage struct {
	// InWarranty reports whether the asset's warranty, with any extension,
	// runs on the day of filing.
	InWarranty bool
	// WarrantyEndsOn is the warranty end: the base date, or the extended
	// warranty's date when a contract extends it.
	WarrantyEndsOn time.Time
	// ContractID and ContractNumber name the contract in force, if any.
	ContractID     string
	ContractNumber string
	// Tier is the service level: the contract's, or standard without one.
	Tier Tier
	// Entitlements are the contract's entitlements that may still be
	// claimed: in force and under their annual limits.
	Entitlements []EntitlementKind
	// Covered reports whether the work is covered free of charge.
	Covered bool
	// Reason says in one sentence why the work is or is not covered, for
	// the customer, the dispatcher and the audit trail.
	Reason string
	// Claim is the limited entitlement the covered work draws on (one with
	// an annual limit), "" when it draws on none; ClaimStatus says whether
	// the contract's workflow has counted it.
	Claim       EntitlementKind
	ClaimStatus ClaimStatus
}

// Has reports whether the coverage includes the entitlement k.
func (c *Coverage) Has(k EntitlementKind) bool {
	return c != nil && slices.Contains(c.Entitlements, k)
}

// NeedsQuote reports whether the work must be quoted and approved by the
// customer before it goes ahead.
func (c *Coverage) NeedsQuote() bool {
	return c != nil && !c.Covered
}
