// Package aftercare holds the domain of the Aftercare after-sales service
// system: its nouns (accounts, sites, assets, contracts, incidents, engineers,
// parts, SLA policies and clock events, holidays), their identifiers and
// states, the rules that belong to them, the error type shared by every
// package, and the service interfaces that the edges implement.
//
// It imports only the standard library. Implementations live in one package
// per dependency: postgres (pgx), workflows (Temporal), graph (gqlgen) and
// authz (casbin); sla and dispatch hold the pure maths.
package aftercare
