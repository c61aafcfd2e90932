package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// startProcess opens a Main named service, as the api or worker subcommand
// does, with tp as its tracer provider (nil: as configured), and starts it;
// it is closed when the test ends.
func (e *testEnv) startProcess(t *testing.T, service string, tp trace.TracerProvider, start func(*Main) error) *Main {
	t.Helper()
	m := &Main{Config: e.cfg, Logger: testLogger(), Service: service, TracerProvider: tp}
	t.Cleanup(func() { _ = m.Close() })
	require.NoError(t, m.Open(context.Background()))
	require.NoError(t, start(m))
	return m
}

// startAPI and startWorker start what the api and worker subcommands do.
func startAPI(m *Main) error    { return m.StartAPI(context.Background()) }
func startWorker(m *Main) error { return m.StartWorker() }

// fileIncident files an incident for the platinum demo asset as admin,
// sending header with the request, and returns its ID.
func (e *testEnv) fileIncident(t *testing.T, api *Main, header http.Header) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": createIncidentMutation,
		"variables": map[string]any{"input": incidentInput(e.summary.Serials[aftercare.TierPlatinum], uniqueID("trace"))}})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, api.URL()+"/query", bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token(t, "admin"))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out gqlResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.Empty(t, out.Errors, "createIncident errors: %+v", out.Errors)
	return dig(out.Data, "createIncident", "id").(string)
}

// traceSpans are the spans of one trace, started or ended.
type traceSpans []sdktrace.ReadOnlySpan

// named returns the trace's span with the name, failing the test if there
// is none.
func (ss traceSpans) named(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range ss {
		if s.Name() == name {
			return s
		}
	}
	t.Fatalf("no span %q in the trace; it has %v", name, ss.names())
	return nil
}

// childrenOf returns the spans whose parent is s and whose instrumentation
// scope is scope.
func (ss traceSpans) childrenOf(s sdktrace.ReadOnlySpan, scope string) traceSpans {
	var out traceSpans
	for _, c := range ss {
		if c.Parent().SpanID() == s.SpanContext().SpanID() && c.InstrumentationScope().Name == scope {
			out = append(out, c)
		}
	}
	return out
}

func (ss traceSpans) names() []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name())
	}
	return out
}

// inTrace returns the spans the recorder saw start in a trace. A workflow's
// span stays open as long as the workflow runs (an incident's, until it is
// closed), so the test looks at spans started, not only those ended.
func inTrace(rec *tracetest.SpanRecorder, id trace.TraceID) traceSpans {
	var out traceSpans
	for _, s := range rec.Started() {
		if s.SpanContext().TraceID() == id {
			out = append(out, s)
		}
	}
	return out
}

// service returns the service.name of the process that made s.
func service(s sdktrace.ReadOnlySpan) string {
	v, _ := s.Resource().Set().Value(semconv.ServiceNameKey)
	return v.AsString()
}

const (
	gqlgenScope   = "github.com/ravilushqa/otelgqlgen"
	pgxScope      = "github.com/exaring/otelpgx"
	temporalScope = "temporal-sdk-go"
)

