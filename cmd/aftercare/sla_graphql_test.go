package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// subscription is one GraphQL subscription over WebSocket: its messages
// of type next arrive on Next, an error message on Errors.
type subscription struct {
	Next   chan map[string]any
	Errors chan []any
}

// subscribe opens a WebSocket as the token's user and starts a
// subscription; it ends when the test does.
func subscribe(t *testing.T, baseURL, token, query string, vars map[string]any) *subscription {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	conn, _, err := coderws.Dial(ctx, "ws"+strings.TrimPrefix(baseURL, "http")+"/query",
		&coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	t.Cleanup(func() { conn.CloseNow() })
	send := func(v any) { require.NoError(t, conn.Write(ctx, coderws.MessageText, []byte(mustJSON(t, v)))) }
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	_, b, err := conn.Read(ctx)
	require.NoError(t, err)
	require.Contains(t, string(b), "connection_ack")
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
	s := &subscription{Next: make(chan map[string]any, 100), Errors: make(chan []any, 1)}
	go func() {
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var msg map[string]any
			if json.Unmarshal(b, &msg) != nil {
				continue
			}
			switch msg["type"] {
			case "next":
				if errs, ok := dig(msg, "payload", "errors").([]any); ok {
					s.Errors <- errs
					continue
				}
				s.Next <- dig(msg, "payload", "data").(map[string]any)
			case "error":
				errs, _ := msg["payload"].([]any)
				s.Errors <- errs
			}
		}
	}()
	return s
}

// next waits for the subscription's next event.
func (s *subscription) next(t *testing.T, field string) map[string]any {
	t.Helper()
	for {
		ev := s.nextAny(t, field)
		if !dispatchEvent(ev["kind"]) {
			return ev
		}
	}
}

// dispatchEvent reports whether an event kind comes from dispatching, which
// the incident's workflow does by itself whenever an engineer can be found
// (advance parts at filing, triage): those events interleave with the ones
// a lifecycle test follows, depending on who is on shift when it runs.
func dispatchEvent(kind any) bool {
	return kind == "assigned" || kind == "dispatch" || kind == "declined"
}

// nextAny returns the next event of any kind.
func (s *subscription) nextAny(t *testing.T, field string) map[string]any {
	t.Helper()
	select {
	case data := <-s.Next:
		return data[field].(map[string]any)
	case errs := <-s.Errors:
		t.Fatalf("subscription error: %v", errs)
	case <-time.After(20 * time.Second):
		t.Fatalf("no %s event within 20 s", field)
	}
	return nil
}

// errorCode returns the extensions.code of the subscription's first error.
func (s *subscription) errorCode(t *testing.T) string {
	t.Helper()
	select {
	case errs := <-s.Errors:
		require.NotEmpty(t, errs)
		c, _ := dig(errs[0], "extensions", "code").(string)
		return c
	case data := <-s.Next:
		t.Fatalf("want an error, got %v", data)
	case <-time.After(10 * time.Second):
		t.Fatal("no answer within 10 s")
	}
	return ""
}

// errorWithin returns the code of the subscription's error if one comes
// within d, and "" if an event or nothing comes.
func (s *subscription) errorWithin(t *testing.T, d time.Duration) string {
	t.Helper()
	select {
	case errs := <-s.Errors:
		require.NotEmpty(t, errs)
		c, _ := dig(errs[0], "extensions", "code").(string)
		return c
	case <-s.Next:
	case <-time.After(d):
	}
	return ""
}

const slaQuery = `query($id: ID!) { incident(id: $id) { status priority slaClocks {
  kind target coverage state deadline stoppedAt budgetSeconds elapsedSeconds remainingSeconds percentUsed
  pauses { reason from to } escalations { level } } } }`

// clocksOf returns an incident's clocks by kind, as GraphQL answers.
func clocksOf(t *testing.T, url, token, id string) (map[string]map[string]any, map[string]any) {
	t.Helper()
	got := gql(t, url, token, slaQuery, map[string]any{"id": id})
	require.Empty(t, got.Errors, "%+v", got.Errors)
	inc := dig(got.Data, "incident").(map[string]any)
	clocks := map[string]map[string]any{}
	for _, c := range inc["slaClocks"].([]any) {
		clocks[c.(map[string]any)["kind"].(string)] = c.(map[string]any)
	}
	return clocks, inc
}

