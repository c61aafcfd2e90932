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
	w := costWalker{oc: oc, visiting: map[string]bool{}}
	cost := w.selections(oc.Operation.SelectionSet, 1)
	switch {
	case w.introspects && !l.Introspection:
		return limitError("introspection is switched off on this server")
	case w.depth > l.MaxDepth:
		return limitError("query is nested %d levels deep; the limit is %d", w.depth, l.MaxDepth)
	case cost > l.MaxCost:
		return limitError("query costs %d; the limit is %d (ask for smaller pages)", cost, l.MaxCost)
	}
	return nil
}

func limitError(format string, args ...any) *gqlerror.Error {
	e := gqlerror.Errorf(format, args...)
	e.Extensions = map[string]any{"code": aftercare.EINVALID}
	return e
}

// costWalker adds up the cost and depth of a selection set, following
// fragments once per path.
type costWalker struct {
	oc          *graphql.OperationContext
	depth       int
	introspects bool
	visiting    map[string]bool
}

const maxCost = 1 << 30

func (w *costWalker) selections(set ast.SelectionSet, depth int) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if depth > w.depth {
				w.depth = depth
			}
			if s.Name == "__schema" || s.Name == "__type" {
				w.introspects = true
			}
			if len(s.SelectionSet) == 0 {
				total++
				continue
			}
			total += 1 + w.pageSize(s)*w.selections(s.SelectionSet, depth+1)
		case *ast.InlineFragment:
			total += w.selections(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if s.Definition == nil || w.visiting[s.Name] {
				continue
			}
			w.visiting[s.Name] = true
			total += w.selections(s.Definition.SelectionSet, depth)
			delete(w.visiting, s.Name)
		}
		if total > maxCost {
			return maxCost
		}
	}
	return total
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
