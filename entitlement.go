package aftercare

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ClaimStatus is where a claim against a limited entitlement stands: the
// contract's workflow holds the counters and accepts or refuses it.
type ClaimStatus string

// The claim statuses.
const (
	// ClaimPending: filing counted the claim in; the contract's workflow
	// has not answered yet.
	ClaimPending ClaimStatus = "pending"
	// ClaimAccepted: the contract's workflow counted the claim.
	ClaimAccepted ClaimStatus = "accepted"
	// ClaimRefused: the entitlement's annual limit was reached; the work
	// is not covered and needs a quote.
	ClaimRefused ClaimStatus = "refused"
)

// ClaimPendingMessage is why work whose entitlement claim is pending is not
// dispatched yet: the contract's workflow may still refuse the claim,
// leaving the work uncovered and in need of an approved quote.
const ClaimPendingMessage = "the entitlement claim is still being checked: the work is dispatched once the contract counts it"

// KeepsFailedDrives reports whether failed drives stay with the customer
// (keep-your-drive): a repair returns no drive to the maker.
func (c *Coverage) KeepsFailedDrives() bool {
	return c.Has(EntitlementKeepYourDrive)
}

// CoverageFacts are what the coverage rules decide from: the asset's
// warranty, the contract in force, the claims already made this contract
// year, and the work the incident describes.
type CoverageFacts struct {
	// Today is the day of filing in the site's time zone, at midnight UTC.
	Today    time.Time
	Category Category
	// Battery says the work concerns the battery.
	Battery bool
	// BaseWarrantyEndsOn is the asset's base warranty end.
	BaseWarrantyEndsOn time.Time
	// ExtendedWarrantyTo is the latest extended warranty any of the asset's
	// contracts bought (signed, in force or past); zero without one.
	ExtendedWarrantyTo time.Time
	// Contract is the contract in force on Today, or nil.
	Contract *Contract
	// Used counts the claims made this contract year, by entitlement.
	Used map[EntitlementKind]int
}

