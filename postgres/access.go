package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// AccessService stores role assignments, permissions (as casbin rules), API
// keys and the audit log.
type AccessService struct {
	db *DB
}

var _ aftercare.AccessService = (*AccessService)(nil)

// NewAccessService returns an AccessService backed by db.
func NewAccessService(db *DB) *AccessService {
	return &AccessService{db: db}
}

// FindPolicyRules returns every casbin rule, permissions first.
func (db *DB) FindPolicyRules(ctx context.Context) (_ []aftercare.PolicyRule, err error) {
	defer wrap(&err, "DB.FindPolicyRules")
	rows, err := db.pool.Query(ctx, `SELECT ptype, v0, v1, v2, v3 FROM casbin_rule ORDER BY ptype DESC, id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (aftercare.PolicyRule, error) {
		var r aftercare.PolicyRule
		var v [4]string
		err := row.Scan(&r.PType, &v[0], &v[1], &v[2], &v[3])
		r.Values = v[:3]
		if v[3] != "" {
			r.Values = v[:]
		}
		return r, err
	})
}

// WaitPolicyChange blocks until the access rules may have changed since the
// previous call returned, until timeout passes, or until ctx ends.
func (db *DB) WaitPolicyChange(ctx context.Context, timeout time.Duration) error {
	return db.wait(ctx, policyChannel, "", timeout)
}

// changeRule adds or removes one casbin rule, writes the audit event and
// announces the change, all in one transaction, after check (when not nil)
// accepts the change in it.
func (s *AccessService) changeRule(ctx context.Context, add bool, ptype string, values [3]string, action, objectID string, check func(pgx.Tx) error) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if check != nil {
			if err := check(tx); err != nil {
				return err
			}
		}
		var sql string
		if add {
			sql = `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`
		} else {
			sql = `DELETE FROM casbin_rule WHERE ptype = $1 AND v0 = $2 AND v1 = $3 AND v2 = $4`
		}
		tag, err := tx.Exec(ctx, sql, ptype, values[0], values[1], values[2])
		if err != nil {
			return err
		}
		if !add && tag.RowsAffected() == 0 {
			return aftercare.Errorf(aftercare.ENOTFOUND, "no such rule")
		}
		rule := map[string]string{"type": ptype, "v0": values[0], "v1": values[1], "v2": values[2]}
		before, after := any(nil), any(rule)
		if !add {
			before, after = rule, nil
		}
		if err := writeAudit(ctx, tx, aftercare.UserFromContext(ctx), action, "access_rule", objectID, before, after); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, '')`, policyChannel)
		return err
	})
}

// AssignRole gives a user a role in a domain, which must name an account,
// region or engineer that exists (or be everything).
func (s *AccessService) AssignRole(ctx context.Context, a aftercare.RoleAssignment) (err error) {
	defer wrap(&err, "AccessService.AssignRole")
	if err := a.Validate(); err != nil {
		return err
	}
	if _, err := findOne(ctx, s.db.pool, userSelect, "u.id", "user", a.UserID, nil, scanUser); err != nil {
		return err
	}
	return s.changeRule(ctx, true, "g", [3]string{"user:" + a.UserID, string(a.Role), a.Domain}, "access.assign_role", a.UserID,
		func(tx pgx.Tx) error { return requireDomain(ctx, tx, "domain", a.Domain) })
}

// RevokeRole takes a role in a domain away from a user.
func (s *AccessService) RevokeRole(ctx context.Context, a aftercare.RoleAssignment) (err error) {
	defer wrap(&err, "AccessService.RevokeRole")
	if err := a.Validate(); err != nil {
		return err
	}
	return s.changeRule(ctx, false, "g", [3]string{"user:" + a.UserID, string(a.Role), a.Domain}, "access.revoke_role", a.UserID, nil)
}

// GrantPermission lets a role take an action on an object type.
func (s *AccessService) GrantPermission(ctx context.Context, p aftercare.Permission) (err error) {
	defer wrap(&err, "AccessService.GrantPermission")
	if err := p.Validate(); err != nil {
		return err
	}
	return s.changeRule(ctx, true, "p", [3]string{string(p.Role), p.Object, p.Action}, "access.grant_permission", string(p.Role), nil)
}

