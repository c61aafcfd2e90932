package aftercare

import "slices"

// PauseReason says why an incident is on hold.
type PauseReason string

// The reasons an incident goes on hold. The first three wait on the customer
// and pause the on-site and restore clocks; waiting for parts pauses them
// only where the tier allows it.
const (
	PauseQuoteApproval       PauseReason = "quote_approval"
	PauseSiteAccess          PauseReason = "site_access"
	PauseCustomerUnreachable PauseReason = "customer_unreachable"
	PauseAwaitingParts       PauseReason = "awaiting_parts"
)

// PauseReasons lists every pause reason.
var PauseReasons = []PauseReason{PauseQuoteApproval, PauseSiteAccess, PauseCustomerUnreachable, PauseAwaitingParts}

// Valid reports whether r is a known pause reason.
func (r PauseReason) Valid() bool { return slices.Contains(PauseReasons, r) }

// AwaitingCustomer reports whether r waits on the customer: quote approval,
// site access or an unreachable customer.
func (r PauseReason) AwaitingCustomer() bool {
	return r == PauseQuoteApproval || r == PauseSiteAccess || r == PauseCustomerUnreachable
}

// PausedBy reports whether a hold for reason r pauses a clock of kind k
// (DESIGN.md §4): the response clock never pauses; on-site and restore pause
// while the incident waits on the customer, and while it waits for parts if
// partsPause, the tier's setting, allows it.
func (k ClockKind) PausedBy(r PauseReason, partsPause bool) bool {
	switch {
	case k != ClockOnSite && k != ClockRestore:
		return false
	case r.AwaitingCustomer():
		return true
	}
	return r == PauseAwaitingParts && partsPause
}