// DecideCoverage applies the coverage rules:
//   - the warranty runs to the base date, or to an extended warranty's
//     later date;
//   - a battery is a consumable: sealed battery protection covers it, and
//     otherwise only the base warranty does;
//   - accidental damage protection covers physical damage (drops and
//     spills), and nothing else does;
//   - data recovery covers data loss, and nothing else does;
//   - a hardware failure is covered in warranty (base or extended) or under
//     a contract in force;
//   - anything else is not covered and needs a quote.
//
// An entitlement with an annual limit whose claims are used up this
// contract year is not in force; covered work that draws on a limited
// entitlement names it as the claim, pending until the contract's workflow
// counts it.
func DecideCoverage(f CoverageFacts) Coverage {
	c := Coverage{Tier: TierStandard, WarrantyEndsOn: f.BaseWarrantyEndsOn}
	limits := map[EntitlementKind]int{}
	if k := f.Contract; k != nil {
		c.Tier, c.ContractID, c.ContractNumber = k.Tier, k.ID, k.Number
		for _, e := range k.Entitlements {
			limits[e.Kind] = e.AnnualLimit
			if e.AnnualLimit == 0 || f.Used[e.Kind] < e.AnnualLimit {
				c.Entitlements = append(c.Entitlements, e.Kind)
			}
			if e.Kind == EntitlementExtendedWarranty && e.ExtendsTo.After(c.WarrantyEndsOn) {
				c.WarrantyEndsOn = e.ExtendsTo
			}
		}
	}
	if f.ExtendedWarrantyTo.After(c.WarrantyEndsOn) {
		c.WarrantyEndsOn = f.ExtendedWarrantyTo
	}
	c.InWarranty = !f.Today.After(c.WarrantyEndsOn)
	extended := c.WarrantyEndsOn.After(f.BaseWarrantyEndsOn)

	// entitled covers the work by an entitlement, or says why not.
	entitled := func(kind EntitlementKind, covers string) {
		limit, has := limits[kind]
		switch {
		case c.Has(kind):
			c.Covered = true
			c.Reason = fmt.Sprintf("%s covers %s under contract %s", EntitlementLabel(kind), covers, c.ContractNumber)
			if limit > 0 {
				c.Claim, c.ClaimStatus = kind, ClaimPending
			}
		case has:
			_, _, resets := ContractYear(f.Contract.StartsOn, f.Today)
			c.Reason = LimitReason(kind, f.Used[kind], limit, resets)
		default:
			c.Reason = fmt.Sprintf("%s is covered only by %s, which the asset does not have: the work needs a quote",
				covers, EntitlementLabel(kind))
		}
	}
	// A predicted failure is a hardware failure caught before it happens.
	hardware := f.Category == CategoryHardwareFailure || f.Category == CategoryPredictedFailure
	switch {
	case f.Battery && !f.Today.After(f.BaseWarrantyEndsOn):
		// The base warranty covers the battery whatever its sealed battery
		// claims, so none is drawn.
		c.Covered = true
		c.Reason = fmt.Sprintf("the battery is under base warranty until %s", f.BaseWarrantyEndsOn.Format(time.DateOnly))
	case f.Battery && (limits[EntitlementSealedBattery] > 0 || c.Has(EntitlementSealedBattery)):
		entitled(EntitlementSealedBattery, "the battery")
	case f.Battery:
		c.Reason = fmt.Sprintf("the battery is a consumable: its base warranty ended on %s and only sealed battery "+
			"protection covers it after that; the work needs a quote", f.BaseWarrantyEndsOn.Format(time.DateOnly))
	case f.Category == CategoryPhysicalDamage:
		entitled(EntitlementAccidentalDamageProtection, "physical damage (drops and spills)")
	case f.Category == CategoryDataLoss:
		entitled(EntitlementDataRecovery, "data loss")
	case hardware && c.InWarranty && extended:
		c.Covered = true
		c.Reason = fmt.Sprintf("hardware failure under extended warranty until %s", c.WarrantyEndsOn.Format(time.DateOnly))
	case hardware && c.InWarranty:
		c.Covered = true
		c.Reason = fmt.Sprintf("hardware failure under base warranty until %s", c.WarrantyEndsOn.Format(time.DateOnly))
	case hardware && f.Contract != nil:
		c.Covered = true
		c.Reason = fmt.Sprintf("hardware failure under %s contract %s until %s", c.Tier, c.ContractNumber,
			f.Contract.EndsOn.Format(time.DateOnly))
	case hardware:
		c.Reason = fmt.Sprintf("hardware failure out of warranty (ended %s) and no contract in force: the work needs a quote",
			c.WarrantyEndsOn.Format(time.DateOnly))
	default:
		c.Reason = fmt.Sprintf("%s is not covered by warranty or contract: the work needs a quote",
			strings.ReplaceAll(string(f.Category), "_", " "))
	}
	return c
}

// MentionsBattery reports whether an incident's symptoms are about the
// battery.
func MentionsBattery(symptoms string) bool {
	return strings.Contains(strings.ToLower(symptoms), "battery")
}

// EntitlementLabel names an entitlement in a sentence: "accidental damage
// protection".
func EntitlementLabel(k EntitlementKind) string {
	if k == EntitlementSealedBattery {
		return "sealed battery protection"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// LimitReason says that an entitlement's claims are used up this contract
// year and when they reset.
func LimitReason(k EntitlementKind, used, limit int, resets time.Time) string {
	return fmt.Sprintf("%s: %d of %d claims used this contract year (resets %s)",
		EntitlementLabel(k), used, limit, resets.Format(time.DateOnly))
}

// ContractYear returns which year of a contract the day falls in (0 for
// the first, negative before the start), the day that year began and the
// day the next begins, when annual limits reset. A term starting on 29
// February has its anniversaries on 1 March.
func ContractYear(startsOn, day time.Time) (year int, from, resets time.Time) {
	startsOn, day = dateOf(startsOn), dateOf(day)
	year = day.Year() - startsOn.Year()
	if anniversary(startsOn, year).After(day) {
		year--
	}
	return year, anniversary(startsOn, year), anniversary(startsOn, year+1)
}

// anniversary returns the start of year n of a term.
func anniversary(startsOn time.Time, n int) time.Time {
	return startsOn.AddDate(n, 0, 0)
}

// dateOf returns the calendar day of t at midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// EntitlementService answers what an asset is entitled to.
type EntitlementService interface {
	// CheckEntitlement returns the coverage an incident of the category
	// filed now for the asset with the serial number would get, without
	// filing it; ENOTFOUND for an asset outside the caller's scope.
	CheckEntitlement(ctx context.Context, serialNumber string, category Category) (*Coverage, error)
}
