package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// UserRegistry creates users with their roles and disables them.
type UserRegistry struct {
	db *DB
}

var _ aftercare.UserRegistry = (*UserRegistry)(nil)

// NewUserRegistry returns a UserRegistry backed by db.
func NewUserRegistry(db *DB) *UserRegistry {
	return &UserRegistry{db: db}
}

// CreateUser creates a user and gives them their role in each of its
// domains, in one transaction.
func (r *UserRegistry) CreateUser(ctx context.Context, in aftercare.UserInput) (_ *aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("UserRegistry.CreateUser(ctx, %q)", in.Username))
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var u *aftercare.User
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM users WHERE username = $1)`, in.Username)
		if err != nil {
			return err
		}
		if taken {
			return conflictField("username", "a user %s exists already", in.Username)
		}
		if in.AccountID != "" {
			if _, err := findOne(ctx, tx, accountSelect, "a.id", "account", in.AccountID, &scopeAccountWrites, scanAccount); err != nil {
				return aftercare.InvalidField("accountId", "no account %q", in.AccountID)
			}
		}
		id := newID()
		if _, err := tx.Exec(ctx, `
			INSERT INTO users (id, username, display_name, email, role, account_id) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, in.Username, in.DisplayName, in.Email, in.Role, nullIfEmpty(in.AccountID)); err != nil {
			return err
		}
		for i, d := range in.Domains {
			if err := requireDomain(ctx, tx, fmt.Sprintf("domains[%d]", i), d); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', $1, $2, $3)`,
				"user:"+id, in.Role, d); err != nil {
				return err
			}
		}
		if err := notifyPolicyChange(ctx, tx); err != nil {
			return err
		}
		if u, err = findOneBy(ctx, tx, userSelect, "u.id", "user", id, nil, scanUser); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "user.create", "user", id, nil,
			map[string]any{"user": u, "domains": in.Domains})
	})
	return u, err
}

// requireDomain returns EINVALID naming field unless the domain is
// everything or names an account, region or engineer that exists: the
// scope a domain gives is applied in SQL, where an ID that is none would
// fail every query of the user.
func requireDomain(ctx context.Context, tx pgx.Tx, field, domain string) error {
	if domain == aftercare.DomainAll {
		return nil
	}
	for prefix, sql := range map[string]string{
		aftercare.DomainAccountPrefix:  `SELECT EXISTS (SELECT 1 FROM accounts WHERE id::text = $1)`,
		aftercare.DomainRegionPrefix:   `SELECT EXISTS (SELECT 1 FROM regions WHERE code = $1)`,
		aftercare.DomainEngineerPrefix: `SELECT EXISTS (SELECT 1 FROM engineers WHERE id::text = $1)`,
	} {
		if rest, ok := strings.CutPrefix(domain, prefix); ok {
			found, err := exists(ctx, tx, sql, rest)
			if err == nil && !found {
				return aftercare.InvalidField(field, "%s names nothing that exists", domain)
			}
			return err
		}
	}
	return aftercare.InvalidField(field, "%q is not a domain", domain)
}

// DisableUser stops a user from signing in, with the reason in the audit
// event: the API refuses their tokens and API keys from the next request
// on, and ends their open connections at the next credential check. An
// admin cannot disable themselves, which could leave nobody to undo it.
func (r *UserRegistry) DisableUser(ctx context.Context, id, reason string) (_ *aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("UserRegistry.DisableUser(ctx, %q)", id))
	if reason, err = checkReason(reason); err != nil {
		return nil, err
	}
	if id == aftercare.UserIDFromContext(ctx) {
		return nil, aftercare.Errorf(aftercare.ECONFLICT, "you cannot disable yourself")
	}
	return r.setDisabled(ctx, id, true, reason)
}

// EnableUser lets a disabled user sign in again.
func (r *UserRegistry) EnableUser(ctx context.Context, id string) (_ *aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("UserRegistry.EnableUser(ctx, %q)", id))
	return r.setDisabled(ctx, id, false, "")
}

// setDisabled disables or enables a user in the caller's scope; doing
// either to a user who is so already is ECONFLICT.
func (r *UserRegistry) setDisabled(ctx context.Context, id string, disable bool, reason string) (*aftercare.User, error) {
	var u *aftercare.User
	err := r.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockScoped(ctx, tx, userSelect, "u.id", "user", id, scopeUsers, scanUser)
		if err != nil {
			return err
		}
		switch {
		case disable && before.DisabledAt != nil:
			return aftercare.Errorf(aftercare.ECONFLICT, "%s is disabled already", before.Username)
		case !disable && before.DisabledAt == nil:
			return aftercare.Errorf(aftercare.ECONFLICT, "%s is not disabled", before.Username)
		}
		sql, action := `UPDATE users SET disabled_at = now() WHERE id = $1`, "user.disable"
		if !disable {
			sql, action = `UPDATE users SET disabled_at = NULL WHERE id = $1`, "user.enable"
		}
		if _, err := tx.Exec(ctx, sql, id); err != nil {
			return err
		}
		if u, err = findOneBy(ctx, tx, userSelect, "u.id", "user", id, nil, scanUser); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), action, "user", id, before,
			map[string]any{"user": u, "reason": reason})
	})
	return u, err
}

// ListUsers returns a page of the users the caller sees, ordered by
// username; disabled ones only when the filter asks.
func (r *UserRegistry) ListUsers(ctx context.Context, f aftercare.UserFilter) (_ []*aftercare.User, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "UserRegistry.ListUsers")
	var q filter
	if f.Role != "" {
		q.add("u.role = ?", string(f.Role))
	}
	if !q.addID("u.account_id", f.AccountID) {
		return nil, aftercare.PageInfo{}, nil
	}
	if !f.Disabled {
		q.conds = append(q.conds, "u.disabled_at IS NULL")
	}
	q.addScope(ctx, scopeUsers)
	return findPage(ctx, r.db.pool, userSelect, &q, "u.username", f.Page, scanUser,
		func(u *aftercare.User) string { return u.Username })
}
