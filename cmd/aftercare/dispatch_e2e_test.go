package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"
)

// TestDispatchThroughGraphQL files an incident that needs a part, ranks its
// candidates as a dispatcher, assigns one, overrides to the demo engineer,
// lets that engineer decline (the next candidate takes it), and runs the
// batch optimiser over the region's queue.
func TestDispatchThroughGraphQL(t *testing.T) {
	env := mustTestEnvWith(t, func(*demo.Config) {}) // the full demo fleet
	m := env.startMain(t)
	admin := env.token(t, "admin")

	// A server at a site in the east region, and a part its product line
	// uses. The account has no platinum contract: with advance parts
	// replacement the incident's workflow would dispatch it at filing,
	// racing the dispatcher this test plays.
	found := gql(t, m.URL(), admin, `{ accounts(first: 10) { edges { node { code contracts(first: 20) { edges { node { tier } } }
		sites(first: 50) { edges { node { region assets(first: 5) { edges { node { serialNumber productLine } } } } } } } } } }`, nil)
	require.Empty(t, found.Errors)
	var serial, line, code string
	for _, e := range dig(found.Data, "accounts", "edges").([]any) {
		platinum := false
		for _, c := range dig(e, "node", "contracts", "edges").([]any) {
			platinum = platinum || dig(c, "node", "tier") == "PLATINUM"
		}
		if platinum {
			continue
		}
		for _, s := range dig(e, "node", "sites", "edges").([]any) {
			if serial != "" || dig(s, "node", "region") != "east" {
				continue
			}
			for _, a := range dig(s, "node", "assets", "edges").([]any) {
				if serial == "" && strings.HasPrefix(dig(a, "node", "productLine").(string), "thinksystem") {
					serial, line = dig(a, "node", "serialNumber").(string), dig(a, "node", "productLine").(string)
					code = dig(e, "node", "code").(string)
				}
			}
		}
	}
	require.NotEmpty(t, serial, "a server in the east region")
	parts := gql(t, m.URL(), admin, `query($l: String!) { parts(productLine: $l, first: 1) { edges { node { fru } } } }`,
		map[string]any{"l": line})
	require.Empty(t, parts.Errors)
	fru := dig(dig(parts.Data, "parts", "edges").([]any)[0], "node", "fru").(string)

	input := incidentInput(serial, uniqueID("dispatch"))
	input["parts"] = []any{map[string]any{"fru": fru, "quantity": 1}}
	filed := gql(t, m.URL(), admin, `mutation($input: CreateIncidentInput!) { createIncident(input: $input) {
		id neededParts { part { fru } quantity } } }`, map[string]any{"input": input})
	require.Empty(t, filed.Errors)
	id := dig(filed.Data, "createIncident", "id").(string)
	assert.Equal(t, fru, dig(dig(filed.Data, "createIncident", "neededParts").([]any)[0], "part", "fru"))

	dispatcher := env.token(t, "dispatcher.east")
	regions := gql(t, m.URL(), dispatcher, `{ myRegions { code } }`, nil)
	assert.Equal(t, []any{map[string]any{"code": "east"}}, dig(regions.Data, "myRegions"), "a dispatcher's board starts in their region")
	all := gql(t, m.URL(), env.token(t, "admin"), `{ myRegions { code } }`, nil)
	assert.Len(t, dig(all.Data, "myRegions"), 8, "an admin sees every region")
	ranked := gql(t, m.URL(), dispatcher, `query($id: ID!) { dispatchCandidates(incidentId: $id) {
		candidates { engineer { id code } eta distanceKm routeKm makesDeadline fromVan { quantity } depot { code } fromDepot { quantity } }
		rejections { engineer { id } reason } rejectionCounts { reason count } } }`, map[string]any{"id": id})
	require.Empty(t, ranked.Errors)
	candidates := dig(ranked.Data, "dispatchCandidates", "candidates").([]any)
	require.NotEmpty(t, candidates, "the demo fleet has someone for a server in the east")
	for _, c := range candidates {
		van := len(dig(c, "fromVan").([]any))
		depot := len(dig(c, "fromDepot").([]any))
		assert.Equal(t, 1, van+depot, "every candidate has a plan for the part")
		assert.GreaterOrEqual(t, dig(c, "routeKm").(float64), dig(c, "distanceKm").(float64))
	}

	rejections := dig(ranked.Data, "dispatchCandidates", "rejections").([]any)
	require.NotEmpty(t, rejections, "some engineers near the site fail a rule")
	assert.LessOrEqual(t, len(rejections), aftercare.DefaultDispatchRejections)
	few := gql(t, m.URL(), dispatcher, `query($id: ID!) { dispatchCandidates(incidentId: $id, rejections: 1) {
		rejections { engineer { id } } } }`, map[string]any{"id": id})
	require.Empty(t, few.Errors)
	assert.Equal(t, []any{map[string]any{"engineer": dig(rejections[0], "engineer")}}, dig(few.Data, "dispatchCandidates", "rejections"),
		"asked for one: the nearest")
	for _, n := range []int{-1, aftercare.MaxDispatchRejections + 1} {
		bad := gql(t, m.URL(), dispatcher, `query($id: ID!, $n: Int!) { dispatchCandidates(incidentId: $id, rejections: $n) { at } }`,
			map[string]any{"id": id, "n": n})
		assert.Equal(t, "EINVALID", bad.code(), "rejections: %d", n)
	}

	assigned := gql(t, m.URL(), dispatcher, `mutation($id: ID!) { assignEngineer(incidentId: $id) {
		id state engineer { id } parts { quantity } decision } }`, map[string]any{"id": id})
	require.Empty(t, assigned.Errors)
	assert.Equal(t, dig(candidates[0], "engineer", "id"), dig(assigned.Data, "assignEngineer", "engineer", "id"),
		"the best candidate is assigned")
	assert.Contains(t, dig(assigned.Data, "assignEngineer", "decision"), "Candidates", "the decision is recorded")

	t.Run("customer IT sees the job, not the decision or depots", func(t *testing.T) {
		customer := env.token(t, customerOf(code))
		job := gql(t, m.URL(), customer, `query($id: ID!) { incident(id: $id) { id assignments { state eta decision
			parts { quantity depot { id code } } } } }`, map[string]any{"id": id})
		assert.Equal(t, aftercare.EUNAUTHORIZED, job.code(), "errors: %+v", job.Errors)
		jobs := dig(job.Data, "incident", "assignments").([]any)
		require.Len(t, jobs, 1, "the job itself is the customer's to see")
		assert.Equal(t, "PROPOSED", dig(jobs[0], "state"))
		assert.Nil(t, dig(jobs[0], "decision"), "other engineers' IDs, loads and ETAs stay with dispatch")
		for _, p := range dig(jobs[0], "parts").([]any) {
			assert.Nil(t, dig(p, "depot"), "a reservation's depot")
		}
		refused := map[string]bool{}
		for _, e := range job.Errors {
			refused[fmt.Sprint(e.Path[len(e.Path)-1])] = true
		}
		assert.True(t, refused["decision"] && refused["depot"], "refused: %v", refused)

		stock := gql(t, m.URL(), customer, `query($l: String!) { parts(productLine: $l, first: 3) { edges { node { fru
			stock(first: 5) { edges { node { onHand depot { id code } } } } } } } }`, map[string]any{"l": line})
		assert.Equal(t, aftercare.EUNAUTHORIZED, stock.code(), "a part's stock leads to depots")
		assert.NotContains(t, mustJSON(t, stock.Data), "DEP-", "no depot is shown")
	})

	again := gql(t, m.URL(), dispatcher, `mutation($id: ID!) { assignEngineer(incidentId: $id) { id } }`, map[string]any{"id": id})
	assert.Equal(t, aftercare.ECONFLICT, again.code(), "an incident has one engineer at a time")

	zhang := gql(t, m.URL(), admin, `{ engineers(first: 1) { edges { node { id code } } } }`, nil)
	zhangID := dig(dig(zhang.Data, "engineers", "edges").([]any)[0], "node", "id").(string)
	decliner := env.token(t, "engineer.zhang") // ENG-00001 declines their own job
	over := gql(t, m.URL(), dispatcher, `mutation($id: ID!, $e: ID!) { overrideAssignment(incidentId: $id, engineerId: $e,
		reason: "knows the customer's data centre") { id engineer { id } overrideReason } }`, map[string]any{"id": id, "e": zhangID})
	if over.code() == aftercare.ECONFLICT {
		t.Logf("ENG-00001 cannot take this incident (%s); override checked against the second candidate", over.Errors[0].Message)
		zhangID, decliner = dig(candidates[1], "engineer", "id").(string), admin
		over = gql(t, m.URL(), dispatcher, `mutation($id: ID!, $e: ID!) { overrideAssignment(incidentId: $id, engineerId: $e,
			reason: "knows the customer's data centre") { id engineer { id } overrideReason } }`, map[string]any{"id": id, "e": zhangID})
	}
	require.Empty(t, over.Errors)
	assert.Equal(t, "knows the customer's data centre", dig(over.Data, "overrideAssignment", "overrideReason"))

	history := gql(t, m.URL(), dispatcher, `query($id: ID!) { incident(id: $id) { assignments { state overrideReason } } }`,
		map[string]any{"id": id})
	require.Empty(t, history.Errors)
	states := []string{}
	for _, a := range dig(history.Data, "incident", "assignments").([]any) {
		states = append(states, dig(a, "state").(string))
	}
	assert.Equal(t, []string{"PROPOSED", "OVERRIDDEN"}, states)

	declined := gql(t, m.URL(), decliner, `mutation($a: ID!) { declineAssignment(assignmentId: $a, reason: "van broke down") {
		id state } }`, map[string]any{"a": dig(over.Data, "overrideAssignment", "id")})
	require.Empty(t, declined.Errors)
	assert.Equal(t, "PROPOSED", dig(declined.Data, "declineAssignment", "state"))
	after := gql(t, m.URL(), dispatcher, `query($id: ID!) { incident(id: $id) { assignments { state engineer { id } } } }`,
		map[string]any{"id": id})
	require.Empty(t, after.Errors)
	latest := dig(after.Data, "incident", "assignments").([]any)
	assert.Equal(t, "DECLINED", dig(latest[1], "state"))
	assert.NotEqual(t, zhangID, dig(latest[0], "engineer", "id"), "the next candidate takes it")

	queueBefore := gql(t, m.URL(), dispatcher, `{ dispatchQueue(region: "east") { incident { id } assignment { id } } }`, nil)
	preview := gql(t, m.URL(), dispatcher, `{ dispatchPlanPreview(region: "east") { proposals { incident { id } engineer { id } eta
		distanceKm } unassigned { id } optimalTotalSeconds greedyTotalSeconds greedyAssigned } }`, nil)
	require.Empty(t, preview.Errors)
	queueAfter := gql(t, m.URL(), dispatcher, `{ dispatchQueue(region: "east") { incident { id } assignment { id } } }`, nil)
	assert.Equal(t, queueBefore.Data, queueAfter.Data, "a preview reserves nothing")
	plan := gql(t, m.URL(), dispatcher, `mutation { optimizeDispatch(region: "east") { assignments { id } unassigned { id }
		optimalTotalSeconds greedyTotalSeconds greedyAssigned } }`, nil)
	require.Empty(t, plan.Errors)
	assert.InDelta(t, dig(preview.Data, "dispatchPlanPreview", "optimalTotalSeconds"),
		dig(plan.Data, "optimizeDispatch", "optimalTotalSeconds"), 1e-6, "applied as previewed")
	assert.Equal(t, len(dig(preview.Data, "dispatchPlanPreview", "proposals").([]any)),
		len(dig(plan.Data, "optimizeDispatch", "assignments").([]any)))
	assert.LessOrEqual(t, dig(plan.Data, "optimizeDispatch", "optimalTotalSeconds").(float64),
		dig(plan.Data, "optimizeDispatch", "greedyTotalSeconds").(float64)+1e-6, "never worse than greedy")

	queue := gql(t, m.URL(), dispatcher, `{ dispatchQueue(region: "east") { incident { id } assignment { id } } }`, nil)
	require.Empty(t, queue.Errors)
}

