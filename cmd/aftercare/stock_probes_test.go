package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// stockMatrix is what the isolation matrix probes stock with: a depot in
// region east (dispatcher.east's) and one elsewhere, each with a stock
// row of the matrix's part, and two vans, engineer.zhang's and another
// engineer's, each with a stock row of it.
type stockMatrix struct {
	eastDepot, foreignDepot string
	eastRow, foreignRow     int64
	// A van engineer of region east and one of another region, for
	// transfers a dispatcher of east may and may not make.
	eastEngineer, foreignEngineer string
	vans                          []stockVan
}

// stockVan is a van's stock row, its engineer and the engineer's region.
type stockVan struct {
	engineer, region string
	row              int64
}

// mustStockMatrix stocks, as admin, the depots and vans the stock probes
// read and write.
func mustStockMatrix(t *testing.T, url, admin string, w *world) stockMatrix {
	t.Helper()
	var m stockMatrix
	resp := gql(t, url, admin, `{ depots(first: 500) { edges { node { id region } } }
		engineers(first: 500) { edges { node { id region } } } }`, nil)
	require.Empty(t, resp.Errors)
	for _, e := range dig(resp.Data, "depots", "edges").([]any) {
		id, region := dig(e, "node", "id").(string), dig(e, "node", "region").(string)
		if region == "east" && m.eastDepot == "" {
			m.eastDepot = id
		} else if region != "east" && m.foreignDepot == "" {
			m.foreignDepot = id
		}
	}
	regions := map[string]string{}
	for _, e := range dig(resp.Data, "engineers", "edges").([]any) {
		id, region := dig(e, "node", "id").(string), dig(e, "node", "region").(string)
		regions[id] = region
		if region == "east" && m.eastEngineer == "" {
			m.eastEngineer = id
		} else if region != "east" && m.foreignEngineer == "" {
			m.foreignEngineer = id
		}
	}
	require.NotEmpty(t, m.eastDepot+m.foreignDepot+m.eastEngineer+m.foreignEngineer)
	receive := func(depot string) int64 {
		got := gql(t, url, admin, `mutation($d: ID!, $f: String!) {
			receiveStock(input: {depotId: $d, fru: $f, quantity: 4, reference: "matrix"}) { stockId } }`,
			map[string]any{"d": depot, "f": w.part.fru})
		require.Empty(t, got.Errors)
		return int64(dig(got.Data, "receiveStock", "stockId").(float64))
	}
	m.eastRow, m.foreignRow = receive(m.eastDepot), receive(m.foreignDepot)
	for _, e := range []string{w.engineer.self, w.engineer.other} {
		got := gql(t, url, admin, `mutation($d: ID!, $e: ID!, $f: String!) {
			transferStock(input: {depotId: $d, engineerId: $e, fru: $f, quantity: 1, direction: DEPOT_TO_VAN}) { in { stockId } } }`,
			map[string]any{"d": m.eastDepot, "e": e, "f": w.part.fru})
		require.Empty(t, got.Errors)
		m.vans = append(m.vans, stockVan{engineer: e, region: regions[e],
			row: int64(dig(got.Data, "transferStock", "in", "stockId").(float64))})
	}
	return m
}

// stockProbes are the isolation matrix's calls of the stock root fields:
// the ledgers of depot and van rows inside and outside each caller's
// scope, and each movement at a depot of region east and elsewhere.
func stockProbes(w *world) []probe {
	m := w.stock
	ps := []probe{
		{field: "Query.returnsAwaitingReceipt", object: "stock", action: "read", account: -1,
			query: `{ returnsAwaitingReceipt(first: 50) { edges { node { id serialNumber } } } }`},
		{field: "Mutation.receivePartReturn", object: "stock", action: "write", account: -1, mutation: true, missing: true,
			query: `mutation { receivePartReturn(id: 999999999, condition: GOOD) { id } }`},
	}
	for _, van := range m.vans {
		ps = append(ps, probe{field: "Query.stockLedger", object: "stock", action: "read", kind: "stock_van", account: -1,
			region: van.region, engineer: van.engineer, vars: map[string]any{"s": van.row},
			query: `query($s: Int!) { stockLedger(stockId: $s) { edges { node { kind onHandAfter actor { id } } } } }`})
	}
	for _, d := range []struct {
		depot, engineer, region string
		row                     int64
	}{{m.eastDepot, m.eastEngineer, "east", m.eastRow}, {m.foreignDepot, m.foreignEngineer, "elsewhere", m.foreignRow}} {
		at := func(field, action, query string, vars map[string]any) probe {
			return probe{field: field, object: "stock", action: action, kind: "stock_depot", account: -1, region: d.region,
				mutation: action == "write", query: query, vars: vars}
		}
		depot := map[string]any{"d": d.depot, "f": w.part.fru}
		transfer := at("Mutation.transferStock", "write", `mutation($d: ID!, $e: ID!, $f: String!) {
			transferStock(input: {depotId: $d, engineerId: $e, fru: $f, quantity: 1, direction: DEPOT_TO_VAN}) { out { id } } }`,
			map[string]any{"d": d.depot, "e": d.engineer, "f": w.part.fru})
		transfer.conflictOK = true
		ship := at("Mutation.shipToVendor", "write", `mutation($d: ID!, $f: String!) {
			shipToVendor(input: {depotId: $d, fru: $f, quantity: 1, reference: "RMA-MATRIX"}) { id } }`, depot)
		ship.conflictOK = true
		ps = append(ps,
			at("Query.stockLedger", "read", `query($s: Int!) { stockLedger(stockId: $s) { edges { node { kind } } } }`,
				map[string]any{"s": d.row}),
			at("Mutation.receiveStock", "write", `mutation($d: ID!, $f: String!) {
				receiveStock(input: {depotId: $d, fru: $f, quantity: 1}) { id } }`, depot),
			at("Mutation.adjustStock", "write", `mutation($s: Int!) {
				adjustStock(input: {stockId: $s, delta: 1, reason: "matrix count"}) { id } }`, map[string]any{"s": d.row}),
			at("Mutation.setReorderPoint", "write", `mutation($d: ID!, $f: String!) {
				setReorderPoint(depotId: $d, fru: $f, reorderPoint: null) { id reorderPoint } }`, depot),
			transfer, ship,
		)
	}
	return ps
}