// TestLifecycleThroughGraphQL moves an incident through its lifecycle with
// GraphQL mutations, reads its clocks after each, follows its events over
// a WebSocket, and checks that invalid transitions and foreign callers are
// refused.
func TestLifecycleThroughGraphQL(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	serial := env.summary.Serials[aftercare.TierPlatinum]
	asset := gql(t, m.URL(), admin, `query($s: String!) { assetBySerial(serialNumber: $s) { account { id code } } }`,
		map[string]any{"s": serial})
	require.Empty(t, asset.Errors)
	code := dig(asset.Data, "assetBySerial", "account", "code").(string)
	accountID := dig(asset.Data, "assetBySerial", "account", "id").(string)
	customer := env.token(t, customerOf(code))
	accounts := gql(t, m.URL(), admin, `{ accounts(first: 10) { edges { node { code } } } }`, nil)
	require.Empty(t, accounts.Errors)
	var foreignCode string
	for _, e := range dig(accounts.Data, "accounts", "edges").([]any) {
		if c := dig(e, "node", "code").(string); c != code {
			foreignCode = c
			break
		}
	}
	require.NotEmpty(t, foreignCode)
	foreign := env.token(t, customerOf(foreignCode))

	id := fileIncident(t, m.URL(), customer, serial)
	waitFor(t, 30*time.Second, "the clocks to start", func() bool {
		clocks, _ := clocksOf(t, m.URL(), customer, id)
		return len(clocks) == 3
	})
	clocks, _ := clocksOf(t, m.URL(), customer, id)
	for kind, target := range map[string]string{"RESPONSE": "15m", "ON_SITE": "4h", "RESTORE": "6h"} {
		assert.Equal(t, target, clocks[kind]["target"], kind)
		assert.Equal(t, "RUNNING", clocks[kind]["state"], kind)
		assert.Equal(t, "24x7", clocks[kind]["coverage"], kind)
		assert.NotNil(t, clocks[kind]["deadline"], kind)
	}
	assert.Equal(t, float64(15*60), clocks["RESPONSE"]["budgetSeconds"])

	events := subscribe(t, m.URL(), customer,
		`subscription($id: ID!) { incidentEvents(incidentId: $id) { kind fromStatus toStatus reason actor { username } } }`,
		map[string]any{"id": id})
	account := subscribe(t, m.URL(), customer,
		`subscription($id: ID!) { accountEvents(accountId: $id) { kind incidentId } }`, map[string]any{"id": accountID})
	time.Sleep(500 * time.Millisecond) // let the subscriptions take their cursors

	mutate := func(token, mutation string, vars map[string]any) *gqlResponse {
		t.Helper()
		return gql(t, m.URL(), token, mutation, vars)
	}
	vars := map[string]any{"id": id}

	t.Run("acknowledge stops the response clock", func(t *testing.T) {
		got := mutate(admin, `mutation($id: ID!) { acknowledgeIncident(id: $id, note: "on it") { status } }`, vars)
		require.Empty(t, got.Errors, "%+v", got.Errors)
		assert.Equal(t, "TRIAGED", dig(got.Data, "acknowledgeIncident", "status"))
		clocks, _ := clocksOf(t, m.URL(), customer, id)
		assert.Equal(t, "MET", clocks["RESPONSE"]["state"])
		assert.NotNil(t, clocks["RESPONSE"]["stoppedAt"])
		ev := events.next(t, "incidentEvents")
		assert.Equal(t, "acknowledge", ev["kind"])
		assert.Equal(t, "NEW", ev["fromStatus"])
		assert.Equal(t, "TRIAGED", ev["toStatus"])
		assert.Equal(t, "admin", dig(ev, "actor", "username"))
		assert.Equal(t, "acknowledge", account.next(t, "accountEvents")["kind"])
	})
	t.Run("an invalid transition is refused with a clear error", func(t *testing.T) {
		got := mutate(admin, `mutation($id: ID!) { repairIncident(id: $id) { status } }`, vars)
		require.NotEmpty(t, got.Errors)
		assert.Equal(t, aftercare.ECONFLICT, got.code())
		assert.Regexp(t, `^cannot repair an incident that is (triaged|dispatched); it must be on_site$`, got.Errors[0].Message)
	})
	t.Run("waiting on the customer pauses on-site and restore", func(t *testing.T) {
		got := mutate(admin, `mutation($id: ID!) { awaitCustomer(id: $id, reason: SITE_ACCESS) { status } }`, vars)
		require.Empty(t, got.Errors, "%+v", got.Errors)
		assert.Equal(t, "AWAITING_CUSTOMER", dig(got.Data, "awaitCustomer", "status"))
		clocks, _ := clocksOf(t, m.URL(), customer, id)
		assert.Equal(t, "PAUSED", clocks["ON_SITE"]["state"])
		assert.Nil(t, clocks["ON_SITE"]["deadline"], "a paused clock has no deadline")
		assert.Equal(t, "site_access", dig(clocks["ON_SITE"]["pauses"].([]any)[0], "reason"))
		ev := events.next(t, "incidentEvents")
		assert.Equal(t, "await_customer", ev["kind"])
		assert.Equal(t, "site_access", ev["reason"])
	})
	t.Run("the customer's answer resumes the clocks", func(t *testing.T) {
		got := mutate(customer, `mutation($id: ID!) { customerResponded(id: $id, note: "gate code 4711") { status } }`, vars)
		require.Empty(t, got.Errors, "%+v", got.Errors)
		assert.Contains(t, []any{"TRIAGED", "DISPATCHED"}, dig(got.Data, "customerResponded", "status"), "back where it was")
		clocks, _ := clocksOf(t, m.URL(), customer, id)
		assert.Equal(t, "RUNNING", clocks["ON_SITE"]["state"])
		assert.NotNil(t, dig(clocks["ON_SITE"]["pauses"].([]any)[0], "to"))
		assert.Equal(t, "customer_responded", events.next(t, "incidentEvents")["kind"])
	})
	t.Run("a priority change retargets the clocks", func(t *testing.T) {
		got := mutate(admin, `mutation($id: ID!) { changeIncidentPriority(id: $id, priority: P2, reason: "redundant path up") { priority } }`, vars)
		require.Empty(t, got.Errors, "%+v", got.Errors)
		assert.Equal(t, "P2", dig(got.Data, "changeIncidentPriority", "priority"))
		clocks, _ := clocksOf(t, m.URL(), customer, id)
		assert.Equal(t, "8h", clocks["ON_SITE"]["target"])
		assert.Equal(t, "24h", clocks["RESTORE"]["target"])
		assert.Equal(t, "15m", clocks["RESPONSE"]["target"], "a stopped clock keeps its target")
		assert.Equal(t, "change_priority", events.next(t, "incidentEvents")["kind"])
	})
	t.Run("another account's customer sees nothing", func(t *testing.T) {
		got := mutate(foreign, `mutation($id: ID!) { customerResponded(id: $id) { status } }`, vars)
		assert.Equal(t, aftercare.ENOTFOUND, got.code())
		got = mutate(foreign, `mutation($id: ID!) { acknowledgeIncident(id: $id) { status } }`, vars)
		assert.Equal(t, aftercare.EUNAUTHORIZED, got.code(), "customers do not triage")
		sub := subscribe(t, m.URL(), foreign, `subscription($id: ID!) { incidentEvents(incidentId: $id) { kind } }`, vars)
		assert.Equal(t, aftercare.ENOTFOUND, sub.errorCode(t))
		sub = subscribe(t, m.URL(), foreign, `subscription($id: ID!) { accountEvents(accountId: $id) { kind } }`,
			map[string]any{"id": accountID})
		assert.Equal(t, aftercare.ENOTFOUND, sub.errorCode(t))
	})
	t.Run("every lifecycle mutation is audited", func(t *testing.T) {
		got := mutate(admin, `query($id: String!) { auditLog(objectType: "incident", objectId: $id, first: 20) { edges { node { action } } } }`, vars)
		require.Empty(t, got.Errors, "%+v", got.Errors)
		var actions []string
		for _, e := range dig(got.Data, "auditLog", "edges").([]any) {
			actions = append(actions, dig(e, "node", "action").(string))
		}
		for _, want := range []string{"incident.acknowledge", "incident.await_customer", "incident.customer_responded", "incident.change_priority"} {
			assert.Contains(t, actions, want)
		}
	})
	t.Run("cancelling ends the workflow", func(t *testing.T) {
		got := mutate(customer, `mutation($id: ID!) { cancelIncident(id: $id, reason: "fixed by a reboot") { status } }`, vars)
		require.Empty(t, got.Errors, "%+v", got.Errors)
		assert.Equal(t, "CANCELLED", dig(got.Data, "cancelIncident", "status"))
		got = mutate(admin, `mutation($id: ID!) { dispatchIncident(id: $id) { status } }`, vars)
		assert.Equal(t, aftercare.ECONFLICT, got.code())
		hist := mutate(customer, `query($id: ID!) { incident(id: $id) { events { kind toStatus } } }`, vars)
		require.Empty(t, hist.Errors)
		var kinds []string
		for _, e := range dig(hist.Data, "incident", "events").([]any) {
			if !dispatchEvent(dig(e, "kind")) {
				kinds = append(kinds, dig(e, "kind").(string))
			}
		}
		assert.Equal(t, []string{"created", "workflow_started", "clocks_started", "acknowledge", "await_customer",
			"customer_responded", "change_priority", "cancel"}, kinds)
	})
}

