package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// TestOutboxCarriesTraceContext checks that the outbox message filing an
// incident writes carries the W3C trace context of a traced request, none
// for an untraced one, and that a trace context the relay cannot read
// still lets the message be claimed, without it.
func TestOutboxCarriesTraceContext(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "premium")
	incidents := postgres.NewIncidentService(db)
	traced := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	tracedCtx := trace.ContextWithSpanContext(context.Background(), traced)
	tests := []struct {
		name string
		ctx  context.Context
		// stored, when set, replaces the trace context stored.
		stored string
		want   map[string]string
	}{
		{name: "traced", ctx: tracedCtx,
			want: map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}},
		{name: "untraced", ctx: context.Background()},
		{name: "unreadable", ctx: tracedCtx, stored: `'["traceparent"]'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc, err := incidents.CreateIncident(tt.ctx, validCreate(f.CoveredSerial, "trace-"+tt.name))
			require.NoError(t, err)
			if tt.stored != "" {
				require.NoError(t, db.ExecScript(context.Background(),
					fmt.Sprintf(`UPDATE outbox SET trace_context = %s WHERE key = '%s'`, tt.stored, inc.ID)))
			}
			claimed, err := db.ClaimOutbox(context.Background(), aftercare.OutboxTopicIncidentWorkflow, 10, time.Hour)
			require.NoError(t, err)
			require.Len(t, claimed, 1)
			assert.Equal(t, inc.ID, claimed[0].Key)
			assert.Equal(t, tt.want, claimed[0].TraceContext)
		})
	}
}

// TestWithTracerProvider checks that a database opened with a tracer
// provider gives the queries of a traced context spans under its span,
// without their arguments, and makes none for an untraced one.
func TestWithTracerProvider(t *testing.T) {
	_, url := postgrestest.MustOpenURL(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, postgres.WithTracerProvider(tp))
	require.NoError(t, err)
	t.Cleanup(db.Close)
	f := postgres.MustFixture(t, db, "ACME", "premium")
	incidents := postgres.NewIncidentService(db)

	before := len(rec.Ended())
	_, err = incidents.CreateIncident(ctx, validCreate(f.CoveredSerial, "untraced"))
	require.NoError(t, err)
	assert.Len(t, rec.Ended(), before, "queries outside a trace make no spans")

	tracedCtx, parent := tp.Tracer("test").Start(ctx, "file")
	create := validCreate(f.CoveredSerial, "traced")
	_, err = incidents.CreateIncident(tracedCtx, create)
	require.NoError(t, err)
	parent.End()

	var names []string
	for _, s := range rec.Ended() {
		if s.Parent().SpanID() != parent.SpanContext().SpanID() {
			continue
		}
		names = append(names, s.Name())
		for _, kv := range s.Attributes() {
			assert.NotContains(t, kv.Value.String(), create.Contact.Email, "span %s holds an argument in %s", s.Name(), kv.Key)
		}
	}
	assert.Contains(t, names, "query BEGIN")
	assert.Contains(t, names, "query INSERT")
	assert.Contains(t, names, "query COMMIT")
}
