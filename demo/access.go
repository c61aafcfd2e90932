package demo

import (
	"context"

	"github.com/aftercare/aftercare/postgres"
)

// grantAccess gives every demo user the role of their profile in the domains
// the data implies: staff with a global view everywhere, account managers in
// the accounts whose contracts they manage, corporate IT in their own
// account, dispatchers in the region their username names
// (dispatcher.<region>), and engineers in themselves.
func (s *seeder) grantAccess(ctx context.Context, l *postgres.Loader) error {
	n, err := l.Exec(ctx, `
		INSERT INTO casbin_rule (ptype, v0, v1, v2)
		SELECT 'g', 'user:' || u.id, u.role, '*' FROM users u WHERE u.role IN ('admin', 'service_director')
		UNION
		SELECT 'g', 'user:' || c.account_manager_id, 'account_manager', 'account:' || c.account_id
		FROM contracts c WHERE c.account_manager_id IS NOT NULL
		UNION
		SELECT 'g', 'user:' || u.id, 'customer_it', 'account:' || u.account_id FROM users u WHERE u.role = 'customer_it'
		UNION
		SELECT 'g', 'user:' || u.id, 'dispatcher', 'region:' || r.code
		FROM users u JOIN regions r ON u.username = 'dispatcher.' || r.code WHERE u.role = 'dispatcher'
		UNION
		SELECT 'g', 'user:' || u.id, 'engineer', 'engineer:' || e.id
		FROM users u JOIN engineers e ON e.user_id = u.id WHERE u.role = 'engineer'
		ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	s.summary.Rows["casbin_rule (grants)"] = n
	return nil
}
