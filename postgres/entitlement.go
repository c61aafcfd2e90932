package postgres

import (
	"time"

	"github.com/aftercare/aftercare"
)

// storedCoverage is an aftercare.Coverage as incidents.coverage holds it in
// JSON; the empty object is an incident filed before coverage was recorded.
type storedCoverage struct {
	InWarranty     bool                        `json:"in_warranty"`
	WarrantyEndsOn string                      `json:"warranty_ends_on,omitempty"`
	ContractID     string                      `json:"contract_id,omitempty"`
	ContractNumber string                      `json:"contract_number,omitempty"`
	Tier           aftercare.Tier              `json:"tier,omitempty"`
	Entitlements   []aftercare.EntitlementKind `json:"entitlements,omitempty"`
	Covered        bool                        `json:"covered"`
	Reason         string                      `json:"reason,omitempty"`
	Claim          aftercare.EntitlementKind   `json:"claim,omitempty"`
	ClaimStatus    aftercare.ClaimStatus       `json:"claim_status,omitempty"`
}

// storeCoverage returns c in its stored form.
func storeCoverage(c *aftercare.Coverage) storedCoverage {
	s := storedCoverage{
		InWarranty: c.InWarranty, ContractID: c.ContractID, ContractNumber: c.ContractNumber, Tier: c.Tier,
		Entitlements: c.Entitlements, Covered: c.Covered, Reason: c.Reason, Claim: c.Claim, ClaimStatus: c.ClaimStatus,
	}
	if !c.WarrantyEndsOn.IsZero() {
		s.WarrantyEndsOn = c.WarrantyEndsOn.Format(time.DateOnly)
	}
	return s
}

// coverage returns the stored coverage, or nil for the empty object.
func (s storedCoverage) coverage() *aftercare.Coverage {
	if s.Tier == "" {
		return nil
	}
	c := &aftercare.Coverage{
		InWarranty: s.InWarranty, ContractID: s.ContractID, ContractNumber: s.ContractNumber, Tier: s.Tier,
		Entitlements: s.Entitlements, Covered: s.Covered, Reason: s.Reason, Claim: s.Claim, ClaimStatus: s.ClaimStatus,
	}
	if t, err := time.Parse(time.DateOnly, s.WarrantyEndsOn); err == nil {
		c.WarrantyEndsOn = t
	}
	return c
}
