package sim

import (
	"context"
	"time"
)

// dispatcher works a region's queue as its dispatcher: every few
// simulated minutes, each unassigned incident goes to the top candidate,
// now and then to another one chosen by hand with a reason, and every so
// often the whole queue is assigned at once by optimizeDispatch.
func (s *sim) dispatcher(ctx context.Context, region string) {
	token, err := s.token(ctx, "dispatcher."+region)
	if err != nil {
		s.out.problem("%v", err)
		return
	}
	every := max(s.real(5*time.Minute), time.Second)
	for round := 1; sleep(ctx, every); round++ {
		if !s.filing.Load() {
			continue // the day is over: the wind-down handles what is left
		}
		if round%12 == 0 {
			s.optimize(ctx, token, region)
			continue
		}
		data, err := s.c.must(ctx, token, "dispatchQueue", `query($r: String!) { dispatchQueue(region: $r, first: 50) {
			incident { id status } assignment { id } } }`, map[string]any{"r": region})
		if err != nil {
			s.out.problem("queue of %s: %v", region, err)
			continue
		}
		for _, item := range asList(dig(data, "dispatchQueue")) {
			if dig(item, "assignment") != nil || ctx.Err() != nil {
				continue
			}
			s.assign(ctx, token, str(dig(item, "incident", "id")))
		}
	}
}

// assign gives one incident to its top candidate, or one time in ten to
// the second candidate by hand.
func (s *sim) assign(ctx context.Context, token, id string) {
	vars := map[string]any{"id": id}
	if s.chance(0.1) {
		data, err := s.c.must(ctx, token, "dispatchCandidates", `query($id: ID!) { dispatchCandidates(incidentId: $id, rejections: 0) {
			candidates { engineer { id } } } }`, vars)
		if err == nil {
			if c := asList(dig(data, "dispatchCandidates", "candidates")); len(c) > 1 {
				s.outcome(s.c.do(ctx, token, "overrideAssignment", `mutation($id: ID!, $e: ID!) { overrideAssignment(incidentId: $id,
					engineerId: $e, reason: "the customer asked for an engineer who knows the site") { id engineer { id } } }`,
					map[string]any{"id": id, "e": dig(c[1], "engineer", "id")}))
				return
			}
		}
	}
	s.outcome(s.c.do(ctx, token, "assignEngineer", `mutation($id: ID!) { assignEngineer(incidentId: $id) { id engineer { id } } }`, vars))
}

// outcome counts a dispatch's answer and wakes the engineer it chose.
func (s *sim) outcome(resp *response, err error) {
	switch {
	case err != nil:
		s.out.problem("dispatch: %v", err)
	case resp.code() != "":
		s.out.add("dispatch refused: "+resp.code(), 1)
	default:
		for _, f := range []string{"assignEngineer", "overrideAssignment"} {
			if e := str(dig(resp.Data, f, "engineer", "id")); e != "" {
				s.out.add("dispatched by "+f, 1)
				s.engines.wake(e)
			}
		}
	}
}

// optimize assigns the region's whole queue at once.
func (s *sim) optimize(ctx context.Context, token, region string) {
	data, err := s.c.must(ctx, token, "optimizeDispatch", `mutation($r: String!) { optimizeDispatch(region: $r) {
		assignments { engineer { id } } unassigned { id } } }`, map[string]any{"r": region})
	if err != nil {
		s.out.add("optimizeDispatch refused", 1)
		return
	}
	s.out.add("optimizeDispatch runs", 1)
	for _, a := range asList(dig(data, "optimizeDispatch", "assignments")) {
		s.out.add("dispatched by optimizeDispatch", 1)
		s.engines.wake(str(dig(a, "engineer", "id")))
	}
}
