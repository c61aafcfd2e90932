package postgres

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// AccountService finds accounts and their sites.
type AccountService struct {
	db *DB
}

var _ aftercare.AccountService = (*AccountService)(nil)

// NewAccountService returns an AccountService backed by db.
func NewAccountService(db *DB) *AccountService {
	return &AccountService{db: db}
}

const accountSelect = `SELECT a.id, a.code, a.name, a.created_at FROM accounts a`

func scanAccount(row pgx.CollectableRow) (*aftercare.Account, error) {
	var a aftercare.Account
	err := row.Scan(&a.ID, &a.Code, &a.Name, &a.CreatedAt)
	return &a, err
}

// FindAccountByID returns the account with the given ID, or ENOTFOUND.
func (s *AccountService) FindAccountByID(ctx context.Context, id string) (_ *aftercare.Account, err error) {
	defer wrap(&err, fmt.Sprintf("AccountService.FindAccountByID(ctx, %q)", id))
	return findOne(ctx, s.db.pool, accountSelect, "a.id", "account", id, &scopeAccounts, scanAccount)
}

// FindAccounts returns a page of accounts ordered by code.
func (s *AccountService) FindAccounts(ctx context.Context, f aftercare.AccountFilter) (_ []*aftercare.Account, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "AccountService.FindAccounts")
	var q filter
	q.addScope(ctx, scopeAccounts)
	return findPage(ctx, s.db.pool, accountSelect, &q, "a.code", f.Page, scanAccount,
		func(a *aftercare.Account) string { return a.Code })
}

const siteSelect = `
	SELECT s.id, s.account_id, s.name, s.address, s.city, s.country, s.region, s.lat, s.lng, s.time_zone
	FROM sites s`

func scanSite(row pgx.CollectableRow) (*aftercare.Site, error) {
	var s aftercare.Site
	err := row.Scan(&s.ID, &s.AccountID, &s.Name, &s.Address, &s.City, &s.Country, &s.Region, &s.Lat, &s.Lng, &s.TimeZone)
	return &s, err
}

// FindSiteByID returns the site with the given ID, or ENOTFOUND.
func (s *AccountService) FindSiteByID(ctx context.Context, id string) (_ *aftercare.Site, err error) {
	defer wrap(&err, fmt.Sprintf("AccountService.FindSiteByID(ctx, %q)", id))
	return findOne(ctx, s.db.pool, siteSelect, "s.id", "site", id, &scopeSites, scanSite)
}

// FindSites returns a page of sites ordered by ID.
func (s *AccountService) FindSites(ctx context.Context, f aftercare.SiteFilter) (_ []*aftercare.Site, _ aftercare.PageInfo, err error) {
	defer wrap(&err, "AccountService.FindSites")
	var q filter
	if !q.addID("s.account_id", f.AccountID) {
		return nil, aftercare.PageInfo{}, nil
	}
	if f.Region != "" {
		q.add("s.region = ?", f.Region)
	}
	q.addScope(ctx, scopeSites)
	return findPage(ctx, s.db.pool, siteSelect, &q, "s.id::text", f.Page, scanSite,
		func(s *aftercare.Site) string { return s.ID })
}

// FindAccountsByIDs returns the accounts with the given IDs in one query,
// in the order of ids, nil for each FindAccountByID would not find.
func (s *AccountService) FindAccountsByIDs(ctx context.Context, ids []string) (_ []*aftercare.Account, err error) {
	defer wrap(&err, fmt.Sprintf("AccountService.FindAccountsByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, s.db.pool, accountSelect, "a.id", ids, &scopeAccounts, scanAccount,
		func(a *aftercare.Account) string { return a.ID })
}

// FindSitesByIDs returns the sites with the given IDs in one query, in the
// order of ids, nil for each FindSiteByID would not find.
func (s *AccountService) FindSitesByIDs(ctx context.Context, ids []string) (_ []*aftercare.Site, err error) {
	defer wrap(&err, fmt.Sprintf("AccountService.FindSitesByIDs(ctx, %d IDs)", len(ids)))
	return findByIDs(ctx, s.db.pool, siteSelect, "s.id", ids, &scopeSites, scanSite,
		func(s *aftercare.Site) string { return s.ID })
}

// FindSitesOfAccounts returns the same page of the sites of each account,
// as FindSites by account, in one query.
func (s *AccountService) FindSitesOfAccounts(ctx context.Context, accountIDs []string, page aftercare.PageRequest) (_ []aftercare.Page[*aftercare.Site], err error) {
	defer wrap(&err, fmt.Sprintf("AccountService.FindSitesOfAccounts(ctx, %d IDs)", len(accountIDs)))
	var q filter
	q.addScope(ctx, scopeSites)
	return findPagesOf(ctx, s.db.pool, siteSelect, &q, "s.account_id = p.id", accountIDs, "s.id::text", page, scanSite,
		func(s *aftercare.Site) string { return s.ID })
}
