package main

import (
	"context"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const quoteFields = `id state tier region total { amount currency } lines { line kind fru quantity unitPrice { amount } total { amount } }`

// uncoveredWorld is an out-of-warranty asset without a contract, its
// customer and another account's customer.
type uncoveredWorld struct {
	serial, region, code string
	customer, foreign    string
}

func mustUncoveredWorld(t *testing.T, env *testEnv, url, admin string) uncoveredWorld {
	t.Helper()
	// An old server beside the platinum demo server, bought before its
	// contract and never added to it: out of warranty, nothing covers it.
	w := uncoveredWorld{serial: "OOW-REPAIR-0001"}
	require.NoError(t, env.db.ExecScript(context.Background(), `
		INSERT INTO assets (account_id, site_id, serial_number, product_line, model, shipped_on, warranty_ends_on)
		SELECT a.account_id, a.site_id, '`+w.serial+`', a.product_line, a.model, DATE '2018-01-01', DATE '2021-01-01'
		FROM assets a WHERE a.serial_number = '`+env.summary.Serials[aftercare.TierPlatinum]+`'`))
	got := gql(t, url, admin, `query($s: String!) { assetBySerial(serialNumber: $s) { site { region } account { code } } }`,
		map[string]any{"s": w.serial})
	require.Empty(t, got.Errors)
	w.region = dig(got.Data, "assetBySerial", "site", "region").(string)
	w.code = dig(got.Data, "assetBySerial", "account", "code").(string)
	w.customer = env.token(t, customerOf(w.code))
	accounts := gql(t, url, admin, `{ accounts(first: 10) { edges { node { code } } } }`, nil)
	require.Empty(t, accounts.Errors)
	for _, e := range dig(accounts.Data, "accounts", "edges").([]any) {
		if c := dig(e, "node", "code").(string); c != w.code && w.foreign == "" {
			w.foreign = env.token(t, customerOf(c))
		}
	}
	return w
}

// fileTriaged files an incident as the customer and has it acknowledged,
// once its workflow runs.
func fileTriaged(t *testing.T, url, customer, admin, serial string) string {
	t.Helper()
	id := fileIncident(t, url, customer, serial)
	waitFor(t, 30*time.Second, "the clocks to start", func() bool {
		clocks, _ := clocksOf(t, url, customer, id)
		return len(clocks) > 0
	})
	got := gql(t, url, admin, `mutation($id: ID!) { acknowledgeIncident(id: $id) { status } }`, map[string]any{"id": id})
	require.Empty(t, got.Errors, "%+v", got.Errors)
	return id
}

// TestQuoteThroughGraphQL quotes out-of-warranty work from the price list,
// sends it (the incident waits with its on-site and restore clocks paused),
// lets the customer's IT approve one quote and reject another, and checks
// that the work is not dispatched before approval and that covered work is
// not quoted.
func TestQuoteThroughGraphQL(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	w := mustUncoveredWorld(t, env, m.URL(), admin)

	prices := gql(t, m.URL(), w.customer, `query($r: String!) { priceList(tier: STANDARD, region: $r) { kind fru unitPrice { amount currency } } }`,
		map[string]any{"r": w.region})
	require.Empty(t, prices.Errors, "%+v", prices.Errors)
	list := dig(prices.Data, "priceList").([]any)
	require.Greater(t, len(list), 2)
	assert.Equal(t, "LABOUR", dig(list[0], "kind"))
	assert.Equal(t, "CALL_OUT", dig(list[1], "kind"))
	fru := dig(list[2], "fru").(string)

	id := fileTriaged(t, m.URL(), w.customer, admin, w.serial)
	vars := map[string]any{"id": id}

	t.Run("uncovered work is not dispatched before approval", func(t *testing.T) {
		got := gql(t, m.URL(), admin, `mutation($id: ID!) { assignEngineer(incidentId: $id) { id } }`, vars)
		assert.Equal(t, aftercare.ECONFLICT, got.code())
		if len(got.Errors) > 0 {
			assert.Contains(t, got.Errors[0].Message, "approved quote")
		}
		inc := gql(t, m.URL(), admin, `query($id: ID!) { incident(id: $id) { status assignments { id } } }`, vars)
		require.Empty(t, inc.Errors)
		assert.Equal(t, "TRIAGED", dig(inc.Data, "incident", "status"))
		assert.Empty(t, dig(inc.Data, "incident", "assignments"), "the workflow's own dispatch at triage was refused too")
	})

	var quoteID string
	t.Run("a quote priced from the price list", func(t *testing.T) {
		got := gql(t, m.URL(), w.customer, `mutation($id: ID!) { createQuote(input: {incidentId: $id, labourHours: 1, callOut: true}) { id } }`, vars)
		assert.Equal(t, aftercare.EUNAUTHORIZED, got.code(), "the customer does not quote")
		got = gql(t, m.URL(), admin, `mutation($id: ID!, $f: String!) {
			createQuote(input: {incidentId: $id, labourHours: 2.5, callOut: true, parts: [{fru: $f, quantity: 2}]}) { `+quoteFields+` } }`,
			map[string]any{"id": id, "f": fru})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		q := dig(got.Data, "createQuote")
		quoteID = dig(q, "id").(string)
		assert.Equal(t, "DRAFT", dig(q, "state"))
		assert.Equal(t, "STANDARD", dig(q, "tier"))
		assert.Equal(t, w.region, dig(q, "region"))
		lines := dig(q, "lines").([]any)
		require.Len(t, lines, 3)
		assert.Equal(t, []any{"CALL_OUT", "LABOUR", "PART"}, []any{dig(lines[0], "kind"), dig(lines[1], "kind"), dig(lines[2], "kind")})
		assert.Equal(t, 2.5, dig(lines[1], "quantity"))
		assert.Equal(t, dig(list[0], "unitPrice", "amount"), dig(lines[1], "unitPrice", "amount"), "labour at the list price")
		assert.Equal(t, fru, dig(lines[2], "fru"))
		assert.Equal(t, "CNY", dig(q, "total", "currency"))
	})

	t.Run("sending holds the incident with on-site and restore paused", func(t *testing.T) {
		got := gql(t, m.URL(), admin, `mutation($id: ID!) { sendQuote(id: $id) { state sentAt validUntil } }`, map[string]any{"id": quoteID})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		assert.Equal(t, "SENT", dig(got.Data, "sendQuote", "state"))
		sent, err := time.Parse(time.RFC3339Nano, dig(got.Data, "sendQuote", "sentAt").(string))
		require.NoError(t, err)
		until, err := time.Parse(time.RFC3339Nano, dig(got.Data, "sendQuote", "validUntil").(string))
		require.NoError(t, err)
		assert.Equal(t, aftercare.QuoteValidFor, until.Sub(sent), "a sent quote holds QuoteValidFor")
		clocks, inc := clocksOf(t, m.URL(), w.customer, id)
		assert.Equal(t, "AWAITING_CUSTOMER", inc["status"])
		// A P1 on the standard tier runs all three clocks (aftercare.DefaultSLAPolicy:
		// response 4 business hours, on-site next business day, restore 3
		// business days), so on-site and restore must both be there.
		for _, k := range []string{"ON_SITE", "RESTORE"} {
			c, ok := clocks[k]
			require.True(t, ok, "the %s clock of a standard P1", k)
			assert.Equal(t, "PAUSED", c["state"], k)
			require.NotEmpty(t, c["pauses"], k)
			assert.Equal(t, "quote_approval", dig(c["pauses"].([]any)[0], "reason"), k)
		}
		assert.Equal(t, "MET", clocks["RESPONSE"]["state"], "the response clock stopped at triage and never pauses")
	})

	t.Run("only the customer's own IT answers", func(t *testing.T) {
		got := gql(t, m.URL(), w.foreign, `mutation($id: ID!) { approveQuote(id: $id) { state } }`, map[string]any{"id": quoteID})
		assert.Equal(t, aftercare.ENOTFOUND, got.code(), "another account's quote")
		got = gql(t, m.URL(), admin, `mutation($id: ID!) { approveQuote(id: $id) { state } }`, map[string]any{"id": quoteID})
		require.Empty(t, got.Errors, "admins may act for the customer: %+v", got.Errors)
		got = gql(t, m.URL(), w.customer, `mutation($id: ID!) { rejectQuote(id: $id, reason: "too dear") { state } }`,
			map[string]any{"id": quoteID})
		assert.Equal(t, aftercare.ECONFLICT, got.code(), "an answered quote keeps its answer")
	})

	t.Run("approval resumes the clocks and lets the work be dispatched", func(t *testing.T) {
		clocks, inc := clocksOf(t, m.URL(), w.customer, id)
		assert.Contains(t, []any{"APPROVED", "DISPATCHED"}, inc["status"])
		for _, k := range []string{"ON_SITE", "RESTORE"} {
			c, ok := clocks[k]
			require.True(t, ok, "the %s clock of a standard P1", k)
			assert.NotEqual(t, "PAUSED", c["state"], k)
			require.NotEmpty(t, c["pauses"], k)
			assert.NotNil(t, dig(c["pauses"].([]any)[0], "to"), k)
		}
		// The workflow may already have dispatched the approved work, so
		// assignEngineer either assigns or refuses a second assignment; it
		// must never refuse for want of an approved quote, and either way
		// the incident ends up with an assignment.
		got := gql(t, m.URL(), admin, `mutation($id: ID!) { assignEngineer(incidentId: $id) { id } }`, vars)
		assert.Contains(t, []string{"", aftercare.ECONFLICT}, got.code(), "%+v", got.Errors)
		for _, e := range got.Errors {
			assert.NotContains(t, e.Message, "approved quote", "approved work is no longer held back")
		}
		waitFor(t, 30*time.Second, "the approved work to be assigned", func() bool {
			inc := gql(t, m.URL(), admin, `query($id: ID!) { incident(id: $id) { assignments { id } } }`, vars)
			return len(inc.Errors) == 0 && len(dig(inc.Data, "incident", "assignments").([]any)) > 0
		})
	})

	t.Run("rejection cancels the incident", func(t *testing.T) {
		id2 := fileTriaged(t, m.URL(), w.customer, admin, w.serial)
		got := gql(t, m.URL(), admin, `mutation($id: ID!) { createQuote(input: {incidentId: $id, labourHours: 1, callOut: false}) { id } }`,
			map[string]any{"id": id2})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		q := dig(got.Data, "createQuote", "id")
		got = gql(t, m.URL(), admin, `mutation($id: ID!) { sendQuote(id: $id) { state } }`, map[string]any{"id": q})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		got = gql(t, m.URL(), w.customer, `mutation($id: ID!) { rejectQuote(id: $id, reason: "we will replace the server") { state decisionNote } }`,
			map[string]any{"id": q})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		assert.Equal(t, "REJECTED", dig(got.Data, "rejectQuote", "state"))
		inc := gql(t, m.URL(), w.customer, `query($id: ID!) { incident(id: $id) { status quotes { state } } }`, map[string]any{"id": id2})
		require.Empty(t, inc.Errors)
		assert.Equal(t, "CANCELLED", dig(inc.Data, "incident", "status"))
	})

	t.Run("the customer's IT approves its own quote", func(t *testing.T) {
		id3 := fileTriaged(t, m.URL(), w.customer, admin, w.serial)
		got := gql(t, m.URL(), admin, `mutation($id: ID!) { createQuote(input: {incidentId: $id, labourHours: 1, callOut: true}) { id } }`,
			map[string]any{"id": id3})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		q := dig(got.Data, "createQuote", "id")
		got = gql(t, m.URL(), admin, `mutation($id: ID!) { sendQuote(id: $id) { state } }`, map[string]any{"id": q})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		got = gql(t, m.URL(), w.foreign, `mutation($id: ID!) { approveQuote(id: $id) { state } }`, map[string]any{"id": q})
		assert.Equal(t, aftercare.ENOTFOUND, got.code(), "another account's customer IT does not see the quote")
		got = gql(t, m.URL(), w.customer, `mutation($id: ID!) { approveQuote(id: $id) { state } }`, map[string]any{"id": q})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		assert.Equal(t, "APPROVED", dig(got.Data, "approveQuote", "state"))
		inc := gql(t, m.URL(), w.customer, `query($id: ID!) { incident(id: $id) { status quotes { state } } }`, map[string]any{"id": id3})
		require.Empty(t, inc.Errors)
		assert.Contains(t, []any{"APPROVED", "DISPATCHED"}, dig(inc.Data, "incident", "status"))
		assert.Equal(t, "APPROVED", dig(inc.Data, "incident", "quotes").([]any)[0].(map[string]any)["state"])
	})

	t.Run("covered work is not quoted", func(t *testing.T) {
		covered := env.summary.Serials[aftercare.TierPlatinum]
		got := gql(t, m.URL(), admin, `query($s: String!) { assetBySerial(serialNumber: $s) { account { code } } }`, map[string]any{"s": covered})
		require.Empty(t, got.Errors)
		owner := env.token(t, customerOf(dig(got.Data, "assetBySerial", "account", "code").(string)))
		id3 := fileTriaged(t, m.URL(), owner, admin, covered)
		got = gql(t, m.URL(), admin, `mutation($id: ID!) { createQuote(input: {incidentId: $id, labourHours: 1, callOut: true}) { id } }`,
			map[string]any{"id": id3})
		assert.Equal(t, aftercare.ECONFLICT, got.code())
		if len(got.Errors) > 0 {
			assert.Contains(t, got.Errors[0].Message, "covered work is not quoted")
		}
	})

	t.Run("every step is audited", func(t *testing.T) {
		got := gql(t, m.URL(), admin, `query($id: String!) { auditLog(objectType: "quote", objectId: $id, first: 20) { edges { node { action actorRole } } } }`,
			map[string]any{"id": quoteID})
		require.Empty(t, got.Errors, "%+v", got.Errors)
		var actions []any
		for _, e := range dig(got.Data, "auditLog", "edges").([]any) {
			actions = append(actions, dig(e, "node", "action"))
		}
		assert.ElementsMatch(t, []any{"quote.create", "quote.send", "quote.approve"}, actions)
	})
}
