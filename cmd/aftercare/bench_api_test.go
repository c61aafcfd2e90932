package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/aftercare/aftercare/bench"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// benchAPIDemo is a small demo data set with a history, for the bench's
// tests: enough incidents that the newest fifty of most callers fill a
// page, with assignments and incidents both with and without a contract.
func benchAPIDemo() bench.HistoryDatabase {
	seed := demo.DefaultConfig()
	seed.Accounts, seed.SitesPerAccount, seed.AssetsPerSite = 12, 2, 6
	seed.Engineers, seed.Depots, seed.Parts, seed.VanStockPerEngineer = 200, 6, 40, 4
	return bench.HistoryDatabase{Seed: seed, Incidents: 400}
}

// TestHandwrittenNestedListAnswersAsTheAPI asks the API and the bench's
// hand-written handler for the nested list as the service director, and
// finds the same JSON: what the bench compares is the same answer. As
// callers of the other scopes, the hand-written handler lists the same
// incidents as the API.
func TestHandwrittenNestedListAnswersAsTheAPI(t *testing.T) {
	ctx := context.Background()
	db, url := postgrestest.MustOpenURL(t)
	cfg := testConfig(t, url)
	h := benchAPIDemo()
	_, err := demo.Seed(ctx, db, h.Seed)
	require.NoError(t, err)
	_, err = demo.SeedHistory(ctx, db, demo.HistoryConfig{Seed: h.Seed.Seed, Incidents: h.Incidents, Now: h.Seed.Now})
	require.NoError(t, err)
	srv, err := serveBenchAPI(ctx, cfg, db)
	require.NoError(t, err)
	defer srv.close()

	body := bench.GraphQLBody(bench.NestedIncidentsQuery, nil)
	token, err := mintToken(ctx, &cfg, db, "director", time.Hour)
	require.NoError(t, err)
	api := postJSON(t, srv.url+"/query", token, body)
	hand := postJSON(t, srv.url+"/handwritten", token, body)
	require.NotContains(t, api[:min(len(api), 200)], `"errors"`)
	assert.JSONEq(t, api, hand)
	page := nestedPage(t, api)
	require.Len(t, page, 50)
	sawContract, sawNoContract, sawAssignment := false, false, false
	for _, e := range page {
		sawContract = sawContract || e.Node.Contract != nil
		sawNoContract = sawNoContract || e.Node.Contract == nil
		sawAssignment = sawAssignment || len(e.Node.Assignments) > 0
	}
	assert.True(t, sawContract && sawNoContract && sawAssignment,
		"the answer holds incidents with and without a contract, and assignments")

	// Callers who see some accounts, a region or their own jobs get the
	// incidents the API lists for them. (Their roles may not read every
	// object of the list, so the API answers them only the numbers.)
	numbers := bench.GraphQLBody(`{ incidents(first: 50) { edges { node { number } } } }`, nil)
	for _, user := range []string{"am.li", "dispatcher.east", "engineer.zhang"} {
		token, err := mintToken(ctx, &cfg, db, user, time.Hour)
		require.NoError(t, err)
		var want, got []int64
		for _, e := range nestedPage(t, postJSON(t, srv.url+"/query", token, numbers)) {
			want = append(want, e.Node.Number)
		}
		for _, e := range nestedPage(t, postJSON(t, srv.url+"/handwritten", token, body)) {
			got = append(got, e.Node.Number)
		}
		assert.NotEmpty(t, want, user)
		assert.Equal(t, want, got, user)
	}

	// A request without a valid token gets no list from either.
	assert.Equal(t, http.StatusUnauthorized, postStatus(t, srv.url+"/handwritten", "not-a-token", body))
	assert.Equal(t, http.StatusUnauthorized, postStatus(t, srv.url+"/query", "not-a-token", body))
}

