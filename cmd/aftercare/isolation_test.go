package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// loadSchema parses the GraphQL schema files.
func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	files, err := filepath.Glob("../../schema/*.graphqls")
	require.NoError(t, err)
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	require.NoError(t, err)
	return schema
}

// rootFields lists "Type.field" for every Query, Mutation and Subscription
// field.
func rootFields(schema *ast.Schema) map[string]*ast.FieldDefinition {
	out := map[string]*ast.FieldDefinition{}
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation, schema.Subscription} {
		if root == nil {
			continue
		}
		for _, f := range root.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				out[root.Name+"."+f.Name] = f
			}
		}
	}
	return out
}

// outcome is what a call should come to.
type outcome string

const (
	allowed  outcome = "allowed"  // data, no error
	denied   outcome = "denied"   // EUNAUTHORIZED
	notFound outcome = "notfound" // ENOTFOUND, exactly as a missing object
	invalid  outcome = "invalid"  // EINVALID (filing for an asset one cannot see)

	deniedNested outcome = "denied-nested" // the root object, with EUNAUTHORIZED on a nested field
)

// world is what the isolation matrix is built on: two accounts with their
// sites, assets, contracts and incidents, and who may see what.
type world struct {
	accounts []acct // [0] is "own" for am.li and it.cathaybank, [1] foreign
	engineer struct{ self, other string }
	depot    string
	part     struct{ id, fru string }
	users    map[string]string // username → ID
	stock    stockMatrix
}

type acct struct {
	id, code, manager string
	east              bool // has a site in region east
	apiKey            string
	site              struct{ id, region string }
	asset             struct{ id, serial string }
	contract          string
	draft             string // a draft contract of the matrix's own, whose workflow runs on this test's worker
	incident          string
}

// mustWorld files an incident in each of two accounts managed by different
// account managers and gathers the IDs the matrix needs.
func mustWorld(t *testing.T, env *testEnv, url, admin string) *world {
	t.Helper()
	w := &world{users: map[string]string{}}
	for _, code := range []string{"CATHAYBANK", "DRAGONTEL"} {
		resp := gql(t, url, admin, `query {
			accounts(first: 10) { edges { node { id code
				contracts(first: 1) { edges { node { id accountManager { username } } } }
				sites(first: 50) { edges { node { id region assets(first: 1) { edges { node { id serialNumber } } } } } } } } } }`, nil)
		require.Empty(t, resp.Errors)
		for _, e := range dig(resp.Data, "accounts", "edges").([]any) {
			n := dig(e, "node")
			if dig(n, "code") != code {
				continue
			}
			var a acct
			a.id, a.code = dig(n, "id").(string), code
			c := dig(n, "contracts", "edges").([]any)[0]
			a.contract = dig(c, "node", "id").(string)
			a.manager = dig(c, "node", "accountManager", "username").(string)
			sites := dig(n, "sites", "edges").([]any)
			for _, site := range sites {
				a.east = a.east || dig(site, "node", "region") == "east"
			}
			s := sites[0]
			a.site.id, a.site.region = dig(s, "node", "id").(string), dig(s, "node", "region").(string)
			as := dig(s, "node", "assets", "edges").([]any)[0]
			a.asset.id, a.asset.serial = dig(as, "node", "id").(string), dig(as, "node", "serialNumber").(string)
			filed := gql(t, url, admin, createIncidentMutation, map[string]any{"input": incidentInput(a.asset.serial, uniqueID("iso"))})
			require.Empty(t, filed.Errors)
			a.incident = dig(filed.Data, "createIncident", "id").(string)
			a.draft = mustDraftContract(t, url, admin, a.id, a.asset.serial)
			w.accounts = append(w.accounts, a)
		}
	}
	require.Len(t, w.accounts, 2)
	require.Equal(t, "am.li", w.accounts[0].manager)
	require.NotEqual(t, "am.li", w.accounts[1].manager)

	engs := gql(t, url, admin, `{ engineers(first: 2) { edges { node { id } } } depots(first: 1) { edges { node { id } } }
		parts(first: 1) { edges { node { id fru } } } }`, nil)
	require.Empty(t, engs.Errors)
	es := dig(engs.Data, "engineers", "edges").([]any)
	w.engineer.self, w.engineer.other = dig(es[0], "node", "id").(string), dig(es[1], "node", "id").(string)
	w.depot = dig(dig(engs.Data, "depots", "edges").([]any)[0], "node", "id").(string)
	p := dig(dig(engs.Data, "parts", "edges").([]any)[0], "node")
	w.part.id, w.part.fru = dig(p, "id").(string), dig(p, "fru").(string)
	for _, u := range []string{"admin", "director", "am.li", "am.chen", "dispatcher.east", "engineer.zhang", "it.cathaybank", "it.dragontel"} {
		got := gql(t, url, admin, `query($u: String!) { user(username: $u) { id } }`, map[string]any{"u": u})
		require.Empty(t, got.Errors, u)
		w.users[u] = dig(got.Data, "user", "id").(string)
	}
	for i, u := range []string{"it.cathaybank", "it.dragontel"} {
		key := gql(t, url, admin, `mutation($u: ID) { createApiKey(name: "matrix", userId: $u) { apiKey { id } } }`,
			map[string]any{"u": w.users[u]})
		require.Empty(t, key.Errors)
		w.accounts[i].apiKey = dig(key.Data, "createApiKey", "apiKey", "id").(string)
	}
	w.stock = mustStockMatrix(t, url, admin, w)
	return w
}

