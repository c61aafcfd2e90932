package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// OperationObserver is told of every query and mutation the API answers:
// what it asked for, the code of its first error, and how long it took
// from the request's arrival to its response.
//
// operation is the root field the operation selects (createIncident,
// incident), "multiple" when it selects several, and "" when the request
// never became an operation of the schema (it did not parse or validate).
// Client-chosen operation names are not used: any client can make up as
// many as it likes. code is the first error's extensions.code, or "OK".
type OperationObserver interface {
	ObserveOperation(operation, code string, elapsed time.Duration)
}

// Operation labels beside the root field's name.
const (
	// OperationMultiple stands for an operation that selects several root
	// fields.
	OperationMultiple = "multiple"
	// CodeOK is the code of an operation answered without errors.
	CodeOK = "OK"
)

// operationTiming tells an OperationObserver of every query and mutation.
// Subscriptions, whose responses are events over a connection's lifetime,
// are left out.
type operationTiming struct {
	observer OperationObserver
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = operationTiming{}

func (operationTiming) ExtensionName() string { return "OperationTiming" }

func (operationTiming) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse observes the response once it is complete, errors
// presented. It sees requests refused before execution (a document that
// does not parse, a variable of the wrong type, a limit) too, since gqlgen
// answers those through the response interceptors as well.
func (t operationTiming) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	var op *ast.OperationDefinition
	if graphql.HasOperationContext(ctx) {
		op = graphql.GetOperationContext(ctx).Operation
	}
	if resp == nil || (op != nil && op.Operation == ast.Subscription) {
		return resp
	}
	t.observer.ObserveOperation(operationLabel(op), responseCode(resp), time.Since(graphql.GetStartTime(ctx)))
	return resp
}

// operationLabel returns the root field op selects, OperationMultiple when
// it selects several, and "" for no operation. Each named fragment is
// walked once, so the walk is linear in the document even for one that
// the cost limit refuses for spreading fragments exponentially often.
func operationLabel(op *ast.OperationDefinition) string {
	if op == nil {
		return ""
	}
	name := ""
	walked := map[string]bool{}
	var walk func(ast.SelectionSet) bool
	walk = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Name == "__typename" || s.Name == name {
					continue
				}
				if name != "" {
					return false
				}
				name = s.Name
			case *ast.InlineFragment:
				if !walk(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				if s.Definition == nil || walked[s.Name] {
					continue
				}
				walked[s.Name] = true
				if !walk(s.Definition.SelectionSet) {
					return false
				}
			}
		}
		return true
	}
	if !walk(op.SelectionSet) {
		return OperationMultiple
	}
	return name
}

// responseCode returns the extensions.code of a response's first error,
// CodeOK when it has none.
func responseCode(resp *graphql.Response) string {
	if len(resp.Errors) == 0 {
		return CodeOK
	}
	code, _ := resp.Errors[0].Extensions["code"].(string)
	return code
}
