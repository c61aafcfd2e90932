package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// temporalTimerBuckets are the bucket bounds, in seconds, of the Temporal
// SDK's latency histograms (its timers: request, poll, schedule-to-start
// and execution latencies), from a millisecond to a minute, where
// OpenTelemetry's default bounds are meant for milliseconds.
var temporalTimerBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// temporalMetrics returns a Temporal SDK metrics handler whose series
// (temporal_request_total, temporal_workflow_task_execution_latency_seconds
// and the rest the SDK records) are served by reg, and the function that
// stops it. The SDK reports through OpenTelemetry, whose Prometheus
// exporter registers on reg as one collector.
func temporalMetrics(reg prometheus.Registerer, log *slog.Logger) (client.MetricsHandler, func(context.Context) error, error) {
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, nil, fmt.Errorf("temporal metrics exporter: %w", err)
	}
	timers := sdkmetric.NewView(
		sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram, Unit: "s"},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: temporalTimerBuckets}},
	)
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithView(timers))
	handler := temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                provider.Meter("temporal-sdk-go"),
		UseMonotonicCounters: true,
		OnError: func(err error) {
			log.Warn("temporal metrics", "err", err)
		},
	})
	return handler, provider.Shutdown, nil
}

// StartMetrics serves /metrics on a listener of its own at
// Config.MetricsAddr, when one is set: the only place the worker serves
// them, and the place the API serves them instead of its own address.
func (m *Main) StartMetrics() error {
	if m.Config.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", m.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen for metrics on %s: %w", m.Config.MetricsAddr, err)
	}
	m.metricsListener = ln
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Metrics.Handler())
	m.metricsServer = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.wg.Go(func() {
		if err := m.metricsServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("metrics server", "err", err)
		}
	})
	m.Logger.Info("serving metrics", "url", listenerURL(ln)+"/metrics")
	return nil
}

// MetricsURL returns the base URL /metrics is served under: the metrics
// listener's, or the API's.
func (m *Main) MetricsURL() string {
	if m.metricsListener != nil {
		return listenerURL(m.metricsListener)
	}
	return m.URL()
}

// withMetrics serves the API's handler, and /metrics beside it unless the
// metrics have a listener of their own.
func (m *Main) withMetrics(api http.Handler) http.Handler {
	if m.Config.MetricsAddr != "" {
		return api
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Metrics.Handler())
	mux.Handle("/", api)
	return mux
}