// caller is one of the matrix's users and what the access rules give them.
type caller struct {
	username string
	role     aftercare.Role
	perms    []string // "object:action"; "*:read" is every read
	token    string
}

func (c caller) may(object, action string) bool {
	return c.role == aftercare.RoleAdmin || slices.Contains(c.perms, object+":"+action) ||
		(action == "read" && slices.Contains(c.perms, "*:read"))
}

// sees reports whether the caller's scope holds an object of a kind, given
// the account it belongs to (index into w.accounts, -1 for none), its
// region, and for engineers its ID.
func (c caller) sees(w *world, kind string, account int, region, engineerID string) bool {
	switch c.role {
	case aftercare.RoleAdmin, aftercare.RoleServiceDirector:
		return true
	}
	switch kind {
	case "", "depot", "part":
		return true
	case "user": // a customer's user: seen by those who see the account
		return (c.role == aftercare.RoleAccountManager && w.accounts[account].manager == c.username) ||
			(c.role == aftercare.RoleCustomerIT && account == 0)
	case "engineer":
		return c.role == aftercare.RoleDispatcher || engineerID == w.engineer.self && c.role == aftercare.RoleEngineer
	case "stock_van": // a van's stock: its region's dispatchers', and its engineer's
		return c.role == aftercare.RoleDispatcher && region == "east" || c.role == aftercare.RoleEngineer && engineerID == w.engineer.self
	}
	switch c.role {
	case aftercare.RoleAccountManager:
		return account >= 0 && w.accounts[account].manager == c.username
	case aftercare.RoleCustomerIT:
		return account == 0 // it.cathaybank
	case aftercare.RoleDispatcher:
		if kind == "account" || kind == "contract" {
			return w.accounts[account].east // an account with a site in the region
		}
		return region == "east"
	}
	return false // engineers see only what their assignments lead to; there are none here
}

// probe is one root field called about one object.
type probe struct {
	field    string // "Query.incident"
	object   string // @authorize object
	action   string
	kind     string // scope kind of the object
	account  int    // which account the object belongs to, -1 for none
	region   string
	engineer string
	query    string
	vars     map[string]any
	list     string // for lists: the ID that must (not) appear, by path "edges.node.id"
	mutation bool   // creates or changes something
	filing   bool   // createIncident: an invisible asset is EINVALID, not ENOTFOUND
	nested   string // a kind of object the query reaches below the root, which must be readable too
	missing  bool   // the object does not exist: ENOTFOUND for whoever may ask
	// conflictOK accepts ECONFLICT as an allowed outcome: the call got past
	// authorization and scope, and the state (no engineer free) said no.
	conflictOK bool
	// subscription runs the query over WebSocket; allowed is no error.
	subscription bool
	// freshVars makes the variables anew for each call, for mutations whose
	// repeat would be an idempotent replay.
	freshVars func() map[string]any
}

