package aftercare

import (
	"context"
	"time"
)

// ClockState is where an SLA clock stands: running, paused, met or
// breached, as package sla computes it.
type ClockState string

// The clock states.
const (
	ClockRunning  ClockState = "running"
	ClockPaused   ClockState = "paused"
	ClockMet      ClockState = "met"
	ClockBreached ClockState = "breached"
)

// SLAClock is one SLA clock of an incident as it stands at an instant
// (DESIGN.md §3–§4): what it is held to, how much of it is used, its pauses
// and the escalations it fired.
type SLAClock struct {
	IncidentID string
	AccountID  string
	Kind       ClockKind
	Target     SLATarget
	Coverage   SLACoverage
	// TimeZone is the site's zone, whose business hours the clock follows.
	TimeZone  string
	StartedAt time.Time
	// Deadline is when the clock runs out; nil while it is paused with
	// budget left, since it has no deadline until it resumes.
	Deadline  *time.Time
	StoppedAt *time.Time
	// Budget is the business time the target grants; Elapsed and Remaining
	// are business time used and left at AsOf (Remaining is negative past
	// the deadline).
	Budget    time.Duration
	Elapsed   time.Duration
	Remaining time.Duration
	State     ClockState
	AsOf      time.Time
	Pauses    []SLAPause
}

// PercentUsed returns the share of the budget used, in percent; over 100
// once breached.
func (c *SLAClock) PercentUsed() float64 {
	if c.Budget <= 0 {
		return 0
	}
	return 100 * float64(c.Elapsed) / float64(c.Budget)
}

// SLAPause is a stretch during which a clock did not run, with who and why.
type SLAPause struct {
	From      time.Time
	To        *time.Time
	Reason    PauseReason
	PausedBy  string
	ResumedBy string
}

// Escalation is one fired level of a clock's escalation ladder
// (DESIGN.md §6), recorded once per clock and level.
type Escalation struct {
	IncidentID string
	Clock      ClockKind
	// Level numbers the ladder's rungs from 1.
	Level   int
	Percent int
	Actions []EscalationAction
	DueAt   time.Time
	FiredAt time.Time
	// ServiceCredit is the percentage of the monthly fee a breach earned
	// the customer, nil where the contract buys no credits or the level is
	// no breach.
	ServiceCredit *float64
}

// BreachFilter selects breached clocks.
type BreachFilter struct {
	AccountID string
	Clock     ClockKind
	Priority  Priority
	Tier      Tier
	// Since and Until bound the deadline.
	Since *time.Time
	Until *time.Time
	// OpenOnly keeps clocks that are still going past their deadline,
	// leaving out those that stopped late.
	OpenOnly bool
	Page     PageRequest
}

// SLAService reads the SLA clocks and escalations that incident workflows
// mirror into the database.
type SLAService interface {
	// FindSLAClocks returns the clocks of an incident as they stand at now.
	FindSLAClocks(ctx context.Context, incidentID string, now time.Time) ([]*SLAClock, error)
	// FindEscalations returns the escalations an incident's clocks fired,
	// in the order they fired.
	FindEscalations(ctx context.Context, incidentID string) ([]*Escalation, error)
	// FindSLAClocksOfIncidents is FindSLAClocks for many incidents, in one
	// query for the clocks and one for their countries' holidays: the
	// clocks of each, in the order of incidentIDs.
	FindSLAClocksOfIncidents(ctx context.Context, incidentIDs []string, now time.Time) ([][]*SLAClock, error)
	// FindEscalationsOfIncidents is FindEscalations for many incidents in
	// one query: the escalations of each, in the order of incidentIDs.
	FindEscalationsOfIncidents(ctx context.Context, incidentIDs []string) ([][]*Escalation, error)
	// FindBreaches returns a page of breached clocks the caller may see,
	// latest deadline first, as they stand at now.
	FindBreaches(ctx context.Context, filter BreachFilter, now time.Time) ([]*SLAClock, PageInfo, error)
	// SetSLAOverrides replaces a contract's per-cell SLA overrides, keyed
	// "P1.response"; they apply to incidents filed from then on.
	SetSLAOverrides(ctx context.Context, contractID string, overrides map[string]string) error
	// FindTierPolicy returns the policy an admin set for a tier, or nil
	// when the tier follows the defaults of DESIGN.md §4
	// (DefaultSLAPolicy).
	FindTierPolicy(ctx context.Context, tier Tier) (*SLAPolicy, error)
	// SetTierPolicy replaces a tier's policy, which must be a complete and
	// valid policy of that tier; incidents filed afterwards follow it.
	SetTierPolicy(ctx context.Context, tier Tier, policy SLAPolicy) error
	// FindHolidays returns a country's public holidays and make-up working
	// days in date order.
	FindHolidays(ctx context.Context, country string) ([]Holiday, error)
	// ImportHolidays replaces a country's special days in each year the
	// given days cover; clocks started afterwards follow them.
	ImportHolidays(ctx context.Context, country string, days []Holiday) error
}
