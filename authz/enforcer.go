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

// Enforcer decides what callers may do from the casbin rules in a
// PolicyStore, and says what each caller may see.
//
// casbin loads and checks the model and the rules; decisions are then
// answered from an index compiled from what casbin loaded, because
// casbin.Enforce evaluates its matcher against every permission rule on
// every call (tens of microseconds with 100,000 role assignments, see
// BENCHMARKS.md) while the index answers with a few map lookups. Tests
// check that the index and casbin.Enforce agree on random requests.
type Enforcer struct {
	store PolicyStore
	log   *slog.Logger

	mu       sync.RWMutex
	casbin   *casbin.Enforcer
	grants   map[string][]grant                     // by subject ("user:<id>")
	inDomain map[string]map[string][]aftercare.Role // by subject, then domain
	perms    map[aftercare.Role]map[string]bool     // by role, "object action" with "*" kept as written
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
	gs, err := ce.GetGroupingPolicy()
	if err != nil {
		return fmt.Errorf("access rules: %w", err)
	}
	ps, err := ce.GetPolicy()
	if err != nil {
		return fmt.Errorf("access rules: %w", err)
	}
	grants := make(map[string][]grant)
	inDomain := make(map[string]map[string][]aftercare.Role)
	for _, r := range gs {
		if len(r) < 3 {
			continue
		}
		sub, role, domain := r[0], aftercare.Role(r[1]), r[2]
		grants[sub] = append(grants[sub], grant{role: role, domain: domain})
		if inDomain[sub] == nil {
			inDomain[sub] = make(map[string][]aftercare.Role)
		}
		inDomain[sub][domain] = append(inDomain[sub][domain], role)
	}
	perms := make(map[aftercare.Role]map[string]bool)
	for _, r := range ps {
		if len(r) < 3 {
			continue
		}
		role := aftercare.Role(r[0])
		if perms[role] == nil {
			perms[role] = make(map[string]bool)
		}
		perms[role][r[1]+" "+r[2]] = true
	}
	e.mu.Lock()
	e.casbin, e.grants, e.inDomain, e.perms = ce, grants, inDomain, perms
	e.mu.Unlock()
	return nil
}

// permits reports whether a role may take action on object, as the model's
// matcher says: a permission's object and action match exactly or are "*".
func (e *Enforcer) permits(role aftercare.Role, object, action string) bool {
	p := e.perms[role]
	return p[object+" "+action] || p[object+" *"] || p["* "+action] || p["* *"]
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
	for _, g := range e.grants[subject(u.ID)] {
		if e.permits(g.role, object, action) {
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
	roles := e.inDomain[subject(u.ID)]
	for _, d := range [2]string{domain, aftercare.DomainAll} {
		for _, role := range roles[d] {
			if e.permits(role, object, action) {
				return true
			}
		}
	}
	return false
}

// Enforce asks casbin itself, evaluating the model's matcher, whether the
// user may take action on object in domain. It is the reference the fast
// decisions are checked against, and what `explain` answers use.
func (e *Enforcer) Enforce(u *aftercare.User, domain, object, action string) (bool, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.casbin.Enforce(subject(u.ID), domain, object, action)
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