// TestBenchAPIMeasuresEveryOperation runs `aftercare bench api` small and
// short: it loads its database, serves the API and reports every operation
// at each number of clients without a failed call, with the ratios its
// targets are stated in.
func TestBenchAPIMeasuresEveryOperation(t *testing.T) {
	ctx := context.Background()
	h := benchAPIDemo()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "aftercare_test_bench_api_" + hex.EncodeToString(b[:])
	t.Cleanup(func() { _ = postgres.DropDatabase(context.Background(), postgrestest.ServerURL(), name) })
	cfg := testConfig(t, postgrestest.ServerURL())
	args := []string{"bench", "api", "-database-url", cfg.DatabaseURL, "-database", name, "-token-key", cfg.TokenKey,
		"-temporal-address", cfg.TemporalAddress,
		"-accounts", "12", "-sites-per-account", "2", "-assets-per-site", "6", "-engineers", "200", "-depots", "6",
		"-parts", "40", "-van-parts", "4", "-incidents", strconv.Itoa(h.Incidents), "-duration", "300ms", "-warmup", "0s"}
	var out, log bytes.Buffer
	err := run(ctx, append(args, "-clients", "1,2"), &out, &log)
	require.NoError(t, err, "log:\n%s\nout:\n%s", log.String(), out.String())
	report := out.String()
	row := regexp.MustCompile(`(?m)^\| ([^|]+) \| (\d+) \| (\d+) \| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \| (\d+) \|`)
	seen := map[string]int{}
	for _, m := range row.FindAllStringSubmatch(report, -1) {
		seen[m[1]]++
		assert.NotEqual(t, "0", m[3], "%s at %s clients completed no call", m[1], m[2])
		assert.Equal(t, "0", m[4], "%s at %s clients had failed calls:\n%s", m[1], m[2], report)
	}
	for _, op := range []string{bench.APIMe, bench.APICreateIncident, bench.APIIncident, bench.APINestedList, bench.APIHandwritten,
		bench.APIDispatchCandidates, bench.APIDispatchQueue, bench.APIKPIs} {
		assert.Equal(t, 2, seen[op], "%s is measured at 1 and 2 clients:\n%s", op, report)
	}
	assert.Contains(t, report, "2 clients: dispatchCandidates p99")
	assert.Contains(t, report, "of the hand-written handler's")
	assert.Contains(t, report, "open incidents of earlier runs cancelled: 0\n")
	filed := regexp.MustCompile(`open incidents of region \w+, dispatcher.east's queue, at the end: (\d+)`).FindStringSubmatch(report)
	require.NotNil(t, filed, report)
	assert.NotEqual(t, "0", filed[1], "the run's own incidents are open in the queue's region")

	// A second run reuses the database it loaded, and cancels the open
	// incidents the first filed.
	out.Reset()
	require.NoError(t, run(ctx, append(args, "-clients", "1", "-only", bench.APIMe), &out, &log), "log:\n%s", log.String())
	assert.Contains(t, out.String(), "database "+name+": reusing its history of 400 incidents")
	assert.NotContains(t, out.String(), "open incidents of earlier runs cancelled: 0\n")
	assert.Regexp(t, `at the end: 0, all filed by this run`, out.String())
}

// nestedEdge is an edge of the nested list, with what the tests read.
type nestedEdge struct {
	Node struct {
		Number      int64
		Contract    *struct{ Number string }
		Assignments []any
	}
}

// nestedPage returns the edges of a list of incidents.
func nestedPage(t *testing.T, answer string) []nestedEdge {
	t.Helper()
	var a struct {
		Data struct{ Incidents struct{ Edges []nestedEdge } }
	}
	require.NoError(t, json.Unmarshal([]byte(answer), &a), "%.300s", answer)
	return a.Data.Incidents.Edges
}

// postJSON posts a JSON body with a bearer token and returns the answer,
// which must be 200 OK.
func postJSON(t *testing.T, url, token string, body []byte) string {
	t.Helper()
	status, answer := postRaw(t, url, token, body)
	require.Equal(t, http.StatusOK, status, "%s", answer)
	return answer
}

// postStatus posts a JSON body with a bearer token and returns the status.
func postStatus(t *testing.T, url, token string, body []byte) int {
	t.Helper()
	status, _ := postRaw(t, url, token, body)
	return status
}

// postRaw posts a JSON body with a bearer token to url and returns the
// status and the answer.
func postRaw(t *testing.T, url, token string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}