// TestAdvancePartsDispatchOnTheRealStack files a platinum incident (the
// demo platinum contract carries advance parts replacement) and sees its
// workflow run the dispatch activity (a local activity of its first
// workflow task) against the real worker, database and
// Temporal server: an engineer is reserved, or the activity says why none
// could be (shifts depend on the hour the test runs).
func TestAdvancePartsDispatchOnTheRealStack(t *testing.T) {
	env := mustTestEnvWith(t, func(*demo.Config) {})
	m := env.startMain(t)
	admin := env.token(t, "admin")
	filed := gql(t, m.URL(), admin, createIncidentMutation,
		map[string]any{"input": incidentInput(env.summary.Serials[aftercare.TierPlatinum], uniqueID("advance"))})
	require.Empty(t, filed.Errors)
	id := dig(filed.Data, "createIncident", "id").(string)

	var result workflows.DispatchIncidentResult
	waitFor(t, 60*time.Second, "the workflow's dispatch activity", func() bool {
		iter := m.Temporal.GetWorkflowHistory(context.Background(), aftercare.IncidentWorkflowID(id), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			ev, err := iter.Next()
			var notYet *serviceerror.NotFound
			if errors.As(err, &notYet) {
				return false // the intake relay has not started the workflow yet
			}
			require.NoError(t, err)
			m := ev.GetMarkerRecordedEventAttributes()
			if m.GetMarkerName() != "LocalActivity" || m.GetFailure() != nil {
				continue
			}
			var ran struct{ ActivityType string }
			require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(m.GetDetails()["data"], &ran))
			if ran.ActivityType == workflows.DispatchIncidentActivityName {
				require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(m.GetDetails()["result"], &result))
				return true
			}
		}
		return false
	})
	assignments := gql(t, m.URL(), admin, `query($id: ID!) { incident(id: $id) { assignments { id engineer { id } } } }`,
		map[string]any{"id": id})
	require.Empty(t, assignments.Errors)
	list := dig(assignments.Data, "incident", "assignments").([]any)
	if result.AssignmentID == "" {
		assert.Contains(t, result.Skipped, "no engineer can take the incident", "the activity says why nobody")
		assert.Empty(t, list)
		return
	}
	require.Len(t, list, 1, "the reserved engineer is the incident's assignment")
	assert.Equal(t, result.AssignmentID, dig(list[0], "id"))
}
