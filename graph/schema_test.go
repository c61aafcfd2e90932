package graph

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/generated"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
)

// apiSchema is the schema the API serves.
func apiSchema() *ast.Schema {
	return generated.NewExecutableSchema(generated.Config{}).Schema()
}

// roots returns the Query, Mutation and Subscription types.
func roots(schema *ast.Schema) []*ast.Definition {
	var out []*ast.Definition
	for _, d := range []*ast.Definition{schema.Query, schema.Mutation, schema.Subscription} {
		if d != nil {
			out = append(out, d)
		}
	}
	return out
}

// isRoot reports whether d is the Query, Mutation or Subscription type.
func isRoot(schema *ast.Schema, d *ast.Definition) bool {
	return d == schema.Query || d == schema.Mutation || d == schema.Subscription
}

// nodeType is the object type a field leads to: its named type, through
// lists and through a connection to the type of its nodes.
func nodeType(schema *ast.Schema, t *ast.Type) *ast.Definition {
	d := schema.Types[t.Name()]
	if d == nil || d.Kind != ast.Object || !strings.HasSuffix(d.Name, "Connection") {
		return d
	}
	edges := d.Fields.ForName("edges")
	if edges == nil {
		return d
	}
	if node := schema.Types[edges.Type.Name()].Fields.ForName("node"); node != nil {
		return schema.Types[node.Type.Name()]
	}
	return d
}

// authorizeOf returns the object and action of a field's @authorize.
func authorizeOf(f *ast.FieldDefinition) (object, action string, ok bool) {
	d := f.Directives.ForName("authorize")
	if d == nil {
		return "", "", false
	}
	return d.Arguments.ForName("object").Value.Raw, d.Arguments.ForName("action").Value.Raw, true
}

// objectKinds derives from the schema the kinds of object each type is: the
// objects that @authorize(action: "read") names on any field, root or
// nested, that leads to it. A type no guarded field leads to is a value that
// belongs to whatever holds it (a clock of an incident, a page's info).
func objectKinds(schema *ast.Schema) map[string]map[string]bool {
	kinds := map[string]map[string]bool{}
	for _, d := range schema.Types {
		if d.Kind != ast.Object || d == schema.Mutation || d == schema.Subscription {
			continue
		}
		for _, f := range d.Fields {
			object, action, ok := authorizeOf(f)
			n := nodeType(schema, f.Type)
			if !ok || action != "read" || n == nil || n.Kind != ast.Object {
				continue
			}
			if kinds[n.Name] == nil {
				kinds[n.Name] = map[string]bool{}
			}
			kinds[n.Name][object] = true
		}
	}
	return kinds
}

// TestEveryRootFieldIsAuthorized fails when a Query, Mutation or
// Subscription field lacks @authorize.
func TestEveryRootFieldIsAuthorized(t *testing.T) {
	checked := 0
	for _, root := range roots(apiSchema()) {
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			checked++
			object, action, ok := authorizeOf(f)
			if assert.True(t, ok, "%s.%s has no @authorize", root.Name, f.Name) {
				assert.NotEmpty(t, object, "%s.%s", root.Name, f.Name)
				assert.NotEmpty(t, action, "%s.%s", root.Name, f.Name)
			}
		}
	}
	assert.Greater(t, checked, 50, "root fields checked")
}

