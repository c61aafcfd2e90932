package aftercare

import (
	"errors"
	"fmt"
)

// Error codes shared by every package. The edges translate them: postgres maps
// database errors to them, graph maps them to GraphQL extensions.code, and
// workflows maps them to retryable or non-retryable activity errors.
const (
	ECONFLICT     = "ECONFLICT"     // the action conflicts with existing state
	EINTERNAL     = "EINTERNAL"     // a fault of ours; details never reach a client
	EINVALID      = "EINVALID"      // the input is invalid
	ENOTFOUND     = "ENOTFOUND"     // the object does not exist (or is not visible)
	ERATELIMIT    = "ERATELIMIT"    // the caller sent too many requests; try again later
	EUNAUTHORIZED = "EUNAUTHORIZED" // the caller is not authenticated or not allowed
	EUNAVAILABLE  = "EUNAVAILABLE"  // the database or workflow engine is unreachable for a moment; try again
)

// Error is a domain error: a code for programs and a message for people. The
// message is safe to show to a client; anything internal belongs in a wrapped
// error instead.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, such as "lat" or
	// "skills[1].level", when one field is; "" otherwise.
	Field string
	// Problems lists each fault when an input has several, such as the bad
	// rows of an import file; Message then sums them up.
	Problems []Problem
}

// Problem is one fault of an input: the line of a file it is on (0 when
// the input is no file), the field, and what is wrong with it.
type Problem struct {
	Line    int
	Field   string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("aftercare error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns an EINVALID error about one field of an input,
// whose message starts with the field's name.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// ErrorField returns the field named by the first *Error in err's chain, or
// "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the first *Error in err's
// chain, or a generic message for any other non-nil error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
