package sla

import (
	"slices"

	"github.com/aftercare/aftercare"
)

// Action is something an escalation level does when it fires.
type Action string

// The escalation actions of DESIGN.md §6.
const (
	// ActionWarnEngineer warns the assigned engineer.
	ActionWarnEngineer Action = "warn_engineer"
	// ActionWarnDispatcher warns the dispatcher of the incident's region.
	ActionWarnDispatcher Action = "warn_dispatcher"
	// ActionEscalateDutyManager escalates to the duty manager.
	ActionEscalateDutyManager Action = "escalate_duty_manager"
	// ActionRedispatch re-runs dispatch if no engineer is en route.
	ActionRedispatch Action = "redispatch"
	// ActionNotifyAccountManager notifies the account's manager.
	ActionNotifyAccountManager Action = "notify_account_manager"
	// ActionBreach records the breach, notifies the service director and the
	// customer contact, and computes service credits where the contract has
	// them. It belongs to the 100 % level and no other.
	ActionBreach Action = "breach"
)

// Actions lists every escalation action.
var Actions = []Action{
	ActionWarnEngineer, ActionWarnDispatcher, ActionEscalateDutyManager,
	ActionRedispatch, ActionNotifyAccountManager, ActionBreach,
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// Level is one rung of an escalation ladder: what to do when a clock has
// used Percent % of its budget (see PercentInstant).
type Level struct {
	Percent int
	Actions []Action
}

// Ladder is a tier's escalation ladder, one per clock, levels in ascending
// percentage. The workflow fires each level once at its PercentInstant.
type Ladder []Level

// DefaultLadder returns the ladder of DESIGN.md §6: at 50 % warn the engineer
// and the dispatcher, at 75 % escalate to the duty manager and re-dispatch if
// nobody is en route, at 90 % notify the account manager, at 100 % breach.
func DefaultLadder() Ladder {
	return Ladder{
		{Percent: 50, Actions: []Action{ActionWarnEngineer, ActionWarnDispatcher}},
		{Percent: 75, Actions: []Action{ActionEscalateDutyManager, ActionRedispatch}},
		{Percent: 90, Actions: []Action{ActionNotifyAccountManager}},
		{Percent: 100, Actions: []Action{ActionBreach}},
	}
}

// Validate returns an EINVALID error unless the ladder's percentages rise
// strictly within 1–100, every level has known actions without repeats, and
// it ends with a 100 % level that breaches, the only level to do so.
func (l Ladder) Validate() error {
	if len(l) == 0 || l[len(l)-1].Percent != 100 {
		return aftercare.Errorf(aftercare.EINVALID, "an escalation ladder must end with a 100 %% level")
	}
	prev := 0
	for i, lv := range l {
		if lv.Percent <= prev || lv.Percent > 100 {
			return aftercare.Errorf(aftercare.EINVALID,
				"escalation level %d: %d %% must be above %d %% and at most 100 %%", i+1, lv.Percent, prev)
		}
		prev = lv.Percent
		if len(lv.Actions) == 0 {
			return aftercare.Errorf(aftercare.EINVALID, "escalation level %d (%d %%) has no actions", i+1, lv.Percent)
		}
		for j, a := range lv.Actions {
			switch {
			case !a.Valid():
				return aftercare.Errorf(aftercare.EINVALID, "escalation level %d (%d %%): unknown action %q", i+1, lv.Percent, a)
			case slices.Contains(lv.Actions[:j], a):
				return aftercare.Errorf(aftercare.EINVALID, "escalation level %d (%d %%): action %q twice", i+1, lv.Percent, a)
			case a == ActionBreach && lv.Percent != 100:
				return aftercare.Errorf(aftercare.EINVALID,
					"escalation level %d (%d %%): only the 100 %% level may breach", i+1, lv.Percent)
			}
		}
	}
	if !slices.Contains(l[len(l)-1].Actions, ActionBreach) {
		return aftercare.Errorf(aftercare.EINVALID, "the 100 %% escalation level must breach")
	}
	return nil
}

// clone returns a deep copy of the ladder.
func (l Ladder) clone() Ladder {
	c := slices.Clone(l)
	for i := range c {
		c[i].Actions = slices.Clone(c[i].Actions)
	}
	return c
}
