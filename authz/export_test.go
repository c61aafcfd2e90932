package authz

import (
	"github.com/aftercare/aftercare"
	"github.com/casbin/casbin/v2"
)

// EvaluateMisses has casbin evaluate the requests answered on a miss, as
// Watch does in the background.
func (e *Enforcer) EvaluateMisses() { e.evaluateMisses() }

// CachedIn returns casbin's cached answer to whether the user may take
// action on object in domain, and whether it has one.
func (e *Enforcer) CachedIn(u *aftercare.User, domain, object, action string) (allowed, cached bool) {
	key, _ := casbin.GetCacheKey(subject(u.ID), domain, object, action)
	allowed, err := e.policy.Load().decisions.Get(key)
	return allowed, err == nil
}

// ForgetDecisions empties casbin's decision cache.
func (e *Enforcer) ForgetDecisions() {
	if err := e.policy.Load().decisions.Clear(); err != nil {
		panic(err)
	}
}
