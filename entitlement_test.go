package aftercare_test

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestDecideCoverage has one case per coverage rule, and the cases at
// each rule's edge.
func TestDecideCoverage(t *testing.T) {
	contract := func(tier aftercare.Tier, ents ...aftercare.Entitlement) *aftercare.Contract {
		return &aftercare.Contract{ID: "c1", Number: "CT-2026-0001", Tier: tier, Status: aftercare.ContractActive,
			StartsOn: day("2026-03-01"), EndsOn: day("2029-02-28"), Entitlements: ents}
	}
	adp := aftercare.Entitlement{Kind: aftercare.EntitlementAccidentalDamageProtection, AnnualLimit: 2}
	kyd := aftercare.Entitlement{Kind: aftercare.EntitlementKeepYourDrive}
	battery := aftercare.Entitlement{Kind: aftercare.EntitlementSealedBattery}
	limitedBattery := aftercare.Entitlement{Kind: aftercare.EntitlementSealedBattery, AnnualLimit: 1}
	recovery := aftercare.Entitlement{Kind: aftercare.EntitlementDataRecovery, AnnualLimit: 4}
	extended := aftercare.Entitlement{Kind: aftercare.EntitlementExtendedWarranty, ExtendsTo: day("2027-06-30")}
	base := day("2026-06-30") // base warranty end
	inWarranty, afterBase, afterExtended := day("2026-05-10"), day("2026-11-20"), day("2027-08-01")

	tests := []struct {
		name  string
		facts aftercare.CoverageFacts
		want  aftercare.Coverage
	}{
		{"hardware failure in base warranty, no contract",
			aftercare.CoverageFacts{Today: inWarranty, Category: aftercare.CategoryHardwareFailure, BaseWarrantyEndsOn: base},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: base, Tier: aftercare.TierStandard, Covered: true,
				Reason: "hardware failure under base warranty until 2026-06-30"}},
		{"hardware failure on the last day of the base warranty",
			aftercare.CoverageFacts{Today: base, Category: aftercare.CategoryHardwareFailure, BaseWarrantyEndsOn: base},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: base, Tier: aftercare.TierStandard, Covered: true,
				Reason: "hardware failure under base warranty until 2026-06-30"}},
		{"hardware failure out of warranty without a contract needs a quote",
			aftercare.CoverageFacts{Today: afterBase, Category: aftercare.CategoryHardwareFailure, BaseWarrantyEndsOn: base},
			aftercare.Coverage{WarrantyEndsOn: base, Tier: aftercare.TierStandard,
				Reason: "hardware failure out of warranty (ended 2026-06-30) and no contract in force: the work needs a quote"}},
		{"extended warranty on the contract extends the base date",
			aftercare.CoverageFacts{Today: afterBase, Category: aftercare.CategoryHardwareFailure, BaseWarrantyEndsOn: base,
				Contract: contract(aftercare.TierStandard, extended)},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: day("2027-06-30"), ContractID: "c1", ContractNumber: "CT-2026-0001",
				Tier: aftercare.TierStandard, Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementExtendedWarranty},
				Covered: true, Reason: "hardware failure under extended warranty until 2027-06-30"}},
		{"extended warranty of a past contract still extends the base date",
			aftercare.CoverageFacts{Today: afterBase, Category: aftercare.CategoryHardwareFailure, BaseWarrantyEndsOn: base,
				ExtendedWarrantyTo: day("2027-06-30")},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: day("2027-06-30"), Tier: aftercare.TierStandard,
				Covered: true, Reason: "hardware failure under extended warranty until 2027-06-30"}},
		{"after the extended warranty, without a contract: a quote",
			aftercare.CoverageFacts{Today: afterExtended, Category: aftercare.CategoryHardwareFailure, BaseWarrantyEndsOn: base,
				ExtendedWarrantyTo: day("2027-06-30")},
			aftercare.Coverage{WarrantyEndsOn: day("2027-06-30"), Tier: aftercare.TierStandard,
				Reason: "hardware failure out of warranty (ended 2027-06-30) and no contract in force: the work needs a quote"}},
		{"hardware failure out of warranty under a contract in force",
			aftercare.CoverageFacts{Today: afterBase, Category: aftercare.CategoryHardwareFailure, BaseWarrantyEndsOn: base,
				Contract: contract(aftercare.TierPremium, kyd)},
			aftercare.Coverage{WarrantyEndsOn: base, ContractID: "c1", ContractNumber: "CT-2026-0001", Tier: aftercare.TierPremium,
				Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementKeepYourDrive}, Covered: true,
				Reason: "hardware failure under premium contract CT-2026-0001 until 2029-02-28"}},
		{"accidental damage protection covers a drop, claimed against its limit",
			aftercare.CoverageFacts{Today: afterBase, Category: aftercare.CategoryPhysicalDamage, BaseWarrantyEndsOn: base,
				Contract: contract(aftercare.TierPlatinum, adp), Used: map[aftercare.EntitlementKind]int{adp.Kind: 1}},
			aftercare.Coverage{WarrantyEndsOn: base, ContractID: "c1", ContractNumber: "CT-2026-0001", Tier: aftercare.TierPlatinum,
				Entitlements: []aftercare.EntitlementKind{adp.Kind}, Covered: true,
				Reason: "accidental damage protection covers physical damage (drops and spills) under contract CT-2026-0001",
				Claim:  adp.Kind, ClaimStatus: aftercare.ClaimPending}},
		{"accidental damage protection used up this contract year: a quote",
			aftercare.CoverageFacts{Today: afterBase, Category: aftercare.CategoryPhysicalDamage, BaseWarrantyEndsOn: base,
				Contract: contract(aftercare.TierPlatinum, adp), Used: map[aftercare.EntitlementKind]int{adp.Kind: 2}},
			aftercare.Coverage{WarrantyEndsOn: base, ContractID: "c1", ContractNumber: "CT-2026-0001", Tier: aftercare.TierPlatinum,
				Reason: "accidental damage protection: 2 of 2 claims used this contract year (resets 2027-03-01)"}},
		{"physical damage in warranty without accidental damage protection: a quote",
			aftercare.CoverageFacts{Today: inWarranty, Category: aftercare.CategoryPhysicalDamage, BaseWarrantyEndsOn: base,
				Contract: contract(aftercare.TierPremium, kyd)},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: base, ContractID: "c1", ContractNumber: "CT-2026-0001",
				Tier: aftercare.TierPremium, Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementKeepYourDrive},
				Reason: "physical damage (drops and spills) is covered only by accidental damage protection, which the asset does not have: the work needs a quote"}},
		{"sealed battery covers the battery out of warranty",
			aftercare.CoverageFacts{Today: afterBase, Category: aftercare.CategoryHardwareFailure, Battery: true,
				BaseWarrantyEndsOn: base, Contract: contract(aftercare.TierStandard, battery)},
			aftercare.Coverage{WarrantyEndsOn: base, ContractID: "c1", ContractNumber: "CT-2026-0001", Tier: aftercare.TierStandard,
				Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementSealedBattery}, Covered: true,
				Reason: "sealed battery protection covers the battery under contract CT-2026-0001"}},
		{"a battery in base warranty is covered without sealed battery",
			aftercare.CoverageFacts{Today: inWarranty, Category: aftercare.CategoryHardwareFailure, Battery: true, BaseWarrantyEndsOn: base},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: base, Tier: aftercare.TierStandard, Covered: true,
				Reason: "the battery is under base warranty until 2026-06-30"}},
		{"a battery in base warranty is covered even with sealed battery claims used up",
			aftercare.CoverageFacts{Today: inWarranty, Category: aftercare.CategoryHardwareFailure, Battery: true,
				BaseWarrantyEndsOn: base, Contract: contract(aftercare.TierStandard, limitedBattery),
				Used: map[aftercare.EntitlementKind]int{aftercare.EntitlementSealedBattery: 1}},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: base, ContractID: "c1", ContractNumber: "CT-2026-0001",
				Tier: aftercare.TierStandard, Covered: true, Reason: "the battery is under base warranty until 2026-06-30"}},
		{"a battery in base warranty draws no sealed battery claim",
			aftercare.CoverageFacts{Today: inWarranty, Category: aftercare.CategoryHardwareFailure, Battery: true,
				BaseWarrantyEndsOn: base, Contract: contract(aftercare.TierStandard, limitedBattery)},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: base, ContractID: "c1", ContractNumber: "CT-2026-0001",
				Tier: aftercare.TierStandard, Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementSealedBattery},
				Covered: true, Reason: "the battery is under base warranty until 2026-06-30"}},
		{"a battery is a consumable: neither contract nor extended warranty covers it",
			aftercare.CoverageFacts{Today: afterBase, Category: aftercare.CategoryHardwareFailure, Battery: true,
				BaseWarrantyEndsOn: base, Contract: contract(aftercare.TierStandard, extended)},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: day("2027-06-30"), ContractID: "c1", ContractNumber: "CT-2026-0001",
				Tier: aftercare.TierStandard, Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementExtendedWarranty},
				Reason: "the battery is a consumable: its base warranty ended on 2026-06-30 and only sealed battery protection covers it after that; the work needs a quote"}},
		{"data recovery covers data loss, claimed against its limit",
			aftercare.CoverageFacts{Today: afterBase, Category: aftercare.CategoryDataLoss, BaseWarrantyEndsOn: base,
				Contract: contract(aftercare.TierPlatinum, recovery)},
			aftercare.Coverage{WarrantyEndsOn: base, ContractID: "c1", ContractNumber: "CT-2026-0001", Tier: aftercare.TierPlatinum,
				Entitlements: []aftercare.EntitlementKind{recovery.Kind}, Covered: true,
				Reason: "data recovery covers data loss under contract CT-2026-0001", Claim: recovery.Kind, ClaimStatus: aftercare.ClaimPending}},
		{"data loss without data recovery: a quote",
			aftercare.CoverageFacts{Today: inWarranty, Category: aftercare.CategoryDataLoss, BaseWarrantyEndsOn: base},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: base, Tier: aftercare.TierStandard,
				Reason: "data loss is covered only by data recovery, which the asset does not have: the work needs a quote"}},
		{"software is not covered even in warranty and under contract",
			aftercare.CoverageFacts{Today: inWarranty, Category: aftercare.CategorySoftware, BaseWarrantyEndsOn: base,
				Contract: contract(aftercare.TierPlatinum, kyd)},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: base, ContractID: "c1", ContractNumber: "CT-2026-0001",
				Tier: aftercare.TierPlatinum, Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementKeepYourDrive},
				Reason: "software is not covered by warranty or contract: the work needs a quote"}},
		{"installation is not covered",
			aftercare.CoverageFacts{Today: inWarranty, Category: aftercare.CategoryInstallation, BaseWarrantyEndsOn: base},
			aftercare.Coverage{InWarranty: true, WarrantyEndsOn: base, Tier: aftercare.TierStandard,
				Reason: "installation is not covered by warranty or contract: the work needs a quote"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := aftercare.DecideCoverage(tt.facts)
			assert.Equal(t, tt.want, got, "DecideCoverage(%+v)", tt.facts)
			assert.Equal(t, !tt.want.Covered, got.NeedsQuote())
		})
	}
}

