package postgres

import (
	"context"
	"strings"

	"github.com/aftercare/aftercare"
)

// scopeRule says, for one noun, which rows each kind of domain may see. Each
// condition holds one "?" for the domain values; "" means that kind of
// domain sees none of the noun, "true" all of it.
type scopeRule struct {
	account  string // "?" is the account IDs (uuid[])
	region   string // "?" is the region codes (text[])
	engineer string // "?" is the engineer ID (uuid)
	self     string // "?" is the caller's user ID (uuid)
}

// The rows of each noun a scoped caller may see. Every rule costs at most one
// indexed join (TestScopedListsAddAtMostOneIndexedJoin); engineers see what
// their assignments lead to, which carry their incident's account, site and
// asset for that purpose.
var (
	scopeAccounts = scopeRule{
		account:  "a.id = ANY(?::uuid[])",
		region:   "EXISTS (SELECT 1 FROM sites rs WHERE rs.account_id = a.id AND rs.region = ANY(?::text[]))",
		engineer: "EXISTS (SELECT 1 FROM assignments x WHERE x.account_id = a.id AND x.engineer_id = ?::uuid)",
	}
	scopeSites = scopeRule{
		account:  "s.account_id = ANY(?::uuid[])",
		region:   "s.region = ANY(?::text[])",
		engineer: "EXISTS (SELECT 1 FROM assignments x WHERE x.site_id = s.id AND x.engineer_id = ?::uuid)",
	}
	scopeAssets = scopeRule{
		account:  "a.account_id = ANY(?::uuid[])",
		region:   "EXISTS (SELECT 1 FROM sites rs WHERE rs.id = a.site_id AND rs.region = ANY(?::text[]))",
		engineer: "EXISTS (SELECT 1 FROM assignments x WHERE x.asset_id = a.id AND x.engineer_id = ?::uuid)",
	}
	scopeContracts = scopeRule{
		account: "c.account_id = ANY(?::uuid[])",
		region:  "EXISTS (SELECT 1 FROM sites rs WHERE rs.account_id = c.account_id AND rs.region = ANY(?::text[]))",
	}
	scopeIncidents = scopeRule{
		account:  "i.account_id = ANY(?::uuid[])",
		region:   "EXISTS (SELECT 1 FROM sites rs WHERE rs.id = i.site_id AND rs.region = ANY(?::text[]))",
		engineer: "EXISTS (SELECT 1 FROM assignments x WHERE x.incident_id = i.id AND x.engineer_id = ?::uuid)",
	}
	scopeEngineers = scopeRule{
		region:   "true",
		engineer: "e.id = ?::uuid",
	}
	scopeUsers = scopeRule{
		account:  "(u.account_id = ANY(?::uuid[]) OR u.role <> 'customer_it')",
		region:   "u.role <> 'customer_it'",
		engineer: "u.role <> 'customer_it'",
		self:     "u.id = ?::uuid",
	}
)

// addScope adds the condition that limits rows to the caller's scope.
func (f *filter) addScope(ctx context.Context, rule scopeRule) {
	s := aftercare.ScopeFromContext(ctx)
	if s.All {
		return
	}
	var parts []string
	part := func(cond string, v any) {
		switch {
		case cond == "":
		case !strings.Contains(cond, "?"):
			parts = append(parts, cond)
		default:
			parts = append(parts, replacePlaceholder(cond, len(f.args)+1))
			f.args = append(f.args, v)
		}
	}
	if len(s.AccountIDs) > 0 {
		part(rule.account, s.AccountIDs)
	}
	if len(s.Regions) > 0 {
		part(rule.region, s.Regions)
	}
	if s.EngineerID != "" {
		part(rule.engineer, s.EngineerID)
	}
	if s.UserID != "" {
		part(rule.self, s.UserID)
	}
	if len(parts) == 0 {
		f.conds = append(f.conds, "false")
		return
	}
	f.conds = append(f.conds, "("+strings.Join(parts, " OR ")+")")
}
