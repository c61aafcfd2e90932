package sim

import (
	"context"
	"time"
)

// windDown ends the day: the incidents in flight are filed, engineers
// finish the jobs they hold (up to Drain), and every incident of the day
// still open is cancelled by the administrator, which ends its job and
// releases its parts.
func (s *sim) windDown(ctx context.Context) {
	s.filers.Wait()
	deadline := time.Now().Add(s.cfg.Drain)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		busy, err := s.fleetBusy(ctx)
		if err == nil && busy == 0 && s.engines.busy() == 0 {
			break
		}
		sleep(ctx, 2*time.Second)
	}
	ids := map[string]bool{}
	s.accepted.Range(func(_, v any) bool {
		ids[v.(string)] = true
		return true
	})
	cancelled := 0
	for id := range ids {
		data, err := s.c.must(ctx, s.admin, "incident", `query($id: ID!) { incident(id: $id) { status } }`, map[string]any{"id": id})
		if err != nil {
			s.out.problem("read incident %s: %v", id, err)
			continue
		}
		op, query := "cancelIncident", `mutation($id: ID!) { cancelIncident(id: $id, reason: "the simulated day ended") { status } }`
		switch str(dig(data, "incident", "status")) {
		case "RESOLVED", "CLOSED", "CANCELLED":
			continue
		case "REPAIRED", "VERIFIED":
			// Repaired work is not cancelled: the engineer was cut short
			// completing it, and the administrator completes it.
			op, query = "completeRepair", `mutation($id: ID!) { resolveIncident(id: $id, note: "the simulated day ended") { status } }`
			if str(dig(data, "incident", "status")) == "REPAIRED" {
				_, _ = s.c.do(ctx, s.admin, "verifyIncident", `mutation($id: ID!) { verifyIncident(id: $id) { status } }`, map[string]any{"id": id})
			}
		}
		resp, err := s.c.do(ctx, s.admin, op, query, map[string]any{"id": id})
		if err == nil && resp.err() != nil && s.ended(ctx, id) {
			continue // its engineer, still finishing, ended it meanwhile
		}
		if err != nil || resp.err() != nil {
			s.out.problem("cancel %s at the end of the day: %v %v", id, err, resp.err())
			continue
		}
		cancelled++
	}
	s.out.add("open at the end, cancelled", cancelled)
	s.logf("wind-down: %d incidents still open were cancelled", cancelled)
}

// ended reports whether the incident is resolved, closed or cancelled now.
func (s *sim) ended(ctx context.Context, id string) bool {
	data, err := s.c.must(ctx, s.admin, "incident", `query($id: ID!) { incident(id: $id) { status } }`, map[string]any{"id": id})
	if err != nil {
		return false
	}
	switch str(dig(data, "incident", "status")) {
	case "RESOLVED", "CLOSED", "CANCELLED":
		return true
	}
	return false
}

// fleetBusy returns how many engineers hold jobs.
func (s *sim) fleetBusy(ctx context.Context) (int, error) {
	nodes, err := s.pages(ctx, s.admin, "engineers", `query($after: String) { engineers(first: 500, after: $after) {
		edges { node { load } } pageInfo { hasNextPage endCursor } } }`, nil, "engineers")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range nodes {
		if num(dig(e, "load")) > 0 {
			n++
		}
	}
	return n, nil
}