// TestImportHolidays replaces a year of a country's holidays from CSV, as
// an admin does before the year begins.
func TestImportHolidays(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	csv := "# 2027, abridged\ndate,kind,name\n2027-01-01,holiday,New Year's Day\n2027-02-06,workday,Spring Festival make-up\n"
	got := gql(t, m.URL(), admin, `mutation($csv: String!) { importHolidays(country: "CN", csv: $csv) }`, map[string]any{"csv": csv})
	require.Empty(t, got.Errors, "%+v", got.Errors)
	assert.Equal(t, float64(2), got.Data["importHolidays"])
	list := gql(t, m.URL(), admin, `{ holidays(country: "CN") { date kind name } }`, nil)
	require.Empty(t, list.Errors)
	days := dig(list.Data, "holidays").([]any)
	assert.Len(t, days, 39+2, "2026 from the migration, 2027 imported")
	assert.Equal(t, "2027-02-06", dig(days[len(days)-1], "date"))
	assert.Equal(t, "workday", dig(days[len(days)-1], "kind"))

	bad := gql(t, m.URL(), admin, `mutation { importHolidays(country: "CN", csv: "date,kind,name\n2027-02-08,workday,Monday") }`, nil)
	assert.Equal(t, aftercare.EINVALID, bad.code(), "a make-up workday must be on a weekend")
	assert.Contains(t, bad.Errors[0].Message, "line 2")
}

