package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/graph"
	"github.com/aftercare/aftercare/metrics"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statementCounter counts the SQL statements each API request runs, by
// the request ID the statements' contexts carry.
type statementCounter struct {
	mu        sync.Mutex
	byRequest map[string]int
}

func (c *statementCounter) observe(ctx context.Context, _ string) {
	id := aftercare.RequestIDFromContext(ctx)
	if id == "" {
		return
	}
	c.mu.Lock()
	c.byRequest[id]++
	c.mu.Unlock()
}

func (c *statementCounter) of(requestID string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byRequest[requestID]
}

// countingWait is how long the loaders gather keys in the tests that count
// statements: long enough that a busy machine, where the resolvers of one
// level of a response may take milliseconds to all ask, never splits a
// batch. What the counts check is that every nested field reads through a
// loader, not how fast the machine is.
const countingWait = 250 * time.Millisecond

// countedAPI is the GraphQL API as the api subcommand builds it, served by
// httptest on a seeded database whose statements it counts per request.
type countedAPI struct {
	url        string
	token      string
	statements *statementCounter
	requests   atomic.Int64
}

// mustCountedAPI seeds a database with the demo data (fifty accounts,
// with a site of fifty assets each, and sixty engineers), the history of
// incidents closed incidents, each latest visit of an incident reopened
// as an engineer's current job, and serves the API on it for admin, with
// loaders that gather keys for wait.
func mustCountedAPI(tb testing.TB, incidents int, wait time.Duration) *countedAPI {
	tb.Helper()
	ctx := context.Background()
	db, url := postgrestest.MustOpenURL(tb)
	seed := demo.DefaultConfig()
	seed.Accounts, seed.SitesPerAccount, seed.AssetsPerSite, seed.Engineers = 50, 1, 50, 60
	_, err := demo.Seed(ctx, db, seed)
	require.NoError(tb, err)
	_, err = demo.SeedHistory(ctx, db, demo.HistoryConfig{Seed: 1, Incidents: incidents, Now: seed.Now})
	require.NoError(tb, err)
	require.NoError(tb, db.ExecScript(ctx, `
		CREATE TEMP TABLE reopened AS
			SELECT DISTINCT ON (incident_id) id, incident_id FROM assignments WHERE state = 'completed'
			ORDER BY incident_id, created_at DESC;
		UPDATE incidents SET status = 'on_site' WHERE id IN (SELECT incident_id FROM reopened);
		UPDATE assignments SET state = 'on_site' WHERE id IN (SELECT id FROM reopened);
		DROP TABLE reopened`))

	a := &countedAPI{statements: &statementCounter{byRequest: map[string]int{}}}
	counted, err := postgres.OpenObserved(ctx, url, a.statements.observe)
	require.NoError(tb, err)
	tb.Cleanup(counted.Close)
	cfg := testConfig(tb, url)
	cfg.LoaderWait = wait
	m := &Main{Config: cfg, Logger: testLogger(), DB: counted, Metrics: metrics.New(testLogger())}
	api, err := m.newAPI(ctx)
	require.NoError(tb, err)
	srv := httptest.NewServer(api.handler)
	tb.Cleanup(srv.Close)
	a.url = srv.URL
	a.token, err = mintToken(ctx, &cfg, db, "admin", time.Hour)
	require.NoError(tb, err)
	return a
}

// query sends a query and returns its response and the number of SQL
// statements the request ran.
func (a *countedAPI) query(tb testing.TB, query string, vars map[string]any) (*gqlResponse, int) {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(tb, err)
	req, err := http.NewRequest(http.MethodPost, a.url+"/query", bytes.NewReader(body))
	require.NoError(tb, err)
	id := fmt.Sprintf("loaders-%d", a.requests.Add(1))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("X-Request-ID", id)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	out := &gqlResponse{Status: resp.StatusCode}
	require.NoError(tb, json.NewDecoder(resp.Body).Decode(out))
	require.Empty(tb, out.Errors, "errors of %s", query)
	return out, a.statements.of(id)
}

// nestedList is a list whose rows have nested objects and lists: the
// query (with $first and $after), where its edges are in a response, and
// the nested fields of a node that may be null or empty.
type nestedList struct {
	name     string
	query    string
	vars     map[string]any
	edges    func(data map[string]any) []any
	optional []string
}

// at returns where edges are: the list at path.
func at(path ...string) func(map[string]any) []any {
	return func(data map[string]any) []any {
		edges, _ := dig(data, path...).([]any)
		return edges
	}
}

