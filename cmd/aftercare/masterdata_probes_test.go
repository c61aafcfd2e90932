package main

import (
	"strings"

	"github.com/aftercare/aftercare"
)

// The service providers migration 010 loads: the maker's own field service
// and a partner the matrix may ask about.
const (
	ownProviderID     = "5e7a1c00-0000-4000-8000-000000000001"
	partnerProviderID = "5e7a1c00-0000-4000-8000-000000000004"
)

// masterDataProbes are the isolation matrix's calls of the master data
// root fields: those of an account's sites, assets and contracts, which an
// account manager may make for their own accounts, and the admins' own.
func masterDataProbes(w *world) []probe {
	var ps []probe
	for i, a := range w.accounts {
		ps = append(ps,
			// In Chengdu, a region no matrix caller dispatches for, so that
			// which accounts a dispatcher sees stays as the world found it.
			probe{field: "Mutation.createSite", object: "site", action: "write", kind: "account", account: i, mutation: true,
				query: `mutation($in: CreateSiteInput!) { createSite(input: $in) { id region } }`,
				freshVars: func() map[string]any {
					return map[string]any{"in": map[string]any{"accountId": a.id, "name": uniqueID("matrix-site"), "address": "1 Matrix Road",
						"city": "Chengdu", "country": "CN", "lat": 30.57, "lng": 104.07, "timeZone": "Asia/Shanghai"}}
				}},
			probe{field: "Mutation.updateSite", object: "site", action: "write", kind: "site", account: i, region: a.site.region,
				mutation: true, query: `mutation($id: ID!) { updateSite(id: $id, input: {}) { id } }`, vars: map[string]any{"id": a.site.id}},
			probe{field: "Mutation.registerAsset", object: "asset", action: "write", kind: "site", account: i, region: a.site.region,
				mutation: true, query: `mutation($in: RegisterAssetInput!) { registerAsset(input: $in) { id } }`,
				freshVars: func() map[string]any {
					return map[string]any{"in": map[string]any{"siteId": a.site.id, "serialNumber": matrixSerial(), "productLine": "thinksystem_sr",
						"model": "ThinkSystem SR650 V3", "shippedOn": "2026-01-05", "warrantyEndsOn": "2029-01-04"}}
				}},
			probe{field: "Mutation.importAssets", object: "asset", action: "write", kind: "account", account: i, mutation: true,
				query: `mutation($a: ID!, $csv: String!) { importAssets(accountId: $a, csv: $csv) { id } }`,
				freshVars: func() map[string]any {
					return map[string]any{"a": a.id, "csv": aftercare.AssetCSVHeader + "\n" +
						matrixSerial() + "," + a.site.id + ",thinksystem_sr,ThinkSystem SR650 V3,2026-01-05,2029-01-04\n"}
				}},
			// The account's first contract may have ended, which refuses
			// new assets after authorization and scope (ECONFLICT).
			probe{field: "Mutation.addContractAssets", object: "contract", action: "manage", kind: "contract", account: i,
				mutation: true, conflictOK: true, vars: map[string]any{"c": a.contract, "s": []string{a.asset.serial}},
				query: `mutation($c: ID!, $s: [String!]!) { addContractAssets(contractId: $c, serialNumbers: $s) { id } }`},
			probe{field: "Mutation.updateAccount", object: "account", action: "write", kind: "account", account: i, mutation: true,
				query: `mutation($id: ID!) { updateAccount(id: $id, input: {}) { id } }`, vars: map[string]any{"id": a.id}},
		)
	}
	return append(ps, fleetProbes(w)...)
}