// probes lists, for every root field, calls about own and foreign objects.
func probes(w *world) []probe {
	var ps []probe
	for i, a := range w.accounts {
		ps = append(ps,
			probe{field: "Query.account", object: "account", action: "read", kind: "account", account: i,
				query: `query($id: ID!) { account(id: $id) { id } }`, vars: map[string]any{"id": a.id}},
			probe{field: "Query.accounts", object: "account", action: "read", kind: "account", account: i,
				query: `{ accounts(first: 500) { edges { node { id } } } }`, list: a.id},
			probe{field: "Query.site", object: "site", action: "read", kind: "site", account: i, region: a.site.region,
				query: `query($id: ID!) { site(id: $id) { id } }`, vars: map[string]any{"id": a.site.id}},
			probe{field: "Query.asset", object: "asset", action: "read", kind: "asset", account: i, region: a.site.region,
				query: `query($id: ID!) { asset(id: $id) { id } }`, vars: map[string]any{"id": a.asset.id}},
			probe{field: "Query.assetBySerial", object: "asset", action: "read", kind: "asset", account: i, region: a.site.region,
				query: `query($s: String!) { assetBySerial(serialNumber: $s) { id } }`, vars: map[string]any{"s": a.asset.serial}},
			probe{field: "Query.contract", object: "contract", action: "read", kind: "contract", account: i,
				query: `query($id: ID!) { contract(id: $id) { id } }`, vars: map[string]any{"id": a.contract}},
			probe{field: "Query.contracts", object: "contract", action: "read", kind: "contract", account: i,
				query: `{ contracts(first: 500) { edges { node { id } } } }`, list: a.contract},
			probe{field: "Query.incident", object: "incident", action: "read", kind: "incident", account: i, region: a.site.region,
				query: `query($id: ID!) { incident(id: $id) { id } }`, vars: map[string]any{"id": a.incident}},
			probe{field: "Query.incidents", object: "incident", action: "read", kind: "incident", account: i, region: a.site.region,
				query: `{ incidents(first: 500) { edges { node { id } } } }`, list: a.incident},
			probe{field: "Mutation.createIncident", object: "incident", action: "create", kind: "asset", account: i,
				region: a.site.region, mutation: true, filing: true, query: createIncidentMutation,
				freshVars: func() map[string]any {
					return map[string]any{"input": incidentInput(a.asset.serial, uniqueID("iso"))}
				}},
			probe{field: "Query.dispatchCandidates", object: "dispatch", action: "read", kind: "incident", account: i,
				region: a.site.region, query: `query($id: ID!) { dispatchCandidates(incidentId: $id) { candidates { eta } } }`,
				vars: map[string]any{"id": a.incident}},
			probe{field: "Mutation.setIncidentNeeds", object: "dispatch", action: "write", kind: "incident", account: i,
				region: a.site.region, mutation: true, vars: map[string]any{"id": a.incident},
				query: `mutation($id: ID!) { setIncidentNeeds(incidentId: $id, minLevel: 1, parts: []) { minLevel } }`},
			probe{field: "Mutation.assignEngineer", object: "dispatch", action: "write", kind: "incident", account: i,
				region: a.site.region, mutation: true, conflictOK: true, vars: map[string]any{"id": a.incident},
				query: `mutation($id: ID!) { assignEngineer(incidentId: $id) { id } }`},
			probe{field: "Mutation.overrideAssignment", object: "dispatch", action: "write", kind: "incident", account: i,
				region: a.site.region, mutation: true, conflictOK: true, vars: map[string]any{"id": a.incident, "e": w.engineer.other},
				query: `mutation($id: ID!, $e: ID!) { overrideAssignment(incidentId: $id, engineerId: $e, reason: "matrix") { id } }`},
			probe{field: "Query.entitlementCheck", object: "entitlement", action: "read", kind: "asset", account: i,
				region: a.site.region, query: `query($s: String!) { entitlementCheck(serialNumber: $s) { covered reason } }`,
				vars: map[string]any{"s": a.asset.serial}},
			probe{field: "Query.contractUsage", object: "contract", action: "read", kind: "contract", account: i,
				query: `query($id: ID!) { contractUsage(contractId: $id) { status } }`, vars: map[string]any{"id": a.draft}},
			probe{field: "Mutation.createContract", object: "contract", action: "manage", kind: "account", account: i,
				mutation: true, query: `mutation($in: CreateContractInput!) { createContract(input: $in) { id } }`,
				freshVars: func() map[string]any { return draftContractInput(a.id, a.asset.serial) }},
			// The draft's actions: whoever may manage it and sees it gets past
			// authorization and scope; the first activation and cancellation
			// succeed, and the contract's state refuses the rest (ECONFLICT).
			probe{field: "Mutation.activateContract", object: "contract", action: "manage", kind: "contract", account: i,
				mutation: true, conflictOK: true, query: `mutation($id: ID!) { activateContract(id: $id) { id } }`,
				vars: map[string]any{"id": a.draft}},
			probe{field: "Mutation.renewContract", object: "contract", action: "manage", kind: "contract", account: i,
				mutation: true, conflictOK: true, query: `mutation($id: ID!) { renewContract(id: $id) { id } }`,
				vars: map[string]any{"id": a.draft}},
			probe{field: "Mutation.cancelContract", object: "contract", action: "manage", kind: "contract", account: i,
				mutation: true, conflictOK: true, query: `mutation($id: ID!) { cancelContract(id: $id, reason: "matrix") { id } }`,
				vars: map[string]any{"id": a.draft}},
			probe{field: "Mutation.setContractSlaOverrides", object: "contract", action: "write", kind: "contract", account: i,
				mutation: true, query: `mutation($id: ID!) { setContractSlaOverrides(contractId: $id, overrides: []) }`,
				vars: map[string]any{"id": a.contract}},
			probe{field: "Subscription.incidentEvents", object: "incident", action: "read", kind: "incident", account: i,
				region: a.site.region, subscription: true, vars: map[string]any{"id": a.incident},
				query: `subscription($id: ID!) { incidentEvents(incidentId: $id) { kind } }`},
			probe{field: "Subscription.accountEvents", object: "incident", action: "read", kind: "account", account: i,
				subscription: true, vars: map[string]any{"id": a.id},
				query: `subscription($id: ID!) { accountEvents(accountId: $id) { kind } }`},
		)
		ps = append(ps, repairFlowProbes(i, a)...)
		// Lifecycle actions: whoever may act and sees the incident gets past
		// authorization and scope; its status may then refuse (ECONFLICT).
		for _, l := range []struct{ field, action, args string }{
			{"acknowledgeIncident", "triage", ""}, {"changeIncidentPriority", "triage", ", priority: P2"},
			{"recomputeIncidentSla", "triage", ""},
			{"dispatchIncident", "dispatch", ""}, {"departForIncident", "work", ""}, {"arriveOnSite", "work", ""},
			{"awaitCustomer", "work", ", reason: SITE_ACCESS"}, {"customerResponded", "respond", ""},
			{"repairIncident", "work", ""}, {"verifyIncident", "work", ""}, {"resolveIncident", "work", ""},
			{"closeIncident", "close", ""}, {"cancelIncident", "cancel", `, reason: "matrix"`},
		} {
			ps = append(ps, probe{field: "Mutation." + l.field, object: "incident", action: l.action, kind: "incident",
				account: i, region: a.site.region, mutation: true, conflictOK: true, vars: map[string]any{"id": a.incident},
				query: `mutation($id: ID!) { ` + l.field + `(id: $id` + l.args + `) { id } }`})
		}
		ps = append(ps,
			// A nested path must not reach a kind of object the role may
			// not read at the root.
			probe{field: "Query.incident", object: "incident", action: "read", kind: "incident", account: i, region: a.site.region,
				nested: "contract", query: `query($id: ID!) { incident(id: $id) { contract { id } } }`, vars: map[string]any{"id": a.incident}},
			// Nested paths must not lead across accounts either.
			probe{field: "Query.incident", object: "incident", action: "read", kind: "incident", account: i, region: a.site.region,
				query: `query($id: ID!) { incident(id: $id) { account { id sites { edges { node { id } } } } asset { id } } }`,
				vars:  map[string]any{"id": a.incident}},
		)
	}
	for _, e := range []string{w.engineer.self, w.engineer.other} {
		ps = append(ps,
			probe{field: "Mutation.reportLocation", object: "location", action: "report", kind: "engineer", account: -1,
				engineer: e, mutation: true, vars: map[string]any{"e": e},
				query: `mutation($e: ID) { reportLocation(engineerId: $e, lat: 31.2, lng: 121.4) { id } }`},
			probe{field: "Query.engineer", object: "engineer", action: "read", kind: "engineer", account: -1, engineer: e,
				query: `query($id: ID!) { engineer(id: $id) { id } }`, vars: map[string]any{"id": e}},
			probe{field: "Query.engineers", object: "engineer", action: "read", kind: "engineer", account: -1, engineer: e,
				query: `{ engineers(first: 500) { edges { node { id } } } }`, list: e})
	}
	ps = append(ps,
		probe{field: "Query.dispatchQueue", object: "dispatch", action: "read", account: -1,
			query: `{ dispatchQueue(region: "east") { incident { id } } }`},
		probe{field: "Subscription.regionEvents", object: "dispatch", action: "read", account: -1, subscription: true,
			query: `subscription { regionEvents(region: "east") { incidentEvent { kind } } }`},
		probe{field: "Query.myRegions", object: "dispatch", action: "read", account: -1, query: `{ myRegions { code } }`},
		probe{field: "Query.dispatchPlanPreview", object: "dispatch", action: "write", account: -1,
			query: `{ dispatchPlanPreview(region: "east") { optimalTotalSeconds } }`},
		probe{field: "Mutation.optimizeDispatch", object: "dispatch", action: "write", account: -1, mutation: true,
			query: `mutation { optimizeDispatch(region: "east") { optimalTotalSeconds greedyTotalSeconds } }`},
		probe{field: "Mutation.declineAssignment", object: "assignment", action: "decline", account: -1, mutation: true,
			missing: true, query: `mutation { declineAssignment(assignmentId: "0d000000-0000-4000-8000-000000000001", reason: "matrix") { id } }`},
		probe{field: "Query.me", object: "profile", action: "read", account: -1, query: `{ me { id } }`},
		probe{field: "Query.myNotifications", object: "notification", action: "read", account: -1,
			query: `{ myNotifications(first: 5) { edges { node { id reason } } } }`},
		probe{field: "Query.dutyManagers", object: "duty_manager", action: "read", account: -1,
			query: `{ dutyManagers { region user { id } } }`},
		probe{field: "Mutation.setDutyManager", object: "duty_manager", action: "update", account: -1, mutation: true,
			query: `mutation($u: ID) { setDutyManager(region: "east", userId: $u) { region } }`,
			vars:  map[string]any{"u": w.users["director"]}},
		probe{field: "Query.breaches", object: "incident", action: "read", account: -1,
			query: `{ breaches(first: 5) { edges { node { kind } } } }`},
		probe{field: "Query.kpis", object: "kpi", action: "read", account: -1,
			query: `{ kpis(filter: {dimension: ACCOUNT, from: "2026-01-01", to: "2026-12-31"}) { key response { attainment } } }`},
		probe{field: "Query.tierPolicy", object: "sla_policy", action: "read", account: -1,
			query: `{ tierPolicy(tier: STANDARD) { custom cells { target } } }`},
		probe{field: "Mutation.setTierPolicy", object: "sla_policy", action: "write", account: -1, mutation: true,
			query: setStandardPolicy, vars: map[string]any{"input": standardPolicyInput(nil)}},
		probe{field: "Query.holidays", object: "calendar", action: "read", account: -1,
			query: `{ holidays(country: "CN") { date } }`},
		probe{field: "Mutation.importHolidays", object: "calendar", action: "write", account: -1, mutation: true,
			query: `mutation { importHolidays(country: "ZZ", csv: "date,kind,name\n2026-01-01,holiday,Matrix Day") }`},
		probe{field: "Query.depot", object: "depot", action: "read", kind: "depot", account: -1,
			query: `query($id: ID!) { depot(id: $id) { id } }`, vars: map[string]any{"id": w.depot}},
		probe{field: "Query.depots", object: "depot", action: "read", kind: "depot", account: -1,
			query: `{ depots(first: 500) { edges { node { id } } } }`, list: w.depot},
		probe{field: "Query.part", object: "part", action: "read", kind: "part", account: -1,
			query: `query($id: ID!) { part(id: $id) { id } }`, vars: map[string]any{"id": w.part.id}},
		probe{field: "Query.partByFru", object: "part", action: "read", kind: "part", account: -1,
			query: `query($f: String!) { partByFru(fru: $f) { id } }`, vars: map[string]any{"f": w.part.fru}},
		probe{field: "Query.parts", object: "part", action: "read", kind: "part", account: -1,
			query: `{ parts(first: 500) { edges { node { id } } } }`, list: w.part.id},
		probe{field: "Query.user", object: "user", action: "read", account: -1,
			query: `{ user(username: "am.chen") { id } }`},
		probe{field: "Query.roleAssignments", object: "access", action: "read", account: -1,
			query: `query($u: ID!) { roleAssignments(userId: $u) { role } }`, vars: map[string]any{"u": w.users["am.li"]}},
		probe{field: "Query.permissions", object: "access", action: "read", account: -1, query: `{ permissions { role } }`},
		probe{field: "Query.auditLog", object: "audit", action: "read", account: -1,
			query: `{ auditLog(first: 5) { edges { node { action } } } }`},
		probe{field: "Mutation.grantPermission", object: "access", action: "write", account: -1, mutation: true,
			query: `mutation { grantPermission(input: {role: ENGINEER, object: "matrix", action: "probe"}) { role } }`},
		probe{field: "Mutation.revokePermission", object: "access", action: "write", account: -1, mutation: true,
			query: `mutation { revokePermission(input: {role: ENGINEER, object: "matrix", action: "probe"}) }`},
		probe{field: "Mutation.assignRole", object: "access", action: "write", account: -1, mutation: true,
			query: `mutation($u: ID!, $d: String!) { assignRole(input: {userId: $u, role: ENGINEER, domain: $d}) { role } }`,
			vars:  map[string]any{"u": w.users["am.chen"], "d": "engineer:" + w.engineer.other}},
		probe{field: "Mutation.revokeRole", object: "access", action: "write", account: -1, mutation: true,
			query: `mutation($u: ID!, $d: String!) { revokeRole(input: {userId: $u, role: ENGINEER, domain: $d}) }`,
			vars:  map[string]any{"u": w.users["am.chen"], "d": "engineer:" + w.engineer.other}},
	)
	ps = append(ps, repairFlowGlobalProbes()...)
	ps = append(ps, stockProbes(w)...)
	ps = append(ps, jobProbes(w)...)
	ps = append(ps, masterDataProbes(w)...)
	ps = append(ps, healthProbes(w)...)
	for i, u := range []string{"it.cathaybank", "it.dragontel"} {
		ps = append(ps,
			probe{field: "Query.apiKeys", object: "api_key", action: "read", kind: "user", account: i,
				query: `query($u: ID) { apiKeys(userId: $u) { id } }`, vars: map[string]any{"u": w.users[u]}, list: w.accounts[i].apiKey},
			probe{field: "Mutation.createApiKey", object: "api_key", action: "create", kind: "user", account: i, mutation: true,
				query: `mutation($u: ID) { createApiKey(name: "probe", userId: $u) { secret } }`, vars: map[string]any{"u": w.users[u]}},
			probe{field: "Mutation.revokeApiKey", object: "api_key", action: "revoke", kind: "user", account: i, mutation: true,
				query: `mutation($id: ID!) { revokeApiKey(id: $id) }`, vars: map[string]any{"id": w.accounts[i].apiKey}},
		)
	}
	return ps
}

