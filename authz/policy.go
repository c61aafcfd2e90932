package authz

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aftercare/aftercare"
	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/casbin/casbin/v2/persist/cache"
)

//go:embed model.conf
var modelText string

// policy is one load of the access rules: the casbin enforcer that decides
// under them, its decision cache, and an index of the same rules that
// answers what casbin has not cached and says what each subject holds.
type policy struct {
	rules     []aftercare.PolicyRule
	casbin    *casbin.SyncedCachedEnforcer
	decisions cache.Cache // casbin's decision cache, read without evaluating

	mu     sync.Mutex
	misses map[request]bool // requests answered by the index, with its answer, for casbin to evaluate
	// missed, when set, is told that a miss was recorded (the enforcer's
	// evaluator waits on it).
	missed chan struct{}

	grants      map[string][]grant                 // by subject ("user:<id>")
	roleDomains map[string][]string                // by subject: one domain for each role held
	perms       map[aftercare.Role]map[string]bool // by role, "object action" with "*" kept as written
}

// maxMisses bounds the requests waiting for casbin; a miss past it is
// recorded when it is asked again.
const maxMisses = 10000

// request is a casbin request.
type request struct {
	subject, domain, object, action string
}

// grant is a role a subject holds in a domain.
type grant struct {
	role   aftercare.Role
	domain string
}

// newPolicy has casbin load and check the model and rules, and indexes
// what it loaded.
func newPolicy(rules []aftercare.PolicyRule) (*policy, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("access model: %w", err)
	}
	ce, err := casbin.NewSyncedCachedEnforcer(m, &rulesAdapter{rules: rules})
	if err != nil {
		return nil, fmt.Errorf("access rules: %w", err)
	}
	decisions, err := cache.NewSyncCache()
	if err != nil {
		return nil, fmt.Errorf("access decision cache: %w", err)
	}
	ce.SetCache(decisions)
	gs, err := ce.GetGroupingPolicy()
	if err != nil {
		return nil, fmt.Errorf("access rules: %w", err)
	}
	ps, err := ce.GetPolicy()
	if err != nil {
		return nil, fmt.Errorf("access rules: %w", err)
	}
	p := &policy{
		rules:       rules,
		casbin:      ce,
		decisions:   decisions,
		misses:      make(map[request]bool),
		grants:      make(map[string][]grant),
		roleDomains: make(map[string][]string),
		perms:       make(map[aftercare.Role]map[string]bool),
	}
	for _, r := range gs {
		if len(r) < 3 {
			continue
		}
		sub, role, domain := r[0], aftercare.Role(r[1]), r[2]
		if !slices.ContainsFunc(p.grants[sub], func(g grant) bool { return g.role == role }) {
			p.roleDomains[sub] = append(p.roleDomains[sub], domain)
		}
		p.grants[sub] = append(p.grants[sub], grant{role: role, domain: domain})
	}
	for _, r := range ps {
		if len(r) < 3 {
			continue
		}
		role := aftercare.Role(r[0])
		if p.perms[role] == nil {
			p.perms[role] = make(map[string]bool)
		}
		p.perms[role][r[1]+" "+r[2]] = true
	}
	return p, nil
}

// decide answers the casbin request (sub, domain, object, action) with
// casbin's cached answer, or on a miss with the index's, recording the
// request for casbin to evaluate.
func (p *policy) decide(sub, domain, object, action string) bool {
	if allowed, err := p.decisions.Get(decisionKey(sub, domain, object, action)); err == nil {
		return allowed
	}
	allowed := p.indexAllows(sub, domain, object, action)
	p.recordMiss(request{sub, domain, object, action}, allowed)
	return allowed
}

// decisionKey returns the key casbin caches a request's answer under, as
// casbin.GetCacheKey builds it, in one allocation.
func decisionKey(sub, domain, object, action string) string {
	var b strings.Builder
	b.Grow(len(sub) + len(domain) + len(object) + len(action) + 4*len("$$"))
	for _, s := range [...]string{sub, domain, object, action} {
		b.WriteString(s)
		b.WriteString("$$")
	}
	return b.String()
}

// indexAllows answers the casbin request (sub, domain, object, action) as
// the model's matcher does: some role the subject holds in domain or in
// "*" may take action on object.
func (p *policy) indexAllows(sub, domain, object, action string) bool {
	for _, g := range p.grants[sub] {
		if (g.domain == domain || g.domain == aftercare.DomainAll) && p.permits(g.role, object, action) {
			return true
		}
	}
	return false
}

// recordMiss records a request the index answered, for casbin to evaluate.
func (p *policy) recordMiss(r request, indexed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.misses) < maxMisses {
		p.misses[r] = indexed
	}
	select {
	case p.missed <- struct{}{}:
	default: // already told, or nobody listens
	}
}

// takeMisses returns the recorded misses and forgets them.
func (p *policy) takeMisses() map[request]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.misses) == 0 {
		return nil
	}
	misses := p.misses
	p.misses = make(map[request]bool)
	return misses
}

// permits reports whether a role may take action on object, as the model's
// matcher says: a permission's object and action match exactly or are "*".
func (p *policy) permits(role aftercare.Role, object, action string) bool {
	perms := p.perms[role]
	return perms[object+" "+action] || perms[object+" *"] || perms["* "+action] || perms["* *"]
}

// sameRules reports whether two loads of the rules hold the same rules in
// the same order.
func sameRules(a, b []aftercare.PolicyRule) bool {
	return slices.EqualFunc(a, b, func(x, y aftercare.PolicyRule) bool {
		return x.PType == y.PType && slices.Equal(x.Values, y.Values)
	})
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
