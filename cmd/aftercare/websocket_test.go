package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wsClient is a graphql-transport-ws client that keeps every message it
// receives and how the server closed the connection.
type wsClient struct {
	t      *testing.T
	conn   *coderws.Conn
	ctx    context.Context
	msgs   chan map[string]any
	closed chan coderws.CloseError
}

// dialWS opens a WebSocket with credential in its init payload and waits
// for the server's acknowledgement.
func dialWS(t *testing.T, baseURL, credential string) *wsClient {
	t.Helper()
	return dialWSWith(t, baseURL, map[string]any{"Authorization": "Bearer " + credential}, nil)
}

// dialWSWith opens a WebSocket with an init payload and the upgrade
// request's headers, and waits for the server's acknowledgement.
func dialWSWith(t *testing.T, baseURL string, payload map[string]any, header http.Header) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	conn, _, err := coderws.Dial(ctx, "ws"+strings.TrimPrefix(baseURL, "http")+"/query",
		&coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	require.NoError(t, err)
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{t: t, conn: conn, ctx: ctx, msgs: make(chan map[string]any, 1000), closed: make(chan coderws.CloseError, 1)}
	c.send(map[string]any{"type": "connection_init", "payload": payload})
	go func() {
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				var ce coderws.CloseError
				errors.As(err, &ce)
				c.closed <- ce
				close(c.msgs)
				return
			}
			var msg map[string]any
			if json.Unmarshal(b, &msg) == nil && msg["type"] != "ping" && msg["type"] != "pong" && msg["type"] != "ka" {
				c.msgs <- msg
			}
		}
	}()
	require.Equal(t, "connection_ack", c.next()["type"])
	return c
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	require.NoError(c.t, c.conn.Write(c.ctx, coderws.MessageText, []byte(mustJSON(c.t, v))))
}

// start starts an operation under id.
func (c *wsClient) start(id, query string, vars map[string]any) {
	c.t.Helper()
	c.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
}

// next returns the next message, nil once the connection is closed.
func (c *wsClient) next() map[string]any {
	c.t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-time.After(20 * time.Second):
		c.t.Fatal("no message within 20 s")
	}
	return nil
}

// closeStatus waits for the server to close the connection.
func (c *wsClient) closeStatus() coderws.CloseError {
	c.t.Helper()
	for range c.msgs {
	}
	return <-c.closed
}

// errorCode returns the extensions.code of an error or next message's first
// error, "" if it has none.
func errorCode(msg map[string]any) string {
	errs, _ := msg["payload"].([]any)
	if msg["type"] == "next" {
		errs, _ = dig(msg, "payload", "errors").([]any)
	}
	if len(errs) == 0 {
		return ""
	}
	code, _ := dig(errs[0], "extensions", "code").(string)
	return code
}

