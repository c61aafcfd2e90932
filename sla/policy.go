package sla

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
)

// Cell is one cell of a tier's policy table: the target of one clock at one
// priority and the coverage the clock runs on.
type Cell struct {
	Priority aftercare.Priority
	Clock    aftercare.ClockKind
	Target   Target
	Coverage Coverage
}

// validate returns what is wrong with c, or "".
func (c Cell) validate() string {
	switch {
	case !c.Priority.Valid():
		return fmt.Sprintf("unknown priority %q", c.Priority)
	case !slices.Contains(aftercare.ClockKinds, c.Clock):
		return fmt.Sprintf("unknown clock %q", c.Clock)
	}
	if err := c.Target.Validate(); err != nil {
		return aftercare.ErrorMessage(err)
	}
	return coverageProblem(c.Target, c.Coverage)
}

// coverageProblem returns what is wrong with running target t on coverage c,
// or "": a target that applies needs a coverage, and a wall-clock target
// needs 24x7 coverage, since "4h" means four hours of the clock on the wall.
func coverageProblem(t Target, c Coverage) string {
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

// Policy is one tier's SLA policy: its table of targets (DESIGN.md §4),
// whether waiting for parts pauses its on-site and restore clocks, and its
// escalation ladder (§6).
type Policy struct {
	Tier aftercare.Tier
	// Cells holds one cell per priority and clock.
	Cells []Cell
	// PartsPause says whether waiting for parts pauses the on-site and
	// restore clocks; never for platinum.
	PartsPause bool
	Ladder     Ladder
}

// DefaultPolicy returns the default policy of a tier from DESIGN.md §4 and
// §6, or an EINVALID error for an unknown tier. Waiting for parts pauses
// standard clocks only: platinum never pauses for parts and premium buys the
// maker's parts logistics.
func DefaultPolicy(tier aftercare.Tier) (Policy, error) {
	var (
		m15, m30 = Wall(15 * time.Minute), Wall(30 * time.Minute)
		h2, h4   = Wall(2 * time.Hour), Wall(4 * time.Hour)
		h6, h8   = Wall(6 * time.Hour), Wall(8 * time.Hour)
		h24      = Wall(24 * time.Hour)
		bh4, nbd = BusinessHours(4), NextBusinessDay()
		bd1, bd2 = BusinessDays(1), BusinessDays(2)
		bd3, bd5 = BusinessDays(3), BusinessDays(5)
		bd10     = BusinessDays(10)
		none     = Target{}
	)
	p := Policy{Tier: tier, Ladder: DefaultLadder()}
	switch tier {
	case aftercare.TierPlatinum:
		p.Cells = slices.Concat(
			row(aftercare.P1, Coverage24x7, m15, h4, h6),
			row(aftercare.P2, Coverage24x7, m30, h8, h24),
			row(aftercare.P3, Coverage24x7, h2, nbd, bd3),
			row(aftercare.P4, Coverage24x7, bd1, none, bd5))
	case aftercare.TierPremium:
		p.Cells = slices.Concat(
			row(aftercare.P1, Coverage24x7, m30, h4, h24),
			row(aftercare.P2, Coverage24x7, h2, nbd, bd2),
			row(aftercare.P3, Coverage9x5, bh4, nbd, bd3),
			row(aftercare.P4, Coverage9x5, bd1, none, bd10))
	case aftercare.TierStandard:
		p.Cells = slices.Concat(
			row(aftercare.P1, Coverage9x5, bh4, nbd, bd3),
			row(aftercare.P2, Coverage9x5, bh4, nbd, bd5),
			row(aftercare.P3, Coverage9x5, bd1, none, bd5),
			row(aftercare.P4, Coverage9x5, bd2, none, bd10))
		p.PartsPause = true
	default:
		return Policy{}, aftercare.Errorf(aftercare.EINVALID, "unknown tier %q", tier)
	}
	return p, nil
}

// row returns the three cells of one priority.
func row(pri aftercare.Priority, cov Coverage, response, onSite, restore Target) []Cell {
	return []Cell{
		{Priority: pri, Clock: aftercare.ClockResponse, Target: response, Coverage: cov},
		{Priority: pri, Clock: aftercare.ClockOnSite, Target: onSite, Coverage: cov},
		{Priority: pri, Clock: aftercare.ClockRestore, Target: restore, Coverage: cov},
	}
}

// Validate returns an EINVALID error unless p is a complete and sound
// policy: a known tier, exactly one valid cell per priority and clock, no
// parts pause for platinum, and a valid ladder.
func (p Policy) Validate() error {
	if !p.Tier.Valid() {
		return aftercare.Errorf(aftercare.EINVALID, "unknown tier %q", p.Tier)
	}
	for i, c := range p.Cells {
		if msg := c.validate(); msg != "" {
			return aftercare.Errorf(aftercare.EINVALID, "%s policy cell %d (%s %s): %s", p.Tier, i+1, c.Priority, c.Clock, msg)
		}
		if slices.ContainsFunc(p.Cells[:i], func(o Cell) bool { return o.Priority == c.Priority && o.Clock == c.Clock }) {
			return aftercare.Errorf(aftercare.EINVALID, "%s policy: cell %s %s appears twice", p.Tier, c.Priority, c.Clock)
		}
	}
	if want := len(aftercare.Priorities) * len(aftercare.ClockKinds); len(p.Cells) != want {
		return aftercare.Errorf(aftercare.EINVALID, "%s policy has %d cells, want %d (every priority × clock)",
			p.Tier, len(p.Cells), want)
	}
	if p.Tier == aftercare.TierPlatinum && p.PartsPause {
		return aftercare.Errorf(aftercare.EINVALID, "waiting for parts never pauses a platinum clock")
	}
	if err := p.Ladder.Validate(); err != nil {
		return aftercare.Errorf(aftercare.EINVALID, "%s policy: %s", p.Tier, aftercare.ErrorMessage(err))
	}
	return nil
}

// Cell returns the cell of a priority and clock, or an EINVALID error if the
// policy has none.
func (p Policy) Cell(pri aftercare.Priority, clock aftercare.ClockKind) (Cell, error) {
	for _, c := range p.Cells {
		if c.Priority == pri && c.Clock == clock {
			return c, nil
		}
	}
	return Cell{}, aftercare.Errorf(aftercare.EINVALID, "%s policy has no cell for %s %s", p.Tier, pri, clock)
}

// Terms returns what a clock of a priority is held to under the policy. Its
// Target does not apply where the cell is "—": then the clock is not started.
func (p Policy) Terms(pri aftercare.Priority, clock aftercare.ClockKind) (Terms, error) {
	c, err := p.Cell(pri, clock)
	if err != nil {
		return Terms{}, err
	}
	return Terms{Target: c.Target, Coverage: c.Coverage, PartsPause: p.PartsPause}, nil
}

// Override replaces one cell of a tier's policy for one contract.
type Override struct {
	Priority aftercare.Priority
	Clock    aftercare.ClockKind
	Target   Target
	// Coverage replaces the cell's coverage. Left empty it keeps the
	// default's, except that a wall-clock target runs on 24x7.
	Coverage Coverage
}

// ParseOverride reads an override as a contract stores it: key names the
// cell as "P1.response" and value is the target text ParseTarget reads. It
// returns an EINVALID error for a malformed key or target.
func ParseOverride(key, value string) (Override, error) {
	pri, clock, ok := strings.Cut(key, ".")
	o := Override{Priority: aftercare.Priority(pri), Clock: aftercare.ClockKind(clock)}
	if !ok || !o.Priority.Valid() || !slices.Contains(aftercare.ClockKinds, o.Clock) {
		return Override{}, aftercare.Errorf(aftercare.EINVALID,
			`SLA override key %q: want priority.clock, such as "P1.response" or "P3.on_site"`, key)
	}
	t, err := ParseTarget(value)
	if err != nil {
		return Override{}, aftercare.Errorf(aftercare.EINVALID, "SLA override %s: %s", key, aftercare.ErrorMessage(err))
	}
	o.Target = t
	return o, nil
}

// Key returns the name of the cell o overrides, as in "P1.response".
func (o Override) Key() string { return string(o.Priority) + "." + string(o.Clock) }

// Effective returns the policy a contract gets: defaults with each override
// replacing its cell. It returns an EINVALID error if defaults is not a
// valid policy, an override names an unknown cell or overrides a cell
// already overridden, or an overridden cell is invalid, such as a wall-clock
// target on 9x5 coverage. Neither input is modified.
func Effective(defaults Policy, overrides []Override) (Policy, error) {
	if err := defaults.Validate(); err != nil {
		return Policy{}, err
	}
	p := defaults
	p.Cells = slices.Clone(defaults.Cells)
	p.Ladder = defaults.Ladder.clone()
	for i, o := range overrides {
		if slices.ContainsFunc(overrides[:i], func(prev Override) bool { return prev.Key() == o.Key() }) {
			return Policy{}, aftercare.Errorf(aftercare.EINVALID, "SLA override %s appears twice", o.Key())
		}
		at := slices.IndexFunc(p.Cells, func(c Cell) bool { return c.Priority == o.Priority && c.Clock == o.Clock })
		if at < 0 {
			return Policy{}, aftercare.Errorf(aftercare.EINVALID,
				`SLA override %d: unknown cell %q; want priority.clock, such as "P1.response"`, i+1, o.Key())
		}
		cell := p.Cells[at]
		cell.Target = o.Target
		switch {
		case o.Coverage != "":
			cell.Coverage = o.Coverage
		case o.Target.kind == TargetWall:
			cell.Coverage = Coverage24x7
		}
		if msg := cell.validate(); msg != "" {
			return Policy{}, aftercare.Errorf(aftercare.EINVALID, "SLA override %s: %s", o.Key(), msg)
		}
		p.Cells[at] = cell
	}
	return p, nil
}

// Terms is what one SLA clock is held to: its target, the coverage it runs
// on, and whether waiting for parts pauses it.
type Terms struct {
	Target     Target
	Coverage   Coverage
	PartsPause bool
}

// Validate returns an EINVALID error unless the terms can run a clock: a
// valid target that applies, on a coverage that suits it.
func (t Terms) Validate() error {
	if !t.Target.Applies() {
		return aftercare.Errorf(aftercare.EINVALID, "the clock's target is — (the clock does not apply)")
	}
	if err := t.Target.Validate(); err != nil {
		return err
	}
	if msg := coverageProblem(t.Target, t.Coverage); msg != "" {
		return aftercare.Errorf(aftercare.EINVALID, "%s", msg)
	}
	return nil
}
