package graph

import (
	"context"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
)

// transition asks for a lifecycle action that takes nothing but a note.
func (r *mutationResolver) transition(ctx context.Context, id string, a aftercare.LifecycleAction, note *string) (*aftercare.Incident, error) {
	return r.LifecycleService.Transition(ctx, aftercare.LifecycleRequest{IncidentID: id, Action: a, Note: deref(note)})
}

// optionalStatus returns nil for the empty status of events that are no
// transition.
func optionalStatus(s aftercare.IncidentStatus) *aftercare.IncidentStatus {
	if s == "" {
		return nil
	}
	return &s
}

// policyFromInput builds a tier's policy from what an admin sent; the store
// validates it as a whole.
func policyFromInput(tier aftercare.Tier, in model.TierPolicyInput) (aftercare.SLAPolicy, error) {
	p := aftercare.SLAPolicy{Tier: tier, PartsPause: in.PartsPause}
	for _, c := range in.Cells {
		t, err := aftercare.ParseSLATarget(c.Target)
		if err != nil {
			return aftercare.SLAPolicy{}, aftercare.Errorf(aftercare.EINVALID, "%s %s: %s", c.Priority, c.Clock, aftercare.ErrorMessage(err))
		}
		p.Cells = append(p.Cells, aftercare.SLACell{Priority: c.Priority, Clock: c.Clock, Target: t, Coverage: aftercare.SLACoverage(c.Coverage)})
	}
	for _, l := range in.Ladder {
		lv := aftercare.EscalationLevel{Percent: l.Percent}
		for _, a := range l.Actions {
			lv.Actions = append(lv.Actions, aftercare.EscalationAction(a))
		}
		p.Ladder = append(p.Ladder, lv)
	}
	return p, nil
}

// tierPolicyModel is a policy as GraphQL shows it.
func tierPolicyModel(p aftercare.SLAPolicy, custom bool) *model.TierPolicy {
	out := &model.TierPolicy{Tier: p.Tier, Custom: custom, PartsPause: p.PartsPause}
	for _, c := range p.Cells {
		cov := string(c.Coverage)
		if !c.Target.Applies() {
			cov = ""
		}
		out.Cells = append(out.Cells, &model.PolicyCell{Priority: c.Priority, Clock: c.Clock, Target: c.Target.String(), Coverage: cov})
	}
	for _, l := range p.Ladder {
		out.Ladder = append(out.Ladder, &model.LadderLevel{Percent: l.Percent, Actions: actionNames(l.Actions)})
	}
	return out
}

// actionNames returns escalation actions as GraphQL shows them.
func actionNames(actions []aftercare.EscalationAction) []string {
	names := make([]string, len(actions))
	for i, a := range actions {
		names[i] = string(a)
	}
	return names
}