// matrixCallers are the users of the matrix, one per role, with the
// permissions DESIGN.md §8 and the access migration give them.
func matrixCallers() []caller {
	reads := func(objects ...string) []string {
		out := make([]string, len(objects))
		for i, o := range objects {
			out[i] = o + ":read"
		}
		return out
	}
	return []caller{
		{username: "admin", role: aftercare.RoleAdmin},
		{username: "director", role: aftercare.RoleServiceDirector, perms: []string{"*:read"}},
		{username: "am.li", role: aftercare.RoleAccountManager,
			perms: append(reads("profile", "account", "site", "asset", "contract", "incident", "part", "api_key", "kpi", "notification",
				"product_line"), "site:write", "asset:write", "incident:create",
				"incident:respond", "incident:close", "incident:cancel", "price_list:read", "quote:read", "repair:read", "survey:read",
				"contract:manage", "entitlement:read", "health:read")},
		{username: "dispatcher.east", role: aftercare.RoleDispatcher,
			perms: append(reads("profile", "account", "site", "asset", "incident", "engineer", "depot", "part", "dispatch", "kpi", "notification",
				"provider", "product_line", "stock"),
				"stock:write", "dispatch:write", "incident:triage", "incident:dispatch", "incident:work", "incident:respond", "incident:close",
				"incident:cancel", "price_list:read", "quote:read", "quote:write", "repair:read", "survey:read", "entitlement:read",
				"health:read", "parts_plan:read", "parts_plan:apply")},
		{username: "engineer.zhang", role: aftercare.RoleEngineer,
			perms: append(reads("profile", "site", "asset", "incident", "engineer", "depot", "part", "dispatch", "kpi", "notification",
				"provider", "product_line", "stock"),
				"assignment:decline", "location:report", "incident:work", "price_list:read", "quote:read", "repair:read",
				"repair:write", "job:read", "job:work")},
		{username: "it.cathaybank", role: aftercare.RoleCustomerIT,
			perms: append(reads("profile", "account", "site", "asset", "contract", "incident", "part", "api_key", "kpi", "notification"),
				"incident:create", "api_key:create", "api_key:revoke", "incident:respond", "incident:close", "incident:cancel",
				"price_list:read", "quote:read", "quote:decide", "repair:read", "survey:read", "survey:answer", "entitlement:read",
				"health:report", "health:read", "health:dismiss")},
	}
}

