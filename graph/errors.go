package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/aftercare/aftercare"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// presentError shapes every error a client sees: the domain code goes in
// extensions.code, a domain message is shown as it is, and anything else is
// logged in full and shown only as "internal error". Errors gqlgen raises
// about the request itself (a query that does not parse or validate, a
// variable of the wrong type) are the client's: EINVALID.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var domainErr *aftercare.Error
		switch {
		case errors.As(err, &domainErr):
			gqlErr.Message = domainErr.Message
			setCode(gqlErr, domainErr.Code)
			setProblems(gqlErr, domainErr)
		case gqlErr.Unwrap() == nil && !strings.Contains(gqlErr.Message, "which the schema does not allow"):
			// gqlgen's own words about the request (parse, validation,
			// coercion, introspection disabled); a null where the schema
			// forbids one is our fault and falls through.
			setCode(gqlErr, aftercare.EINVALID)
		default:
			log.ErrorContext(ctx, "graphql: internal error", "err", err, "path", gqlErr.Path.String(),
				"request_id", aftercare.RequestIDFromContext(ctx))
			gqlErr = &gqlerror.Error{Message: "internal error", Path: gqlErr.Path, Locations: gqlErr.Locations}
			setCode(gqlErr, aftercare.EINTERNAL)
		}
		return gqlErr
	}
}

// setCode replaces extensions.code.
func setCode(e *gqlerror.Error, code string) {
	ext := make(map[string]any, len(e.Extensions)+1)
	for k, v := range e.Extensions {
		ext[k] = v
	}
	ext["code"] = code
	e.Extensions = ext
}

// setProblems names the field at fault in extensions.field and lists each
// fault of an input with several in extensions.problems, as
// {line, field, message}; line is left out for input that is no file.
func setProblems(e *gqlerror.Error, d *aftercare.Error) {
	if d.Field == "" && len(d.Problems) == 0 {
		return
	}
	if d.Field != "" {
		e.Extensions["field"] = d.Field
	}
	if len(d.Problems) > 0 {
		problems := make([]map[string]any, len(d.Problems))
		for i, p := range d.Problems {
			problems[i] = map[string]any{"field": p.Field, "message": p.Message}
			if p.Line > 0 {
				problems[i]["line"] = p.Line
			}
		}
		e.Extensions["problems"] = problems
	}
}

// recoverPanic turns a panic in a resolver into an internal error, logged
// with its stack, instead of a crash.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "graphql: panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()),
			"request_id", aftercare.RequestIDFromContext(ctx))
		return errors.New("panic in resolver")
	}
}
