// Package metrics measures a running Aftercare process for Prometheus: the
// latency and outcome of GraphQL operations, dispatch searches and how far
// the dispatch index lags the database, the outbox backlog, webhook
// deliveries, how late escalations fire, and the database connection pool.
// Metrics holds one process's registry and implements the observer
// interfaces packages graph and workflows declare; the collectors read
// PostgreSQL and the dispatch index when Prometheus scrapes.
//
// It is the only product package that imports the Prometheus client, and
// it imports besides only the root package and postgres (not pgx). The
// Temporal SDK's own metrics reach the same registry through the wiring
// in cmd/aftercare, which alone imports both.
package metrics

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every series of Aftercare's own.
const namespace = "aftercare"

// scrapeTimeout bounds each database read a scrape makes.
const scrapeTimeout = 2 * time.Second

// Metrics is one process's registry with Aftercare's instruments on it. Its
// methods are the observers packages graph and workflows are given.
type Metrics struct {
	registry *prometheus.Registry
	log      *slog.Logger

	operations        *prometheus.HistogramVec
	searches          *prometheus.HistogramVec
	webhookDeliveries prometheus.Counter
	webhookFailures   prometheus.Counter
	escalations       *prometheus.HistogramVec
}

// New returns a registry of its own holding the Go runtime's and the
// process's collectors and Aftercare's instruments. Each process builds
// one and hands it to what it runs.
func New(log *slog.Logger) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		log:      log,
		operations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "graphql", Name: "operation_duration_seconds",
			Help: "Time from a GraphQL request's arrival to its response, by the root field the operation " +
				"selects (\"multiple\" for several, \"\" when it did not parse or validate) and the code of its " +
				"first error (\"OK\" for none). Subscriptions are not counted.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "code"}),
		searches: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "dispatch", Name: "search_duration_seconds",
			Help: "Time a search of the in-memory dispatch index took: \"candidates\" ranks one incident's " +
				"engineers, \"batch\" assigns a region's queue.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 9),
		}, []string{"search"}),
		webhookDeliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "webhook", Name: "deliveries_total",
			Help: "Webhook delivery attempts, successful or not.",
		}),
		webhookFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "webhook", Name: "delivery_failures_total",
			Help: "Webhook delivery attempts that failed and were put back for a retry.",
		}),
		escalations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "escalation", Name: "lateness_seconds",
			Help:    "How late escalation levels fired (fired at less due at), by clock and level.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600},
		}, []string{"clock", "level"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.operations, m.searches, m.webhookDeliveries, m.webhookFailures, m.escalations,
	)
	return m
}

// Registry returns the registry, for collectors of other libraries (the
// Temporal SDK's) to register on.
func (m *Metrics) Registry() *prometheus.Registry {
	return m.registry
}

// Register adds collectors to the registry.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil {
			return fmt.Errorf("register metrics collector: %w", err)
		}
	}
	return nil
}

// Handler serves the registry in the Prometheus text format. A collector
// that fails (the database did not answer in time) is logged and left out
// of that scrape; the rest are served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:          errorLog{m.log},
		ErrorHandling:     promhttp.ContinueOnError,
		Registry:          m.registry,
		Timeout:           2 * scrapeTimeout,
		EnableOpenMetrics: true,
	})
}

// ObserveOperation records one GraphQL query or mutation.
func (m *Metrics) ObserveOperation(operation, code string, elapsed time.Duration) {
	m.operations.WithLabelValues(operation, code).Observe(elapsed.Seconds())
}

// ObserveDispatchSearch records one search of a dispatch index.
func (m *Metrics) ObserveDispatchSearch(kind string, elapsed time.Duration) {
	m.searches.WithLabelValues(kind).Observe(elapsed.Seconds())
}

// ObserveWebhookDelivery records one webhook delivery attempt.
func (m *Metrics) ObserveWebhookDelivery(delivered bool) {
	m.webhookDeliveries.Inc()
	if !delivered {
		m.webhookFailures.Inc()
	}
}

// ObserveEscalation records how late an escalation level fired.
func (m *Metrics) ObserveEscalation(clock aftercare.ClockKind, level int, lateness time.Duration) {
	m.escalations.WithLabelValues(string(clock), strconv.Itoa(level)).Observe(lateness.Seconds())
}

// errorLog logs what the handler reports going wrong during a scrape.
type errorLog struct {
	log *slog.Logger
}

func (l errorLog) Println(v ...any) {
	l.log.Warn("metrics: "+fmt.Sprint(v...), "component", "metrics")
}
