package postgres

import (
	"context"
	"encoding/json"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Option is an optional setting of Open.
type Option func(*options)

// options are the settings Options make.
type options struct {
	tracer pgx.QueryTracer
}

// WithTracerProvider gives every query, batch, COPY, statement preparation
// and connection acquisition made under a traced context a span of its own
// (otelpgx), named for what it is and its SQL operation ("query INSERT",
// "prepare SELECT") and holding the statement text but never its
// arguments. Work outside a trace makes no spans.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) {
		o.tracer = otelpgx.NewTracer(otelpgx.WithTracerProvider(tp), otelpgx.WithQuerySpanNamePrefix(),
			otelpgx.WithMeterProvider(metricnoop.NewMeterProvider()))
	}
}

// outboxTrace returns the W3C trace context of ctx as the JSON an outbox
// message carries in trace_context, or nil (NULL) when ctx is not traced.
func outboxTrace(ctx context.Context) []byte {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	b, _ := json.Marshal(carrier) // a map of strings always marshals
	return b
}

// readOutboxTrace returns the trace context an outbox message carries, or
// nil for none or for one that is not a JSON object of strings: tracing
// never holds up a delivery.
func readOutboxTrace(raw []byte) map[string]string {
	var tc map[string]string
	if raw == nil || json.Unmarshal(raw, &tc) != nil {
		return nil
	}
	return tc
}