// RevokePermission takes a permission away from a role.
func (s *AccessService) RevokePermission(ctx context.Context, p aftercare.Permission) (err error) {
	defer wrap(&err, "AccessService.RevokePermission")
	if err := p.Validate(); err != nil {
		return err
	}
	return s.changeRule(ctx, false, "p", [3]string{string(p.Role), p.Object, p.Action}, "access.revoke_permission", string(p.Role), nil)
}

// FindRoleAssignments returns the role assignments of a user.
func (s *AccessService) FindRoleAssignments(ctx context.Context, userID string) (_ []aftercare.RoleAssignment, err error) {
	defer wrap(&err, "AccessService.FindRoleAssignments")
	rows, err := s.db.pool.Query(ctx, `
		SELECT v1, v2 FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 ORDER BY v1, v2`, "user:"+userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (aftercare.RoleAssignment, error) {
		a := aftercare.RoleAssignment{UserID: userID}
		err := row.Scan(&a.Role, &a.Domain)
		return a, err
	})
}

// FindPermissions returns every permission of every role.
func (s *AccessService) FindPermissions(ctx context.Context) (_ []aftercare.Permission, err error) {
	defer wrap(&err, "AccessService.FindPermissions")
	rows, err := s.db.pool.Query(ctx, `SELECT v0, v1, v2 FROM casbin_rule WHERE ptype = 'p' ORDER BY v0, v1, v2`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (aftercare.Permission, error) {
		var p aftercare.Permission
		err := row.Scan(&p.Role, &p.Object, &p.Action)
		return p, err
	})
}

// apiKeyPrefix starts every API key, so that keys found in logs or code are
// recognisable.
const apiKeyPrefix = "ak_"

