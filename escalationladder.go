package aftercare

import "slices"

// EscalationAction is something an escalation level does when it fires.
type EscalationAction string

// The escalation actions of DESIGN.md §6.
const (
	// EscalationWarnEngineer warns the assigned engineer.
	EscalationWarnEngineer EscalationAction = "warn_engineer"
	// EscalationWarnDispatcher warns the dispatcher of the incident's region.
	EscalationWarnDispatcher EscalationAction = "warn_dispatcher"
	// EscalationDutyManager escalates to the duty manager.
	EscalationDutyManager EscalationAction = "escalate_duty_manager"
	// EscalationRedispatch re-runs dispatch if no engineer is en route.
	EscalationRedispatch EscalationAction = "redispatch"
	// EscalationNotifyAccountManager notifies the account's manager.
	EscalationNotifyAccountManager EscalationAction = "notify_account_manager"
	// EscalationBreach records the breach, notifies the service director and
	// the customer contact, and computes service credits where the contract
	// has them. It belongs to the 100 % level and no other.
	EscalationBreach EscalationAction = "breach"
)

// EscalationActions lists every escalation action.
var EscalationActions = []EscalationAction{
	EscalationWarnEngineer, EscalationWarnDispatcher, EscalationDutyManager,
	EscalationRedispatch, EscalationNotifyAccountManager, EscalationBreach,
}

// Valid reports whether a is a known action.
func (a EscalationAction) Valid() bool { return slices.Contains(EscalationActions, a) }

// EscalationLevel is one rung of an escalation ladder: what to do when a
// clock has used Percent % of its budget.
type EscalationLevel struct {
	Percent int
	Actions []EscalationAction
}

// EscalationLadder is a tier's escalation ladder, one per clock, levels in
// ascending percentage. An incident's workflow fires each level once, at
// the instant its clock has used the level's share of its budget.
type EscalationLadder []EscalationLevel

// DefaultEscalationLadder returns the ladder of DESIGN.md §6: at 50 % warn
// the engineer and the dispatcher, at 75 % escalate to the duty manager and
// re-dispatch if nobody is en route, at 90 % notify the account manager, at
// 100 % breach.
func DefaultEscalationLadder() EscalationLadder {
	return EscalationLadder{
		{Percent: 50, Actions: []EscalationAction{EscalationWarnEngineer, EscalationWarnDispatcher}},
		{Percent: 75, Actions: []EscalationAction{EscalationDutyManager, EscalationRedispatch}},
		{Percent: 90, Actions: []EscalationAction{EscalationNotifyAccountManager}},
		{Percent: 100, Actions: []EscalationAction{EscalationBreach}},
	}
}

// Validate returns an EINVALID error unless the ladder's percentages rise
// strictly within 1–100, every level has known actions without repeats, and
// it ends with a 100 % level that breaches, the only level to do so.
func (l EscalationLadder) Validate() error {
	if len(l) == 0 || l[len(l)-1].Percent != 100 {
		return Errorf(EINVALID, "an escalation ladder must end with a 100 %% level")
	}
	prev := 0
	for i, lv := range l {
		if lv.Percent <= prev || lv.Percent > 100 {
			return Errorf(EINVALID,
				"escalation level %d: %d %% must be above %d %% and at most 100 %%", i+1, lv.Percent, prev)
		}
		prev = lv.Percent
		if len(lv.Actions) == 0 {
			return Errorf(EINVALID, "escalation level %d (%d %%) has no actions", i+1, lv.Percent)
		}
		for j, a := range lv.Actions {
			switch {
			case !a.Valid():
				return Errorf(EINVALID, "escalation level %d (%d %%): unknown action %q", i+1, lv.Percent, a)
			case slices.Contains(lv.Actions[:j], a):
				return Errorf(EINVALID, "escalation level %d (%d %%): action %q twice", i+1, lv.Percent, a)
			case a == EscalationBreach && lv.Percent != 100:
				return Errorf(EINVALID,
					"escalation level %d (%d %%): only the 100 %% level may breach", i+1, lv.Percent)
			}
		}
	}
	if !slices.Contains(l[len(l)-1].Actions, EscalationBreach) {
		return Errorf(EINVALID, "the 100 %% escalation level must breach")
	}
	return nil
}

// clone returns a deep copy of the ladder.
func (l EscalationLadder) clone() EscalationLadder {
	c := slices.Clone(l)
	for i := range c {
		c[i].Actions = slices.Clone(c[i].Actions)
	}
	return c
}
