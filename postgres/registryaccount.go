package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// AccountRegistry brings accounts, their sites and assets into service.
type AccountRegistry struct {
	db      *DB
	locator aftercare.RegionLocator
}

var _ aftercare.AccountRegistry = (*AccountRegistry)(nil)

// NewAccountRegistry returns an AccountRegistry backed by db that places
// new and moved sites in regions with locator.
func NewAccountRegistry(db *DB, locator aftercare.RegionLocator) *AccountRegistry {
	return &AccountRegistry{db: db, locator: locator}
}

// CreateAccount creates an account and gives each of its managers the
// account_manager role in its domain, in one transaction.
func (r *AccountRegistry) CreateAccount(ctx context.Context, in aftercare.AccountInput) (_ *aftercare.Account, err error) {
	defer wrap(&err, fmt.Sprintf("AccountRegistry.CreateAccount(ctx, %q)", in.Code))
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var a *aftercare.Account
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM accounts WHERE code = $1)`, in.Code)
		if err != nil {
			return err
		}
		if taken {
			return conflictField("code", "an account %s exists already", in.Code)
		}
		id := newID()
		if _, err := tx.Exec(ctx, `INSERT INTO accounts (id, code, name) VALUES ($1, $2, $3)`, id, in.Code, in.Name); err != nil {
			return err
		}
		if err := setAccountManagers(ctx, tx, id, in.AccountManagerIDs); err != nil {
			return err
		}
		if a, err = findOneBy(ctx, tx, accountSelect, "a.id", "account", id, nil, scanAccount); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "account.create", "account", id, nil,
			map[string]any{"account": a, "account_manager_ids": in.AccountManagerIDs})
	})
	return a, err
}

// UpdateAccount renames an account or replaces its managers.
func (r *AccountRegistry) UpdateAccount(ctx context.Context, id string, u aftercare.AccountUpdate) (_ *aftercare.Account, err error) {
	defer wrap(&err, fmt.Sprintf("AccountRegistry.UpdateAccount(ctx, %q)", id))
	if err := u.Normalize(); err != nil {
		return nil, err
	}
	var a *aftercare.Account
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockScoped(ctx, tx, accountSelect, "a.id", "account", id, scopeAccountWrites, scanAccount)
		if err != nil {
			return err
		}
		managersBefore, err := accountManagerIDs(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Name != nil {
			if _, err := tx.Exec(ctx, `UPDATE accounts SET name = $2 WHERE id = $1`, id, *u.Name); err != nil {
				return err
			}
		}
		managers := managersBefore
		if u.AccountManagerIDs != nil {
			managers = *u.AccountManagerIDs
			if err := setAccountManagers(ctx, tx, id, managers); err != nil {
				return err
			}
		}
		if a, err = findOneBy(ctx, tx, accountSelect, "a.id", "account", id, nil, scanAccount); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "account.update", "account", id,
			map[string]any{"account": before, "account_manager_ids": managersBefore},
			map[string]any{"account": a, "account_manager_ids": managers})
	})
	return a, err
}

// setAccountManagers makes the given users, and only they, the account's
// managers: each must be an enabled user whose role is account_manager.
func setAccountManagers(ctx context.Context, tx pgx.Tx, accountID string, userIDs []string) error {
	for i, uid := range userIDs {
		ok := validID(uid)
		if ok {
			var err error
			if ok, err = exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM users
				WHERE id = $1 AND role = 'account_manager' AND disabled_at IS NULL)`, uid); err != nil {
				return err
			}
		}
		if !ok {
			return aftercare.InvalidField(fmt.Sprintf("accountManagerIds[%d]", i), "%q is no enabled account manager", uid)
		}
	}
	subjects := make([]string, len(userIDs))
	for i, uid := range userIDs {
		subjects[i] = "user:" + uid
	}
	domain := aftercare.DomainAccountPrefix + accountID
	if _, err := tx.Exec(ctx, `
		DELETE FROM casbin_rule WHERE ptype = 'g' AND v1 = 'account_manager' AND v2 = $1 AND NOT v0 = ANY($2)`,
		domain, subjects); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO casbin_rule (ptype, v0, v1, v2) SELECT 'g', s, 'account_manager', $1 FROM unnest($2::text[]) AS s
		ON CONFLICT DO NOTHING`, domain, subjects); err != nil {
		return err
	}
	return notifyPolicyChange(ctx, tx)
}

// accountManagerIDs returns the IDs of an account's managers.
func accountManagerIDs(ctx context.Context, q querier, accountID string) ([]string, error) {
	rows, err := q.Query(ctx, `
		SELECT substr(v0, 6) FROM casbin_rule
		WHERE ptype = 'g' AND v1 = 'account_manager' AND v2 = $1 AND v0 LIKE 'user:%' ORDER BY v0`,
		aftercare.DomainAccountPrefix+accountID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// FindAccountManagers returns the enabled users who manage an account the
// caller sees, ordered by username.
func (r *AccountRegistry) FindAccountManagers(ctx context.Context, accountID string) (_ []*aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("AccountRegistry.FindAccountManagers(ctx, %q)", accountID))
	a, err := findOne(ctx, r.db.pool, accountSelect, "a.id", "account", accountID, &scopeAccounts, scanAccount)
	if err != nil {
		return nil, err
	}
	// The domain names the account by its ID as the database writes it,
	// whatever case the caller wrote it in.
	rows, err := r.db.pool.Query(ctx, activeUserSelect+`
		JOIN casbin_rule g ON g.ptype = 'g' AND g.v0 = 'user:' || u.id AND g.v1 = 'account_manager' AND g.v2 = $1
		ORDER BY u.username`, aftercare.DomainAccountPrefix+a.ID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanUser)
}

// FindAccountManagersOfAccounts returns the managers of each account, as
// FindAccountManagers, in two queries: the accounts the caller sees, then
// their managers. An account outside the scope gets nil.
func (r *AccountRegistry) FindAccountManagersOfAccounts(ctx context.Context, accountIDs []string) (_ [][]*aftercare.User, err error) {
	defer wrap(&err, fmt.Sprintf("AccountRegistry.FindAccountManagersOfAccounts(ctx, %d IDs)", len(accountIDs)))
	seen, ids, err := seenIDs(ctx, r.db.pool, "accounts a", "a.id", accountIDs, scopeAccounts)
	if err != nil {
		return nil, err
	}
	domains := make([]string, len(ids))
	for i, id := range ids {
		domains[i] = aftercare.DomainAccountPrefix + id
	}
	rows, err := r.db.pool.Query(ctx, leading(activeUserSelect, "substr(g.v2, $2)")+`
		JOIN casbin_rule g ON g.ptype = 'g' AND g.v0 = 'user:' || u.id AND g.v1 = 'account_manager' AND g.v2 = ANY($1)
		ORDER BY u.username`, domains, len(aftercare.DomainAccountPrefix)+1)
	if err != nil {
		return nil, err
	}
	found, err := collectKeyed(rows, 0, scanUser)
	if err != nil {
		return nil, err
	}
	return groupKeyed(accountIDs, found, seen), nil
}
