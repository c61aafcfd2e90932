package authz

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

//go:embed model.conf
var modelText string

// PolicyStore is where the access rules live: PostgreSQL, shared by every
// API replica.
type PolicyStore interface {
	// FindPolicyRules returns every rule.
	FindPolicyRules(ctx context.Context) ([]aftercare.PolicyRule, error)
	// WaitPolicyChange blocks until the rules may have changed, until
	// timeout passes, or until ctx ends.
	WaitPolicyChange(ctx context.Context, timeout time.Duration) error
}

// Enforcer decides what callers may do, with casbin, from the rules in a
// PolicyStore, and says what each caller may see.
type Enforcer struct {
	store PolicyStore
	log   *slog.Logger

	mu     sync.RWMutex
	casbin *casbin.Enforcer
	grants map[string][]grant // by subject ("user:<id>")
}

// grant is a role a subject holds in a domain.
type grant struct {
	role   aftercare.Role
	domain string
}

// NewEnforcer loads the rules from store.
func NewEnforcer(ctx context.Context, store PolicyStore, log *slog.Logger) (*Enforcer, error) {
	e := &Enforcer{store: store, log: log}
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Reload replaces the rules in force with those in the store.
func (e *Enforcer) Reload(ctx context.Context) error {
	rules, err := e.store.FindPolicyRules(ctx)
	if err != nil {
		return fmt.Errorf("load access rules: %w", err)
	}
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return fmt.Errorf("access model: %w", err)
	}
	ce, err := casbin.NewEnforcer(m, &rulesAdapter{rules: rules})
	if err != nil {
		return fmt.Errorf("access rules: %w", err)
	}
	grants := make(map[string][]grant)
	for _, r := range rules {
		if r.PType == "g" && len(r.Values) >= 3 {
			grants[r.Values[0]] = append(grants[r.Values[0]], grant{role: aftercare.Role(r.Values[1]), domain: r.Values[2]})
		}
	}
	e.mu.Lock()
	e.casbin, e.grants = ce, grants
	e.mu.Unlock()
	return nil
}

// Watch reloads the rules whenever the store says they changed, and at
// least every interval, until ctx ends, so that every replica sees a change
// without a restart.
func (e *Enforcer) Watch(ctx context.Context, interval time.Duration) {
	for {
		if err := e.store.WaitPolicyChange(ctx, interval); err != nil {
			return
		}
		if err := e.Reload(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("reload access rules", "err", err)
		}
	}
}

// subject is how casbin names a user.
func subject(userID string) string { return "user:" + userID }

// Allowed reports whether the user may take action on object type in at
// least one of their domains. Which rows they may then touch is their
// Scope's business.
func (e *Enforcer) Allowed(u *aftercare.User, object, action string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	sub := subject(u.ID)
	tried := make(map[aftercare.Role]bool, 2)
	for _, g := range e.grants[sub] {
		if tried[g.role] {
			continue // permissions are per role, the same in every domain
		}
		tried[g.role] = true
		if ok, _ := e.casbin.Enforce(sub, g.domain, object, action); ok {
			return true
		}
	}
	return false
}

// AllowedIn reports whether the user may take action on object type in one
// domain, such as "account:<id>".
func (e *Enforcer) AllowedIn(u *aftercare.User, domain, object, action string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ok, _ := e.casbin.Enforce(subject(u.ID), domain, object, action)
	return ok
}

// Scope returns what the user may see: everything with a role in "*", else
// the accounts, regions and engineer of their domains.
func (e *Enforcer) Scope(u *aftercare.User) *aftercare.Scope {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s := &aftercare.Scope{UserID: u.ID}
	for _, g := range e.grants[subject(u.ID)] {
		switch {
		case g.domain == aftercare.DomainAll:
			s.All = true
		case strings.HasPrefix(g.domain, aftercare.DomainAccountPrefix):
			s.AccountIDs = append(s.AccountIDs, strings.TrimPrefix(g.domain, aftercare.DomainAccountPrefix))
		case strings.HasPrefix(g.domain, aftercare.DomainRegionPrefix):
			s.Regions = append(s.Regions, strings.TrimPrefix(g.domain, aftercare.DomainRegionPrefix))
		case strings.HasPrefix(g.domain, aftercare.DomainEngineerPrefix):
			s.EngineerID = strings.TrimPrefix(g.domain, aftercare.DomainEngineerPrefix)
		}
	}
	return s
}

// rulesAdapter hands casbin rules already read from the store; the store,
// not casbin, writes them.
type rulesAdapter struct {
	rules []aftercare.PolicyRule
}

func (a *rulesAdapter) LoadPolicy(m model.Model) error {
	for _, r := range a.rules {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), m); err != nil {
			return err
		}
	}
	return nil
}

func (a *rulesAdapter) SavePolicy(model.Model) error {
	return fmt.Errorf("access rules are changed through the store, not casbin")
}

func (a *rulesAdapter) AddPolicy(string, string, []string) error { return a.SavePolicy(nil) }

func (a *rulesAdapter) RemovePolicy(string, string, []string) error { return a.SavePolicy(nil) }

func (a *rulesAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return a.SavePolicy(nil)
}
