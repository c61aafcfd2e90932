package invariants

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// policyChange is one admin change of a tier's policy, from its audit
// event: the policy before (nil for the defaults) and after.
type policyChange struct {
	at            time.Time
	before, after []byte
}

// ladders answers which escalation ladder a tier had at an instant: the
// stored policy's, or the default's where an admin set none. An incident
// keeps the ladder its workflow loaded when it started (README, "SLA
// clocks and escalations").
type ladders struct {
	changes map[aftercare.Tier][]policyChange
	current map[aftercare.Tier][]byte
}

// loadLadders reads the tiers' policies and the audit events of every
// change an admin made to them (setTierPolicy).
func (c *checker) loadLadders(ctx context.Context) (*ladders, error) {
	l := &ladders{changes: map[aftercare.Tier][]policyChange{}, current: map[aftercare.Tier][]byte{}}
	var tier string
	var raw []byte
	if err := c.db.Query(ctx, `SELECT tier, policy FROM tier_policies`, nil, []any{&tier, &raw}, func() error {
		l.current[aftercare.Tier(tier)] = raw
		raw = nil
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read tier policies: %w", err)
	}
	var ch policyChange
	if err := c.db.Query(ctx, `
		SELECT object_id, at, before, after FROM audit_events
		WHERE object_type = 'tier_policy' AND action = 'tier_policy.set' ORDER BY at, id`, nil,
		[]any{&tier, &ch.at, &ch.before, &ch.after}, func() error {
			l.changes[aftercare.Tier(tier)] = append(l.changes[aftercare.Tier(tier)], ch)
			ch = policyChange{}
			return nil
		}); err != nil {
		return nil, fmt.Errorf("read tier policy changes: %w", err)
	}
	return l, nil
}

// at returns the ladder of a tier at an instant: the policy set by the
// latest change at or before it; before the first change, the policy that
// change replaced; with no change on record, the stored policy.
func (l *ladders) at(tier aftercare.Tier, t time.Time) (aftercare.EscalationLadder, error) {
	raw := l.current[tier]
	if changes := l.changes[tier]; len(changes) > 0 {
		raw = changes[0].before
		for _, ch := range changes {
			if ch.at.After(t) {
				break
			}
			raw = ch.after
		}
	}
	p, err := aftercare.DefaultSLAPolicy(tier)
	if err != nil {
		return nil, err
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("%s tier policy: %w", tier, err)
		}
	}
	return p.Ladder, nil
}

// loadHolidays reads the holiday sets of the countries.
func (c *checker) loadHolidays(ctx context.Context, countries []string) (map[string]sla.HolidaySet, error) {
	days := map[string][]aftercare.SpecialDay{}
	var country, kind, name string
	var date time.Time
	if err := c.db.Query(ctx, `SELECT country, date, kind, name FROM holidays WHERE country = ANY($1) ORDER BY country, date`,
		[]any{countries}, []any{&country, &date, &kind, &name}, func() error {
			days[country] = append(days[country], aftercare.SpecialDay{Date: aftercare.DateOf(date),
				Kind: aftercare.DayKind(kind), Name: name})
			return nil
		}); err != nil {
		return nil, fmt.Errorf("read holidays: %w", err)
	}
	out := map[string]sla.HolidaySet{}
	for _, country := range countries {
		set, err := sla.NewHolidaySet(days[country])
		if err != nil {
			return nil, fmt.Errorf("holidays of %s: %w", country, err)
		}
		out[country] = set
	}
	return out, nil
}
