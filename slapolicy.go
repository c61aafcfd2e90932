package aftercare

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// SLACoverage is when an SLA clock runs.
type SLACoverage string

// The coverages of DESIGN.md §4.
const (
	// Coverage24x7 runs at every instant, public holidays included.
	Coverage24x7 SLACoverage = "24x7"
	// Coverage9x5 runs 09:00–18:00 local time on business days: Monday to
	// Friday, minus public holidays, plus make-up working days.
	Coverage9x5 SLACoverage = "9x5"
)

// Valid reports whether c is a known coverage.
func (c SLACoverage) Valid() bool { return c == Coverage24x7 || c == Coverage9x5 }

// SLACell is one cell of a tier's policy table: the target of one clock at
// one priority and the coverage the clock runs on.
type SLACell struct {
	Priority Priority
	Clock    ClockKind
	Target   SLATarget
	Coverage SLACoverage
}

// validate returns what is wrong with c, or "".
func (c SLACell) validate() string {
	switch {
	case !c.Priority.Valid():
		return fmt.Sprintf("unknown priority %q", c.Priority)
	case !slices.Contains(ClockKinds, c.Clock):
		return fmt.Sprintf("unknown clock %q", c.Clock)
	}
	if err := c.Target.Validate(); err != nil {
		return ErrorMessage(err)
	}
	return coverageProblem(c.Target, c.Coverage)
}

// coverageProblem returns what is wrong with running target t on coverage c,
// or "": a target that applies needs a coverage, and a wall-clock target
// needs 24x7 coverage, since "4h" means four hours of the clock on the wall.
func coverageProblem(t SLATarget, c SLACoverage) string {
	switch {
	case !t.Applies():
		return ""
	case !c.Valid():
		return fmt.Sprintf("unknown coverage %q; want 24x7 or 9x5", c)
	case t.kind == TargetWall && c != Coverage24x7:
		return fmt.Sprintf("wall-clock target %s needs 24x7 coverage; write business hours (%dBH) for %s",
			t, (t.duration+time.Hour-1)/time.Hour, c)
	}
	return ""
}

// SLAPolicy is one tier's SLA policy: its table of targets (DESIGN.md §4),
// whether waiting for parts pauses its on-site and restore clocks, and its
// escalation ladder (§6). Its JSON encoding is how tier policies are stored
// and how incident workflows record the policy their clocks started with.
type SLAPolicy struct {
	Tier Tier
	// Cells holds one cell per priority and clock.
	Cells []SLACell
	// PartsPause says whether waiting for parts pauses the on-site and
	// restore clocks; never for platinum.
	PartsPause bool
	Ladder     EscalationLadder
}

// DefaultSLAPolicy returns the default policy of a tier from DESIGN.md §4
// and §6, or an EINVALID error for an unknown tier. Waiting for parts pauses
// standard clocks only: platinum never pauses for parts and premium buys the
// maker's parts logistics.
func DefaultSLAPolicy(tier Tier) (SLAPolicy, error) {
	var (
		m15, m30 = WallTarget(15 * time.Minute), WallTarget(30 * time.Minute)
		h2, h4   = WallTarget(2 * time.Hour), WallTarget(4 * time.Hour)
		h6, h8   = WallTarget(6 * time.Hour), WallTarget(8 * time.Hour)
		h24      = WallTarget(24 * time.Hour)
		bh4, nbd = BusinessHoursTarget(4), NextBusinessDayTarget()
		bd1, bd2 = BusinessDaysTarget(1), BusinessDaysTarget(2)
		bd3, bd5 = BusinessDaysTarget(3), BusinessDaysTarget(5)
		bd10     = BusinessDaysTarget(10)
		none     = SLATarget{}
	)
	p := SLAPolicy{Tier: tier, Ladder: DefaultEscalationLadder()}
	switch tier {
	case TierPlatinum:
		p.Cells = slices.Concat(
			policyRow(P1, Coverage24x7, m15, h4, h6),
			policyRow(P2, Coverage24x7, m30, h8, h24),
			policyRow(P3, Coverage24x7, h2, nbd, bd3),
			policyRow(P4, Coverage24x7, bd1, none, bd5))
	case TierPremium:
		p.Cells = slices.Concat(
			policyRow(P1, Coverage24x7, m30, h4, h24),
			policyRow(P2, Coverage24x7, h2, nbd, bd2),
			policyRow(P3, Coverage9x5, bh4, nbd, bd3),
			policyRow(P4, Coverage9x5, bd1, none, bd10))
	case TierStandard:
		p.Cells = slices.Concat(
			policyRow(P1, Coverage9x5, bh4, nbd, bd3),
			policyRow(P2, Coverage9x5, bh4, nbd, bd5),
			policyRow(P3, Coverage9x5, bd1, none, bd5),
			policyRow(P4, Coverage9x5, bd2, none, bd10))
		p.PartsPause = true
	default:
		return SLAPolicy{}, Errorf(EINVALID, "unknown tier %q", tier)
	}
	return p, nil
}