// TestNestedListsRunAsManyStatementsForOneRowAsForFifty reads lists of
// fifty rows with their nested objects and lists, and the same list of
// one row that has every nested field any of the fifty has: the loaders
// read each nested field for all rows at once, so the two requests run
// the same number of SQL statements. A nested field read row by row would
// run one statement more per row.
func TestNestedListsRunAsManyStatementsForOneRowAsForFifty(t *testing.T) {
	api := mustCountedAPI(t, 80, countingWait)
	sites, _ := api.query(t, `{ accounts(first: 1) { edges { node { sites(first: 1) { edges { node { id } } } } } } }`, nil)
	site := dig(at("accounts", "edges")(sites.Data)[0], "node", "sites", "edges")
	for _, c := range []nestedList{
		{name: "incidents", query: `query($first: Int, $after: String) { incidents(first: $first, after: $after) {
			edges { cursor node { number account { code } site { name } asset { serialNumber }
			contract { number renewalOf { number } } createdBy { username }
			assignments { state engineer { code } incident { number } }
			slaClocks { kind incident { number } escalations { level } } } } } }`,
			edges: at("incidents", "edges"), optional: []string{"contract", "contract.renewalOf", "createdBy", "assignments", "slaClocks"}},
		{name: "incidents with their history", query: `query($first: Int, $after: String) {
			incidents(first: $first, after: $after) { edges { cursor node { number quotes { id }
			repair { diagnosis parts { part { fru } } } survey { score } escalations { level }
			events { kind actor { username } } } } } }`,
			edges: at("incidents", "edges"), optional: []string{"quotes", "survey", "escalations", "events"}},
		{name: "engineers", query: `query($first: Int, $after: String) { engineers(first: $first, after: $after) {
			edges { cursor node { code homeDepot { code } provider { code } login { username } load
			currentJobs { state incident { number } engineer { code } }
			vanStock(first: 3) { edges { node { onHand part { fru } depot { code } engineer { code } } } } } } } }`,
			edges: at("engineers", "edges"), optional: []string{"login", "currentJobs", "vanStock"}},
		{name: "contracts", query: `query($first: Int, $after: String) { contracts(first: $first, after: $after) {
			edges { cursor node { number account { code accountManagers { username } } accountManager { username }
			renewalOf { number } } } } }`,
			edges: at("contracts", "edges"), optional: []string{"accountManager", "renewalOf"}},
		{name: "assets of a site", query: `query($site: ID!, $first: Int, $after: String) { site(id: $site) {
			assets(first: $first, after: $after) { edges { cursor node { serialNumber account { code } site { name }
			contracts(first: 3) { edges { node { number accountManager { username } } } } } } } } }`,
			vars:  map[string]any{"site": dig(site.([]any)[0], "node", "id")},
			edges: at("site", "assets", "edges"), optional: []string{"contracts"}},
		{name: "accounts", query: `query($first: Int, $after: String) { accounts(first: $first, after: $after) {
			edges { cursor node { code accountManagers { username } sites(first: 2) { edges { node { name
			account { code } } } } contracts(first: 2) { edges { node { number } } } } } } }`,
			edges: at("accounts", "edges"), optional: []string{"accountManagers", "sites", "contracts"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			vars := func(first int, after any) map[string]any {
				out := map[string]any{"first": first, "after": after}
				maps.Copy(out, c.vars)
				return out
			}
			fifty, fiftyStatements := api.query(t, c.query, vars(50, nil))
			rows := c.edges(fifty.Data)
			require.Len(t, rows, 50)
			i := fullestRow(rows, c.optional)
			require.GreaterOrEqual(t, i, 0, "one of the fifty rows has every nested field that any of them has")
			var after any
			if i > 0 {
				after = dig(rows[i-1], "cursor")
			}
			one, oneStatements := api.query(t, c.query, vars(1, after))
			require.Len(t, c.edges(one.Data), 1)
			t.Logf("%s: %d statements for 50 rows, %d for 1", c.name, fiftyStatements, oneStatements)
			assert.Equal(t, oneStatements, fiftyStatements, "statements for fifty rows and for one")
		})
	}
}

// fullestRow returns the index of the first edge whose node has each of
// the optional fields (paths of object fields, as "contract.renewalOf")
// that any node has: not null, not an empty list or connection. It
// returns -1 when no node has them all.
func fullestRow(edges []any, optional []string) int {
	has := func(edge any, field string) bool {
		switch v := dig(dig(edge, "node"), strings.Split(field, ".")...).(type) {
		case nil:
			return false
		case []any:
			return len(v) > 0
		case map[string]any:
			if e, ok := v["edges"].([]any); ok {
				return len(e) > 0
			}
		}
		return true
	}
	var wanted []string
	for _, f := range optional {
		if slices.ContainsFunc(edges, func(e any) bool { return has(e, f) }) {
			wanted = append(wanted, f)
		}
	}
	return slices.IndexFunc(edges, func(e any) bool {
		return !slices.ContainsFunc(wanted, func(f string) bool { return !has(e, f) })
	})
}

// BenchmarkIncidentsOverHTTP sends incidents(first: 50) to the API over
// HTTP, on a database of eighty incidents, as the api subcommand serves it
// (the loaders wait graph.DefaultLoaderWait): flat, and with five nested
// objects. Besides time and allocations it reports the SQL statements
// each request ran and the CPU time of this process (API and client) per
// request; PostgreSQL's own CPU is not in it.
func BenchmarkIncidentsOverHTTP(b *testing.B) {
	api := mustCountedAPI(b, 80, graph.DefaultLoaderWait)
	for _, c := range []struct{ name, query string }{
		{"flat", `{ incidents(first: 50) { edges { node { number status priority tier createdAt } } } }`},
		{"nested", `{ incidents(first: 50) { edges { node { number status priority tier createdAt
			account { code name } site { name city } asset { serialNumber model } contract { number tier }
			assignments { state engineer { code name } } } } } }`},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			statements := 0
			cpu := processCPU()
			for b.Loop() {
				_, n := api.query(b, c.query, nil)
				statements += n
			}
			b.ReportMetric(float64(statements)/float64(b.N), "statements/op")
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e3, "cpu-µs/op")
		})
	}
}

// processCPU returns the user and system CPU time this process has used.
func processCPU() time.Duration {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
