package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/metrics"
	"github.com/aftercare/aftercare/postgres"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type outboxFunc func(context.Context) ([]aftercare.OutboxBacklog, error)

func (f outboxFunc) OutboxBacklog(ctx context.Context) ([]aftercare.OutboxBacklog, error) {
	return f(ctx)
}

type poolStats postgres.PoolStats

func (s poolStats) PoolStats() postgres.PoolStats { return postgres.PoolStats(s) }

type lagFunc func(context.Context) (aftercare.FleetIndexLag, error)

func (f lagFunc) Lag(ctx context.Context) (aftercare.FleetIndexLag, error) { return f(ctx) }

// scrape serves m's registry once and returns the body.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	return string(body)
}

func TestOutboxCollectorReportsEveryTopic(t *testing.T) {
	c := metrics.NewOutboxCollector(outboxFunc(func(ctx context.Context) ([]aftercare.OutboxBacklog, error) {
		_, ok := ctx.Deadline()
		assert.True(t, ok, "the read has a deadline")
		return []aftercare.OutboxBacklog{{Topic: aftercare.OutboxTopicWebhook, Pending: 3, OldestAge: 90 * time.Second}}, nil
	}))
	want := `
# HELP aftercare_outbox_pending_messages Outbox messages not delivered yet, due now or later, by topic.
# TYPE aftercare_outbox_pending_messages gauge
aftercare_outbox_pending_messages{topic="contract.claim"} 0
aftercare_outbox_pending_messages{topic="contract.workflow"} 0
aftercare_outbox_pending_messages{topic="incident.workflow"} 0
aftercare_outbox_pending_messages{topic="notification.broadcast"} 0
aftercare_outbox_pending_messages{topic="notification.webhook"} 3
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want), "aftercare_outbox_pending_messages"))
	assert.Equal(t, 2*len(aftercare.OutboxTopics), testutil.CollectAndCount(c))
	wantAge := `
# HELP aftercare_outbox_oldest_pending_age_seconds How long ago the oldest undelivered outbox message of a topic was written; 0 when none waits.
# TYPE aftercare_outbox_oldest_pending_age_seconds gauge
aftercare_outbox_oldest_pending_age_seconds{topic="contract.claim"} 0
aftercare_outbox_oldest_pending_age_seconds{topic="contract.workflow"} 0
aftercare_outbox_oldest_pending_age_seconds{topic="incident.workflow"} 0
aftercare_outbox_oldest_pending_age_seconds{topic="notification.broadcast"} 0
aftercare_outbox_oldest_pending_age_seconds{topic="notification.webhook"} 90
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(wantAge), "aftercare_outbox_oldest_pending_age_seconds"))
}

func TestPoolCollector(t *testing.T) {
	c := metrics.NewPoolCollector(poolStats{Acquired: 2, Idle: 3, Constructing: 1, Total: 6, Max: 8,
		Acquires: 100, EmptyAcquires: 4, CanceledAcquires: 1,
		AcquireDuration: 1500 * time.Millisecond, EmptyAcquireWait: 250 * time.Millisecond})
	want := map[string]float64{
		"aftercare_db_pool_acquired_connections":             2,
		"aftercare_db_pool_idle_connections":                 3,
		"aftercare_db_pool_constructing_connections":         1,
		"aftercare_db_pool_total_connections":                6,
		"aftercare_db_pool_max_connections":                  8,
		"aftercare_db_pool_acquires_total":                   100,
		"aftercare_db_pool_empty_acquires_total":             4,
		"aftercare_db_pool_canceled_acquires_total":          1,
		"aftercare_db_pool_acquire_duration_seconds_total":   1.5,
		"aftercare_db_pool_empty_acquire_wait_seconds_total": 0.25,
	}
	m := metrics.New(slog.New(slog.DiscardHandler))
	require.NoError(t, m.Register(c))
	body := scrape(t, m)
	for name, v := range want {
		assert.Contains(t, body, "\n"+name+" "+strconv.FormatFloat(v, 'g', -1, 64)+"\n")
	}
	assert.Equal(t, len(want), testutil.CollectAndCount(c))
}

func TestIndexCollectorKeepsTheAgeWhenTheCountFails(t *testing.T) {
	m := metrics.New(slog.New(slog.DiscardHandler))
	require.NoError(t, m.Register(
		metrics.NewIndexCollector("api", lagFunc(func(context.Context) (aftercare.FleetIndexLag, error) {
			return aftercare.FleetIndexLag{Age: 3 * time.Second, Pending: 7}, nil
		})),
		metrics.NewIndexCollector("worker", lagFunc(func(context.Context) (aftercare.FleetIndexLag, error) {
			return aftercare.FleetIndexLag{Age: 5 * time.Second}, errors.New("database down")
		})),
	))
	body := scrape(t, m)
	assert.Contains(t, body, `aftercare_dispatch_index_lag_seconds{index="api"} 3`)
	assert.Contains(t, body, `aftercare_dispatch_index_pending_changes{index="api"} 7`)
	assert.Contains(t, body, `aftercare_dispatch_index_lag_seconds{index="worker"} 5`)
	assert.NotContains(t, body, `aftercare_dispatch_index_pending_changes{index="worker"}`, "no count when the database fails")
}

// TestAFailingCollectorLeavesTheRest: a scrape while the database does not
// answer serves everything but the series that needed it.
func TestAFailingCollectorLeavesTheRest(t *testing.T) {
	m := metrics.New(slog.New(slog.DiscardHandler))
	require.NoError(t, m.Register(
		metrics.NewOutboxCollector(outboxFunc(func(context.Context) ([]aftercare.OutboxBacklog, error) {
			return nil, errors.New("database down")
		})),
		metrics.NewPoolCollector(poolStats{Max: 4}),
	))
	body := scrape(t, m)
	assert.NotContains(t, body, "aftercare_outbox_pending_messages{")
	assert.Contains(t, body, "aftercare_db_pool_max_connections 4")
	assert.Contains(t, body, "go_goroutines")
}

func TestObservers(t *testing.T) {
	m := metrics.New(slog.New(slog.DiscardHandler))
	m.ObserveOperation("createIncident", "OK", 20*time.Millisecond)
	m.ObserveOperation("incident", "ENOTFOUND", time.Millisecond)
	m.ObserveDispatchSearch("candidates", 300*time.Microsecond)
	m.ObserveWebhookDelivery(true)
	m.ObserveWebhookDelivery(false)
	m.ObserveEscalation(aftercare.ClockResponse, 2, 1500*time.Millisecond)
	body := scrape(t, m)
	for _, line := range []string{
		`aftercare_graphql_operation_duration_seconds_count{code="OK",operation="createIncident"} 1`,
		`aftercare_graphql_operation_duration_seconds_count{code="ENOTFOUND",operation="incident"} 1`,
		`aftercare_dispatch_search_duration_seconds_count{search="candidates"} 1`,
		`aftercare_webhook_deliveries_total 2`,
		`aftercare_webhook_delivery_failures_total 1`,
		`aftercare_escalation_lateness_seconds_sum{clock="response",level="2"} 1.5`,
		`aftercare_escalation_lateness_seconds_bucket{clock="response",level="2",le="1"} 0`,
		`aftercare_escalation_lateness_seconds_bucket{clock="response",level="2",le="2.5"} 1`,
	} {
		assert.Contains(t, body, line)
	}
}