// policyRow returns the three cells of one priority.
func policyRow(pri Priority, cov SLACoverage, response, onSite, restore SLATarget) []SLACell {
	return []SLACell{
		{Priority: pri, Clock: ClockResponse, Target: response, Coverage: cov},
		{Priority: pri, Clock: ClockOnSite, Target: onSite, Coverage: cov},
		{Priority: pri, Clock: ClockRestore, Target: restore, Coverage: cov},
	}
}

// Validate returns an EINVALID error unless p is a complete and sound
// policy: a known tier, exactly one valid cell per priority and clock, no
// parts pause for platinum, and a valid ladder.
func (p SLAPolicy) Validate() error {
	if !p.Tier.Valid() {
		return Errorf(EINVALID, "unknown tier %q", p.Tier)
	}
	for i, c := range p.Cells {
		if msg := c.validate(); msg != "" {
			return Errorf(EINVALID, "%s policy cell %d (%s %s): %s", p.Tier, i+1, c.Priority, c.Clock, msg)
		}
		if slices.ContainsFunc(p.Cells[:i], func(o SLACell) bool { return o.Priority == c.Priority && o.Clock == c.Clock }) {
			return Errorf(EINVALID, "%s policy: cell %s %s appears twice", p.Tier, c.Priority, c.Clock)
		}
	}
	if want := len(Priorities) * len(ClockKinds); len(p.Cells) != want {
		return Errorf(EINVALID, "%s policy has %d cells, want %d (every priority × clock)",
			p.Tier, len(p.Cells), want)
	}
	if p.Tier == TierPlatinum && p.PartsPause {
		return Errorf(EINVALID, "waiting for parts never pauses a platinum clock")
	}
	if err := p.Ladder.Validate(); err != nil {
		return Errorf(EINVALID, "%s policy: %s", p.Tier, ErrorMessage(err))
	}
	return nil
}

// Cell returns the cell of a priority and clock, or an EINVALID error if the
// policy has none.
func (p SLAPolicy) Cell(pri Priority, clock ClockKind) (SLACell, error) {
	for _, c := range p.Cells {
		if c.Priority == pri && c.Clock == clock {
			return c, nil
		}
	}
	return SLACell{}, Errorf(EINVALID, "%s policy has no cell for %s %s", p.Tier, pri, clock)
}

// Terms returns what a clock of a priority is held to under the policy. Its
// Target does not apply where the cell is "—": then the clock is not started.
func (p SLAPolicy) Terms(pri Priority, clock ClockKind) (SLATerms, error) {
	c, err := p.Cell(pri, clock)
	if err != nil {
		return SLATerms{}, err
	}
	return SLATerms{Target: c.Target, Coverage: c.Coverage, PartsPause: p.PartsPause}, nil
}

// SLAOverride replaces one cell of a tier's policy for one contract.
type SLAOverride struct {
	Priority Priority
	Clock    ClockKind
	Target   SLATarget
	// Coverage replaces the cell's coverage. Left empty it keeps the
	// default's, except that a wall-clock target runs on 24x7.
	Coverage SLACoverage
}

