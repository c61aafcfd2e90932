package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
)

// countWorkflows counts the executions, open or closed, with a workflow ID.
func countWorkflows(t *testing.T, c client.Client, workflowID string) int64 {
	t.Helper()
	resp, err := c.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{
		Query: "WorkflowId = '" + workflowID + "'",
	})
	require.NoError(t, err)
	return resp.GetCount()
}

// TestFileIncidentEndToEnd files an incident through GraphQL against a
// real API, PostgreSQL and Temporal server, and follows it to its running
// workflow.
func TestFileIncidentEndToEnd(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	serial := env.summary.Serials[aftercare.TierPlatinum]
	require.NotEmpty(t, serial)
	admin := env.token(t, "admin")

	asset := gql(t, m.URL(), admin, `query($s: String!) { assetBySerial(serialNumber: $s) { account { code } } }`,
		map[string]any{"s": strings.ToLower(serial)})
	require.Empty(t, asset.Errors)
	accountCode := dig(asset.Data, "assetBySerial", "account", "code").(string)
	customer := env.token(t, customerOf(accountCode))

	requestID := uniqueID("e2e")
	filed := gql(t, m.URL(), customer, createIncidentMutation, map[string]any{"input": incidentInput(serial, requestID)})
	require.Empty(t, filed.Errors, "createIncident errors: %+v", filed.Errors)
	inc := dig(filed.Data, "createIncident").(map[string]any)
	id := inc["id"].(string)
	assert.Equal(t, "NEW", inc["status"])
	assert.Equal(t, "PLATINUM", inc["tier"])
	assert.Equal(t, accountCode, dig(inc, "account", "code"))
	assert.Equal(t, serial, dig(inc, "asset", "serialNumber"))
	assert.Equal(t, "PLATINUM", dig(inc, "contract", "tier"))
	assert.Equal(t, aftercare.IncidentWorkflowID(id), inc["workflowId"])

	t.Run("the workflow starts and records it", func(t *testing.T) {
		waitFor(t, 30*time.Second, "workflowStartedAt", func() bool {
			got := gql(t, m.URL(), customer, `query($id: ID!) { incident(id: $id) { workflowStartedAt } }`, map[string]any{"id": id})
			return dig(got.Data, "incident", "workflowStartedAt") != nil
		})
		desc, err := m.Temporal.DescribeWorkflow(context.Background(), aftercare.IncidentWorkflowID(id), "")
		require.NoError(t, err)
		assert.Equal(t, enums.WORKFLOW_EXECUTION_STATUS_RUNNING, desc.Status)
	})

	t.Run("operators find its workflow by its search attributes", func(t *testing.T) {
		query := fmt.Sprintf("AftercareIncidentNumber = %d AND AftercarePriority = 'P1' AND ExecutionStatus = 'Running'", int64(inc["number"].(float64)))
		var found *workflowpb.WorkflowExecutionInfo
		waitFor(t, 30*time.Second, "visibility to find the workflow by "+query, func() bool {
			resp, err := m.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
			require.NoError(t, err)
			for _, e := range resp.GetExecutions() {
				if e.GetExecution().GetWorkflowId() == aftercare.IncidentWorkflowID(id) {
					found = e
				}
			}
			return found != nil && found.GetSearchAttributes().GetIndexedFields()["AftercareRegion"] != nil
		})
		attrs := map[string]string{}
		for _, name := range []string{"AftercareAccount", "AftercareTier", "AftercareStatus", "AftercareRegion"} {
			var v string
			require.NoError(t, converter.GetDefaultDataConverter().FromPayload(found.GetSearchAttributes().GetIndexedFields()[name], &v))
			attrs[name] = v
		}
		assert.NotEmpty(t, attrs["AftercareAccount"])
		assert.NotEmpty(t, attrs["AftercareRegion"], "the region of the incident's site")
		assert.Equal(t, "platinum", attrs["AftercareTier"])
		assert.Equal(t, "new", attrs["AftercareStatus"])
	})

	t.Run("filing again with the same request ID returns the same incident", func(t *testing.T) {
		again := gql(t, m.URL(), customer, createIncidentMutation, map[string]any{"input": incidentInput(serial, requestID)})
		require.Empty(t, again.Errors)
		assert.Equal(t, id, dig(again.Data, "createIncident", "id"))
		waitFor(t, 30*time.Second, "visibility to list the workflow", func() bool {
			return countWorkflows(t, m.Temporal, aftercare.IncidentWorkflowID(id)) > 0
		})
		assert.Equal(t, int64(1), countWorkflows(t, m.Temporal, aftercare.IncidentWorkflowID(id)))
	})

	t.Run("the incident is listed and found", func(t *testing.T) {
		list := gql(t, m.URL(), customer, `{ incidents(first: 5, filter: {priority: P1}) { edges { node { id } } pageInfo { hasNextPage } } }`, nil)
		require.Empty(t, list.Errors)
		edges := dig(list.Data, "incidents", "edges").([]any)
		require.Len(t, edges, 1)
		assert.Equal(t, id, dig(edges[0], "node", "id"))
	})
}

