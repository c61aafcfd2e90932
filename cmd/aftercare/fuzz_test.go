package main

import (
	"encoding/json"
	"testing"

	"github.com/aftercare/aftercare"
)

// FuzzGraphQLRequest sends the API on the real stack whatever a client
// might: any document, any variables, as a customer, a dispatcher or an
// administrator. However wrong the request, the answer is a GraphQL
// response below HTTP 500 whose every error carries a code, and never
// EINTERNAL: bad input is the client's to fix, and the client is told so.
func FuzzGraphQLRequest(f *testing.F) {
	env := mustTestEnv(f)
	m := env.startMain(f)
	callers := []string{env.token(f, "it.cathaybank"), env.token(f, "dispatcher.east"), env.token(f, "admin")}
	serial := env.summary.Serials[aftercare.TierStandard]
	input := func(field, value string) string {
		in := incidentInput(serial, "fuzz-seed")
		in[field] = value
		b, _ := json.Marshal(map[string]any{"input": in})
		return string(b)
	}
	for _, seed := range []struct {
		query, vars string
	}{
		{`{ me { id username role } }`, `{}`},
		{createIncidentMutation, input("symptoms", "fan noise")},
		{createIncidentMutation, input("symptoms", "fan\x00noise")},
		{createIncidentMutation, input("serialNumber", "\xff\xfe")},
		{createIncidentMutation, input("clientRequestId", "")},
		{`query($c: String) { incidents(first: 3, after: $c) { edges { cursor node { id number status } } } }`, `{"c": "AA"}`},
		{`query($c: String) { accounts(first: 3, after: $c) { edges { cursor } pageInfo { endCursor } } }`, `{"c": "MjAyNg"}`},
		{`query($c: String) { breaches(first: 3, after: $c) { edges { cursor } } }`, `{"c": "_-_-"}`},
		{`query($c: String) { auditLog(first: 3, after: $c) { edges { cursor } } }`, `{"c": "////"}`},
		{`query($id: ID!) { incident(id: $id) { id slaClocks { kind deadline } } }`, `{"id": "not-a-uuid"}`},
		{`query($s: String!) { assetBySerial(serialNumber: $s) { id } }`, `{"s": "` + serial + `"}`},
		{`query($s: String!) { entitlementCheck(serialNumber: $s) { covered reason } }`, `{"s": "x"}`},
		{`query($n: Int) { parts(first: $n) { edges { node { fru } } } }`, `{"n": -5}`},
		{`query($r: String!) { dispatchQueue(region: $r) { incident { id } } }`, `{"r": "east"}`},
		{`query($id: ID!, $n: Int!) { dispatchCandidates(incidentId: $id, rejections: $n) { at } }`, `{"id": "00000000-0000-0000-0000-000000000000", "n": 3}`},
		{`mutation($c: String!, $csv: String!) { importHolidays(country: $c, csv: $csv) }`, `{"c": "CN", "csv": "date,kind,name\n2026-13-01,holiday,x\n"}`},
		{`{ kpis(filter: { dimension: ACCOUNT, period: MONTH }) { key } }`, `{}`},
		{`{ tierPolicy(tier: PLATINUM) { cells { priority clock target } } }`, `{}`},
		{`subscription { accountEvents(accountId: "x") { kind } }`, `{}`},
		{`{ me { ...F } } fragment F on User { id ...F }`, `{}`},
		{`{`, `{}`},
		{`query { me { id } }`, `[1, 2]`},
	} {
		for i := range callers {
			f.Add(seed.query, seed.vars, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, query, vars string, who uint8) {
		var variables any
		if json.Unmarshal([]byte(vars), &variables) != nil {
			variables = nil
		}
		body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
		if err != nil {
			t.Skip("not a JSON request body")
		}
		resp, err := post(m.URL(), callers[int(who)%len(callers)], body)
		if err != nil {
			t.Fatalf("query %q, variables %s: %v", query, vars, err)
		}
		if resp.Status >= 500 {
			t.Fatalf("query %q, variables %s: HTTP %d %+v", query, vars, resp.Status, resp.Errors)
		}
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" || code == aftercare.EINTERNAL {
				t.Fatalf("query %q, variables %s: error %q with code %q", query, vars, e.Message, code)
			}
		}
	})
}
