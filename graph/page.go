package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
)

// pageRequest turns connection arguments into a page request.
func pageRequest(first *int, after *string) aftercare.PageRequest {
	var p aftercare.PageRequest
	if first != nil {
		p.First = *first
		if p.First == 0 {
			p.First = -1 // asking for nothing is as wrong as asking for too much
		}
	}
	if after != nil {
		p.After = *after
	}
	return p
}

// edges pairs each item of a page with its cursor.
func edges[T, E any](items []T, info aftercare.PageInfo, edge func(cursor string, node T) E) []E {
	out := make([]E, len(items))
	for i, item := range items {
		out[i] = edge(info.Cursors[i], item)
	}
	return out
}

// nonZero returns a pointer to v, or nil for the zero value: a field
// that is null where the domain type holds nothing.
func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// deref returns the value p points at, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// clock formats a duration since midnight as HH:MM.
func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}

// jsonText returns stored JSON as text, or nil for none.
func jsonText(b []byte) *string {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	return &s
}

// userOrSelf returns the user ID asked for, or the caller's own.
func userOrSelf(ctx context.Context, userID *string) string {
	if userID != nil && *userID != "" {
		return *userID
	}
	return aftercare.UserIDFromContext(ctx)
}

// optionalUser turns a user that is not found (or not visible to the
// caller) into no user, for nullable fields that name one.
func optionalUser(u *aftercare.User, err error) (*aftercare.User, error) {
	if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
		return nil, nil
	}
	return u, err
}

// partRequests turns part inputs into requests by FRU number.
func partRequests(in []*model.PartNeedInput) []aftercare.PartRequest {
	out := make([]aftercare.PartRequest, len(in))
	for i, p := range in {
		out[i] = aftercare.PartRequest{FRU: p.Fru, Quantity: p.Quantity}
	}
	return out
}