// TestIsolationMatrix calls every root field as every role about its own
// and a foreign object and checks the outcome against the access rules:
// no permission is EUNAUTHORIZED; an object outside the caller's domains is
// ENOTFOUND, exactly as a missing one, and never appears in a list.
func TestIsolationMatrix(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	w := mustWorld(t, env, m.URL(), admin)
	ps := probes(w)

	covered := map[string]bool{}
	for _, p := range ps {
		covered[p.field] = true
	}
	var missing []string
	for name := range rootFields(loadSchema(t)) {
		if !covered[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "root fields the isolation matrix does not probe")

	cases := 0
	for _, c := range matrixCallers() {
		c.token = env.token(t, c.username)
		for i, p := range ps {
			want := allowed
			switch {
			case !c.may(p.object, p.action):
				want = denied
			case !c.sees(w, p.kind, p.account, p.region, p.engineer) && p.filing:
				want = invalid
			case p.missing || !c.sees(w, p.kind, p.account, p.region, p.engineer) && p.list == "":
				want = notFound
			case p.nested != "" && !c.may(p.nested, "read"):
				want = deniedNested
			}
			cases++
			t.Run(fmt.Sprintf("%s/%02d_%s", c.username, i, p.field), func(t *testing.T) {
				if p.subscription {
					code := subscribe(t, m.URL(), c.token, p.query, p.vars).errorWithin(t, time.Second)
					assert.Equal(t, map[outcome]string{allowed: "", denied: aftercare.EUNAUTHORIZED, notFound: aftercare.ENOTFOUND}[want], code)
					return
				}
				var auditBefore string
				if p.mutation && want == allowed {
					auditBefore = latestAudit(t, m.URL(), admin)
				}
				vars := p.vars
				if p.freshVars != nil {
					vars = p.freshVars()
				}
				resp := gql(t, m.URL(), c.token, p.query, vars)
				require.Less(t, resp.Status, 500)
				switch want {
				case allowed:
					if p.conflictOK && resp.code() == aftercare.ECONFLICT {
						return
					}
					require.Empty(t, resp.Errors, "want data")
					if p.mutation {
						assert.NotEqual(t, auditBefore, latestAudit(t, m.URL(), admin), "every mutation writes an audit event")
					}
				case denied:
					assert.Equal(t, aftercare.EUNAUTHORIZED, resp.code(), "errors: %+v", resp.Errors)
				case notFound:
					assert.Equal(t, aftercare.ENOTFOUND, resp.code(), "errors: %+v", resp.Errors)
				case invalid:
					assert.Equal(t, aftercare.EINVALID, resp.code(), "errors: %+v", resp.Errors)
				case deniedNested:
					assert.Equal(t, aftercare.EUNAUTHORIZED, resp.code(), "errors: %+v", resp.Errors)
					assert.Nil(t, dig(resp.Data, "incident", p.nested), "nothing of the nested object")
					return
				}
				if want != allowed {
					assert.Nil(t, resp.Data[strings.TrimPrefix(strings.TrimPrefix(p.field, "Query."), "Mutation.")], "no data with an error")
					return
				}
				if p.list != "" {
					ids := collectIDs(resp.Data)
					assert.Equal(t, c.sees(w, p.kind, p.account, p.region, p.engineer), ids[p.list],
						"whether %s is listed", p.list)
				}
				if strings.Contains(p.query, "sites {") {
					for id := range collectIDs(dig(resp.Data, "incident", "account")) {
						assert.NotEqual(t, w.accounts[1-p.account].site.id, id, "a nested path leads to another account's site")
					}
				}
			})
		}
	}
	t.Logf("%d cases over %d root fields", cases, len(covered))
}

// draftContractInput is a createContract input: a draft for an asset of an
// account, starting in a year, so that it covers nothing while the matrix
// runs.
func draftContractInput(accountID, serial string) map[string]any {
	starts := time.Now().UTC().AddDate(1, 0, 0)
	return map[string]any{"in": map[string]any{"accountId": accountID, "tier": "STANDARD",
		"startsOn": starts.Format(time.DateOnly), "endsOn": starts.AddDate(1, 0, 0).Format(time.DateOnly),
		"serialNumbers": []string{serial}, "entitlements": []any{}}}
}

// mustDraftContract creates a draft contract and waits until its workflow
// answers.
func mustDraftContract(t *testing.T, url, admin, accountID, serial string) string {
	t.Helper()
	created := gql(t, url, admin, `mutation($in: CreateContractInput!) { createContract(input: $in) { id } }`,
		draftContractInput(accountID, serial))
	require.Empty(t, created.Errors)
	id := dig(created.Data, "createContract", "id").(string)
	waitFor(t, 20*time.Second, "the draft contract's workflow", func() bool {
		return len(gql(t, url, admin, `query($id: ID!) { contractUsage(contractId: $id) { status } }`,
			map[string]any{"id": id}).Errors) == 0
	})
	return id
}

// latestAudit returns the ID of the newest audit event.
func latestAudit(t *testing.T, url, admin string) string {
	t.Helper()
	resp := gql(t, url, admin, `{ auditLog(first: 1) { edges { node { id } } } }`, nil)
	require.Empty(t, resp.Errors)
	edges := dig(resp.Data, "auditLog", "edges").([]any)
	if len(edges) == 0 {
		return ""
	}
	return dig(edges[0], "node", "id").(string)
}

// collectIDs gathers every "id" value in a decoded response.
func collectIDs(v any) map[string]bool {
	out := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "id" {
					out[s] = true
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// TestMyNotificationsAreTheCallersOwn fires the whole default ladder of
// both accounts' incidents, so that escalations reach dispatchers, account
// managers and directors, and asks every user of the matrix for their
// notifications: each gets exactly the rows addressed to them, never
// another's.
func TestMyNotificationsAreTheCallersOwn(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	w := mustWorld(t, env, m.URL(), admin)
	ctx := context.Background()
	all := aftercare.NewContextWithScope(ctx, &aftercare.Scope{All: true})
	slas, notes := postgres.NewSLAService(env.db), postgres.NewNotificationService(env.db)
	expected := map[string][]string{} // user ID → notification IDs
	for _, a := range w.accounts {
		waitFor(t, 30*time.Second, "the incident's clocks", func() bool {
			clocks, err := slas.FindSLAClocks(all, a.incident, time.Now())
			return err == nil && len(clocks) > 0
		})
		for i, lv := range aftercare.DefaultEscalationLadder() {
			now := time.Now()
			// Version 0 leaves the clock the workflow recorded as it is.
			require.NoError(t, slas.RecordEscalation(ctx, aftercare.EscalationFired{
				Escalation: aftercare.Escalation{IncidentID: a.incident, Clock: aftercare.ClockResponse, Level: i + 1,
					Percent: lv.Percent, Actions: lv.Actions, DueAt: now, FiredAt: now},
				Key: fmt.Sprintf("matrix:%s:%d", a.incident, i+1),
				Clock: aftercare.ClockSnapshot{Kind: aftercare.ClockResponse, Target: aftercare.WallTarget(15 * time.Minute),
					Coverage: aftercare.Coverage24x7, TimeZone: "Asia/Shanghai", StartedAt: now, State: aftercare.ClockRunning,
					Events: []aftercare.ClockEvent{}}}, nil))
		}
		ns, err := notes.FindNotifications(ctx, a.incident)
		require.NoError(t, err)
		for _, n := range ns {
			if n.UserID != "" {
				expected[n.UserID] = append(expected[n.UserID], fmt.Sprint(n.ID))
			}
		}
	}
	require.NotEmpty(t, expected[w.users["director"]], "breaches reach the director")
	require.NotEmpty(t, expected[w.users["am.li"]], "account managers hear at 90 %%")
	for username, id := range w.users {
		resp := gql(t, m.URL(), env.token(t, username), `{ myNotifications(first: 500) { edges { node { id incidentId } } } }`, nil)
		require.Empty(t, resp.Errors, username)
		var got []string
		for _, e := range dig(resp.Data, "myNotifications", "edges").([]any) {
			got = append(got, dig(e, "node", "id").(string))
		}
		want := expected[id]
		sort.Strings(got)
		sort.Strings(want)
		assert.Equal(t, want, got, "%s reads exactly their own notifications", username)
	}
}
