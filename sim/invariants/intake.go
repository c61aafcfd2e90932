package invariants

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aftercare/aftercare"
)

// uuidPattern matches the text of a UUID, as incident IDs are written.
var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// storedIncident is an incident as the intake checks read it.
type storedIncident struct {
	id, requestID string
	number        int64
	clocks        []string
}

const (
	acceptedName = "accepted incidents kept"
	acceptedRule = "every createIncident that returned success has exactly one incident with its client request ID, " +
		"the ID it returned, and exactly one workflow of that incident's ID (a continue-as-new chain counts once)"
	incidentsName = "no incident lost or unaccounted for"
	incidentsRule = "every incident filed since the day's start has its response and restore clocks in sla_clocks " +
		"and exactly one workflow, and was accepted by a client: its client request ID is one a client saw " +
		"succeed, mapped to this incident (a repeated request returns the same incident, so it is no extra)"
)

// checkAccepted checks invariant 1: what the clients were told was
// accepted is there, once.
func (c *checker) checkAccepted(ctx context.Context) Result {
	var p problems
	requestIDs := make([]string, 0, len(c.rec.Accepted))
	var ids []string
	for rid, id := range c.rec.Accepted {
		requestIDs = append(requestIDs, rid)
		if uuidPattern.MatchString(id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(requestIDs)
	found, err := c.incidentsFor(ctx, requestIDs, ids)
	if err != nil {
		return failed(acceptedName, acceptedRule, err)
	}
	byRequest := map[string][]storedIncident{}
	byID := map[string]storedIncident{}
	for _, inc := range found {
		byRequest[inc.requestID] = append(byRequest[inc.requestID], inc)
		byID[inc.id] = inc
	}
	returnedBy := map[string]string{}
	var incidents, workflows int
	for _, rid := range requestIDs {
		id := c.rec.Accepted[rid]
		if other, ok := returnedBy[id]; ok {
			p.add("requests %q and %q were both answered with incident %s", other, rid, id)
		}
		returnedBy[id] = rid
		got := byRequest[rid]
		switch inc, ok := byID[id]; {
		case !ok:
			p.add("request %q was accepted as incident %q, which does not exist", rid, id)
			continue
		case inc.requestID != rid:
			p.add("request %q was accepted as incident #%d, which has client request ID %q", rid, inc.number, inc.requestID)
		case len(got) != 1:
			p.add("request %q has %d incidents, want 1", rid, len(got))
		}
		incidents++
		n, err := c.workflowCount(ctx, aftercare.IncidentWorkflowID(id))
		if err != nil {
			return failed(acceptedName, acceptedRule, err)
		}
		if n != 1 {
			p.add("accepted incident #%d has %d workflows (%s), want 1", byID[id].number, n, aftercare.IncidentWorkflowID(id))
		}
		if n >= 1 {
			workflows++
		}
	}
	return p.result(acceptedName, acceptedRule,
		fmt.Sprintf("%d accepted, %d found, %d with a workflow", len(requestIDs), incidents, workflows))
}

// incidentsFor reads the incidents with any of the client request IDs or
// incident IDs.
func (c *checker) incidentsFor(ctx context.Context, requestIDs, ids []string) ([]storedIncident, error) {
	var out []storedIncident
	var inc storedIncident
	err := c.db.Query(ctx, `
		SELECT id::text, client_request_id, number FROM incidents WHERE id = ANY($1::uuid[])
		UNION
		SELECT id::text, client_request_id, number FROM incidents WHERE client_request_id = ANY($2::text[])`,
		[]any{ids, requestIDs}, []any{&inc.id, &inc.requestID, &inc.number}, func() error {
			out = append(out, inc)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read accepted incidents: %w", err)
	}
	return out, nil
}

// checkIncidents checks invariant 2: every incident of the day has its
// clocks and its workflow, and a client that was told it was accepted.
func (c *checker) checkIncidents(ctx context.Context) Result {
	var p problems
	var day []storedIncident
	var inc storedIncident
	err := c.db.Query(ctx, `
		SELECT i.id::text, i.client_request_id, i.number, array_remove(array_agg(c.kind ORDER BY c.kind), NULL)
		FROM incidents i LEFT JOIN sla_clocks c ON c.incident_id = i.id
		WHERE i.created_at >= $1 GROUP BY i.id ORDER BY i.number`,
		[]any{c.rec.Since}, []any{&inc.id, &inc.requestID, &inc.number, &inc.clocks}, func() error {
			inc.clocks = slices.Clone(inc.clocks)
			day = append(day, inc)
			return nil
		})
	if err != nil {
		return failed(incidentsName, incidentsRule, fmt.Errorf("read the day's incidents: %w", err))
	}
	var clocked, withWorkflow, unknown int
	for _, inc := range day {
		missing := missingClocks(inc.clocks)
		if len(missing) > 0 {
			p.add("incident #%d has no %s clock", inc.number, strings.Join(missing, " or "))
		} else {
			clocked++
		}
		n, err := c.workflowCount(ctx, aftercare.IncidentWorkflowID(inc.id))
		if err != nil {
			return failed(incidentsName, incidentsRule, err)
		}
		if n == 1 {
			withWorkflow++
		} else {
			p.add("incident #%d has %d workflows, want 1", inc.number, n)
		}
		switch id, ok := c.rec.Accepted[inc.requestID]; {
		case !ok:
			unknown++
			p.add("incident #%d has client request ID %q, which no client saw accepted", inc.number, inc.requestID)
		case id != inc.id:
			unknown++
			p.add("incident #%d has client request ID %q, which a client saw accepted as incident %s",
				inc.number, inc.requestID, id)
		}
	}
	return p.result(incidentsName, incidentsRule, fmt.Sprintf("%d filed, %d with clocks, %d with a workflow, %d unaccepted",
		len(day), clocked, withWorkflow, unknown))
}

// missingClocks returns which of the clocks every incident has (response
// and restore; on site only where entitled) are not among kinds.
func missingClocks(kinds []string) []string {
	var out []string
	for _, k := range []aftercare.ClockKind{aftercare.ClockResponse, aftercare.ClockRestore} {
		if !slices.Contains(kinds, string(k)) {
			out = append(out, string(k))
		}
	}
	return out
}