// TestNestedFieldsDeclareTheirKind fails when a nested field leads to a
// kind of object that a guarded field elsewhere leads to, without carrying
// @authorize for that kind itself: a path around the root field's check.
func TestNestedFieldsDeclareTheirKind(t *testing.T) {
	schema := apiSchema()
	kinds := objectKinds(schema)
	require.NotEmpty(t, kinds["Depot"], "depots are guarded at the root")
	checked := 0
	for _, p := range schema.Types {
		if p.Kind != ast.Object || isRoot(schema, p) || strings.HasPrefix(p.Name, "__") || strings.HasSuffix(p.Name, "Edge") {
			continue // an edge's node is guarded where its connection is
		}
		for _, f := range p.Fields {
			n := nodeType(schema, f.Type)
			if n == nil || len(kinds[n.Name]) == 0 || subset(kinds[n.Name], kinds[p.Name]) {
				continue
			}
			checked++
			object, action, ok := authorizeOf(f)
			if assert.True(t, ok, "%s.%s leads to %s (%s) with no @authorize", p.Name, f.Name, n.Name, keys(kinds[n.Name])) {
				assert.Equal(t, "read", action, "%s.%s", p.Name, f.Name)
				assert.True(t, kinds[n.Name][object], "%s.%s checks %q, not a kind of %s (%s)", p.Name, f.Name, object, n.Name, keys(kinds[n.Name]))
			}
		}
	}
	assert.Greater(t, checked, 40, "nested fields checked")
}

// TestRolesReachOnlyKindsTheyMayRead walks, for every role and the access
// rules the migrations install, every path of object-typed fields from the
// root fields the role may call, and at every step checks the role's
// permission for the kind of object the step leads to: either the role may
// read it, or the field carries @authorize for it and the directive refuses
// the role there. A step that reaches a kind the role may not read,
// unguarded, fails the test.
func TestRolesReachOnlyKindsTheyMayRead(t *testing.T) {
	perms, err := postgres.NewAccessService(postgrestest.MustOpen(t)).FindPermissions(context.Background())
	require.NoError(t, err)
	may := map[aftercare.Role]map[string]bool{}
	for _, p := range perms {
		if may[p.Role] == nil {
			may[p.Role] = map[string]bool{}
		}
		may[p.Role][p.Object+" "+p.Action] = true
	}
	require.Len(t, may, 6, "the six roles have permissions")
	schema := apiSchema()
	kinds := objectKinds(schema)
	for role, granted := range may {
		allowed := func(object, action string) bool {
			return granted[object+" "+action] || granted["* "+action] || granted[object+" *"] || granted["* *"]
		}
		t.Run(string(role), func(t *testing.T) {
			type step struct {
				typ  *ast.Definition
				path string
			}
			seen := map[string]bool{}
			var queue []step
			for _, root := range roots(schema) {
				for _, f := range root.Fields {
					object, action, ok := authorizeOf(f)
					if !ok || !allowed(object, action) {
						continue
					}
					if n := nodeType(schema, f.Type); n != nil && n.Kind == ast.Object && !seen[n.Name] {
						seen[n.Name] = true
						queue = append(queue, step{n, root.Name + "." + f.Name})
					}
				}
			}
			require.NotEmpty(t, queue, "%s may call no root field", role)
			steps, refused := 0, 0
			for len(queue) > 0 {
				s := queue[0]
				queue = queue[1:]
				for _, f := range s.typ.Fields {
					n := nodeType(schema, f.Type)
					if n == nil || n.Kind != ast.Object {
						continue
					}
					steps++
					path := s.path + "." + f.Name
					if object, action, ok := authorizeOf(f); ok {
						if !allowed(object, action) {
							refused++
							continue // the directive refuses the role here
						}
					} else if k := kinds[n.Name]; len(k) > 0 && !anyOf(k, func(o string) bool { return allowed(o, "read") }) {
						t.Errorf("%s reaches %s (%s) through %s, which it may not read, unguarded", role, n.Name, keys(k), path)
						continue
					}
					if !seen[n.Name] {
						seen[n.Name] = true
						queue = append(queue, step{n, path})
					}
				}
			}
			t.Logf("%s: %d object types reached, %d steps checked, %d refused by @authorize", role, len(seen), steps, refused)
		})
	}
}

func anyOf(set map[string]bool, f func(string) bool) bool {
	for k := range set {
		if f(k) {
			return true
		}
	}
	return false
}

func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func keys(m map[string]bool) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}
