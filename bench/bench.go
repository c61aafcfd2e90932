// Package bench holds Aftercare's benchmark harnesses, for
// `aftercare bench sla|dispatch|dispatch-build|kpi|intake|api`, with their workloads and baselines:
//
//   - SLA keeps incidents open with live clocks on a Temporal server and a
//     PostgreSQL database, lets escalations fall due at steady rates, and
//     drives a bare workflow to the same instants in the same run;
//   - Dispatch runs a seeded workload (NewWorkload: a fleet and incidents
//     around the cities of package data) through dispatch's index, a
//     brute-force scan in Go, dispatch.BruteForce and PostgreSQL with
//     PostGIS, and compares latency and answers;
//   - KPI loads years of history with package demo and times every KPI
//     query from the stored counters and from the base tables;
//   - API sends the API's operations over HTTP from concurrent clients
//     (APIOperations) and measures the nested list beside Handwritten, a
//     handler written by hand for it over the store's Query.
//
// Timings are reported, never asserted. The package may import the
// standard library, the root package, data, demo, dispatch, postgres
// (through its exported API and bulk-load API only: it does not import
// pgx), workflows, and the Temporal SDK, with which the SLA bench runs a
// worker of its own beside Aftercare's workflows, as `aftercare worker`
// does.
package bench
