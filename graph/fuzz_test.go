package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/generated"
	"github.com/vektah/gqlparser/v2"
)

// FuzzOperationLimits feeds the cost, depth and text checks any document
// that parses and validates against the schema: they never panic, walk each
// selection written at most once, and refuse only with EINVALID.
func FuzzOperationLimits(f *testing.F) {
	for _, q := range []string{
		`{ me { id } }`,
		`{ incidents(first: 10) { edges { node { id account { sites(first: 3) { edges { node { id } } } } } } } }`,
		`query($n: Int) { incidents(first: $n) { edges { cursor } } }`,
		`{ ...F ...F } fragment F on Query { me { id ... on User { account { id } } } }`,
		`{ __schema { types { name } } }`,
		`{ assetBySerial(serialNumber: "A\u0000B") { id } }`,
		`{ accounts(first: 2, after: "\u00ff") { edges { cursor } } }`,
		fragmentBomb(12),
	} {
		f.Add(q)
	}
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	limits := costLimit{MaxDepth: 12, MaxCost: 50000}
	f.Fuzz(func(t *testing.T, query string) {
		doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
		if len(errs) > 0 || len(doc.Operations) == 0 {
			return
		}
		for _, op := range doc.Operations {
			oc := &graphql.OperationContext{Doc: doc, Operation: op, Variables: map[string]any{}}
			w := costWalker{oc: oc, fragments: map[string]*measure{}}
			m := w.selections(op.SelectionSet)
			if w.visits > selectionsIn(doc) {
				t.Fatalf("%q: walked %d selections of %d written", query, w.visits, selectionsIn(doc))
			}
			if m.cost < 0 || m.cost > maxCost || m.depth < 0 {
				t.Fatalf("%q: measure %+v", query, m)
			}
			for _, check := range []graphql.OperationContextMutator{limits, textCheck{}} {
				if err := check.MutateOperationContext(context.Background(), oc); err != nil && err.Extensions["code"] != aftercare.EINVALID {
					t.Fatalf("%q: refused with %v (%v), want EINVALID", query, err, err.Extensions["code"])
				}
			}
		}
	})
}
