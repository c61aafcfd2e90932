package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawPost sends body to /query as contentType with method, and decodes
// the GraphQL response whatever its status.
func rawPost(t *testing.T, baseURL, method, contentType, token string, body []byte) *gqlResponse {
	t.Helper()
	req, err := http.NewRequest(method, baseURL+"/query", bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := &gqlResponse{Status: resp.StatusCode}
	require.NoError(t, json.Unmarshal(b, out), "a GraphQL response: %s", b)
	return out
}

// fragmentBomb is a document of n fragments, each spreading the one before
// twice: 2^n spreads in a few hundred bytes.
func fragmentBomb(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query { ...L%d }\nfragment L0 on Query { me { id } }\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment L%d on Query { ...L%d ...L%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// TestRefusalsCarryCodes sends what a careless or hostile client sends and
// checks that each gets a coded error naming what was wrong, never
// EINTERNAL, and that nothing of a document is worked on for a caller who
// is not known.
func TestRefusalsCarryCodes(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	serial := env.summary.Serials[aftercare.TierStandard]

	t.Run("text that PostgreSQL cannot store", func(t *testing.T) {
		for _, tc := range []struct {
			name, field, value, argument string
		}{
			{"NUL in a serial number", "serialNumber", serial + "\x00", "input.serialNumber"},
			{"NUL in symptoms", "symptoms", "fan\x00noise", "input.symptoms"},
			{"NUL in a client request ID", "clientRequestId", "req\x00-1", "input.clientRequestId"},
		} {
			in := incidentInput(serial, uniqueID("nul"))
			in[tc.field] = tc.value
			resp := gql(t, m.URL(), admin, createIncidentMutation, map[string]any{"input": in})
			assert.Equal(t, aftercare.EINVALID, resp.code(), "%s: %+v", tc.name, resp.Errors)
			if assert.NotEmpty(t, resp.Errors, tc.name) {
				assert.Contains(t, resp.Errors[0].Message, tc.argument, tc.name)
			}
		}
		inline := gql(t, m.URL(), admin, `{ assetBySerial(serialNumber: "A\u0000B") { id } }`, nil)
		assert.Equal(t, aftercare.EINVALID, inline.code(), "%+v", inline.Errors)
		for _, q := range []string{
			`query($s: ID!) { account(id: $s) { id } }`,
			`query($s: String) { accounts(first: 2, after: $s) { edges { cursor } } }`,
			`query($s: String!) { partByFru(fru: $s) { id } }`,
		} {
			resp := gql(t, m.URL(), admin, q, map[string]any{"s": "x\x00"})
			assert.Equal(t, aftercare.EINVALID, resp.code(), "%s: %+v", q, resp.Errors)
		}
	})

	t.Run("cursors that decode to what no cursor holds", func(t *testing.T) {
		for _, raw := range []string{"\x00", "2026-01-01\x00", "\xff\xfe\xfd", "ok\xc3"} {
			cursor := base64.RawURLEncoding.EncodeToString([]byte(raw))
			for _, q := range []string{
				`query($c: String) { incidents(first: 2, after: $c) { edges { cursor } } }`,
				`query($c: String) { accounts(first: 2, after: $c) { edges { cursor } } }`,
				`query($c: String) { breaches(first: 2, after: $c) { edges { cursor } } }`,
				`query($c: String) { auditLog(first: 2, after: $c) { edges { cursor } } }`,
				`query($c: String) { myNotifications(first: 2, after: $c) { edges { cursor } } }`,
			} {
				resp := gql(t, m.URL(), admin, q, map[string]any{"c": cursor})
				assert.Equal(t, aftercare.EINVALID, resp.code(), "%q in %s: %+v", raw, q, resp.Errors)
			}
		}
	})

	t.Run("requests no transport takes", func(t *testing.T) {
		body := []byte(`{"query": "{ me { id } }"}`)
		for _, tc := range []struct {
			method, contentType string
			body                []byte
			status              int
		}{
			{http.MethodGet, "", nil, http.StatusMethodNotAllowed},
			{http.MethodPut, "application/json", body, http.StatusMethodNotAllowed},
			{http.MethodPost, "", body, http.StatusUnsupportedMediaType},
			{http.MethodPost, "text/plain", body, http.StatusUnsupportedMediaType},
			{http.MethodPost, "application/graphql", []byte(`{ me { id } }`), http.StatusUnsupportedMediaType},
			{http.MethodPost, "multipart/form-data; boundary=x", []byte("--x--"), http.StatusUnsupportedMediaType},
			{http.MethodPost, "application/x-www-form-urlencoded", []byte("query=%7Bme%7Bid%7D%7D"), http.StatusUnsupportedMediaType},
		} {
			resp := rawPost(t, m.URL(), tc.method, tc.contentType, admin, tc.body)
			assert.Equal(t, tc.status, resp.Status, "%s %s", tc.method, tc.contentType)
			assert.Equal(t, aftercare.EINVALID, resp.code(), "%s %s: %+v", tc.method, tc.contentType, resp.Errors)
		}
		ok := rawPost(t, m.URL(), http.MethodPost, "application/json; charset=utf-8", admin, body)
		assert.Empty(t, ok.Errors, "JSON with a charset is JSON")
	})

	t.Run("a fragment bomb", func(t *testing.T) {
		body := []byte(mustJSON(t, map[string]any{"query": fragmentBomb(30)}))
		resp := rawPost(t, m.URL(), http.MethodPost, "application/json", admin, body)
		assert.Equal(t, aftercare.EINVALID, resp.code(), "%+v", resp.Errors)
		if assert.NotEmpty(t, resp.Errors) {
			assert.Contains(t, resp.Errors[0].Message, "costs")
		}
	})

	t.Run("a made-up survey link is nobody", func(t *testing.T) {
		body := []byte(mustJSON(t, map[string]any{"query": fragmentBomb(30)}))
		resp := rawPost(t, m.URL(), http.MethodPost, "application/json", "sv_anything", body)
		assert.Equal(t, http.StatusUnauthorized, resp.Status)
		assert.Equal(t, aftercare.EUNAUTHORIZED, resp.code(), "refused before the document is looked at: %+v", resp.Errors)
	})
}
