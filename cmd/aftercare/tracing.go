package main

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aftercare/aftercare/postgres"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Traces follow a GraphQL operation through its SQL queries and Temporal
// calls into the workflows and activities it starts or updates, across the
// api and worker processes. Each part is traced by its own integration,
// given the process's tracer provider explicitly rather than through a
// global one: the gqlgen extension (graph.Config.TracerProvider), the pgx
// tracer (postgres.WithTracerProvider), and Temporal's tracing interceptor
// on the client, which its workers inherit and which carries the trace in
// workflow and activity headers. An incident's workflow is started by the intake
// relay from the outbox, not by the request: the outbox message carries the
// request's W3C trace context, and the relay starts the workflow under it.
//
// Unless an OTLP endpoint is configured traces are off: no provider
// exists, no integration is installed, and nothing is recorded.

// openTracing sets m.TracerProvider to a provider that exports to the
// configured OTLP endpoint in batches, unless it is set already (tests
// bring their own) or no endpoint is configured.
func (m *Main) openTracing(ctx context.Context) error {
	if m.TracerProvider != nil || !m.Config.tracesOn() {
		return nil
	}
	var opts []otlptracehttp.Option
	if m.Config.OTLPEndpoint != "" {
		endpoint, err := tracesURL(m.Config.OTLPEndpoint)
		if err != nil {
			return err
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(endpoint))
	}
	exporter, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return fmt.Errorf("trace exporter: %w", err)
	}
	service := cmp.Or(m.Service, "aftercare")
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(service)),
		resource.WithTelemetrySDK(), resource.WithHost(),
		resource.WithFromEnv()) // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
	if err != nil {
		return fmt.Errorf("trace resource: %w", err)
	}
	// Export failures are the process's to log, in its own format.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		m.Logger.Warn("traces", "err", err)
	}))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	m.TracerProvider, m.stopTracing = tp, tp.Shutdown
	m.Logger.Info("exporting traces over OTLP", "service", service)
	return nil
}

// closeTracing exports the spans still buffered and stops the provider
// openTracing made.
func (m *Main) closeTracing() {
	if m.stopTracing == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.stopTracing(ctx); err != nil {
		m.Logger.Warn("flush traces", "err", err)
	}
	m.stopTracing = nil
}

// databaseOptions are the postgres.Open options that trace queries.
func (m *Main) databaseOptions() []postgres.Option {
	if m.TracerProvider == nil {
		return nil
	}
	return []postgres.Option{postgres.WithTracerProvider(m.TracerProvider)}
}

// temporalInterceptors are the Temporal client's interceptors that trace
// starting, signalling, updating and querying workflows and, in the
// workers the client makes, running workflows and activities.
func (m *Main) temporalInterceptors() ([]interceptor.ClientInterceptor, error) {
	if m.TracerProvider == nil {
		return nil, nil
	}
	i, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer:            m.TracerProvider.Tracer("temporal-sdk-go"),
		TextMapPropagator: propagation.TraceContext{},
	})
	if err != nil {
		return nil, fmt.Errorf("temporal tracing: %w", err)
	}
	return []interceptor.ClientInterceptor{i}, nil
}

// tracesOn reports whether traces are to be exported: an endpoint is
// configured by -otlp-endpoint or the standard OTEL_EXPORTER_OTLP_ENDPOINT
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, and OTEL_SDK_DISABLED is not true.
func (cfg *Config) tracesOn() bool {
	if disabled, _ := strconv.ParseBool(os.Getenv("OTEL_SDK_DISABLED")); disabled {
		return false
	}
	return cfg.OTLPEndpoint != "" || os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" ||
		os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// tracesURL returns the URL traces are posted to for the base URL of an
// OTLP/HTTP collector, as OTEL_EXPORTER_OTLP_ENDPOINT is read: its path
// with /v1/traces appended.
func tracesURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("OTLP endpoint %q: want the http(s) URL of a collector, such as http://localhost:4318", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/traces"
	return u.String(), nil
}
