package authz_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/authz"
	"github.com/casbin/casbin/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rulesStore is a PolicyStore over rules held in memory; the PostgreSQL
// store is exercised end to end in cmd/aftercare.
type rulesStore struct {
	mu      sync.Mutex
	rules   []aftercare.PolicyRule
	changed chan struct{}
}

func (s *rulesStore) FindPolicyRules(context.Context) ([]aftercare.PolicyRule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.rules), nil
}

func (s *rulesStore) WaitPolicyChange(ctx context.Context, timeout time.Duration) error {
	select {
	case <-s.changed:
	case <-time.After(timeout):
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// setRules replaces the rules.
func (s *rulesStore) setRules(rules []aftercare.PolicyRule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = slices.Clone(rules)
}

func p(role, obj, act string) aftercare.PolicyRule {
	return aftercare.PolicyRule{PType: "p", Values: []string{role, obj, act}}
}

func g(userID, role, domain string) aftercare.PolicyRule {
	return aftercare.PolicyRule{PType: "g", Values: []string{"user:" + userID, role, domain}}
}

var basePolicy = []aftercare.PolicyRule{
	p("admin", "*", "*"),
	p("service_director", "*", "read"),
	p("account_manager", "incident", "read"),
	p("account_manager", "incident", "create"),
	p("dispatcher", "incident", "read"),
	p("customer_it", "incident", "read"),
}

func newEnforcer(tb testing.TB, rules []aftercare.PolicyRule) (*authz.Enforcer, *rulesStore) {
	tb.Helper()
	store := &rulesStore{rules: slices.Clone(rules), changed: make(chan struct{}, 1)}
	e, err := authz.NewEnforcer(context.Background(), store, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	require.NoError(tb, err)
	return e, store
}

// mustReload puts the store's rules in force.
func mustReload(tb testing.TB, e *authz.Enforcer) {
	tb.Helper()
	require.NoError(tb, e.Reload(context.Background()))
}

// newCasbin returns a plain casbin enforcer, without a decision cache or
// an index, over the model and rules: the reference the cached decisions
// are checked against.
func newCasbin(tb testing.TB, rules []aftercare.PolicyRule) *casbin.Enforcer {
	tb.Helper()
	ce, err := casbin.NewEnforcer("model.conf")
	require.NoError(tb, err)
	for _, r := range rules {
		var err error
		if r.PType == "g" {
			_, err = ce.AddGroupingPolicy(r.Values)
		} else {
			_, err = ce.AddPolicy(r.Values)
		}
		require.NoError(tb, err)
	}
	return ce
}

func user(id string) *aftercare.User { return &aftercare.User{ID: id} }

func TestEnforcer(t *testing.T) {
	rules := append(slices.Clone(basePolicy),
		g("admin", "admin", "*"),
		g("director", "service_director", "*"),
		g("li", "account_manager", "account:a1"),
		g("li", "account_manager", "account:a2"),
		g("east", "dispatcher", "region:east"),
		g("it", "customer_it", "account:a1"),
	)
	e, _ := newEnforcer(t, rules)

	tests := []struct {
		user, domain, obj, act string
		want                   bool
	}{
		{"admin", "account:a9", "contract", "delete", true},
		{"director", "account:a9", "incident", "read", true},
		{"director", "account:a9", "incident", "create", false},
		{"li", "account:a1", "incident", "read", true},
		{"li", "account:a2", "incident", "create", true},
		{"li", "account:a3", "incident", "read", false},
		{"li", "account:a1", "contract", "delete", false},
		{"east", "region:east", "incident", "read", true},
		{"east", "region:north", "incident", "read", false},
		{"it", "account:a1", "incident", "create", false},
		{"nobody", "account:a1", "incident", "read", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s %s", tt.user, tt.act, tt.obj, tt.domain), func(t *testing.T) {
			assert.Equal(t, tt.want, e.AllowedIn(user(tt.user), tt.domain, tt.obj, tt.act), "on a miss")
			e.EvaluateMisses()
			cached, ok := e.CachedIn(user(tt.user), tt.domain, tt.obj, tt.act)
			require.True(t, ok, "casbin cached its answer")
			assert.Equal(t, tt.want, cached, "casbin's cached answer")
			assert.Equal(t, tt.want, e.AllowedIn(user(tt.user), tt.domain, tt.obj, tt.act), "from casbin's cache")
		})
	}

	assert.True(t, e.Allowed(user("li"), "incident", "create"))
	assert.False(t, e.Allowed(user("it"), "incident", "create"))
	assert.False(t, e.Allowed(user("nobody"), "incident", "read"))

	scope := e.Scope(user("li"))
	sort.Strings(scope.AccountIDs)
	assert.Equal(t, &aftercare.Scope{UserID: "li", AccountIDs: []string{"a1", "a2"}}, scope)
	assert.Equal(t, &aftercare.Scope{UserID: "admin", All: true}, e.Scope(user("admin")))
	assert.Equal(t, &aftercare.Scope{UserID: "east", Regions: []string{"east"}}, e.Scope(user("east")))
	assert.Equal(t, &aftercare.Scope{UserID: "nobody"}, e.Scope(user("nobody")))
}

func TestEnforcerWatchFollowsTheStore(t *testing.T) {
	e, store := newEnforcer(t, slices.Clone(basePolicy))
	li := user("li")
	require.False(t, e.Allowed(li, "incident", "read"))
	e.EvaluateMisses()
	require.False(t, e.Allowed(li, "incident", "read"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.Watch(ctx, time.Hour)
	store.setRules(append(slices.Clone(basePolicy), g("li", "account_manager", "account:a1")))
	store.changed <- struct{}{}
	require.Eventually(t, func() bool { return e.Allowed(li, "incident", "read") }, 5*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		allowed, cached := e.CachedIn(li, "account:a1", "incident", "read")
		return cached && allowed
	}, 5*time.Second, 10*time.Millisecond, "Watch has casbin evaluate the miss")
}

// TestReloadForgetsCachedDecisions checks that a decision casbin cached
// under the old rules is not given once Reload returns with new ones, and
// that a reload of unchanged rules keeps the cache.
func TestReloadForgetsCachedDecisions(t *testing.T) {
	with := append(slices.Clone(basePolicy), g("li", "account_manager", "account:a1"))
	e, store := newEnforcer(t, with)
	li := user("li")
	warm := func(want bool) {
		t.Helper()
		require.Equal(t, want, e.AllowedIn(li, "account:a1", "incident", "read"))
		e.EvaluateMisses()
		cached, ok := e.CachedIn(li, "account:a1", "incident", "read")
		require.True(t, ok)
		require.Equal(t, want, cached)
	}

	warm(true)
	mustReload(t, e)
	_, ok := e.CachedIn(li, "account:a1", "incident", "read")
	assert.True(t, ok, "a reload of the same rules keeps the cache")

	store.setRules(basePolicy)
	mustReload(t, e)
	_, ok = e.CachedIn(li, "account:a1", "incident", "read")
	assert.False(t, ok, "a change empties the cache")
	assert.False(t, e.AllowedIn(li, "account:a1", "incident", "read"), "revoked")
	assert.False(t, e.Allowed(li, "incident", "read"), "revoked")
	warm(false)

	store.setRules(with)
	mustReload(t, e)
	assert.True(t, e.AllowedIn(li, "account:a1", "incident", "read"), "granted again")
	warm(true)
}

// TestDecisionsDuringReload decides concurrently with reloads that grant
// and revoke one assignment, while Watch has casbin evaluate the misses:
// every decision about an unchanged user stays
// the same throughout, and once each Reload returns the changed user's
// decision follows the rules it put in force.
func TestDecisionsDuringReload(t *testing.T) {
	steady := append(slices.Clone(basePolicy),
		g("east", "dispatcher", "region:east"),
		g("admin", "admin", "*"),
	)
	with := append(slices.Clone(steady), g("li", "account_manager", "account:a1"))
	e, store := newEnforcer(t, steady)

	ctx, cancel := context.WithCancel(context.Background())
	var deciders sync.WaitGroup
	deciders.Go(func() { e.Watch(ctx, time.Hour) })
	for range 4 {
		deciders.Go(func() {
			for ctx.Err() == nil {
				assert.True(t, e.Allowed(user("east"), "incident", "read"))
				assert.True(t, e.AllowedIn(user("east"), "region:east", "incident", "read"))
				assert.False(t, e.AllowedIn(user("east"), "region:north", "incident", "read"))
				assert.True(t, e.AllowedIn(user("admin"), "account:a1", "contract", "delete"))
				assert.Equal(t, []string{"east"}, e.Scope(user("east")).Regions)
				e.AllowedIn(user("li"), "account:a1", "incident", "read")
				e.Allowed(user("li"), "incident", "read")
			}
		})
	}
	li := user("li")
	for i := range 40 {
		granted := i%2 == 0
		if granted {
			store.setRules(with)
		} else {
			store.setRules(steady)
		}
		mustReload(t, e)
		for range 3 {
			require.Equal(t, granted, e.AllowedIn(li, "account:a1", "incident", "read"), "reload %d", i)
			require.Equal(t, granted, e.Allowed(li, "incident", "read"), "reload %d", i)
			time.Sleep(time.Millisecond)
		}
	}
	cancel()
	deciders.Wait()
}

// TestCachedDecisionsAgreeWithCasbin checks the decisions, on a miss and
// from casbin's cache, against a plain casbin enforcer's Enforce on random
// requests over random policies, and again after a random change to each
// policy.
func TestCachedDecisionsAgreeWithCasbin(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	roles := []string{"admin", "service_director", "account_manager", "dispatcher", "engineer", "customer_it"}
	objects := []string{"incident", "contract", "account", "*"}
	actions := []string{"read", "create", "write", "*"}
	domains := []string{"*", "account:a1", "account:a2", "region:east", "engineer:e1"}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	randomRule := func() aftercare.PolicyRule {
		if rng.IntN(2) == 0 {
			return p(pick(roles), pick(objects), pick(actions))
		}
		return g(fmt.Sprintf("u%d", rng.IntN(4)), pick(roles), pick(domains))
	}
	type request struct{ user, domain, object, action string }

	for round := range 50 {
		var rules []aftercare.PolicyRule
		for range 2 + rng.IntN(24) {
			rules = append(rules, randomRule())
		}
		e, store := newEnforcer(t, rules)
		var requests []request
		for range 100 {
			requests = append(requests, request{fmt.Sprintf("u%d", rng.IntN(5)), pick(domains[1:]), pick(objects[:3]), pick(actions[:3])})
		}

		for change := range 2 {
			ref := newCasbin(t, rules)
			for _, r := range requests {
				u := user(r.user)
				want, err := ref.Enforce("user:"+r.user, r.domain, r.object, r.action)
				require.NoError(t, err)
				at := fmt.Sprintf("round %d, change %d: %s %s %s in %s with %v", round, change, r.user, r.action, r.object, r.domain, rules)
				require.Equal(t, want, e.AllowedIn(u, r.domain, r.object, r.action), "AllowedIn, %s", at)
				e.EvaluateMisses()
				cached, ok := e.CachedIn(u, r.domain, r.object, r.action)
				require.True(t, ok, "cached, %s", at)
				require.Equal(t, want, cached, "casbin's cached answer, %s", at)
				require.Equal(t, want, e.AllowedIn(u, r.domain, r.object, r.action), "AllowedIn from the cache, %s", at)

				anyDomain := false
				for _, d := range domains {
					ok, err := ref.Enforce("user:"+r.user, d, r.object, r.action)
					require.NoError(t, err)
					anyDomain = anyDomain || ok
				}
				require.Equal(t, anyDomain, e.Allowed(u, r.object, r.action), "Allowed, %s", at)
				e.EvaluateMisses()
				require.Equal(t, anyDomain, e.Allowed(u, r.object, r.action), "Allowed from the cache, %s", at)
				e.EvaluateMisses()
			}

			rules = slices.Clone(rules)
			for range 1 + rng.IntN(4) {
				if i := rng.IntN(len(rules) + 1); i < len(rules) && rng.IntN(2) == 0 {
					rules = slices.Delete(rules, i, i+1)
				} else {
					rules = append(rules, randomRule())
				}
			}
			store.setRules(rules)
			mustReload(t, e)
		}
	}
}