// TestTraceFollowsAnIncidentIntoItsWorkflow files an incident over HTTP
// against an API and a worker, each with a tracer provider of its own as
// separate processes would have, on the real PostgreSQL and Temporal
// server, and follows one trace from the caller's traceparent through the
// GraphQL operation and its SQL, across the outbox to the intake relay's
// workflow start, into the workflow and the activity that records its
// start, linked by span IDs.
func TestTraceFollowsAnIncidentIntoItsWorkflow(t *testing.T) {
	env := mustTestEnv(t)
	rec := tracetest.NewSpanRecorder()
	provider := func(service string) trace.TracerProvider {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec),
			sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(service))))
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		return tp
	}
	env.startProcess(t, "aftercare-worker", provider("aftercare-worker"), startWorker)
	api := env.startProcess(t, "aftercare-api", provider("aftercare-api"), startAPI)

	var traceID trace.TraceID
	var callerSpan trace.SpanID
	_, _ = rand.Read(traceID[:])
	_, _ = rand.Read(callerSpan[:])
	id := env.fileIncident(t, api, http.Header{"Traceparent": {"00-" + traceID.String() + "-" + callerSpan.String() + "-01"}})

	waitFor(t, 30*time.Second, "the span of the activity that records the workflow's start", func() bool {
		for _, s := range rec.Ended() {
			if s.SpanContext().TraceID() == traceID && s.Name() == "RunActivity:MarkWorkflowStarted" {
				return true
			}
		}
		return false
	})
	spans := inTrace(rec, traceID)

	op := spans.named(t, "File")
	assert.Equal(t, callerSpan, op.Parent().SpanID(), "the operation is a child of the caller's span")
	assert.True(t, op.Parent().IsRemote())
	assert.Equal(t, "aftercare-api", service(op))
	resolver := spans.named(t, "Mutation/createIncident")
	assert.Equal(t, op.SpanContext().SpanID(), resolver.Parent().SpanID(), "createIncident is a child of the operation")
	for _, kv := range append(op.Attributes(), resolver.Attributes()...) {
		assert.False(t, strings.HasPrefix(string(kv.Key), "gql.request.") || strings.HasPrefix(string(kv.Key), "gql.resolver.args."),
			"a span holds the request's %s", kv.Key)
	}
	assert.NotContains(t, spans.names(), "Incident/number", "a field read off a loaded object makes no span")

	sql := spans.childrenOf(resolver, pgxScope)
	require.NotEmpty(t, sql, "createIncident's SQL is traced under it")
	assert.Contains(t, sql.names(), "query INSERT")

	start := spans.named(t, "StartWorkflow:IncidentWorkflow")
	assert.Equal(t, resolver.SpanContext().SpanID(), start.Parent().SpanID(),
		"the relay starts the workflow under the request that wrote the outbox message")
	assert.Equal(t, "aftercare-api", service(start))

	run := spans.named(t, "RunWorkflow:IncidentWorkflow")
	assert.Equal(t, start.SpanContext().SpanID(), run.Parent().SpanID(), "the workflow runs under its start")
	assert.Equal(t, "aftercare-worker", service(run))

	schedule := spans.named(t, "StartActivity:MarkWorkflowStarted")
	assert.Equal(t, run.SpanContext().SpanID(), schedule.Parent().SpanID(), "the workflow schedules the activity")
	activity := spans.named(t, "RunActivity:MarkWorkflowStarted")
	assert.Equal(t, schedule.SpanContext().SpanID(), activity.Parent().SpanID(), "the activity runs under its scheduling")
	assert.Equal(t, "aftercare-worker", service(activity))
	assert.NotEmpty(t, spans.childrenOf(activity, pgxScope), "the activity's SQL is traced under it")

	assert.Equal(t, map[string]string{"traceparent": "00-" + traceID.String() + "-" + resolver.SpanContext().SpanID().String() + "-01"},
		outboxTraceContext(t, env, id), "the outbox message carries the request's trace")

	t.Run("an operation without a traceparent starts a trace of its own", func(t *testing.T) {
		env.fileIncident(t, api, nil)
		var ops []sdktrace.ReadOnlySpan
		for _, s := range rec.Ended() {
			if s.Name() == "File" && s.SpanContext().TraceID() != traceID {
				ops = append(ops, s)
			}
		}
		require.Len(t, ops, 1)
		assert.False(t, ops[0].Parent().IsValid(), "the operation's span is its trace's root")
	})
}

// outboxTraceContext returns the trace context the outbox message that
// starts an incident's workflow carries, nil for none.
func outboxTraceContext(t *testing.T, env *testEnv, incidentID string) map[string]string {
	t.Helper()
	raw := postgrestest.MustQueryString(t, env.db, `SELECT coalesce(trace_context::text, 'null') FROM outbox WHERE topic = $1 AND key = $2`,
		aftercare.OutboxTopicIncidentWorkflow, incidentID)
	var tc map[string]string
	require.NoError(t, json.Unmarshal([]byte(raw), &tc))
	return tc
}

// collector is an OTLP/HTTP trace collector that keeps the names of the
// spans it is sent, by service.
type collector struct {
	*httptest.Server
	mu    sync.Mutex
	spans map[string][]string
}

