package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/generated"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// operation parses and validates a document against the API's schema.
func operation(tb testing.TB, query string, vars map[string]any) *graphql.OperationContext {
	tb.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(generated.NewExecutableSchema(generated.Config{}).Schema(), query, nil)
	require.Empty(tb, errs)
	return &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: vars}
}

// fragmentBomb returns a query of n fragments, each spreading the one
// before it twice: 2^n spreads of the first from a document of O(n) bytes.
func fragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("query { ...L" + fmt.Sprint(n) + " }\nfragment L0 on Query { me { id } }\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment L%d on Query { ...L%d ...L%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// selectionsIn counts the selections written in a document.
func selectionsIn(doc *ast.QueryDocument) int {
	var count func(ast.SelectionSet) int
	count = func(set ast.SelectionSet) int {
		n := len(set)
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				n += count(s.SelectionSet)
			case *ast.InlineFragment:
				n += count(s.SelectionSet)
			}
		}
		return n
	}
	n := 0
	for _, op := range doc.Operations {
		n += count(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n += count(f.SelectionSet)
	}
	return n
}

func TestCostWalkIsLinearInTheDocument(t *testing.T) {
	oc := operation(t, fragmentBomb(40), nil)
	w := costWalker{oc: oc, fragments: map[string]*measure{}}
	m := w.selections(oc.Operation.SelectionSet)
	assert.LessOrEqual(t, w.visits, selectionsIn(oc.Doc), "each selection written is walked once")
	assert.Equal(t, maxCost, m.cost, "2^40 spreads of two fields, capped")
	assert.Equal(t, 2, m.depth, "fragments add no depth")

	err := costLimit{MaxDepth: 10, MaxCost: 5000}.MutateOperationContext(context.Background(), oc)
	require.NotNil(t, err)
	assert.Equal(t, aftercare.EINVALID, err.Extensions["code"])
	assert.Contains(t, err.Message, "costs")
}

func TestCostAndDepth(t *testing.T) {
	for _, tc := range []struct {
		query       string
		vars        map[string]any
		cost, depth int
	}{
		{`{ me { id } }`, nil, 2, 2},
		{`{ incidents(first: 10) { edges { node { id number } } } }`, nil, 1 + 10*(1+1+2), 4},
		{`query($n: Int) { incidents(first: $n) { edges { node { id } } } }`, map[string]any{"n": int64(3)}, 1 + 3*(1+1+1), 4},
		{`{ incidents { edges { node { id } } } }`, nil, 1 + aftercare.DefaultPageSize*3, 4},
		{`{ ...F ...F } fragment F on Query { me { id } }`, nil, 4, 2},
		{`{ me { ... on User { id account { id } } } }`, nil, 1 + 1 + 2, 3},
	} {
		oc := operation(t, tc.query, tc.vars)
		w := costWalker{oc: oc, fragments: map[string]*measure{}}
		m := w.selections(oc.Operation.SelectionSet)
		assert.Equal(t, measure{cost: tc.cost, depth: tc.depth}, m, "%s", tc.query)
	}
}

func BenchmarkCostWalkFragmentBomb(b *testing.B) {
	oc := operation(b, fragmentBomb(22), nil)
	l := costLimit{MaxDepth: 10, MaxCost: 5000}
	for b.Loop() {
		_ = l.MutateOperationContext(context.Background(), oc)
	}
}
