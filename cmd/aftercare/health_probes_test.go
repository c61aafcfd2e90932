package main

import (
	"sync/atomic"
	"time"
)

// healthSlot numbers the drive slots the reportHealth probes report on, so
// each allowed report raises a warning of its own (and so an audit event).
var healthSlot atomic.Int32

// healthProbes probes device health and parts plans: reports and risk of
// each account's asset, a warning that does not exist, and the plans of
// the dispatcher's region and of another.
func healthProbes(w *world) []probe {
	var ps []probe
	for i, a := range w.accounts {
		ps = append(ps,
			probe{field: "Query.assetRisk", object: "health", action: "read", kind: "asset", account: i,
				region: a.site.region, query: `query($s: String!) { assetRisk(serialNumber: $s) { score reasons } }`,
				vars: map[string]any{"s": a.asset.serial}},
			probe{field: "Mutation.reportHealth", object: "health", action: "report", kind: "asset", account: i,
				region: a.site.region, mutation: true, filing: true,
				query: `mutation($r: [HealthReadingInput!]!) { reportHealth(readings: $r) { accepted warnings { id } } }`,
				freshVars: func() map[string]any {
					return map[string]any{"r": []any{map[string]any{"serialNumber": a.asset.serial, "component": "DRIVE",
						"slot": healthSlot.Add(1) % 256, "takenAt": time.Now().Format(time.RFC3339Nano),
						"smartFailing": true}}}
				}},
		)
	}
	return append(ps,
		probe{field: "Query.healthWarnings", object: "health", action: "read", account: -1,
			query: `{ healthWarnings(first: 50) { edges { node { id reasons } } } }`},
		probe{field: "Query.healthWarningOutcomes", object: "health", action: "read", account: -1,
			query: `{ healthWarningOutcomes { component raised precision } }`},
		probe{field: "Mutation.dismissHealthWarning", object: "health", action: "dismiss", account: -1, missing: true,
			mutation: true, query: `mutation { dismissHealthWarning(id: 2000000000, reason: "probe") { id } }`},
		probe{field: "Query.partsPlan", object: "parts_plan", action: "read", account: -1, region: "east",
			query: `{ partsPlan(input: {region: "east", historyWeeks: 8}) { lines { fru } backtest { fillRate } } }`},
		probe{field: "Query.partsPlan", object: "parts_plan", action: "read", kind: "region", account: -1, region: "north",
			query: `{ partsPlan(input: {region: "north", historyWeeks: 8}) { lines { fru } } }`},
		probe{field: "Mutation.applyPartsPlan", object: "parts_plan", action: "apply", account: -1, region: "east",
			mutation: true, query: `mutation { applyPartsPlan(input: {region: "east", historyWeeks: 8}) { changed { id } } }`},
	)
}
