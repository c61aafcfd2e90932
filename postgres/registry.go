package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// The master data registries (registry*.go) write what the read services
// find. Each method validates its input whole, then checks in its
// transaction what only the database knows (a region, a product line, a
// code taken), so that bad input is EINVALID or ECONFLICT naming the
// field, and writes its audit event in the same transaction.

// Writes are scoped by the caller's account domains alone: an account
// manager changes the sites and assets of the accounts they manage, never
// those a region or an engineer would let them read. Admins, whose domain
// is everything, change all.
var (
	scopeAccountWrites  = scopeRule{account: "a.id = ANY(?::uuid[])"}
	scopeSiteWrites     = scopeRule{account: "s.account_id = ANY(?::uuid[])"}
	scopeContractWrites = scopeRule{account: "c.account_id = ANY(?::uuid[])"}
)

// conflictField returns an ECONFLICT error about one field of an input.
func conflictField(field, format string, args ...any) *aftercare.Error {
	return &aftercare.Error{Code: aftercare.ECONFLICT, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// exists reports whether a query of one boolean answers true.
func exists(ctx context.Context, q querier, sql string, args ...any) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, sql, args...).Scan(&ok)
	return ok, err
}

// requireRegion returns EINVALID naming field unless the region exists.
func requireRegion(ctx context.Context, q querier, field, code string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM regions WHERE code = $1)`, code)
	if err == nil && !ok {
		return aftercare.InvalidField(field, "%q is not a region", code)
	}
	return err
}

// requireProductLine returns EINVALID naming field unless the product line
// exists.
func requireProductLine(ctx context.Context, q querier, field, code string) error {
	ok, err := exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM product_lines WHERE code = $1)`, code)
	if err == nil && !ok {
		return aftercare.InvalidField(field, "%q is not a product line (createProductLine adds one)", code)
	}
	return err
}

// placeRegion returns the region given, or the one locator places the
// location in, and checks that it exists.
func placeRegion(ctx context.Context, q querier, locator aftercare.RegionLocator, region, country string, lat, lng float64) (string, error) {
	if region == "" {
		var err error
		if region, err = locator.RegionAt(country, lat, lng); err != nil {
			return "", err
		}
	}
	return region, requireRegion(ctx, q, "region", region)
}

// notifyPolicyChange tells every API replica, at commit, to reload the
// access rules.
func notifyPolicyChange(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, policyChannel)
	return err
}

// lockScoped locks the row of sel (a SELECT ... FROM with no WHERE) whose
// key column equals id, within the caller's write scope under rule, and
// returns it, or ENOTFOUND naming the noun.
func lockScoped[T any](ctx context.Context, tx pgx.Tx, sel, keyColumn, noun, id string, rule scopeRule, scan pgx.RowToFunc[T]) (T, error) {
	var zero T
	if !validID(id) {
		return zero, aftercare.Errorf(aftercare.ENOTFOUND, "%s %q not found", noun, id)
	}
	var f filter
	f.add(keyColumn+" = ?", id)
	f.addScope(ctx, rule)
	rows, err := tx.Query(ctx, sel+f.where()+" FOR UPDATE", f.args...)
	if err != nil {
		return zero, err
	}
	v, err := pgx.CollectExactlyOneRow(rows, scan)
	if err != nil && aftercare.ErrorCode(mapError(err)) == aftercare.ENOTFOUND {
		return zero, aftercare.Errorf(aftercare.ENOTFOUND, "%s %q not found", noun, id)
	}
	return v, err
}
