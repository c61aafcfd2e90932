package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph"
	"github.com/aftercare/aftercare/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signInResult is an answer of /auth/sign-in or /auth/session.
type signInResult struct {
	status int
	header http.Header
	cookie *http.Cookie
	body   map[string]any
}

func authRequest(t *testing.T, method, url string, body any, cookie *http.Cookie) signInResult {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader([]byte(mustJSON(t, body)))
	}
	req, err := http.NewRequest(method, url, r)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	res := signInResult{status: resp.StatusCode, header: resp.Header}
	for _, c := range resp.Cookies() {
		if c.Name == graph.SessionCookie {
			res.cookie = c
		}
	}
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if len(b) > 0 {
		require.NoError(t, json.Unmarshal(b, &res.body), "%s", b)
	}
	return res
}

func (r signInResult) code() string {
	c, _ := dig(r.body, "errors").([]any)
	if len(c) == 0 {
		return ""
	}
	s, _ := dig(c[0], "extensions", "code").(string)
	return s
}

// gqlWithCookie posts a query with the session cookie and no Authorization.
func gqlWithCookie(t *testing.T, baseURL string, cookie *http.Cookie, query string) *gqlResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, baseURL+"/query",
		bytes.NewReader([]byte(mustJSON(t, map[string]any{"query": query}))))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out := &gqlResponse{Status: resp.StatusCode}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	return out
}

// TestSignInWithAPassword follows a person through signing in with a user
// name and password: the session cookie works for queries and WebSockets,
// carries the same kind of bearer token, and ends with signing out; wrong
// passwords are refused alike for known and unknown names, counted, and
// past the limit refused even when right; every attempt is audited.
func TestSignInWithAPassword(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	base := m.URL()
	dispatcher := firstUserWithRole(t, env.db, aftercare.RoleDispatcher)

	set := gql(t, base, env.token(t, "admin"), `mutation($id: ID!) { setUserPassword(id: $id, password: "short") { id } }`,
		map[string]any{"id": dispatcher.ID})
	assert.Equal(t, aftercare.EINVALID, set.code(), "a short password is refused")
	set = gql(t, base, env.token(t, "admin"), `mutation($id: ID!, $pw: String!) { setUserPassword(id: $id, password: $pw) { username } }`,
		map[string]any{"id": dispatcher.ID, "pw": "board and queue 2026"})
	require.Empty(t, set.Errors)
	set = gql(t, base, env.token(t, dispatcher.Username), `mutation($id: ID!) { setUserPassword(id: $id, password: "0123456789ab") { id } }`,
		map[string]any{"id": dispatcher.ID})
	assert.Equal(t, aftercare.EUNAUTHORIZED, set.code(), "only admins set passwords")

	signIn := func(username, password string) signInResult {
		return authRequest(t, http.MethodPost, base+"/auth/sign-in", map[string]string{"username": username, "password": password}, nil)
	}
	wrong, unknown := signIn(dispatcher.Username, "board and queue 2025"), signIn("nobody.here", "board and queue 2026")
	for _, r := range []signInResult{wrong, unknown} {
		assert.Equal(t, http.StatusUnauthorized, r.status)
		assert.Equal(t, aftercare.EUNAUTHORIZED, r.code())
		assert.Nil(t, r.cookie)
	}
	assert.Equal(t, wrong.body, unknown.body, "a wrong password and an unknown name are refused alike")

	ok := signIn(dispatcher.Username, "board and queue 2026")
	require.Equal(t, http.StatusOK, ok.status, "%v", ok.body)
	assert.Equal(t, dispatcher.Username, dig(ok.body, "user", "username"))
	assert.Equal(t, "dispatcher", dig(ok.body, "user", "role"))
	require.NotNil(t, ok.cookie)
	assert.True(t, ok.cookie.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, ok.cookie.SameSite)
	assert.NotContains(t, mustJSON(t, ok.body), ok.cookie.Value, "the token is not handed to the page's scripts")

	me := gqlWithCookie(t, base, ok.cookie, `{ me { username } }`)
	require.Empty(t, me.Errors)
	assert.Equal(t, dispatcher.Username, dig(me.Data, "me", "username"))
	bearer := gql(t, base, ok.cookie.Value, `{ me { username } }`, nil)
	assert.Equal(t, dispatcher.Username, dig(bearer.Data, "me", "username"), "the cookie holds the same bearer token")
	session := authRequest(t, http.MethodGet, base+"/auth/session", nil, ok.cookie)
	assert.Equal(t, dispatcher.Username, dig(session.body, "user", "username"))

	ws := dialWSWith(t, base, map[string]any{}, http.Header{"Cookie": {ok.cookie.String()}})
	ws.start("1", `subscription($id: ID!) { incidentEvents(incidentId: $id) { type } }`,
		map[string]any{"id": "00000000-0000-0000-0000-000000000000"})

	out := authRequest(t, http.MethodPost, base+"/auth/sign-out", nil, ok.cookie)
	assert.Equal(t, http.StatusNoContent, out.status)
	require.NotNil(t, out.cookie)
	assert.Equal(t, -1, out.cookie.MaxAge, "signing out clears the cookie")
	after := gqlWithCookie(t, base, ok.cookie, `{ me { username } }`)
	assert.Equal(t, aftercare.EUNAUTHORIZED, after.code(), "the token ends with its session")
	assert.Equal(t, http.StatusUnauthorized, authRequest(t, http.MethodGet, base+"/auth/session", nil, ok.cookie).status)
	assert.Equal(t, 4401, int(ws.closeStatus().Code), "an open WebSocket ends with the session")

	assertSignInAudit(t, env.db, dispatcher.ID, "sign_in_failed", 1)
	assertSignInAudit(t, env.db, "name:nobody.here", "sign_in_failed", 1)
	assertSignInAudit(t, env.db, dispatcher.ID, "sign_in", 1)
	assertSignInAudit(t, env.db, dispatcher.ID, "sign_out", 1)

	for range graph.DefaultSignInUserLimit - 1 {
		assert.Equal(t, http.StatusUnauthorized, signIn(dispatcher.Username, "guess guess guess").status)
	}
	limited := signIn(dispatcher.Username, "board and queue 2026")
	assert.Equal(t, http.StatusTooManyRequests, limited.status, "past the limit even the right password is refused")
	assert.Equal(t, aftercare.ERATELIMIT, limited.code())
	assert.NotEmpty(t, limited.header.Get("Retry-After"))
	assertSignInAudit(t, env.db, dispatcher.ID, "sign_in_failed", graph.DefaultSignInUserLimit+1)
}

func firstUserWithRole(t *testing.T, db *postgres.DB, role aftercare.Role) *aftercare.User {
	t.Helper()
	users, err := postgres.NewUserService(db).FindUsers(context.Background())
	require.NoError(t, err)
	for _, u := range users {
		if u.Role == role {
			return u
		}
	}
	t.Fatalf("no demo user is a %s", role)
	return nil
}

func assertSignInAudit(t *testing.T, db *postgres.DB, objectID, action string, want int) {
	t.Helper()
	events, _, err := postgres.NewAccessService(db).FindAuditEvents(context.Background(),
		aftercare.AuditFilter{ObjectType: "user", ObjectID: objectID, Page: aftercare.PageRequest{First: aftercare.MaxPageSize}})
	require.NoError(t, err)
	n := 0
	for _, e := range events {
		if e.Action == action {
			n++
		}
	}
	assert.Equal(t, want, n, "%s audited for %s", action, objectID)
}
