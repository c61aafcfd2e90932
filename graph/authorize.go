package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/aftercare/aftercare"
)

// Authorizer decides what a caller may do and see.
type Authorizer interface {
	// Allowed reports whether the user may take action on object type in
	// one of their domains.
	Allowed(u *aftercare.User, object, action string) bool
	// Scope returns what the user may see.
	Scope(u *aftercare.User) *aftercare.Scope
}

// authorize implements @authorize, which every Query, Mutation and
// Subscription field carries, and every nested field that leads to another
// kind of object (an incident's contract, a stock level's depot): the one
// place where access to a field is decided, so that no path reaches what
// the root field for that kind would refuse. Rows are then limited to the
// caller's scope by the stores.
func authorize(a Authorizer) func(ctx context.Context, obj any, next graphql.Resolver, object, action string) (any, error) {
	return func(ctx context.Context, _ any, next graphql.Resolver, object, action string) (any, error) {
		u := aftercare.UserFromContext(ctx)
		if u == nil {
			return nil, aftercare.Errorf(aftercare.EUNAUTHORIZED, "not signed in")
		}
		if u.Role == aftercare.RoleSurveyRespondent {
			// Whoever holds a survey link may answer a survey (the token
			// they pass decides which one) and do nothing else.
			if object == SurveyObject && action == SurveyAnswerAction {
				return next(ctx)
			}
			return nil, aftercare.Errorf(aftercare.EUNAUTHORIZED, "a survey link may only answer its survey; sign in for anything else")
		}
		if !a.Allowed(u, object, action) {
			return nil, aftercare.Errorf(aftercare.EUNAUTHORIZED, "%s may not %s %s", u.Role, action, object)
		}
		return next(ctx)
	}
}

// withCaller returns ctx carrying the user and their scope.
func withCaller(ctx context.Context, a Authorizer, u *aftercare.User) context.Context {
	return aftercare.NewContextWithScope(aftercare.NewContextWithUser(ctx, u), a.Scope(u))
}