// CreateAPIKey creates a key for a customer_it user. Only its hash is stored.
func (s *AccessService) CreateAPIKey(ctx context.Context, userID, name string) (_ *aftercare.APIKey, err error) {
	defer wrap(&err, "AccessService.CreateAPIKey")
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, aftercare.Errorf(aftercare.EINVALID, "an API key needs a name of 1 to 100 characters")
	}
	user, err := findOne(ctx, s.db.pool, activeUserSelect, "u.id", "user", userID, &scopeAPIKeyUsers, scanUser)
	if err != nil {
		return nil, err
	}
	if user.Role != aftercare.RoleCustomerIT {
		return nil, aftercare.Errorf(aftercare.EINVALID, "API keys are for corporate IT users")
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	secret := apiKeyPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	hash := sha256.Sum256([]byte(secret))
	key := &aftercare.APIKey{ID: newID(), UserID: userID, Name: name, Secret: secret}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO api_keys (id, user_id, name, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5)
			RETURNING created_at`, key.ID, userID, name, hash[:], nullID(aftercare.UserIDFromContext(ctx))).Scan(&key.CreatedAt); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "api_key.create", "api_key", key.ID, nil,
			map[string]string{"user_id": userID, "name": name})
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}

// RevokeAPIKey revokes a key; revoking it again is harmless.
func (s *AccessService) RevokeAPIKey(ctx context.Context, id string) (err error) {
	defer wrap(&err, fmt.Sprintf("AccessService.RevokeAPIKey(ctx, %q)", id))
	if !validID(id) {
		return aftercare.Errorf(aftercare.ENOTFOUND, "API key %q not found", id)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		q := filter{args: []any{id}}
		q.addScope(ctx, scopeAPIKeyUsers)
		var userID string
		err := tx.QueryRow(ctx, `
			UPDATE api_keys k SET revoked_at = coalesce(revoked_at, now())
			FROM users u
			WHERE k.id = $1 AND u.id = k.user_id`+andConds(q.conds)+`
			RETURNING k.user_id`, q.args...).Scan(&userID)
		if errors.Is(err, pgx.ErrNoRows) {
			return aftercare.Errorf(aftercare.ENOTFOUND, "API key %q not found", id)
		}
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "api_key.revoke", "api_key", id, nil,
			map[string]string{"user_id": userID, "revoked": "true"})
	})
}

// FindAPIKeys returns the keys of a user, newest first, without secrets.
func (s *AccessService) FindAPIKeys(ctx context.Context, userID string) (_ []*aftercare.APIKey, err error) {
	defer wrap(&err, "AccessService.FindAPIKeys")
	if !validID(userID) {
		return nil, nil
	}
	q := filter{args: []any{userID}}
	q.addScope(ctx, scopeAPIKeyUsers)
	rows, err := s.db.pool.Query(ctx, `
		SELECT k.id, k.user_id, k.name, k.created_at, k.revoked_at FROM api_keys k JOIN users u ON u.id = k.user_id
		WHERE k.user_id = $1`+andConds(q.conds)+` ORDER BY k.created_at DESC`, q.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*aftercare.APIKey, error) {
		var k aftercare.APIKey
		err := row.Scan(&k.ID, &k.UserID, &k.Name, &k.CreatedAt, &k.RevokedAt)
		return &k, err
	})
}

// AuthenticateAPIKey returns the enabled user an unrevoked key acts as, and
// the key's ID, or EUNAUTHORIZED.
func (s *AccessService) AuthenticateAPIKey(ctx context.Context, secret string) (_ *aftercare.User, _ string, err error) {
	defer wrap(&err, "AccessService.AuthenticateAPIKey")
	if !strings.HasPrefix(secret, apiKeyPrefix) || len(secret) > 100 {
		return nil, "", aftercare.Errorf(aftercare.EUNAUTHORIZED, "API key is not valid")
	}
	hash := sha256.Sum256([]byte(secret))
	var keyID string
	rows, err := s.db.pool.Query(ctx, `
		UPDATE api_keys k SET last_used_at = now()
		FROM users u
		WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND u.id = k.user_id AND u.disabled_at IS NULL
		RETURNING k.id, u.id, u.username, u.display_name, u.email, u.role, coalesce(u.account_id::text, '')`, hash[:])
	if err != nil {
		return nil, "", err
	}
	user, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (*aftercare.User, error) {
		var u aftercare.User
		err := row.Scan(&keyID, &u.ID, &u.Username, &u.DisplayName, &u.Email, &u.Role, &u.AccountID)
		return &u, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", aftercare.Errorf(aftercare.EUNAUTHORIZED, "API key is not valid or was revoked")
	}
	return user, keyID, err
}

// FindAuditEvents returns a page of audit events, newest first.
func (s *AccessService) FindAuditEvents(ctx context.Context, f aftercare.AuditFilter) (_ []*aftercare.AuditEvent, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "AccessService.FindAuditEvents")
	limit, err := f.Page.Limit()
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	var q filter
	if f.ObjectType != "" {
		q.add("e.object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q.add("e.object_id = ?", f.ObjectID)
	}
	if !q.addID("e.actor_id", f.ActorID) {
		return nil, aftercare.PageInfo{}, nil
	}
	after, err := decodeCursor(f.Page.After)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	if after != "" {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil {
			return nil, aftercare.PageInfo{}, aftercare.Errorf(aftercare.EINVALID, "cursor %q is not valid", f.Page.After)
		}
		q.add("e.id < ?", n)
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT e.id, e.at, coalesce(e.actor_id::text, ''), e.actor_role, e.action, e.object_type, e.object_id,
			e.before, e.after, e.request_id
		FROM audit_events e`+q.where()+" ORDER BY e.id DESC LIMIT "+q.arg(limit+1), q.args...)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*aftercare.AuditEvent, error) {
		var e aftercare.AuditEvent
		err := row.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorRole, &e.Action, &e.ObjectType, &e.ObjectID,
			&e.Before, &e.After, &e.RequestID)
		return &e, err
	})
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	events, info := pageOf(events, limit, func(e *aftercare.AuditEvent) string { return strconv.FormatInt(e.ID, 10) })
	return events, info, nil
}

// scopeAPIKeyUsers limits API keys to those of users of the caller's
// accounts, and the caller's own.
var scopeAPIKeyUsers = scopeRule{account: "u.account_id = ANY(?::uuid[])", self: "u.id = ?::uuid"}

// andConds joins conditions as "AND c1 AND c2", or "" for none.
func andConds(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(conds, " AND ")
}

// nullID returns nil for "" so that an absent ID is stored as NULL.
func nullID(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}