// policyInput is a TierPolicyInput with a tier's default policy, changed by
// edit (which may be nil).
func policyInput(tier aftercare.Tier, edit func(cells []map[string]any)) map[string]any {
	p, err := aftercare.DefaultSLAPolicy(tier)
	if err != nil {
		panic(err)
	}
	var cells []map[string]any
	for _, c := range p.Cells {
		cells = append(cells, map[string]any{"priority": string(c.Priority), "clock": strings.ToUpper(string(c.Clock)),
			"target": c.Target.String(), "coverage": string(c.Coverage)})
	}
	if edit != nil {
		edit(cells)
	}
	var ladder []map[string]any
	for _, l := range p.Ladder {
		var actions []string
		for _, a := range l.Actions {
			actions = append(actions, string(a))
		}
		ladder = append(ladder, map[string]any{"percent": l.Percent, "actions": actions})
	}
	return map[string]any{"cells": cells, "partsPause": p.PartsPause, "ladder": ladder}
}

// standardPolicyInput is policyInput for the standard tier.
func standardPolicyInput(edit func(cells []map[string]any)) map[string]any {
	return policyInput(aftercare.TierStandard, edit)
}

const setStandardPolicy = `mutation($input: TierPolicyInput!) { setTierPolicy(tier: STANDARD, input: $input) { custom } }`

// TestTierPolicyThroughGraphQL has an admin change the platinum policy and
// sees the next incident's clocks follow it, and invalid policies refused.
func TestTierPolicyThroughGraphQL(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	const read = `{ tierPolicy(tier: PLATINUM) { custom partsPause cells { priority clock target coverage } ladder { percent actions } } }`
	got := gql(t, m.URL(), admin, read, nil)
	require.Empty(t, got.Errors, "%+v", got.Errors)
	assert.Equal(t, false, dig(got.Data, "tierPolicy", "custom"))
	assert.Len(t, dig(got.Data, "tierPolicy", "cells"), 12)
	assert.Len(t, dig(got.Data, "tierPolicy", "ladder"), 4)

	faster := policyInput(aftercare.TierPlatinum, func(cells []map[string]any) {
		cells[0]["target"] = "5m" // P1 response
	})
	set := gql(t, m.URL(), admin, `mutation($input: TierPolicyInput!) { setTierPolicy(tier: PLATINUM, input: $input) { custom cells { target } } }`,
		map[string]any{"input": faster})
	require.Empty(t, set.Errors, "%+v", set.Errors)
	assert.Equal(t, true, dig(set.Data, "setTierPolicy", "custom"))

	id := fileIncident(t, m.URL(), admin, env.summary.Serials[aftercare.TierPlatinum])
	waitFor(t, 30*time.Second, "the clocks to start", func() bool {
		clocks, _ := clocksOf(t, m.URL(), admin, id)
		return len(clocks) > 0
	})
	clocks, _ := clocksOf(t, m.URL(), admin, id)
	assert.Equal(t, "5m", clocks["RESPONSE"]["target"], "a new incident follows the new policy")

	tests := []struct {
		name  string
		input map[string]any
		msg   string
	}{
		{"a wall target on 9x5", standardPolicyInput(func(c []map[string]any) { c[0]["target"] = "4h" }), "needs 24x7 coverage"},
		{"a bad target", standardPolicyInput(func(c []map[string]any) { c[0]["target"] = "soon" }), "soon"},
		{"a missing cell", standardPolicyInput(func(c []map[string]any) { c[0]["priority"], c[0]["clock"] = "P2", "RESPONSE" }), "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := gql(t, m.URL(), admin, setStandardPolicy, map[string]any{"input": tt.input})
			assert.Equal(t, aftercare.EINVALID, got.code(), "%+v", got.Errors)
			if len(got.Errors) > 0 {
				assert.Contains(t, got.Errors[0].Message, tt.msg)
			}
		})
	}
}
