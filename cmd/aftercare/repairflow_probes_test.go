package main

// repairFlowProbes are the isolation matrix's calls of the repair flow's
// root fields about one account's incident (a covered one, so quoting it
// is refused after authorization and scope; so is repair work on an
// incident nobody is on site for).
func repairFlowProbes(i int, a acct) []probe {
	vars := map[string]any{"id": a.incident}
	return []probe{
		{field: "Mutation.createQuote", object: "quote", action: "write", kind: "incident", account: i, region: a.site.region,
			mutation: true, conflictOK: true, vars: vars,
			query: `mutation($id: ID!) { createQuote(input: {incidentId: $id, labourHours: 1, callOut: true}) { id } }`},
		{field: "Mutation.recordDiagnosis", object: "repair", action: "write", kind: "incident", account: i, region: a.site.region,
			mutation: true, conflictOK: true, vars: vars,
			query: `mutation($id: ID!) { recordDiagnosis(incidentId: $id, diagnosis: "matrix") { diagnosis } }`},
		{field: "Mutation.recordPartUsed", object: "repair", action: "write", kind: "incident", account: i, region: a.site.region,
			mutation: true, conflictOK: true, vars: vars,
			query: `mutation($id: ID!) { recordPartUsed(input: {incidentId: $id, fru: "01AA000", serialNumber: "MATRIX-1"}) { id } }`},
		{field: "Mutation.recordTestResult", object: "repair", action: "write", kind: "incident", account: i, region: a.site.region,
			mutation: true, conflictOK: true, vars: vars,
			query: `mutation($id: ID!) { recordTestResult(incidentId: $id, passed: true) { passed } }`},
	}
}

// repairFlowGlobalProbes are the calls of the repair flow's root fields
// about no account's object: the price list, and quotes and surveys that do
// not exist.
func repairFlowGlobalProbes() []probe {
	missingQuote := map[string]any{"id": "0d000000-0000-4000-8000-0000000000fe"}
	return []probe{
		{field: "Query.priceList", object: "price_list", action: "read", account: -1,
			query: `{ priceList(tier: STANDARD, region: "east") { kind unitPrice { amount } } }`},
		{field: "Mutation.sendQuote", object: "quote", action: "write", account: -1, mutation: true, missing: true,
			vars: missingQuote, query: `mutation($id: ID!) { sendQuote(id: $id) { id } }`},
		{field: "Mutation.approveQuote", object: "quote", action: "decide", account: -1, mutation: true, missing: true,
			vars: missingQuote, query: `mutation($id: ID!) { approveQuote(id: $id) { id } }`},
		{field: "Mutation.rejectQuote", object: "quote", action: "decide", account: -1, mutation: true, missing: true,
			vars: missingQuote, query: `mutation($id: ID!) { rejectQuote(id: $id, reason: "matrix") { id } }`},
		{field: "Mutation.answerSurvey", object: "survey", action: "answer", account: -1, mutation: true, missing: true,
			query: `mutation { answerSurvey(token: "sv_matrix", score: 5) { score } }`},
	}
}
