package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scrapeResult is one scrape of /metrics, by metric family.
type scrapeResult map[string]*dto.MetricFamily

// scrapeMetrics GETs baseURL/metrics as Prometheus would and parses it.
func scrapeMetrics(t *testing.T, baseURL string) scrapeResult {
	t.Helper()
	resp, err := http.Get(baseURL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return families
}

// value sums, over the series of a family whose labels include want, the
// value of a counter or gauge and the count of a histogram. It reports
// whether any series matched.
func (s scrapeResult) value(name string, want map[string]string) (float64, bool) {
	family, ok := s[name]
	if !ok {
		return 0, false
	}
	var sum float64
	found := false
	for _, m := range family.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		matches := true
		for k, v := range want {
			matches = matches && labels[k] == v
		}
		if !matches {
			continue
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum, found
}

// prefixed lists the families whose names start with prefix.
func (s scrapeResult) prefixed(prefix string) []string {
	var names []string
	for name := range s {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	return names
}

// TestMetricsEndToEnd scrapes the API's /metrics, runs an incident through
// the real stack (filed over GraphQL, ranked for dispatch, its seconds-long
// response clock escalating to a webhook, and a GraphQL error beside it),
// scrapes again, and sees each series Aftercare promises move or appear.
func TestMetricsEndToEnd(t *testing.T) {
	env := mustTestEnv(t)
	hook := newReceiver(t)
	env.cfg.Webhooks = []string{hook.URL}
	serial := env.summary.Serials[aftercare.TierPlatinum]
	fastSLA(t, env, serial, map[string]string{"P1.response": "2s"})
	m := env.startMain(t)
	admin := env.token(t, "admin")
	created := map[string]string{"operation": "createIncident", "code": "OK"}
	const graphqlLatency = "aftercare_graphql_operation_duration_seconds"

	before := scrapeMetrics(t, m.URL())
	filedBefore, _ := before.value(graphqlLatency, created)
	searchesBefore, _ := before.value("aftercare_dispatch_search_duration_seconds", map[string]string{"search": "candidates"})
	deliveriesBefore, _ := before.value("aftercare_webhook_deliveries_total", nil)

	id := fileIncident(t, m.URL(), admin, serial)
	ranked := gql(t, m.URL(), admin, `query($id: ID!) { dispatchCandidates(incidentId: $id) { at } }`, map[string]any{"id": id})
	require.Empty(t, ranked.Errors, "%+v", ranked.Errors)
	missing := gql(t, m.URL(), admin, `{ incident(id: "6f1c1e9e-4a55-4c36-9d0e-7c3f5b1f2a11") { id } }`, nil)
	require.Equal(t, aftercare.ENOTFOUND, missing.code())
	waitFor(t, 60*time.Second, "the response clock's four levels at the webhook", func() bool { return hook.keys() >= 4 })

	var after scrapeResult
	waitFor(t, 30*time.Second, "the escalations and their deliveries in /metrics", func() bool {
		after = scrapeMetrics(t, m.URL())
		fired, _ := after.value("aftercare_escalation_lateness_seconds", map[string]string{"clock": "response"})
		delivered, _ := after.value("aftercare_webhook_deliveries_total", nil)
		return fired >= 4 && delivered >= deliveriesBefore+4
	})

	t.Run("GraphQL latency by operation and code", func(t *testing.T) {
		filed, _ := after.value(graphqlLatency, created)
		assert.Greater(t, filed, filedBefore, "createIncident counted")
		notFound, ok := after.value(graphqlLatency, map[string]string{"operation": "incident", "code": aftercare.ENOTFOUND})
		assert.True(t, ok, "the error's code is a series")
		assert.GreaterOrEqual(t, notFound, 1.0)
	})
	t.Run("dispatch searches and index lag", func(t *testing.T) {
		searches, _ := after.value("aftercare_dispatch_search_duration_seconds", map[string]string{"search": "candidates"})
		assert.Greater(t, searches, searchesBefore, "the ranking searched the index")
		for _, index := range []string{"api", "worker"} {
			lag, ok := after.value("aftercare_dispatch_index_lag_seconds", map[string]string{"index": index})
			assert.True(t, ok, "the %s index's lag", index)
			assert.Less(t, lag, 60.0, "the %s index follows the feed", index)
			_, ok = after.value("aftercare_dispatch_index_pending_changes", map[string]string{"index": index})
			assert.True(t, ok, "the %s index's pending changes", index)
		}
	})
	t.Run("outbox backlog for every topic", func(t *testing.T) {
		for _, topic := range aftercare.OutboxTopics {
			_, ok := after.value("aftercare_outbox_pending_messages", map[string]string{"topic": topic})
			assert.True(t, ok, "pending messages of %s", topic)
			_, ok = after.value("aftercare_outbox_oldest_pending_age_seconds", map[string]string{"topic": topic})
			assert.True(t, ok, "oldest pending age of %s", topic)
		}
	})
	t.Run("webhook deliveries and escalation lateness", func(t *testing.T) {
		delivered, _ := after.value("aftercare_webhook_deliveries_total", nil)
		assert.GreaterOrEqual(t, delivered, deliveriesBefore+4, "every level delivered")
		_, ok := after.value("aftercare_webhook_delivery_failures_total", nil)
		assert.True(t, ok)
		for level := 1; level <= 4; level++ {
			n, _ := after.value("aftercare_escalation_lateness_seconds",
				map[string]string{"clock": "response", "level": strconv.Itoa(level)})
			assert.Equal(t, 1.0, n, "level %d fired once", level)
		}
	})
	t.Run("connection pool", func(t *testing.T) {
		most, ok := after.value("aftercare_db_pool_max_connections", nil)
		assert.True(t, ok)
		assert.Positive(t, most)
		acquiresBefore, _ := before.value("aftercare_db_pool_acquires_total", nil)
		acquires, _ := after.value("aftercare_db_pool_acquires_total", nil)
		assert.Greater(t, acquires, acquiresBefore)
		for _, name := range []string{"acquired", "idle", "total"} {
			_, ok := after.value("aftercare_db_pool_"+name+"_connections", nil)
			assert.True(t, ok, name)
		}
		_, ok = after.value("aftercare_db_pool_empty_acquire_wait_seconds_total", nil)
		assert.True(t, ok)
	})
	t.Run("the Temporal SDK's own", func(t *testing.T) {
		requestsBefore, _ := before.value("temporal_request_total", nil)
		requests, ok := after.value("temporal_request_total", nil)
		assert.True(t, ok, "temporal series: %v", after.prefixed("temporal_"))
		assert.Greater(t, requests, requestsBefore, "the client's requests counted")
		tasks, _ := after.value("temporal_workflow_task_execution_latency_seconds", nil)
		assert.Positive(t, tasks, "workflow tasks timed: %v", after.prefixed("temporal_"))
	})
}

// TestWorkerServesMetricsOnItsOwnAddress runs `aftercare worker
// -metrics-addr` as its own process, as operators do, and scrapes it: the
// worker's dispatch index, the pool, the outbox and the Temporal SDK's
// series, and no GraphQL.
func TestWorkerServesMetricsOnItsOwnAddress(t *testing.T) {
	env := mustTestEnv(t)
	addr := freeAddr(t)
	startWorkerProcess(t, env, "-metrics-addr", addr)
	var got scrapeResult
	waitFor(t, 30*time.Second, "the worker's /metrics with its polls counted", func() bool {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false
		}
		resp.Body.Close()
		got = scrapeMetrics(t, "http://"+addr)
		polls, _ := got.value("temporal_request_total", nil)
		return polls > 0
	})
	_, ok := got.value("aftercare_dispatch_index_lag_seconds", map[string]string{"index": "worker"})
	assert.True(t, ok, "the worker's index")
	_, ok = got.value("aftercare_dispatch_index_lag_seconds", map[string]string{"index": "api"})
	assert.False(t, ok, "no API in the worker process")
	_, ok = got.value("aftercare_db_pool_max_connections", nil)
	assert.True(t, ok)
	_, ok = got.value("aftercare_outbox_pending_messages", map[string]string{"topic": aftercare.OutboxTopicWebhook})
	assert.True(t, ok)
	assert.Empty(t, got.prefixed("aftercare_graphql_"), "the worker answers no GraphQL")
}