func newCollector(t *testing.T) *collector {
	c := &collector{spans: map[string][]string{}}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(body, &req)
		}
		if r.URL.Path != "/v1/traces" || err != nil {
			t.Errorf("collector: %s %s: %v", r.Method, r.URL.Path, err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		for _, rs := range req.GetResourceSpans() {
			var service string
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.GetKey() == string(semconv.ServiceNameKey) {
					service = kv.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					c.spans[service] = append(c.spans[service], s.GetName())
				}
			}
		}
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(c.Close)
	return c
}

// received returns the span names the collector was sent, by service.
func (c *collector) received() map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]string{}
	for k, v := range c.spans {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// TestTracesExportOnlyToAConfiguredEndpoint runs the api and worker
// processes as their subcommands assemble them, configured by the flag's
// setting or either standard environment variable or by nothing, files an
// incident, stops them, and checks what an OTLP collector received: each
// process's spans, flushed on exit, when an endpoint is set; nothing, no
// tracer provider and no trace context in the outbox when none is.
func TestTracesExportOnlyToAConfiguredEndpoint(t *testing.T) {
	env := mustTestEnv(t)
	tests := []struct {
		name     string
		endpoint func(c *collector) string
		env      func(c *collector) map[string]string
		traced   bool
	}{
		{name: "-otlp-endpoint", traced: true,
			endpoint: func(c *collector) string { return c.URL }},
		{name: "OTEL_EXPORTER_OTLP_ENDPOINT", traced: true,
			env: func(c *collector) map[string]string { return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.URL} }},
		{name: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traced: true,
			env: func(c *collector) map[string]string {
				return map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": c.URL + "/v1/traces"}
			}},
		{name: "-otlp-endpoint with OTEL_SDK_DISABLED",
			endpoint: func(c *collector) string { return c.URL },
			env:      func(*collector) map[string]string { return map[string]string{"OTEL_SDK_DISABLED": "true"} }},
		{name: "no endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCollector(t)
			for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED"} {
				t.Setenv(k, "")
			}
			if tt.env != nil {
				for k, v := range tt.env(c) {
					t.Setenv(k, v)
				}
			}
			procEnv := *env
			procEnv.cfg.OTLPEndpoint = ""
			if tt.endpoint != nil {
				procEnv.cfg.OTLPEndpoint = tt.endpoint(c)
			}
			worker := procEnv.startProcess(t, "aftercare-worker", nil, startWorker)
			api := procEnv.startProcess(t, "aftercare-api", nil, startAPI)
			id := procEnv.fileIncident(t, api, nil)
			waitFor(t, 30*time.Second, "the workflow to record its start", func() bool {
				return postgrestest.MustQueryInt(t, env.db, `SELECT count(*) FROM incidents WHERE id = $1 AND workflow_started_at IS NOT NULL`, id) == 1
			})
			require.NoError(t, api.Close())
			require.NoError(t, worker.Close())

			got := c.received()
			if !tt.traced {
				assert.Nil(t, api.TracerProvider)
				assert.Nil(t, worker.TracerProvider)
				assert.Nil(t, outboxTraceContext(t, env, id))
				assert.Empty(t, got, "the collector received spans")
				_, span := otel.Tracer("probe").Start(context.Background(), "probe")
				assert.False(t, span.IsRecording(), "a global tracer provider was installed")
				return
			}
			assert.Contains(t, got["aftercare-api"], "File")
			assert.Contains(t, got["aftercare-api"], "StartWorkflow:IncidentWorkflow")
			assert.Contains(t, got["aftercare-worker"], "RunActivity:MarkWorkflowStarted")
			assert.Contains(t, outboxTraceContext(t, env, id), "traceparent")
		})
	}
}

// TestTracesURL checks how the -otlp-endpoint setting becomes the URL
// traces are posted to.
func TestTracesURL(t *testing.T) {
	tests := []struct {
		base, want string
	}{
		{"http://localhost:4318", "http://localhost:4318/v1/traces"},
		{"http://localhost:4318/", "http://localhost:4318/v1/traces"},
		{"https://collector.example.com/otlp", "https://collector.example.com/otlp/v1/traces"},
		{"localhost:4318", ""},
		{"grpc://localhost:4317", ""},
		{"http://", ""},
	}
	for _, tt := range tests {
		got, err := tracesURL(tt.base)
		if tt.want == "" {
			assert.Error(t, err, "tracesURL(%q)", tt.base)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "tracesURL(%q) = %q, want %q", tt.base, got, tt.want)
	}
}
