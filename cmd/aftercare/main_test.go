package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/require"
)

// TestMain lets a test run this very binary as the aftercare command, so
// that a test can kill and restart a real API process.
func TestMain(m *testing.M) {
	if os.Getenv("AFTERCARE_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testEnv is a migrated, seeded database and a Temporal task queue of the
// test's own, with the config that points processes at them.
type testEnv struct {
	cfg     Config
	db      *postgres.DB
	summary *demo.Summary
}

// mustTestEnv prepares a testEnv with a small demo data set.
func mustTestEnv(t testing.TB) *testEnv {
	t.Helper()
	return mustTestEnvWith(t, func(seed *demo.Config) {
		seed.Engineers, seed.SitesPerAccount, seed.AssetsPerSite = 30, 2, 2
	})
}

// mustTestEnvWith prepares a testEnv with the demo data set as size changes.
func mustTestEnvWith(t testing.TB, size func(*demo.Config)) *testEnv {
	t.Helper()
	db, url := postgrestest.MustOpenURL(t)
	seed := demo.DefaultConfig()
	size(&seed)
	summary, err := demo.Seed(context.Background(), db, seed)
	require.NoError(t, err)
	workflowstest.MustDial(t) // fail early, with how to start Temporal
	return &testEnv{db: db, summary: summary, cfg: testConfig(t, url)}
}

// testConfig is the config of processes on the database at url, with a
// token key and a Temporal task queue of the test's own.
func testConfig(t testing.TB, url string) Config {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return Config{
		DatabaseURL:       url,
		TemporalAddress:   workflowstest.Address(),
		TemporalNamespace: "default",
		TaskQueue:         workflowstest.TaskQueue(t),
		HTTPAddr:          "127.0.0.1:0",
		TokenKey:          hex.EncodeToString(key),
		Introspection:     true,
		OutboxLease:       2 * time.Second,
		OutboxPoll:        250 * time.Millisecond,
		LogLevel:          "warn",
		MaxDepth:          12,
		MaxCost:           50000,
		APIKeyRate:        20,
		APIKeyBurst:       40,
		TravelSpeedKmh:    40,
		PublicURL:         "https://service.aftercare.test",
	}
}

// startMain runs the API and the worker in this process until the test ends.
func (e *testEnv) startMain(t testing.TB) *Main {
	t.Helper()
	m := &Main{Config: e.cfg, Logger: testLogger()}
	t.Cleanup(func() { _ = m.Close() })
	ctx := context.Background()
	require.NoError(t, m.Open(ctx))
	require.NoError(t, m.StartWorker())
	require.NoError(t, m.StartAPI(ctx))
	return m
}

// token mints a bearer token for a demo user.
func (e *testEnv) token(t testing.TB, username string) string {
	t.Helper()
	tok, err := mintToken(context.Background(), &e.cfg, e.db, username, time.Hour)
	require.NoError(t, err)
	return tok
}

// gqlResponse is a GraphQL response with its HTTP status.
type gqlResponse struct {
	Status int
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	}
}

// code returns the extensions.code of the first error, or "".
func (r *gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// testLogger logs warnings and errors to stderr, where `go test -v` shows
// them.
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// postGraphQL sends a raw request body to the API.
func postGraphQL(t *testing.T, baseURL, token string, body []byte) *gqlResponse {
	t.Helper()
	out, err := post(baseURL, token, body)
	require.NoError(t, err)
	return out
}

// tryGraphQL sends a query with variables to an API that may not answer.
func tryGraphQL(baseURL, token, query string, vars map[string]any) (*gqlResponse, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	return post(baseURL, token, body)
}

func post(baseURL, token string, body []byte) (*gqlResponse, error) {
	req, err := http.NewRequest(http.MethodPost, baseURL+"/query", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := &gqlResponse{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("response is not JSON: %s", raw)
	}
	return out, nil
}

// gql sends a query with variables.
func gql(t *testing.T, baseURL, token, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	return postGraphQL(t, baseURL, token, body)
}

// dig walks a decoded JSON value along a path of object keys.
func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const createIncidentMutation = `
mutation File($input: CreateIncidentInput!) {
  createIncident(input: $input) {
    id number status tier priority workflowId workflowStartedAt clientRequestId
    account { code } asset { serialNumber } contract { number tier }
  }
}`

// incidentInput is a valid createIncident input for a serial number.
func incidentInput(serial, requestID string) map[string]any {
	return map[string]any{
		"serialNumber":    serial,
		"priority":        "P1",
		"category":        "HARDWARE_FAILURE",
		"symptoms":        "Storage controller fault LED amber; volume offline",
		"contact":         map[string]any{"name": "Zhao Lei", "email": "zhao.lei@example.com", "phone": "+86 10 5555 0199"},
		"clientRequestId": requestID,
	}
}

// uniqueID returns a fresh client request ID.
func uniqueID(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%s", prefix, hex.EncodeToString(b[:]))
}

// customerOf returns the customer_it username of an account code.
func customerOf(accountCode string) string {
	return "it." + strings.ToLower(accountCode)
}
