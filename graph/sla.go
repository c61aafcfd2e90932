package graph

import (
	"context"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
	"github.com/aftercare/aftercare/sla"
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
func policyFromInput(tier aftercare.Tier, in model.TierPolicyInput) (sla.Policy, error) {
	p := sla.Policy{Tier: tier, PartsPause: in.PartsPause}
	for _, c := range in.Cells {
		t, err := sla.ParseTarget(c.Target)
		if err != nil {
			return sla.Policy{}, aftercare.Errorf(aftercare.EINVALID, "%s %s: %s", c.Priority, c.Clock, aftercare.ErrorMessage(err))
		}
		p.Cells = append(p.Cells, sla.Cell{Priority: c.Priority, Clock: c.Clock, Target: t, Coverage: sla.Coverage(c.Coverage)})
	}
	for _, l := range in.Ladder {
		lv := sla.Level{Percent: l.Percent}
		for _, a := range l.Actions {
			lv.Actions = append(lv.Actions, sla.Action(a))
		}
		p.Ladder = append(p.Ladder, lv)
	}
	return p, nil
}

// tierPolicyModel is a policy as GraphQL shows it.
func tierPolicyModel(p sla.Policy, custom bool) *model.TierPolicy {
	out := &model.TierPolicy{Tier: p.Tier, Custom: custom, PartsPause: p.PartsPause}
	for _, c := range p.Cells {
		cov := string(c.Coverage)
		if !c.Target.Applies() {
			cov = ""
		}
		out.Cells = append(out.Cells, &model.PolicyCell{Priority: c.Priority, Clock: c.Clock, Target: c.Target.String(), Coverage: cov})
	}
	for _, l := range p.Ladder {
		lv := &model.LadderLevel{Percent: l.Percent}
		for _, a := range l.Actions {
			lv.Actions = append(lv.Actions, string(a))
		}
		out.Ladder = append(out.Ladder, lv)
	}
	return out
}