// ParseSLAOverride reads an override as a contract stores it: key names the
// cell as "P1.response" and value is the target text ParseSLATarget reads.
// It returns an EINVALID error for a malformed key or target.
func ParseSLAOverride(key, value string) (SLAOverride, error) {
	pri, clock, ok := strings.Cut(key, ".")
	o := SLAOverride{Priority: Priority(pri), Clock: ClockKind(clock)}
	if !ok || !o.Priority.Valid() || !slices.Contains(ClockKinds, o.Clock) {
		return SLAOverride{}, Errorf(EINVALID,
			`SLA override key %q: want priority.clock, such as "P1.response" or "P3.on_site"`, key)
	}
	t, err := ParseSLATarget(value)
	if err != nil {
		return SLAOverride{}, Errorf(EINVALID, "SLA override %s: %s", key, ErrorMessage(err))
	}
	o.Target = t
	return o, nil
}

// Key returns the name of the cell o overrides, as in "P1.response".
func (o SLAOverride) Key() string { return string(o.Priority) + "." + string(o.Clock) }

// WithOverrides returns the policy a contract gets: p with each override
// replacing its cell. It returns an EINVALID error if p is not a valid
// policy, an override names an unknown cell or overrides a cell already
// overridden, or an overridden cell is invalid, such as a wall-clock target
// on 9x5 coverage. p is not modified.
func (p SLAPolicy) WithOverrides(overrides []SLAOverride) (SLAPolicy, error) {
	if err := p.Validate(); err != nil {
		return SLAPolicy{}, err
	}
	out := p
	out.Cells = slices.Clone(p.Cells)
	out.Ladder = p.Ladder.clone()
	for i, o := range overrides {
		if slices.ContainsFunc(overrides[:i], func(prev SLAOverride) bool { return prev.Key() == o.Key() }) {
			return SLAPolicy{}, Errorf(EINVALID, "SLA override %s appears twice", o.Key())
		}
		at := slices.IndexFunc(out.Cells, func(c SLACell) bool { return c.Priority == o.Priority && c.Clock == o.Clock })
		if at < 0 {
			return SLAPolicy{}, Errorf(EINVALID,
				`SLA override %d: unknown cell %q; want priority.clock, such as "P1.response"`, i+1, o.Key())
		}
		cell := out.Cells[at]
		cell.Target = o.Target
		switch {
		case o.Coverage != "":
			cell.Coverage = o.Coverage
		case o.Target.kind == TargetWall:
			cell.Coverage = Coverage24x7
		}
		if msg := cell.validate(); msg != "" {
			return SLAPolicy{}, Errorf(EINVALID, "SLA override %s: %s", o.Key(), msg)
		}
		out.Cells[at] = cell
	}
	return out, nil
}

// EffectiveSLAPolicy returns the policy an incident under a contract
// follows: its tier's policy — custom, the one an admin set, or else
// DefaultSLAPolicy — with the contract's overrides as contracts store them
// (keyed "P1.response", targets as ParseSLATarget reads them) applied in key
// order. It returns an EINVALID error for an unknown tier, a malformed
// override or one WithOverrides refuses.
func EffectiveSLAPolicy(tier Tier, custom *SLAPolicy, overrides map[string]string) (SLAPolicy, error) {
	base, err := DefaultSLAPolicy(tier)
	if err != nil {
		return SLAPolicy{}, err
	}
	if custom != nil {
		base = *custom
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parsed := make([]SLAOverride, 0, len(keys))
	for _, k := range keys {
		o, err := ParseSLAOverride(k, overrides[k])
		if err != nil {
			return SLAPolicy{}, err
		}
		parsed = append(parsed, o)
	}
	return base.WithOverrides(parsed)
}

// SLATerms is what one SLA clock is held to: its target, the coverage it
// runs on, and whether waiting for parts pauses it.
type SLATerms struct {
	Target     SLATarget
	Coverage   SLACoverage
	PartsPause bool
}

// Validate returns an EINVALID error unless the terms can run a clock: a
// valid target that applies, on a coverage that suits it.
func (t SLATerms) Validate() error {
	if !t.Target.Applies() {
		return Errorf(EINVALID, "the clock's target is — (the clock does not apply)")
	}
	if err := t.Target.Validate(); err != nil {
		return err
	}
	if msg := coverageProblem(t.Target, t.Coverage); msg != "" {
		return Errorf(EINVALID, "%s", msg)
	}
	return nil
}