// TestAPIErrors checks that bad input of every kind gets a clear error with
// a code, never a panic or a 500, and that nothing accepted is lost.
func TestAPIErrors(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	serial := env.summary.Serials[aftercare.TierPremium]
	requestID := uniqueID("err")
	first := gql(t, m.URL(), admin, createIncidentMutation, map[string]any{"input": incidentInput(serial, requestID)})
	require.Empty(t, first.Errors)

	with := func(mod func(in map[string]any)) map[string]any {
		in := incidentInput(serial, uniqueID("err"))
		mod(in)
		return map[string]any{"input": in}
	}
	tests := []struct {
		name   string
		token  string
		query  string
		vars   map[string]any
		raw    string
		status int
		code   string
	}{
		{name: "unknown serial", token: admin, query: createIncidentMutation,
			vars: with(func(in map[string]any) { in["serialNumber"] = "NO-SUCH-SERIAL" }), code: aftercare.EINVALID},
		{name: "bad priority in variables", token: admin, query: createIncidentMutation,
			vars: with(func(in map[string]any) { in["priority"] = "P9" }), code: aftercare.EINVALID},
		{name: "bad priority literal", token: admin,
			query: `mutation { createIncident(input: {serialNumber: "X", priority: P0, category: QUESTION, symptoms: "s",
				contact: {name: "n", email: "e@example.com"}, clientRequestId: "r"}) { id } }`, code: aftercare.EINVALID},
		{name: "empty symptoms", token: admin, query: createIncidentMutation,
			vars: with(func(in map[string]any) { in["symptoms"] = " " }), code: aftercare.EINVALID},
		{name: "bad email", token: admin, query: createIncidentMutation,
			vars: with(func(in map[string]any) { in["contact"] = map[string]any{"name": "n", "email": "nope"} }), code: aftercare.EINVALID},
		{name: "missing input field", token: admin, query: createIncidentMutation,
			vars: with(func(in map[string]any) { delete(in, "clientRequestId") }), code: aftercare.EINVALID},
		{name: "reused request ID for another incident", token: admin, query: createIncidentMutation,
			vars: func() map[string]any {
				in := incidentInput(serial, requestID)
				in["priority"] = "P2"
				return map[string]any{"input": in}
			}(), code: aftercare.ECONFLICT},
		{name: "another company's serial for customer IT", token: env.token(t, "it.sinoair"), query: createIncidentMutation,
			vars: with(func(in map[string]any) { in["serialNumber"] = env.summary.Serials[aftercare.TierPlatinum] }), code: aftercare.EINVALID},
		{name: "unknown incident", token: admin, query: `{ incident(id: "6f1c1e9e-4a55-4c36-9d0e-7c3f5b1f2a11") { id } }`, code: aftercare.ENOTFOUND},
		{name: "malformed incident ID", token: admin, query: `{ incident(id: "'; drop table incidents; --") { id } }`, code: aftercare.ENOTFOUND},
		{name: "unknown serial lookup", token: admin, query: `{ assetBySerial(serialNumber: "NOPE") { id } }`, code: aftercare.ENOTFOUND},
		{name: "page too large", token: admin, query: `{ incidents(first: 100000) { edges { cursor } } }`, code: aftercare.EINVALID},
		{name: "page of zero", token: admin, query: `{ incidents(first: 0) { edges { cursor } } }`, code: aftercare.EINVALID},
		{name: "forged cursor", token: admin, query: `{ incidents(after: "Zm9v") { edges { cursor } } }`, code: aftercare.EINVALID},
		{name: "malformed cursor", token: admin, query: `{ engineers(after: "%%%") { edges { cursor } } }`, code: aftercare.EINVALID},
		{name: "syntax error", token: admin, query: `{ incidents(`, code: aftercare.EINVALID},
		{name: "unknown field", token: admin, query: `{ incidents { nope } }`, code: aftercare.EINVALID},
		{name: "not JSON", token: admin, raw: `{"query": `, status: http.StatusBadRequest},
		{name: "no token", query: `{ me { id } }`, status: http.StatusUnauthorized, code: aftercare.EUNAUTHORIZED},
		{name: "garbage token", token: "garbage", query: `{ me { id } }`, status: http.StatusUnauthorized, code: aftercare.EUNAUTHORIZED},
		{name: "oversized body", token: admin, raw: `{"query": "{ me { id } }", "x": "` + strings.Repeat("a", 2<<20) + `"}`,
			status: http.StatusRequestEntityTooLarge, code: aftercare.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp *gqlResponse
			if tt.raw != "" {
				resp = postGraphQL(t, m.URL(), tt.token, []byte(tt.raw))
			} else {
				resp = gql(t, m.URL(), tt.token, tt.query, tt.vars)
			}
			assert.Less(t, resp.Status, 500, "never a 5xx")
			if tt.status != 0 {
				assert.Equal(t, tt.status, resp.Status)
			}
			require.NotEmpty(t, resp.Errors, "want an error")
			if tt.code != "" {
				assert.Equal(t, tt.code, resp.code(), "errors: %+v", resp.Errors)
			}
			for _, e := range resp.Errors {
				assert.NotContains(t, e.Message, "SQLSTATE", "no database detail reaches a client")
			}
		})
	}

	t.Run("the accepted incident is untouched", func(t *testing.T) {
		got := gql(t, m.URL(), admin, `query($id: ID!) { incident(id: $id) { priority clientRequestId } }`,
			map[string]any{"id": dig(first.Data, "createIncident", "id")})
		require.Empty(t, got.Errors)
		assert.Equal(t, "P1", dig(got.Data, "incident", "priority"))
		assert.Equal(t, requestID, dig(got.Data, "incident", "clientRequestId"))
	})

	t.Run("health, the web app and the console answer without a token", func(t *testing.T) {
		for _, path := range []string{"/", "/console/", "/board", "/healthz", "/readyz"} {
			resp, err := http.Get(m.URL() + path)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		}
	})
}