// fleetProbes are the calls of the admins' master data root fields and of
// the provider and product line queries.
func fleetProbes(w *world) []probe {
	global := func(field, object, action, query string, vars map[string]any, fresh func() map[string]any) probe {
		return probe{field: field, object: object, action: action, account: -1, query: query, vars: vars, freshVars: fresh,
			mutation: strings.HasPrefix(field, "Mutation.")}
	}
	code := func(prefix string) string { return strings.ToUpper(uniqueID(prefix)) }
	ps := []probe{
		global("Mutation.createAccount", "account", "write", `mutation($in: CreateAccountInput!) { createAccount(input: $in) { id } }`,
			nil, func() map[string]any {
				return map[string]any{"in": map[string]any{"code": code("MX"), "name": "Matrix Co"}}
			}),
		global("Mutation.createEngineer", "engineer", "write", `mutation($in: CreateEngineerInput!) { createEngineer(input: $in) { id } }`,
			nil, func() map[string]any {
				return map[string]any{"in": map[string]any{"code": code("MX"), "name": "Matrix", "homeDepotId": w.depot,
					"tierClearance": "STANDARD", "capacity": 1, "shifts": []any{}, "skills": []any{}}}
			}),
		global("Mutation.createDepot", "depot", "write", `mutation($in: CreateDepotInput!) { createDepot(input: $in) { id } }`,
			nil, func() map[string]any {
				return map[string]any{"in": map[string]any{"code": code("MX"), "name": "Matrix Depot", "city": "Shanghai",
					"country": "CN", "lat": 31.2, "lng": 121.5, "timeZone": "Asia/Shanghai"}}
			}),
		global("Mutation.updateDepot", "depot", "write", `mutation($id: ID!) { updateDepot(id: $id, input: {}) { id } }`,
			map[string]any{"id": w.depot}, nil),
		global("Mutation.createServiceProvider", "provider", "write",
			`mutation($in: CreateServiceProviderInput!) { createServiceProvider(input: $in) { id } }`, nil,
			func() map[string]any {
				return map[string]any{"in": map[string]any{"code": code("MX"), "name": "Matrix", "kind": "PARTNER"}}
			}),
		global("Mutation.updateServiceProvider", "provider", "write",
			`mutation($id: ID!) { updateServiceProvider(id: $id, input: {}) { id } }`, map[string]any{"id": ownProviderID}, nil),
		global("Query.serviceProvider", "provider", "read", `query($id: ID!) { serviceProvider(id: $id) { id } }`,
			map[string]any{"id": partnerProviderID}, nil),
		global("Query.productLines", "product_line", "read", `{ productLines { code } }`, nil, nil),
		global("Mutation.createProductLine", "product_line", "write",
			`mutation($in: CreateProductLineInput!) { createProductLine(input: $in) { code } }`, nil,
			func() map[string]any {
				return map[string]any{"in": map[string]any{"code": strings.ReplaceAll(uniqueID("mx"), "-", "_"), "name": "Matrix", "kind": "pc"}}
			}),
		global("Mutation.createPart", "part", "write", `mutation($in: CreatePartInput!) { createPart(input: $in) { id } }`, nil,
			func() map[string]any {
				return map[string]any{"in": map[string]any{"fru": strings.ReplaceAll(code("MX"), "-", ""), "description": "Matrix part",
					"unitPrice": map[string]any{"amount": "1.00", "currency": "CNY"}, "productLines": []string{"thinksystem_sr"}}}
			}),
		global("Mutation.updatePart", "part", "write", `mutation($id: ID!) { updatePart(id: $id, input: {}) { id } }`,
			map[string]any{"id": w.part.id}, nil),
		global("Mutation.createUser", "user", "write", `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, nil,
			func() map[string]any {
				return map[string]any{"in": map[string]any{"username": uniqueID("matrix"), "displayName": "Matrix",
					"email": "matrix@example.com", "role": "ENGINEER"}}
			}),
		// Disabling a user the matrix does not sign in as, then enabling
		// them again: whoever may write users does both in turn.
		global("Mutation.disableUser", "user", "write", `mutation($id: ID!) { disableUser(id: $id, reason: "matrix") { id } }`,
			map[string]any{"id": w.users["am.chen"]}, nil),
		global("Mutation.enableUser", "user", "write", `mutation($id: ID!) { enableUser(id: $id) { id } }`,
			map[string]any{"id": w.users["am.chen"]}, nil),
		global("Mutation.setUserPassword", "user", "write", `mutation($id: ID!) { setUserPassword(id: $id, password: "matrix password 1") { id } }`,
			map[string]any{"id": w.users["am.chen"]}, nil),
	}
	return append(ps,
		probe{field: "Query.serviceProviders", object: "provider", action: "read", account: -1,
			query: `{ serviceProviders(first: 500) { edges { node { id } } } }`, list: partnerProviderID},
		probe{field: "Query.users", object: "user", action: "read", account: -1,
			query: `{ users(first: 500) { edges { node { id } } } }`, list: w.users["am.chen"]},
		// The partner is active: asking for active again is refused after
		// authorization (ECONFLICT), and the matrix suspends nobody.
		probe{field: "Mutation.setServiceProviderStatus", object: "provider", action: "write", account: -1, mutation: true,
			conflictOK: true, vars: map[string]any{"id": partnerProviderID},
			query: `mutation($id: ID!) { setServiceProviderStatus(id: $id, status: ACTIVE) { id } }`},
		probe{field: "Mutation.updateEngineer", object: "engineer", action: "write", kind: "engineer", account: -1,
			engineer: w.engineer.other, mutation: true, vars: map[string]any{"id": w.engineer.other},
			query: `mutation($id: ID!) { updateEngineer(id: $id, input: {}) { id } }`},
	)
}

// matrixSerial returns a serial number no asset has.
func matrixSerial() string {
	return strings.ToUpper(strings.ReplaceAll(uniqueID("MX"), "-", ""))
}