// TestKeepsFailedDrives: keep-your-drive is what keeps failed drives with
// the customer.
func TestKeepsFailedDrives(t *testing.T) {
	keep := aftercare.Coverage{Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementKeepYourDrive}}
	assert.True(t, keep.KeepsFailedDrives())
	assert.False(t, (&aftercare.Coverage{Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementOnSite}}).KeepsFailedDrives())
	assert.False(t, (*aftercare.Coverage)(nil).KeepsFailedDrives())
}

// TestContractYear: years run from the start date's anniversaries.
func TestContractYear(t *testing.T) {
	tests := []struct {
		starts, day  string
		year         int
		from, resets string
	}{
		{"2026-03-01", "2026-03-01", 0, "2026-03-01", "2027-03-01"},
		{"2026-03-01", "2027-02-28", 0, "2026-03-01", "2027-03-01"},
		{"2026-03-01", "2027-03-01", 1, "2027-03-01", "2028-03-01"},
		{"2026-03-01", "2029-01-15", 2, "2028-03-01", "2029-03-01"},
		{"2026-03-01", "2026-02-01", -1, "2025-03-01", "2026-03-01"},
		{"2024-02-29", "2025-02-28", 0, "2024-02-29", "2025-03-01"},
	}
	for _, tt := range tests {
		year, from, resets := aftercare.ContractYear(day(tt.starts), day(tt.day))
		assert.Equal(t, tt.year, year, "ContractYear(%s, %s) year", tt.starts, tt.day)
		assert.Equal(t, tt.from, from.Format(time.DateOnly), "ContractYear(%s, %s) from", tt.starts, tt.day)
		assert.Equal(t, tt.resets, resets.Format(time.DateOnly), "ContractYear(%s, %s) resets", tt.starts, tt.day)
	}
}

// TestLimitReason is the sentence a refused claim carries.
func TestLimitReason(t *testing.T) {
	got := aftercare.LimitReason(aftercare.EntitlementAccidentalDamageProtection, 2, 2, day("2027-03-01"))
	assert.Equal(t, "accidental damage protection: 2 of 2 claims used this contract year (resets 2027-03-01)", got)
}
