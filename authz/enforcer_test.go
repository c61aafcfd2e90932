package authz_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/authz"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rulesStore is a PolicyStore over rules held in memory; the PostgreSQL
// store is exercised end to end in cmd/aftercare.
type rulesStore struct {
	rules   []aftercare.PolicyRule
	changed chan struct{}
}

func (s *rulesStore) FindPolicyRules(context.Context) ([]aftercare.PolicyRule, error) {
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

func newEnforcer(t testing.TB, rules []aftercare.PolicyRule) (*authz.Enforcer, *rulesStore) {
	t.Helper()
	store := &rulesStore{rules: rules, changed: make(chan struct{}, 1)}
	e, err := authz.NewEnforcer(context.Background(), store, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	require.NoError(t, err)
	return e, store
}

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
	user := func(id string) *aftercare.User { return &aftercare.User{ID: id} }

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
			assert.Equal(t, tt.want, e.AllowedIn(user(tt.user), tt.domain, tt.obj, tt.act))
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
	li := &aftercare.User{ID: "li"}
	require.False(t, e.Allowed(li, "incident", "read"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.Watch(ctx, time.Hour)
	store.rules = append(store.rules, g("li", "account_manager", "account:a1"))
	store.changed <- struct{}{}
	require.Eventually(t, func() bool { return e.Allowed(li, "incident", "read") }, 5*time.Second, 10*time.Millisecond)
}

// managerPolicy is the benchmark's policy: the base permissions and n
// account managers holding 10 accounts each.
func managerPolicy(n int) []aftercare.PolicyRule {
	rules := slices.Clone(basePolicy)
	for i := range n {
		for j := range 10 {
			rules = append(rules, g(fmt.Sprintf("am%05d", i), "account_manager", fmt.Sprintf("account:%05d-%d", i, j)))
		}
	}
	return rules
}

// BenchmarkDecision measures one authorization decision with 10,000
// account managers holding 10 accounts each (100,000 role assignments),
// reporting p50 and p99 of single decisions next to the mean.
//
//	own:     may this manager read an incident of one of their accounts?
//	foreign: ... of another manager's account (denied)
//	role:    may this manager read incidents at all (the @authorize check)?
//	scope:   which accounts may this manager see?
//	casbin-own, casbin-foreign: own and foreign asked of casbin.Enforce,
//	         the comparison for the compiled decisions above
func BenchmarkDecision(b *testing.B) {
	e, _ := newEnforcer(b, managerPolicy(10000))
	rng := rand.New(rand.NewPCG(1, 2))
	users := make([]*aftercare.User, 10000)
	for i := range users {
		users[i] = &aftercare.User{ID: fmt.Sprintf("am%05d", i)}
	}
	cases := []struct {
		name   string
		decide func(i int) bool
	}{
		{"own", func(i int) bool {
			return e.AllowedIn(users[i], fmt.Sprintf("account:%05d-%d", i, i%10), "incident", "read")
		}},
		{"foreign", func(i int) bool {
			return e.AllowedIn(users[i], fmt.Sprintf("account:%05d-%d", (i+1)%10000, i%10), "incident", "read")
		}},
		{"role", func(i int) bool { return e.Allowed(users[i], "incident", "read") }},
		{"casbin-own", func(i int) bool {
			ok, _ := e.Enforce(users[i], fmt.Sprintf("account:%05d-%d", i, i%10), "incident", "read")
			return ok
		}},
		{"casbin-foreign", func(i int) bool {
			ok, _ := e.Enforce(users[i], fmt.Sprintf("account:%05d-%d", (i+1)%10000, i%10), "incident", "read")
			return ok
		}},
		{"scope", func(i int) bool { return len(e.Scope(users[i]).AccountIDs) == 10 }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			samples := make([]time.Duration, 0, b.N)
			for b.Loop() {
				i := rng.IntN(len(users))
				start := time.Now()
				c.decide(i)
				samples = append(samples, time.Since(start))
			}
			slices.Sort(samples)
			b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}

// TestEnforcerAgreesWithCasbin checks the compiled decisions against
// casbin.Enforce on random requests over random policies.
func TestEnforcerAgreesWithCasbin(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	roles := []string{"admin", "service_director", "account_manager", "dispatcher", "engineer", "customer_it"}
	objects := []string{"incident", "contract", "account", "*"}
	actions := []string{"read", "create", "write", "*"}
	domains := []string{"*", "account:a1", "account:a2", "region:east", "engineer:e1"}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	for round := range 50 {
		var rules []aftercare.PolicyRule
		for range 1 + rng.IntN(12) {
			rules = append(rules, p(pick(roles), pick(objects), pick(actions)))
		}
		for range 1 + rng.IntN(12) {
			rules = append(rules, g(fmt.Sprintf("u%d", rng.IntN(4)), pick(roles), pick(domains)))
		}
		e, _ := newEnforcer(t, rules)
		for range 200 {
			u := &aftercare.User{ID: fmt.Sprintf("u%d", rng.IntN(5))}
			dom, obj, act := pick(domains[1:]), pick(objects[:3]), pick(actions[:3])
			want, err := e.Enforce(u, dom, obj, act)
			require.NoError(t, err)
			require.Equal(t, want, e.AllowedIn(u, dom, obj, act), "round %d: AllowedIn(%s, %s, %s, %s) with %v", round, u.ID, dom, obj, act, rules)
			anyDomain := false
			for _, d := range domains {
				ok, _ := e.Enforce(u, d, obj, act)
				anyDomain = anyDomain || ok
			}
			require.Equal(t, anyDomain, e.Allowed(u, obj, act), "round %d: Allowed(%s, %s, %s) with %v", round, u.ID, obj, act, rules)
		}
	}
}
