package authz_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/authz"
)

// productPermissions is a permission set the size of the product's (the
// migrations grant about a hundred): admin may do anything, a director
// read anything, and each other role read and write a dozen kinds.
func productPermissions() []aftercare.PolicyRule {
	rules := []aftercare.PolicyRule{p("admin", "*", "*"), p("service_director", "*", "read")}
	kinds := []string{"profile", "account", "site", "asset", "contract", "incident", "part", "api_key", "engineer", "depot", "assignment", "job"}
	for _, role := range []string{"account_manager", "dispatcher", "engineer", "customer_it"} {
		for _, kind := range kinds {
			rules = append(rules, p(role, kind, "read"), p(role, kind, "write"))
		}
	}
	return rules
}

// managerPolicy is the benchmark's policy: permissions, an admin and a
// director, and n account managers holding 10 accounts each.
func managerPolicy(permissions []aftercare.PolicyRule, n int) []aftercare.PolicyRule {
	rules := append(slices.Clone(permissions), g("admin", "admin", "*"), g("director", "service_director", "*"))
	for i := range n {
		for j := range 10 {
			rules = append(rules, g(fmt.Sprintf("am%05d", i), "account_manager", fmt.Sprintf("account:%05d-%d", i, j)))
		}
	}
	return rules
}

// BenchmarkDecision measures one authorization decision with 10,000
// account managers holding 10 accounts each (100,000 role assignments),
// under the six permissions of basePolicy and under productPermissions,
// reporting p50 and p99 of single decisions next to the mean.
//
//	role:    may this manager read incidents at all (the @authorize check)?
//	own:     may this manager read an incident of one of their accounts?
//	foreign: ... of another manager's account (denied)
//	scope:   which accounts may this manager see?
//
// role, own and foreign are measured with casbin's decision cache warm
// (every manager asked once and casbin's answers cached before timing: a
// hit) and empty (a miss, which the index answers). Before each miss
// casbin evaluates the previous one, as Watch does, and its cache is
// emptied: the ns/op of a miss row counts both, its p50 and p99 only the
// decision. casbin-own and casbin-foreign ask casbin to evaluate own and
// foreign without its cache: what a miss would cost if casbin answered it.
func BenchmarkDecision(b *testing.B) {
	for _, perms := range []struct {
		name  string
		rules []aftercare.PolicyRule
	}{{"perms=6", basePolicy}, {"perms=98", productPermissions()}} {
		b.Run(perms.name, func(b *testing.B) {
			e, _ := newEnforcer(b, managerPolicy(perms.rules, 10000))
			benchmarkDecisions(b, e)
		})
	}
}

func benchmarkDecisions(b *testing.B, e *authz.Enforcer) {
	rng := rand.New(rand.NewPCG(1, 2))
	users := make([]*aftercare.User, 10000)
	for i := range users {
		users[i] = &aftercare.User{ID: fmt.Sprintf("am%05d", i)}
	}
	own := func(i int) bool {
		return e.AllowedIn(users[i], fmt.Sprintf("account:%05d-%d", i, i%10), "incident", "read")
	}
	foreign := func(i int) bool {
		return e.AllowedIn(users[i], fmt.Sprintf("account:%05d-%d", (i+1)%10000, i%10), "incident", "read")
	}
	role := func(i int) bool { return e.Allowed(users[i], "incident", "read") }
	enforce := func(decide func(i int) (bool, error)) func(i int) bool {
		return func(i int) bool {
			ok, err := decide(i)
			if err != nil {
				b.Fatal(err)
			}
			return ok
		}
	}
	const (
		uncached = iota
		warm
		miss
	)
	cases := []struct {
		name   string
		cache  int
		decide func(i int) bool
	}{
		{"role-warm", warm, role},
		{"own-warm", warm, own},
		{"foreign-warm", warm, foreign},
		{"role-miss", miss, role},
		{"own-miss", miss, own},
		{"foreign-miss", miss, foreign},
		{"casbin-own", uncached, enforce(func(i int) (bool, error) {
			return e.Enforce(users[i], fmt.Sprintf("account:%05d-%d", i, i%10), "incident", "read")
		})},
		{"casbin-foreign", uncached, enforce(func(i int) (bool, error) {
			return e.Enforce(users[i], fmt.Sprintf("account:%05d-%d", (i+1)%10000, i%10), "incident", "read")
		})},
		{"scope", uncached, func(i int) bool { return len(e.Scope(users[i]).AccountIDs) == 10 }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if c.cache == warm {
				for i := range users {
					c.decide(i)
					e.EvaluateMisses()
				}
			}
			samples := make([]time.Duration, 0, b.N)
			for b.Loop() {
				i := rng.IntN(len(users))
				if c.cache == miss {
					e.EvaluateMisses()
					e.ForgetDecisions()
				}
				start := time.Now()
				c.decide(i)
				samples = append(samples, time.Since(start))
			}
			e.EvaluateMisses()
			slices.Sort(samples)
			b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}
