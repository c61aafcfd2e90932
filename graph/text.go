package graph

import (
	"context"
	"fmt"
	"mime"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/aftercare/aftercare"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// textCheck refuses, before anything runs, an operation with an argument
// whose text (at any depth of an input object or list, given inline or
// through a variable) is not valid UTF-8 or holds a NUL byte: PostgreSQL
// stores neither, and the caller is told which argument it was.
type textCheck struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = textCheck{}

func (textCheck) ExtensionName() string { return "TextCheck" }

func (textCheck) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext checks every argument of the operation.
func (textCheck) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := textWalker{vars: oc.Variables, fragments: map[string]bool{}}
	return w.selections(oc.Operation.SelectionSet)
}

// textWalker checks the arguments of a selection set, each named fragment
// once.
type textWalker struct {
	vars      map[string]any
	fragments map[string]bool
}

func (w *textWalker) selections(set ast.SelectionSet) *gqlerror.Error {
	for _, sel := range set {
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			err = w.field(s)
		case *ast.InlineFragment:
			err = w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition != nil && !w.fragments[s.Name] {
				w.fragments[s.Name] = true
				err = w.selections(s.Definition.SelectionSet)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *textWalker) field(f *ast.Field) *gqlerror.Error {
	for _, arg := range f.Arguments {
		v, err := arg.Value.Value(w.vars)
		if err != nil {
			continue // validation has refused what does not resolve
		}
		if path, why := badText(arg.Name, v); why != "" {
			e := gqlerror.ErrorPosf(arg.Position, "argument %s of %s %s", path, f.Name, why)
			e.Extensions = map[string]any{"code": aftercare.EINVALID, "argument": path}
			return e
		}
	}
	return w.selections(f.SelectionSet)
}

// badText returns the path to the first string in v that PostgreSQL could
// not store, and why; why is "" when there is none.
func badText(path string, v any) (string, string) {
	switch v := v.(type) {
	case string:
		return path, aftercare.TextProblem(v)
	case []any:
		for i, e := range v {
			if p, why := badText(fmt.Sprintf("%s[%d]", path, i), e); why != "" {
				return p, why
			}
		}
	case map[string]any:
		for k, e := range v {
			if p, why := badText(path+"."+k, e); why != "" {
				return p, why
			}
		}
	}
	return path, ""
}

// onlyJSON answers every request to GraphQL that no transport takes (GET
// without a WebSocket upgrade, or a body that is not JSON) with a GraphQL
// error that has a code, as every other refusal does.
func onlyJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodOptions || isWebsocketUpgrade(r):
		case r.Method != http.MethodPost:
			w.Header().Set("Allow", "POST, OPTIONS")
			writeError(w, http.StatusMethodNotAllowed, aftercare.Errorf(aftercare.EINVALID,
				"send GraphQL as a POST with a JSON body, or over a WebSocket; %s is not taken", r.Method))
			return
		default:
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, aftercare.Errorf(aftercare.EINVALID,
					"send the request body as JSON with Content-Type: application/json"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