// TestWebsocketHeldToItsCredential checks that a WebSocket connection is
// held to the rules of its credential on every operation and every event:
// a revoked API key ends it, and so does an expired token, with close code
// 4401 and nothing delivered after; the key's rate limit counts its
// operations.
func TestWebsocketHeldToItsCredential(t *testing.T) {
	env := mustTestEnv(t)
	env.cfg.APIKeyRate, env.cfg.APIKeyBurst = 0.5, 5
	env.cfg.CredentialCheck = 300 * time.Millisecond
	m := env.startMain(t)
	admin := env.token(t, "admin")
	it := env.token(t, "it.cathaybank")
	newKey := func(t *testing.T) (secret, id string) {
		created := gql(t, m.URL(), it, `mutation { createApiKey(name: "monitoring") { secret apiKey { id } } }`, nil)
		require.Empty(t, created.Errors)
		return dig(created.Data, "createApiKey", "secret").(string), dig(created.Data, "createApiKey", "apiKey", "id").(string)
	}
	revoke := func(t *testing.T, id string) {
		require.Empty(t, gql(t, m.URL(), it, `mutation($id: ID!) { revokeApiKey(id: $id) }`, map[string]any{"id": id}).Errors)
	}
	account := gql(t, m.URL(), it, `{ me { account { id } } }`, nil)
	require.Empty(t, account.Errors)
	accountID := dig(account.Data, "me", "account", "id").(string)
	assets := gql(t, m.URL(), admin, `query($id: ID!) { account(id: $id) { sites(first: 1) { edges { node {
		assets(first: 1) { edges { node { serialNumber } } } } } } } }`, map[string]any{"id": accountID})
	require.Empty(t, assets.Errors)
	serial := dig(dig(dig(dig(assets.Data, "account", "sites", "edges").([]any)[0], "node", "assets", "edges").([]any)[0], "node"),
		"serialNumber").(string)
	file := func(t *testing.T) string {
		filed := gql(t, m.URL(), admin, createIncidentMutation, map[string]any{"input": incidentInput(serial, uniqueID("ws"))})
		require.Empty(t, filed.Errors)
		return dig(filed.Data, "createIncident", "id").(string)
	}

	t.Run("a revoked key's subscription ends", func(t *testing.T) {
		secret, id := newKey(t)
		ws := dialWS(t, m.URL(), secret)
		ws.start("events", `subscription($a: ID!) { accountEvents(accountId: $a) { incidentId kind } }`, map[string]any{"a": accountID})
		time.Sleep(200 * time.Millisecond) // the subscription is listening
		first := file(t)
		got := ws.next()
		require.Equal(t, "next", got["type"], "an event while the key holds: %v", got)
		assert.Equal(t, first, dig(got, "payload", "data", "accountEvents", "incidentId"))

		revoke(t, id)
		time.Sleep(3 * env.cfg.CredentialCheck)
		second := file(t)
		for msg := ws.next(); msg != nil; msg = ws.next() {
			assert.NotContains(t, mustJSON(t, msg), second, "no event after the key was revoked")
		}
		status := ws.closeStatus()
		assert.Equal(t, coderws.StatusCode(4401), status.Code)
		assert.Contains(t, status.Reason, "revoked")
	})

	t.Run("a revoked key's next operation is refused", func(t *testing.T) {
		secret, id := newKey(t)
		ws := dialWS(t, m.URL(), secret)
		ws.start("1", `{ me { username } }`, nil)
		assert.Equal(t, "it.cathaybank", dig(ws.next(), "payload", "data", "me", "username"))
		assert.Equal(t, "complete", ws.next()["type"])

		revoke(t, id)
		ws.start("2", `{ me { username } }`, nil)
		for msg := ws.next(); msg != nil; msg = ws.next() {
			assert.Nil(t, dig(msg, "payload", "data"), "nothing answered after the key was revoked: %v", msg)
			if msg["type"] == "error" || msg["type"] == "next" {
				assert.Equal(t, aftercare.EUNAUTHORIZED, errorCode(msg))
			}
		}
		assert.Equal(t, coderws.StatusCode(4401), ws.closeStatus().Code)
	})

	t.Run("an expired token ends the connection", func(t *testing.T) {
		short, err := mintToken(context.Background(), &env.cfg, env.db, "it.cathaybank", 2*time.Second)
		require.NoError(t, err)
		ws := dialWS(t, m.URL(), short)
		ws.start("events", `subscription($a: ID!) { accountEvents(accountId: $a) { incidentId } }`, map[string]any{"a": accountID})
		time.Sleep(3 * time.Second)
		filed := file(t)
		for msg := ws.next(); msg != nil; msg = ws.next() {
			assert.NotContains(t, mustJSON(t, msg), filed, "no event after the token expired")
		}
		status := ws.closeStatus()
		assert.Equal(t, coderws.StatusCode(4401), status.Code)
		assert.Contains(t, status.Reason, "expired")
	})

	t.Run("a key's rate limit counts operations on one socket", func(t *testing.T) {
		secret, _ := newKey(t)
		ws := dialWS(t, m.URL(), secret) // the init takes one request of the burst
		const ops = 12
		for i := range ops {
			ws.start(fmt.Sprint(i), `{ me { id } }`, nil)
		}
		answered, limited := 0, 0
		for done := 0; done < ops; {
			msg := ws.next()
			require.NotNil(t, msg, "the connection stays open")
			switch {
			case msg["type"] == "complete":
				done++
			case errorCode(msg) == aftercare.ERATELIMIT:
				limited++
				if msg["type"] == "error" {
					done++ // an error message ends its operation
				}
			case dig(msg, "payload", "data", "me", "id") != nil:
				answered++
			}
		}
		assert.LessOrEqual(t, answered, env.cfg.APIKeyBurst-1, "no more than the burst left after the init")
		assert.Equal(t, ops-answered, limited, "every other operation is refused with ERATELIMIT")
	})
}
