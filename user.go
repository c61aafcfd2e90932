package aftercare

import (
	"context"
	"time"
)

// Role is what a user does in the service organisation; it decides what the
// user may see and change.
type Role string

// The roles of DESIGN.md §8.
const (
	RoleAdmin           Role = "admin"
	RoleServiceDirector Role = "service_director"
	RoleAccountManager  Role = "account_manager"
	RoleDispatcher      Role = "dispatcher"
	RoleEngineer        Role = "engineer"
	RoleCustomerIT      Role = "customer_it"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleServiceDirector, RoleAccountManager, RoleDispatcher, RoleEngineer, RoleCustomerIT}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// User is a person or system that calls the API.
type User struct {
	ID          string
	Username    string
	DisplayName string
	Email       string
	Role        Role
	// AccountID is the customer account of a customer_it user, "" otherwise.
	AccountID string
	// DisabledAt is when the user was disabled, nil while they may sign in.
	DisabledAt *time.Time
}

// UserService finds users.
type UserService interface {
	// FindUserByID returns the user with the given ID, or ENOTFOUND.
	FindUserByID(ctx context.Context, id string) (*User, error)
	// FindUserByUsername returns the user with the given username, or ENOTFOUND.
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	// FindUsers returns every user, ordered by username.
	FindUsers(ctx context.Context) ([]*User, error)
	// FindUsersByIDs is FindUserByID for many IDs in one query: the users
	// in the order of ids, nil where FindUserByID would answer ENOTFOUND.
	FindUsersByIDs(ctx context.Context, ids []string) ([]*User, error)
}

type userContextKey struct{}

// NewContextWithUser returns a copy of ctx that carries the calling user.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey{}, u)
}

// UserFromContext returns the calling user carried by ctx, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey{}).(*User)
	return u
}

// UserIDFromContext returns the ID of the calling user carried by ctx, or "".
func UserIDFromContext(ctx context.Context) string {
	if u := UserFromContext(ctx); u != nil {
		return u.ID
	}
	return ""
}

type requestIDContextKey struct{}

// NewContextWithRequestID returns a copy of ctx that carries the ID of the
// API request being served, for audit records and logs.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDContextKey{}, id)
}

// RequestIDFromContext returns the request ID carried by ctx, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDContextKey{}).(string)
	return id
}
