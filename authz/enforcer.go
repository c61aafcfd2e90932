package authz

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aftercare/aftercare"
)

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
// Every decision is a casbin request (subject, domain, object, action),
// answered from the decision cache of a casbin SyncedCachedEnforcer. A
// request casbin has not yet answered under the rules in force (a miss) is
// answered from an index of the same rules, a few map lookups, and
// recorded; Watch has casbin evaluate the recorded requests in the
// background, which caches casbin's answers, and logs an error for any
// answer that differs from the index's. The index answers misses because
// casbin's own evaluation runs its matcher against every permission rule:
// with 100,000 role assignments a miss takes casbin tens of microseconds
// at the median and more than the 50 µs a decision may take at the 99th
// percentile (BENCHMARKS.md, "Authorization decisions"). casbin's cache
// holds an answer for each request asked under the rules in force.
//
// Each load of rules that differ from those in force builds a new casbin
// enforcer, decision cache and index and puts them in force at once. A
// decision reads one load from start to end, so decisions run safely
// during a reload, and no answer cached under the old rules is given once
// Reload returns.
type Enforcer struct {
	store PolicyStore
	log   *slog.Logger

	reloading sync.Mutex // one Reload at a time, so the newest rules win
	policy    atomic.Pointer[policy]
	missed    chan struct{} // a miss was recorded since the evaluator last looked
}

// evaluateEvery is how long Watch gathers misses, once one is recorded,
// before casbin evaluates them. A miss only records the request and tells
// the waiting evaluator without blocking: starting a goroutine for it
// would cost the decision more than the index does.
const evaluateEvery = 10 * time.Millisecond

// NewEnforcer loads the rules from store.
func NewEnforcer(ctx context.Context, store PolicyStore, log *slog.Logger) (*Enforcer, error) {
	e := &Enforcer{store: store, log: log, missed: make(chan struct{}, 1)}
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Reload puts the rules in the store in force. Rules equal to those in
// force keep casbin's decision cache; any change starts an empty one.
func (e *Enforcer) Reload(ctx context.Context) error {
	e.reloading.Lock()
	defer e.reloading.Unlock()
	rules, err := e.store.FindPolicyRules(ctx)
	if err != nil {
		return fmt.Errorf("load access rules: %w", err)
	}
	if p := e.policy.Load(); p != nil && sameRules(p.rules, rules) {
		return nil
	}
	p, err := newPolicy(rules)
	if err != nil {
		return err
	}
	p.missed = e.missed
	e.policy.Store(p)
	return nil
}

// Watch reloads the rules whenever the store says they changed, and at
// least every interval, so that every replica sees a change without a
// restart; and it has casbin evaluate the requests answered on a miss, so
// that casbin's cache answers them next time. It returns when ctx ends.
func (e *Enforcer) Watch(ctx context.Context, interval time.Duration) {
	var evaluator sync.WaitGroup
	defer evaluator.Wait()
	evaluator.Go(func() {
		for {
			select {
			case <-e.missed:
			case <-ctx.Done():
				return
			}
			select {
			case <-time.After(evaluateEvery): // gather the misses asked meanwhile
			case <-ctx.Done():
				return
			}
			e.evaluateMisses()
		}
	})
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
//
// A role's permissions are the same in every domain it is held in, so
// casbin is asked in one domain per role the user holds.
func (e *Enforcer) Allowed(u *aftercare.User, object, action string) bool {
	p := e.policy.Load()
	sub := subject(u.ID)
	for _, domain := range p.roleDomains[sub] {
		if p.decide(sub, domain, object, action) {
			return true
		}
	}
	return false
}

// AllowedIn reports whether the user may take action on object type in one
// domain, such as "account:<id>".
func (e *Enforcer) AllowedIn(u *aftercare.User, domain, object, action string) bool {
	return e.policy.Load().decide(subject(u.ID), domain, object, action)
}

// Enforce asks casbin to evaluate its matcher, bypassing its decision
// cache and the index, whether the user may take action on object in
// domain.
func (e *Enforcer) Enforce(u *aftercare.User, domain, object, action string) (bool, error) {
	return e.policy.Load().casbin.SyncedEnforcer.Enforce(subject(u.ID), domain, object, action)
}

// Scope returns what the user may see: everything with a role in "*", else
// the accounts, regions and engineer of their domains.
func (e *Enforcer) Scope(u *aftercare.User) *aftercare.Scope {
	p := e.policy.Load()
	s := &aftercare.Scope{UserID: u.ID}
	for _, g := range p.grants[subject(u.ID)] {
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

// evaluateMisses has casbin evaluate, and so cache, the requests answered
// on a miss under the rules in force, and logs an error for each answer of
// casbin's that differs from the index's.
func (e *Enforcer) evaluateMisses() {
	p := e.policy.Load()
	for r, indexed := range p.takeMisses() {
		allowed, err := p.casbin.Enforce(r.subject, r.domain, r.object, r.action)
		switch {
		case err != nil:
			e.log.Error("casbin decision", "subject", r.subject, "domain", r.domain, "object", r.object, "action", r.action, "err", err)
		case allowed != indexed:
			e.log.Error("casbin and the access index disagree; casbin's answer is cached",
				"subject", r.subject, "domain", r.domain, "object", r.object, "action", r.action, "casbin", allowed, "index", indexed)
		}
	}
}
