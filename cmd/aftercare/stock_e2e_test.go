package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStockThroughGraphQL keeps a depot of region east stocked as its
// dispatcher would: receives a delivery, sets a reorder point, tops up an
// engineer's van from the depot until the depot falls below the point,
// and reads the depot's ledger. The region's dispatchers are told once
// (myNotifications, and the webhook); bad input is refused with a coded
// error naming the field; the van's engineer reads the van's ledger and
// nothing else.
func TestStockThroughGraphQL(t *testing.T) {
	env := mustTestEnv(t)
	hook := newReceiver(t)
	env.cfg.Webhooks = []string{hook.URL}
	m := env.startMain(t)
	url := m.URL()
	admin, east, north := env.token(t, "admin"), env.token(t, "dispatcher.east"), env.token(t, "dispatcher.north")
	zhang := env.token(t, "engineer.zhang")

	fleet := gql(t, url, admin, `{ depots(first: 500) { edges { node { id region } } }
		engineers(first: 500) { edges { node { id code region } } } parts(first: 1) { edges { node { fru } } } }`, nil)
	require.Empty(t, fleet.Errors)
	var depot, van, zhangID string
	for _, e := range dig(fleet.Data, "depots", "edges").([]any) {
		if dig(e, "node", "region") == "east" && depot == "" {
			depot = dig(e, "node", "id").(string)
		}
	}
	for _, e := range dig(fleet.Data, "engineers", "edges").([]any) {
		if dig(e, "node", "code") == "ENG-00001" {
			zhangID = dig(e, "node", "id").(string)
		}
		if dig(e, "node", "region") == "east" && van == "" {
			van = dig(e, "node", "id").(string)
		}
	}
	require.NotEmpty(t, depot+van+zhangID)
	fru := "01NEWFAN1"
	require.NoError(t, env.db.ExecScript(context.Background(),
		`INSERT INTO parts (fru, description, unit_price, currency) VALUES ('`+fru+`', 'Fan module', 120, 'CNY')`))

	in := gql(t, url, east, `mutation($d: ID!, $f: String!) { receiveStock(input: {depotId: $d, fru: $f, quantity: 5,
		reference: "DN-77"}) { kind stockId onHandDelta onHandAfter reason actor { username } } }`, map[string]any{"d": depot, "f": fru})
	require.Empty(t, in.Errors, "%+v", in.Errors)
	receipt := dig(in.Data, "receiveStock")
	assert.Equal(t, "RECEIPT", dig(receipt, "kind"))
	assert.Equal(t, 5.0, dig(receipt, "onHandAfter"))
	assert.Equal(t, "dispatcher.east", dig(receipt, "actor", "username"))
	stockID := dig(receipt, "stockId")

	for _, bad := range []struct{ query, field string }{
		{`mutation($d: ID!, $f: String!) { receiveStock(input: {depotId: $d, fru: $f, quantity: 0}) { id } }`, "quantity"},
		{`mutation($d: ID!) { receiveStock(input: {depotId: $d, fru: "09NOSUCH9", quantity: 1}) { id } }`, "fru"},
		{`mutation($d: ID!, $f: String!) { setReorderPoint(depotId: $d, fru: $f, reorderPoint: -1) { id } }`, "reorderPoint"},
		{`mutation($s: Int!) { adjustStock(input: {stockId: $s, delta: -1, reason: " "}) { id } }`, "reason"},
	} {
		got := gql(t, url, east, bad.query, map[string]any{"d": depot, "f": fru, "s": stockID})
		assert.Equal(t, aftercare.EINVALID, got.code(), bad.query)
		if assert.NotEmpty(t, got.Errors) {
			assert.True(t, strings.HasPrefix(got.Errors[0].Message, bad.field), "%q names %s", got.Errors[0].Message, bad.field)
		}
	}
	assert.Equal(t, aftercare.ENOTFOUND, gql(t, url, north, `mutation($d: ID!, $f: String!) {
		receiveStock(input: {depotId: $d, fru: $f, quantity: 1}) { id } }`, map[string]any{"d": depot, "f": fru}).code(),
		"another region's dispatcher does not see the depot")

	set := gql(t, url, east, `mutation($d: ID!, $f: String!) { setReorderPoint(depotId: $d, fru: $f, reorderPoint: 4) {
		id onHand reorderPoint belowReorderPoint } }`, map[string]any{"d": depot, "f": fru})
	require.Empty(t, set.Errors, "%+v", set.Errors)
	assert.Equal(t, false, dig(set.Data, "setReorderPoint", "belowReorderPoint"))
	transfer := func(n int) map[string]any {
		got := gql(t, url, east, `mutation($d: ID!, $e: ID!, $f: String!, $n: Int!) { transferStock(input: {depotId: $d,
			engineerId: $e, fru: $f, quantity: $n, direction: DEPOT_TO_VAN, reason: "van top-up"}) {
			out { onHandAfter fellBelowReorderPoint transferId } in { stockId onHandAfter transferId } } }`,
			map[string]any{"d": depot, "e": van, "f": fru, "n": n})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		return dig(got.Data, "transferStock").(map[string]any)
	}
	first := transfer(2)
	assert.Equal(t, true, dig(first, "out", "fellBelowReorderPoint"), "5 → 3 falls below 4")
	assert.Equal(t, dig(first, "out", "transferId"), dig(first, "in", "transferId"))
	second := transfer(1)
	assert.Equal(t, false, dig(second, "out", "fellBelowReorderPoint"), "once per crossing")
	tooMany := gql(t, url, east, `mutation($d: ID!, $e: ID!, $f: String!) { transferStock(input: {depotId: $d, engineerId: $e,
		fru: $f, quantity: 3, direction: DEPOT_TO_VAN}) { out { id } } }`, map[string]any{"d": depot, "e": van, "f": fru})
	assert.Equal(t, aftercare.ECONFLICT, tooMany.code(), "2 left: never below zero")

	alerts := gql(t, url, east, `{ myNotifications(first: 10) { edges { node { kind reason incidentId clock
		stockAlert { fru available reorderPoint crossing depot { id } } } } } }`, nil)
	require.Empty(t, alerts.Errors, "%+v", alerts.Errors)
	var mine []any
	for _, e := range dig(alerts.Data, "myNotifications", "edges").([]any) {
		if dig(e, "node", "kind") == "STOCK_ALERT" {
			mine = append(mine, dig(e, "node"))
		}
	}
	require.Len(t, mine, 1, "the region's dispatcher is told once")
	assert.Equal(t, map[string]any{"fru": fru, "available": 3.0, "reorderPoint": 4.0, "crossing": 1.0,
		"depot": map[string]any{"id": depot}}, dig(mine[0], "stockAlert"))
	assert.Nil(t, dig(mine[0], "incidentId"))
	assert.Equal(t, "DISPATCHER", dig(mine[0], "reason"))
	waitFor(t, 30*time.Second, "the stock alert at the webhook", func() bool {
		hook.mu.Lock()
		defer hook.mu.Unlock()
		for _, body := range hook.first {
			if body["kind"] == "stock.below_reorder_point" && body["fru"] == fru {
				return true
			}
		}
		return false
	})

	ledger := gql(t, url, east, `query($s: Int!) { stockLedger(stockId: $s, first: 10) { edges { node { kind onHandDelta onHandAfter } } } }`,
		map[string]any{"s": stockID})
	require.Empty(t, ledger.Errors, "%+v", ledger.Errors)
	var kinds []string
	for _, e := range dig(ledger.Data, "stockLedger", "edges").([]any) {
		kinds = append(kinds, dig(e, "node", "kind").(string))
	}
	assert.Equal(t, []string{"TRANSFER_OUT", "TRANSFER_OUT", "RECEIPT"}, kinds, "newest first; the refused movements are not in it")

	toZhang := gql(t, url, admin, `mutation($d: ID!, $e: ID!, $f: String!) { transferStock(input: {depotId: $d, engineerId: $e,
		fru: $f, quantity: 1, direction: DEPOT_TO_VAN}) { in { stockId } } }`, map[string]any{"d": depot, "e": zhangID, "f": fru})
	require.Empty(t, toZhang.Errors, "%+v", toZhang.Errors)
	own := gql(t, url, zhang, `query($s: Int!) { stockLedger(stockId: $s) { edges { node { kind onHandAfter } } } }`,
		map[string]any{"s": dig(toZhang.Data, "transferStock", "in", "stockId")})
	require.Empty(t, own.Errors, "the engineer reads their own van")
	assert.Equal(t, "TRANSFER_IN", dig(dig(own.Data, "stockLedger", "edges").([]any)[0], "node", "kind"))
	if van != zhangID {
		assert.Equal(t, aftercare.ENOTFOUND, gql(t, url, zhang, `query($s: Int!) { stockLedger(stockId: $s) { edges { node { kind } } } }`,
			map[string]any{"s": dig(first, "in", "stockId")}).code(), "another engineer's van")
	}
	assert.Equal(t, aftercare.ENOTFOUND, gql(t, url, zhang, `query($s: Int!) { stockLedger(stockId: $s) { edges { node { kind } } } }`,
		map[string]any{"s": stockID}).code(), "an engineer does not read a depot's ledger")
	assert.Equal(t, aftercare.EUNAUTHORIZED, gql(t, url, zhang, `mutation($d: ID!, $f: String!) {
		receiveStock(input: {depotId: $d, fru: $f, quantity: 1}) { id } }`, map[string]any{"d": depot, "f": fru}).code(),
		"engineers do not move stock")
}
