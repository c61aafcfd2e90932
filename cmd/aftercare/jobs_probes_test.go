package main

// jobProbes are the isolation matrix's calls of the engineer's job root
// fields, about a job that does not exist (ENOTFOUND for whoever may work
// jobs, as for another engineer's job; TestEngineersWorkOnlyTheirOwnJobs
// tries those), the caller's own job list, and the dispatcher's view of an
// engineer's jobs, load and shift.
func jobProbes(w *world) []probe {
	missingJob := map[string]any{"id": "0d000000-0000-4000-8000-0000000000fd"}
	ps := []probe{
		{field: "Query.myJobs", object: "job", action: "read", account: -1,
			query: `{ myJobs(first: 5) { id state site { id } parts { quantity } } }`},
		{field: "Mutation.acceptJob", object: "job", action: "work", account: -1, mutation: true, missing: true,
			vars: missingJob, query: `mutation($id: ID!) { acceptJob(id: $id) { id } }`},
		{field: "Mutation.declineJob", object: "job", action: "work", account: -1, mutation: true, missing: true,
			vars: missingJob, query: `mutation($id: ID!) { declineJob(id: $id, reason: "matrix") { reassigned } }`},
		{field: "Mutation.departForJob", object: "job", action: "work", account: -1, mutation: true, missing: true,
			vars: missingJob, query: `mutation($id: ID!) { departForJob(id: $id) { id } }`},
		{field: "Mutation.arriveForJob", object: "job", action: "work", account: -1, mutation: true, missing: true,
			vars: missingJob, query: `mutation($id: ID!) { arriveForJob(id: $id, lat: 31.2, lng: 121.4) { id } }`},
		{field: "Mutation.completeJob", object: "job", action: "work", account: -1, mutation: true, missing: true,
			vars: missingJob, query: `mutation($id: ID!) { completeJob(id: $id) { id } }`},
	}
	for _, e := range []string{w.engineer.self, w.engineer.other} {
		ps = append(ps, probe{field: "Query.engineer", object: "engineer", action: "read", kind: "engineer", account: -1,
			engineer: e, vars: map[string]any{"id": e},
			query: `query($id: ID!) { engineer(id: $id) { id load onShiftNow currentJobs { id state } } }`})
	}
	return ps
}
