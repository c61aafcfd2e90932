package aftercare

// Tier is the service level a contract buys.
type Tier string

// The tiers, from the most to the least demanding.
const (
	TierPlatinum Tier = "platinum"
	TierPremium  Tier = "premium"
	TierStandard Tier = "standard"
)

// Tiers lists every tier, most demanding first.
var Tiers = []Tier{TierPlatinum, TierPremium, TierStandard}

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool {
	switch t {
	case TierPlatinum, TierPremium, TierStandard:
		return true
	}
	return false
}

// Rank orders tiers by how demanding they are: standard 1, premium 2,
// platinum 3, and 0 for an unknown tier. A clearance of rank r serves every
// tier of rank 1 to r.
func (t Tier) Rank() int {
	switch t {
	case TierStandard:
		return 1
	case TierPremium:
		return 2
	case TierPlatinum:
		return 3
	}
	return 0
}

// Priority is an incident's urgency, P1 (a business stopped) to P4 (a question).
type Priority string

// The priorities, most urgent first.
const (
	P1 Priority = "P1"
	P2 Priority = "P2"
	P3 Priority = "P3"
	P4 Priority = "P4"
)

// Priorities lists every priority, most urgent first.
var Priorities = []Priority{P1, P2, P3, P4}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	switch p {
	case P1, P2, P3, P4:
		return true
	}
	return false
}

// ClockKind names one of an incident's three SLA clocks.
type ClockKind string

// The three SLA clocks of an incident.
const (
	// ClockResponse runs from registration until a qualified person has
	// acknowledged and triaged the incident. It never pauses.
	ClockResponse ClockKind = "response"
	// ClockOnSite runs from registration until an engineer arrives, where
	// on-site service is entitled.
	ClockOnSite ClockKind = "on_site"
	// ClockRestore runs from registration until service is restored.
	ClockRestore ClockKind = "restore"
)

// ClockKinds lists the three clocks in the order they usually stop.
var ClockKinds = []ClockKind{ClockResponse, ClockOnSite, ClockRestore}
