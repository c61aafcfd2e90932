package aftercare

import (
	"context"
	"strings"
	"time"
)

// Domains name what a role assignment applies to (DESIGN.md §8): everything,
// one account, one region, or one engineer (themselves).
const (
	DomainAll            = "*"
	DomainAccountPrefix  = "account:"
	DomainRegionPrefix   = "region:"
	DomainEngineerPrefix = "engineer:"
)

// RoleAssignment gives a user a role in a domain.
type RoleAssignment struct {
	UserID string
	Role   Role
	Domain string
}

// Validate returns EINVALID when the assignment is malformed.
func (a *RoleAssignment) Validate() error {
	switch {
	case a.UserID == "":
		return Errorf(EINVALID, "a role assignment needs a user")
	case !a.Role.Valid():
		return Errorf(EINVALID, "role %q is not known", a.Role)
	case a.Domain == DomainAll:
		return nil
	}
	for _, prefix := range []string{DomainAccountPrefix, DomainRegionPrefix, DomainEngineerPrefix} {
		if rest, ok := strings.CutPrefix(a.Domain, prefix); ok && rest != "" {
			return nil
		}
	}
	return Errorf(EINVALID, "domain %q is not *, account:<id>, region:<code> or engineer:<id>", a.Domain)
}

// Permission lets a role take an action on a kind of object; "*" stands for
// any object or action.
type Permission struct {
	Role   Role
	Object string
	Action string
}

// Validate returns EINVALID unless the permission names a known role and an
// object and an action without spaces or commas, which the stored rules
// cannot hold.
func (p *Permission) Validate() error {
	switch {
	case !p.Role.Valid():
		return Errorf(EINVALID, "role %q is not known", p.Role)
	case p.Object == "" || p.Action == "" || strings.ContainsAny(p.Object+p.Action, " ,"):
		return Errorf(EINVALID, "a permission needs an object and an action without spaces or commas")
	}
	return nil
}

// PolicyRule is one stored access rule: "p" (role, object, action) or "g"
// (subject, role, domain).
type PolicyRule struct {
	PType  string
	Values []string
}

// Scope is what a caller may see: everything, or the rows of some accounts,
// regions or one engineer. Stores apply it in SQL.
type Scope struct {
	// UserID is the caller, who may always see themselves.
	UserID     string
	All        bool
	AccountIDs []string
	Regions    []string
	EngineerID string
}

type scopeContextKey struct{}

// NewContextWithScope returns a copy of ctx that carries the caller's scope.
func NewContextWithScope(ctx context.Context, s *Scope) context.Context {
	return context.WithValue(ctx, scopeContextKey{}, s)
}

// ScopeFromContext returns the caller's scope. A context without one is the
// system's own (workflows, migrations, the seed), which sees everything; the
// API always sets one.
func ScopeFromContext(ctx context.Context) *Scope {
	if s, ok := ctx.Value(scopeContextKey{}).(*Scope); ok {
		return s
	}
	return &Scope{All: true}
}

// APIKey is a credential for a corporate IT system; it acts as its user.
type APIKey struct {
	ID        string
	UserID    string
	Name      string
	CreatedAt time.Time
	RevokedAt *time.Time
	// Secret is the whole key, known only when it is created.
	Secret string
}

// AuditEvent records who did what to which object, before and after.
type AuditEvent struct {
	ID         int64
	At         time.Time
	ActorID    string
	ActorRole  string
	Action     string
	ObjectType string
	ObjectID   string
	Before     []byte
	After      []byte
	RequestID  string
}

// AuditFilter selects audit events.
type AuditFilter struct {
	ObjectType string
	ObjectID   string
	ActorID    string
	Page       PageRequest
}

// AccessService manages role assignments, permissions, API keys and the
// audit log.
type AccessService interface {
	// AssignRole gives a user a role in a domain; a domain naming an
	// account, region or engineer that does not exist is EINVALID.
	AssignRole(ctx context.Context, a RoleAssignment) error
	// RevokeRole takes a role in a domain away from a user.
	RevokeRole(ctx context.Context, a RoleAssignment) error
	// GrantPermission lets a role take an action on an object type.
	GrantPermission(ctx context.Context, p Permission) error
	// RevokePermission takes a permission away from a role.
	RevokePermission(ctx context.Context, p Permission) error
	// FindRoleAssignments returns the role assignments of a user.
	FindRoleAssignments(ctx context.Context, userID string) ([]RoleAssignment, error)
	// FindPermissions returns every permission of every role.
	FindPermissions(ctx context.Context) ([]Permission, error)
	// CreateAPIKey creates a key for a user; the result carries the secret,
	// which is never shown again.
	CreateAPIKey(ctx context.Context, userID, name string) (*APIKey, error)
	// RevokeAPIKey revokes a key.
	RevokeAPIKey(ctx context.Context, id string) error
	// FindAPIKeys returns the keys of a user.
	FindAPIKeys(ctx context.Context, userID string) ([]*APIKey, error)
	// AuthenticateAPIKey returns the user a valid, unrevoked key acts as, or
	// EUNAUTHORIZED.
	AuthenticateAPIKey(ctx context.Context, secret string) (*User, string, error)
	// FindAuditEvents returns a page of audit events, newest first.
	FindAuditEvents(ctx context.Context, filter AuditFilter) ([]*AuditEvent, PageInfo, error)
}
