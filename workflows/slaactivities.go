package workflows

import (
	"context"

	"github.com/aftercare/aftercare"
)

// SLAStore is what the SLA activities need of the database.
type SLAStore interface {
	// FindSLAFacts returns what the incident's clocks depend on.
	FindSLAFacts(ctx context.Context, incidentID string) (*aftercare.SLAFacts, error)
	// RecordIncidentChange records a change once per key: the event, the
	// incident's new status and priority, and the clock snapshots.
	RecordIncidentChange(ctx context.Context, change aftercare.IncidentChange) error
	// RecordEscalation records a fired level once per clock and level, with
	// its event, its clock's snapshot, one notification per recipient its
	// actions route it to, and one outbox message per webhook naming them.
	RecordEscalation(ctx context.Context, esc aftercare.EscalationFired, webhooks []string) error
}

// LoadSLAInputsInput names the incident whose SLA inputs to load.
type LoadSLAInputsInput struct {
	IncidentID string
}

// LoadSLAInputs loads what the incident's clocks depend on and computes its
// effective policy: the tier's defaults with the contract's overrides. The
// result is recorded in the workflow's history, so the clocks keep the
// policy they started with until a priority change or a recomputation
// retargets them.
func (a *Activities) LoadSLAInputs(ctx context.Context, in LoadSLAInputsInput) (SLAInputs, error) {
	facts, err := a.SLA.FindSLAFacts(ctx, in.IncidentID)
	if err != nil {
		return SLAInputs{}, activityError(err)
	}
	inputs, err := slaInputs(facts)
	return inputs, activityError(err)
}

// slaInputs turns the facts of an incident into the workflow's inputs.
func slaInputs(f *aftercare.SLAFacts) (SLAInputs, error) {
	inc := f.Incident
	policy, err := aftercare.EffectiveSLAPolicy(inc.Tier, f.TierPolicy, f.Overrides)
	if err != nil {
		return SLAInputs{}, err
	}
	days := make([]aftercare.SpecialDay, len(f.Holidays))
	for i, h := range f.Holidays {
		days[i] = h.SpecialDay
	}
	return SLAInputs{
		IncidentID: inc.ID, AccountID: inc.AccountID, Number: inc.Number, Tier: inc.Tier, Priority: inc.Priority,
		Status: inc.Status, CreatedAt: inc.CreatedAt, TimeZone: f.TimeZone, Holidays: days, Policy: policy,
		OnSiteEntitled: f.OnSiteEntitled, AdvanceParts: f.AdvanceParts, NeedsQuote: inc.Coverage.NeedsQuote(),
	}, nil
}

// RecordIncidentChange mirrors one change of the incident into the
// database. It is idempotent by the change's key.
func (a *Activities) RecordIncidentChange(ctx context.Context, change aftercare.IncidentChange) error {
	return activityError(a.SLA.RecordIncidentChange(ctx, change))
}

// RecordEscalation records one fired escalation level, notifies its
// recipients and queues the notification for the webhooks. It is idempotent by clock and level, and
// it only writes outbox rows: delivery happens elsewhere, so a failing
// webhook never holds up the clock.
func (a *Activities) RecordEscalation(ctx context.Context, esc aftercare.EscalationFired) error {
	return activityError(a.SLA.RecordEscalation(ctx, esc, a.Webhooks))
}
