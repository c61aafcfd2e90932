package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/ravilushqa/otelgqlgen"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// operationTracer is the gqlgen extension (otelgqlgen) that traces GraphQL:
// a span for each operation, named after it, and under it a span for each
// field that has a resolver of its own. The operation's span is the root of
// its trace, or the child of the caller's span when the request carries a
// W3C traceparent header. Fields read off an object already loaded (an
// incident's number) make no span, and no span holds the query text, the
// variables or the arguments: they carry customers' contacts and symptoms.
type operationTracer struct {
	otelgqlgen.Tracer
}

// newOperationTracer returns the extension, making spans with tp.
func newOperationTracer(tp trace.TracerProvider) operationTracer {
	return operationTracer{otelgqlgen.Middleware(otelgqlgen.WithTracerProvider(redactedProvider{tp}))}
}

// InterceptResponse starts the operation's span, under the caller's span if
// the request names one.
func (t operationTracer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if h := graphql.GetOperationContext(ctx).Headers; h != nil {
		ctx = propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(h))
	}
	return t.Tracer.InterceptResponse(ctx, next)
}

// redactedAttributes are the attribute keys, or key prefixes ending in a
// dot, that otelgqlgen would record and operationTracer leaves out.
var redactedAttributes = []string{"gql.request.query", "gql.request.variables.", "gql.resolver.args."}

// redactedProvider gives otelgqlgen tracers that make spans only for
// operations and resolver fields, and spans that drop redactedAttributes.
type redactedProvider struct{ trace.TracerProvider }

// Tracer returns the named tracer of the provider, redacted.
func (p redactedProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return redactedTracer{p.TracerProvider.Tracer(name, opts...)}
}

// redactedTracer is a tracer of redactedProvider.
type redactedTracer struct{ trace.Tracer }

// Start starts a span for an operation or a resolver field; for any other
// field it returns ctx as it is and a span that records nothing.
func (t redactedTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && !fc.IsResolver {
		return ctx, trace.SpanFromContext(context.Background())
	}
	ctx, span := t.Tracer.Start(ctx, name, opts...)
	return ctx, redactedSpan{span}
}

// redactedSpan is a span of redactedTracer.
type redactedSpan struct{ trace.Span }

// SetAttributes sets the attributes that are not redacted.
func (s redactedSpan) SetAttributes(kv ...attribute.KeyValue) {
	kept := make([]attribute.KeyValue, 0, len(kv))
	for _, a := range kv {
		if !redacted(string(a.Key)) {
			kept = append(kept, a)
		}
	}
	s.Span.SetAttributes(kept...)
}

// redacted reports whether an attribute key is one of redactedAttributes.
func redacted(key string) bool {
	for _, r := range redactedAttributes {
		if key == r || (strings.HasSuffix(r, ".") && strings.HasPrefix(key, r)) {
			return true
		}
	}
	return false
}
