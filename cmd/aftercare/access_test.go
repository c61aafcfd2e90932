package main

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accountCodes lists the account codes a caller sees.
func accountCodes(t *testing.T, url, token string) []string {
	t.Helper()
	resp := gql(t, url, token, `{ accounts(first: 100) { edges { node { code } } } }`, nil)
	require.Empty(t, resp.Errors)
	var codes []string
	for _, e := range dig(resp.Data, "accounts", "edges").([]any) {
		codes = append(codes, dig(e, "node", "code").(string))
	}
	return codes
}

// TestPolicyChangesReachEveryReplica changes a role assignment through one
// API process and sees it take effect in another without a restart.
func TestPolicyChangesReachEveryReplica(t *testing.T) {
	env := mustTestEnv(t)
	a := env.startMain(t)
	b := env.startMain(t)
	admin, am := env.token(t, "admin"), env.token(t, "am.li")
	require.NotContains(t, accountCodes(t, b.URL(), am), "DRAGONTEL")

	acct := gql(t, a.URL(), admin, `{ accounts(first: 100) { edges { node { id code } } } }`, nil)
	var dragontel string
	for _, e := range dig(acct.Data, "accounts", "edges").([]any) {
		if dig(e, "node", "code") == "DRAGONTEL" {
			dragontel = dig(e, "node", "id").(string)
		}
	}
	me := gql(t, b.URL(), am, `{ me { id } }`, nil)
	vars := map[string]any{"u": dig(me.Data, "me", "id"), "d": aftercare.DomainAccountPrefix + dragontel}
	assigned := gql(t, a.URL(), admin, `mutation($u: ID!, $d: String!) { assignRole(input: {userId: $u, role: ACCOUNT_MANAGER, domain: $d}) { domain } }`, vars)
	require.Empty(t, assigned.Errors)
	waitFor(t, 10*time.Second, "replica b to see the new account", func() bool {
		return contains(accountCodes(t, b.URL(), am), "DRAGONTEL")
	})

	revoked := gql(t, a.URL(), admin, `mutation($u: ID!, $d: String!) { revokeRole(input: {userId: $u, role: ACCOUNT_MANAGER, domain: $d}) }`, vars)
	require.Empty(t, revoked.Errors)
	waitFor(t, 10*time.Second, "replica b to drop the account", func() bool {
		return !contains(accountCodes(t, b.URL(), am), "DRAGONTEL")
	})

	dispatcher := env.token(t, "dispatcher.east")
	denied := gql(t, b.URL(), dispatcher, `{ contracts(first: 1) { edges { cursor } } }`, nil)
	require.Equal(t, aftercare.EUNAUTHORIZED, denied.code())
	granted := gql(t, a.URL(), admin, `mutation { grantPermission(input: {role: DISPATCHER, object: "contract", action: "read"}) { role } }`, nil)
	require.Empty(t, granted.Errors)
	waitFor(t, 10*time.Second, "replica b to apply the new permission", func() bool {
		return len(gql(t, b.URL(), dispatcher, `{ contracts(first: 1) { edges { cursor } } }`, nil).Errors) == 0
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestAPIKeys creates a key as corporate IT, calls the API with it, is
// throttled past its rate, and is refused once it is revoked.
func TestAPIKeys(t *testing.T) {
	env := mustTestEnv(t)
	env.cfg.APIKeyRate, env.cfg.APIKeyBurst = 0.5, 5
	m := env.startMain(t)
	it := env.token(t, "it.cathaybank")

	created := gql(t, m.URL(), it, `mutation { createApiKey(name: "ServiceNow") { secret apiKey { id name user { username } } } }`, nil)
	require.Empty(t, created.Errors)
	secret := dig(created.Data, "createApiKey", "secret").(string)
	id := dig(created.Data, "createApiKey", "apiKey", "id").(string)
	assert.True(t, strings.HasPrefix(secret, "ak_"))
	assert.Equal(t, "it.cathaybank", dig(created.Data, "createApiKey", "apiKey", "user", "username"))

	listed := gql(t, m.URL(), it, `{ apiKeys { id name revokedAt } }`, nil)
	require.Empty(t, listed.Errors)
	assert.NotContains(t, mustJSON(t, listed.Data), secret, "the secret is shown once only")

	me := gql(t, m.URL(), secret, `{ me { username role account { code } } }`, nil)
	require.Empty(t, me.Errors)
	assert.Equal(t, "it.cathaybank", dig(me.Data, "me", "username"))
	assert.Equal(t, "CATHAYBANK", dig(me.Data, "me", "account", "code"))

	var limited *gqlResponse
	for range 10 {
		if r := gql(t, m.URL(), secret, `{ me { id } }`, nil); r.Status == http.StatusTooManyRequests {
			limited = r
			break
		}
	}
	require.NotNil(t, limited, "a key past its burst is throttled")
	assert.Equal(t, aftercare.ERATELIMIT, limited.code())
	assert.Empty(t, gql(t, m.URL(), it, `{ me { id } }`, nil).Errors, "people's tokens are not throttled by a key")

	revoked := gql(t, m.URL(), it, `mutation($id: ID!) { revokeApiKey(id: $id) }`, map[string]any{"id": id})
	require.Empty(t, revoked.Errors)
	refused := gql(t, m.URL(), secret, `{ me { id } }`, nil)
	assert.Equal(t, http.StatusUnauthorized, refused.Status)
	assert.Equal(t, aftercare.EUNAUTHORIZED, refused.code())
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestAuditLog checks that mutations leave who, role, action, object,
// before and after and the request ID, readable by directors.
func TestAuditLog(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	it := env.token(t, "it.cathaybank")
	body, err := json.Marshal(map[string]any{"query": createIncidentMutation,
		"variables": map[string]any{"input": incidentInput(env.summary.Serials[aftercare.TierPlatinum], uniqueID("audit"))}})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, m.URL()+"/query", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+it)
	req.Header.Set("X-Request-ID", "req-audit-1")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	log := gql(t, m.URL(), env.token(t, "director"),
		`{ auditLog(objectType: "incident", first: 5) { edges { node { action actor { username } actorRole objectId before after requestId } } } }`, nil)
	require.Empty(t, log.Errors)
	edges := dig(log.Data, "auditLog", "edges").([]any)
	require.NotEmpty(t, edges)
	e := dig(edges[0], "node")
	assert.Equal(t, "incident.create", dig(e, "action"))
	assert.Equal(t, "it.cathaybank", dig(e, "actor", "username"))
	assert.Equal(t, "customer_it", dig(e, "actorRole"))
	assert.Equal(t, "req-audit-1", dig(e, "requestId"))
	assert.Nil(t, dig(e, "before"))
	assert.Contains(t, dig(e, "after"), `"Priority": "P1"`)

	// A lifecycle change goes through the incident's workflow; its audit
	// event is written with the change's mirror, in the same transaction.
	incidentID := e.(map[string]any)["objectId"].(string)
	body, err = json.Marshal(map[string]any{"query": `mutation($id: ID!) { acknowledgeIncident(id: $id, note: "on it") { status } }`,
		"variables": map[string]any{"id": incidentID}})
	require.NoError(t, err)
	admin := env.token(t, "admin")
	waitFor(t, 30*time.Second, "the incident's workflow to take the action", func() bool {
		req, err := http.NewRequest(http.MethodPost, m.URL()+"/query", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("X-Request-ID", "req-audit-2")
		r, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer r.Body.Close()
		var out gqlResponse
		require.NoError(t, json.NewDecoder(r.Body).Decode(&out))
		return len(out.Errors) == 0
	})
	log = gql(t, m.URL(), env.token(t, "director"),
		`query($id: String!) { auditLog(objectId: $id, first: 5) { edges { node { action actor { username } actorRole before after requestId } } } }`,
		map[string]any{"id": incidentID})
	require.Empty(t, log.Errors)
	e = dig(dig(log.Data, "auditLog", "edges").([]any)[0], "node")
	assert.Equal(t, "incident.acknowledge", dig(e, "action"))
	assert.Equal(t, "admin", dig(e, "actor", "username"))
	assert.Equal(t, "admin", dig(e, "actorRole"))
	assert.Equal(t, "req-audit-2", dig(e, "requestId"))
	assert.Contains(t, dig(e, "before"), `"new"`)
	assert.Contains(t, dig(e, "after"), `"triaged"`)
}

// TestHardening checks the limits of the GraphQL edge.
func TestHardening(t *testing.T) {
	env := mustTestEnv(t)
	env.cfg.Introspection = false
	m := env.startMain(t)
	admin := env.token(t, "admin")

	t.Run("depth", func(t *testing.T) {
		q := "id"
		for range 4 {
			q = "account { sites(first: 1) { edges { node { " + q + " } } } }"
		}
		q = "{ incidents(first: 1) { edges { node { " + q + " } } } }"
		resp := gql(t, m.URL(), admin, q, nil)
		assert.Equal(t, aftercare.EINVALID, resp.code())
		assert.Contains(t, resp.Errors[0].Message, "nested")
	})
	t.Run("cost", func(t *testing.T) {
		resp := gql(t, m.URL(), admin, `{ accounts(first: 500) { edges { node { sites(first: 500) { edges { node { id } } } } } } }`, nil)
		assert.Equal(t, aftercare.EINVALID, resp.code())
		assert.Contains(t, resp.Errors[0].Message, "costs")
	})
	t.Run("introspection off", func(t *testing.T) {
		resp := gql(t, m.URL(), admin, `{ __schema { types { name } } }`, nil)
		assert.Equal(t, aftercare.EINVALID, resp.code())
	})
	t.Run("no multipart", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		require.NoError(t, mw.WriteField("operations", `{"query": "{ me { id } }"}`))
		require.NoError(t, mw.Close())
		req, err := http.NewRequest(http.MethodPost, m.URL()+"/query", &buf)
		require.NoError(t, err)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
	})
	t.Run("no GET queries", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, m.URL()+"/query?query=%7Bme%7Bid%7D%7D", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	})

	wsURL := "ws" + strings.TrimPrefix(m.URL(), "http") + "/query"
	dial := func(t *testing.T, origin string) (*coderws.Conn, *http.Response, error) {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		t.Cleanup(cancel)
		return coderws.Dial(ctx, wsURL, &coderws.DialOptions{HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"}})
	}
	t.Run("websocket from a foreign origin", func(t *testing.T) {
		_, resp, err := dial(t, "https://evil.example")
		require.Error(t, err)
		require.NotNil(t, resp)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	})
	exchange := func(t *testing.T, initPayload map[string]any) []map[string]any {
		conn, _, err := dial(t, "")
		require.NoError(t, err)
		defer conn.CloseNow()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		send := func(v any) { require.NoError(t, conn.Write(ctx, coderws.MessageText, []byte(mustJSON(t, v)))) }
		send(map[string]any{"type": "connection_init", "payload": initPayload})
		send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": "{ me { username } }"}})
		var got []map[string]any
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return got
			}
			var msg map[string]any
			require.NoError(t, json.Unmarshal(b, &msg))
			got = append(got, msg)
			if msg["type"] == "complete" {
				return got
			}
		}
	}
	t.Run("websocket without credentials", func(t *testing.T) {
		for _, msg := range exchange(t, map[string]any{}) {
			assert.NotEqual(t, "connection_ack", msg["type"])
			assert.NotEqual(t, "next", msg["type"])
		}
	})
	t.Run("websocket with a token in the init payload", func(t *testing.T) {
		msgs := exchange(t, map[string]any{"Authorization": "Bearer " + admin})
		require.NotEmpty(t, msgs)
		assert.Equal(t, "connection_ack", msgs[0]["type"])
		var data any
		for _, msg := range msgs {
			if msg["type"] == "next" {
				data = dig(msg["payload"], "data", "me", "username")
			}
		}
		assert.Equal(t, "admin", data)
	})
}
