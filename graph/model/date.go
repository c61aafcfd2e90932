// Package model holds the GraphQL types that have no domain counterpart:
// those gqlgen generates (models_gen.go) and the custom scalars.
package model

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/aftercare/aftercare"
)

// MarshalDate writes a calendar date as "YYYY-MM-DD".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a "YYYY-MM-DD" calendar date as midnight UTC.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, aftercare.Errorf(aftercare.EINVALID, "a date must be a string such as \"2026-11-25\"")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, aftercare.Errorf(aftercare.EINVALID, "date %q is not YYYY-MM-DD", s)
	}
	return t, nil
}
