package graph

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/aftercare/aftercare"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/time/rate"
)

// costLimit rejects, before anything runs, operations nested deeper than
// MaxDepth, operations whose cost is over MaxCost, and, unless Introspection
// is on, operations that read the schema. A field costs 1; a connection
// field multiplies what it selects by the page size it asks for (first, or
// the default page size), so a query's cost bounds the rows it can touch.
type costLimit struct {
	MaxDepth      int
	MaxCost       int
	Introspection bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = costLimit{}

func (costLimit) ExtensionName() string { return "CostLimit" }

func (costLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext measures the operation about to run.
func (l costLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := costWalker{oc: oc, fragments: map[string]*measure{}}
	m := w.selections(oc.Operation.SelectionSet)
	switch {
	case w.introspects && !l.Introspection:
		return limitError("introspection is switched off on this server")
	case m.depth > l.MaxDepth:
		return limitError("query is nested %d levels deep; the limit is %d", m.depth, l.MaxDepth)
	case m.cost > l.MaxCost:
		return limitError("query costs %d; the limit is %d (ask for smaller pages)", m.cost, l.MaxCost)
	}
	return nil
}

func limitError(format string, args ...any) *gqlerror.Error {
	e := gqlerror.Errorf(format, args...)
	e.Extensions = map[string]any{"code": aftercare.EINVALID}
	return e
}

// measure is the cost of a selection set and how many levels of fields it
// nests.
type measure struct {
	cost, depth int
}

// costWalker adds up the cost and depth of an operation. A named fragment
// is measured once and its measure reused at every spread, so the walk is
// linear in the document however often fragments spread each other.
type costWalker struct {
	oc          *graphql.OperationContext
	introspects bool
	fragments   map[string]*measure
	visits      int // selections walked, which the linearity test reads
}

// maxCost caps every sum and product, so that no page size multiplies past
// an int.
const maxCost = 1 << 30

func (w *costWalker) selections(set ast.SelectionSet) measure {
	var m measure
	for _, sel := range set {
		w.visits++
		var s measure
		switch f := sel.(type) {
		case *ast.Field:
			if f.Name == "__schema" || f.Name == "__type" {
				w.introspects = true
			}
			if len(f.SelectionSet) == 0 {
				s = measure{cost: 1, depth: 1}
				break
			}
			below := w.selections(f.SelectionSet)
			s = measure{cost: 1 + min(w.pageSize(f)*below.cost, maxCost), depth: 1 + below.depth}
		case *ast.InlineFragment:
			s = w.selections(f.SelectionSet)
		case *ast.FragmentSpread:
			s = w.fragment(f)
		}
		m.cost = min(m.cost+s.cost, maxCost)
		m.depth = max(m.depth, s.depth)
	}
	return m
}

// fragment returns the measure of a spread's fragment, walking it the first
// time only. While its own selections are walked its measure is zero, so a
// cycle (which validation refuses before this runs) adds nothing.
func (w *costWalker) fragment(s *ast.FragmentSpread) measure {
	if s.Definition == nil {
		return measure{}
	}
	if m, ok := w.fragments[s.Name]; ok {
		return *m
	}
	m := &measure{}
	w.fragments[s.Name] = m
	*m = w.selections(s.Definition.SelectionSet)
	return *m
}

// pageSize is how many rows a field can return: the first argument of a
// connection, or 1.
func (w *costWalker) pageSize(f *ast.Field) int {
	if f.Definition == nil || f.Definition.Type.Elem != nil {
		return 1
	}
	arg := f.Arguments.ForName("first")
	if f.Definition.Arguments.ForName("first") == nil {
		return 1
	}
	if arg == nil {
		return aftercare.DefaultPageSize
	}
	v, err := arg.Value.Value(w.oc.Variables)
	if err != nil {
		return aftercare.DefaultPageSize
	}
	switch n := v.(type) {
	case int64:
		return clampPage(int(n))
	case int:
		return clampPage(n)
	case string:
		i, _ := strconv.Atoi(n)
		return clampPage(i)
	}
	return aftercare.DefaultPageSize
}

func clampPage(n int) int {
	return max(1, min(n, aftercare.MaxPageSize))
}

// rateLimiter gives each API key a token bucket.
type rateLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newRateLimiter(perSecond float64, burst int) *rateLimiter {
	return &rateLimiter{limit: rate.Limit(perSecond), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow reports whether a request under key may go ahead now.
func (l *rateLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	return b.AllowN(now, 1)
}
