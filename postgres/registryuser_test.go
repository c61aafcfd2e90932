package postgres_test

import (
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUserLifecycle creates a corporate IT user, who gets their account's
// domain, gives them an API key, disables them (the key and the user are
// refused from then on) and enables them again.
func TestUserLifecycle(t *testing.T) {
	w := mustRegistryWorld(t)
	users := postgres.NewUserRegistry(w.db)
	u, err := users.CreateUser(w.admin, aftercare.UserInput{Username: "IT.NewCo", DisplayName: "NewCo IT", Email: "it@newco.example",
		Role: aftercare.RoleCustomerIT, AccountID: w.f.AccountID})
	require.NoError(t, err)
	assert.Equal(t, "it.newco", u.Username)
	assert.Nil(t, u.DisabledAt)
	assert.Equal(t, int64(1), postgrestest.MustQueryInt(t, w.db,
		`SELECT count(*) FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND v1 = 'customer_it' AND v2 = $2`,
		"user:"+u.ID, "account:"+w.f.AccountID), "corporate IT acts in its own account")
	_, err = users.CreateUser(w.admin, aftercare.UserInput{Username: "it.newco", DisplayName: "Again", Email: "x@example.com",
		Role: aftercare.RoleDispatcher, Domains: []string{"region:east"}})
	assertCoded(t, aftercare.ECONFLICT, "username", err)
	_, err = users.CreateUser(w.admin, aftercare.UserInput{Username: "it.ghost", DisplayName: "Ghost", Email: "g@example.com",
		Role: aftercare.RoleCustomerIT, AccountID: "8f3c2a10-0000-4000-8000-00000000e0ff"})
	assertCoded(t, aftercare.EINVALID, "accountId", err)

	for _, d := range []string{"region:atlantis", "account:not-an-id", "engineer:8f3c2a10-0000-4000-8000-00000000e0ff"} {
		_, err = users.CreateUser(w.admin, aftercare.UserInput{Username: "x", DisplayName: "X", Email: "x@example.com",
			Role: aftercare.RoleDispatcher, Domains: []string{"region:east", d}})
		assertCoded(t, aftercare.EINVALID, "domains[1]", err, d)
	}
	assert.Equal(t, int64(0), postgrestest.MustQueryInt(t, w.db, `SELECT count(*) FROM users WHERE username = 'x'`))

	access := postgres.NewAccessService(w.db)
	key, err := access.CreateAPIKey(w.admin, u.ID, "cmdb")
	require.NoError(t, err)
	_, _, err = access.AuthenticateAPIKey(w.admin, key.Secret)
	require.NoError(t, err)

	_, err = users.DisableUser(w.admin, u.ID, "")
	assertCoded(t, aftercare.EINVALID, "reason", err)
	disabled, err := users.DisableUser(w.admin, u.ID, "left the company")
	require.NoError(t, err)
	assert.NotNil(t, disabled.DisabledAt)
	_, _, err = access.AuthenticateAPIKey(w.admin, key.Secret)
	assert.Equal(t, aftercare.EUNAUTHORIZED, aftercare.ErrorCode(err), "a disabled user's key is refused")
	_, err = postgres.NewUserService(w.db).FindUserByID(w.admin, u.ID)
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "a disabled user signs in no more")
	_, err = users.DisableUser(w.admin, u.ID, "again")
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
	listed, _, err := users.ListUsers(w.admin, aftercare.UserFilter{AccountID: w.f.AccountID, Disabled: true})
	require.NoError(t, err)
	assert.Len(t, listed, 2, "the fixture's user and the disabled one")

	enabled, err := users.EnableUser(w.admin, u.ID)
	require.NoError(t, err)
	assert.Nil(t, enabled.DisabledAt)
	_, _, err = access.AuthenticateAPIKey(w.admin, key.Secret)
	assert.NoError(t, err, "enabled again")
	_, err = users.DisableUser(w.admin, w.adminID, "oops")
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "an admin cannot lock themselves out")
	assert.Equal(t, 1, auditCount(t, w.db, "user.disable"))
	assert.Equal(t, 1, auditCount(t, w.db, "user.enable"))
}

func TestCatalogueRegistry(t *testing.T) {
	w := mustRegistryWorld(t)
	cat := postgres.NewCatalogueRegistry(w.db)
	line, err := cat.CreateProductLine(w.admin, aftercare.ProductLine{Code: "thinkedge_se", Name: "ThinkEdge SE", Kind: "server"})
	require.NoError(t, err)
	assert.Equal(t, "thinkedge_se", line.Code)
	_, err = cat.CreateProductLine(w.admin, aftercare.ProductLine{Code: "thinkedge_se", Name: "Again", Kind: "server"})
	assertCoded(t, aftercare.ECONFLICT, "code", err)
	lines, err := cat.FindProductLines(w.admin)
	require.NoError(t, err)
	assert.Len(t, lines, 2)

	p, err := cat.CreatePart(w.admin, aftercare.PartInput{FRU: "03se001", Description: "SE350 power module", UnitPrice: 98050,
		Currency: "CNY", ProductLines: []string{"thinkedge_se"},
		Prices: []aftercare.PartPrice{{Tier: aftercare.TierStandard, Region: "east", UnitPrice: 102000}}})
	require.NoError(t, err)
	assert.Equal(t, "03SE001", p.FRU)
	assert.Equal(t, int64(98050), p.UnitPrice)
	prices := postgres.NewPriceListService(w.db)
	entries, err := prices.FindPriceList(w.admin, aftercare.PriceListFilter{Tier: aftercare.TierStandard, Region: "east", FRU: "03SE001"})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, int64(102000), entries[0].UnitPrice)

	_, err = cat.CreatePart(w.admin, aftercare.PartInput{FRU: "03SE002", Description: "x", UnitPrice: 1, Currency: "CNY",
		ProductLines: []string{"thinkedge_se"}, Prices: []aftercare.PartPrice{{Tier: aftercare.TierStandard, Region: "mars", UnitPrice: 1}}})
	assertCoded(t, aftercare.EINVALID, "prices[0].region", err)
	assert.Equal(t, int64(0), postgrestest.MustQueryInt(t, w.db, `SELECT count(*) FROM parts WHERE fru = '03SE002'`), "nothing half written")

	none := []aftercare.PartPrice{}
	price := int64(99900)
	p, err = cat.UpdatePart(w.admin, p.ID, aftercare.PartUpdate{UnitPrice: &price, Prices: &none})
	require.NoError(t, err)
	assert.Equal(t, int64(99900), p.UnitPrice)
	entries, err = prices.FindPriceList(w.admin, aftercare.PriceListFilter{Tier: aftercare.TierStandard, Region: "east", FRU: "03SE001"})
	require.NoError(t, err)
	assert.Empty(t, entries, "the price list is replaced")
	assert.Equal(t, 1, auditCount(t, w.db, "part.update"))
}

// TestAssignRoleNeedsADomainThatExists: a role in an account, region or
// engineer that does not exist is refused as invalid input and writes no
// rule; one that exists is assigned.
func TestAssignRoleNeedsADomainThatExists(t *testing.T) {
	w := mustRegistryWorld(t)
	access := postgres.NewAccessService(w.db)
	for _, d := range []string{"region:atlantis", "account:not-an-id", "account:8f3c2a10-0000-4000-8000-00000000e0ff",
		"engineer:8f3c2a10-0000-4000-8000-00000000e0ff"} {
		err := access.AssignRole(w.admin, aftercare.RoleAssignment{UserID: w.amID, Role: aftercare.RoleAccountManager, Domain: d})
		assertCoded(t, aftercare.EINVALID, "domain", err, d)
	}
	assert.Equal(t, int64(0), postgrestest.MustQueryInt(t, w.db,
		`SELECT count(*) FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND (v2 LIKE '%atlantis' OR v2 LIKE '%e0ff' OR v2 LIKE '%not-an-id')`,
		"user:"+w.amID))
	require.NoError(t, access.AssignRole(w.admin, aftercare.RoleAssignment{UserID: w.amID, Role: aftercare.RoleAccountManager,
		Domain: aftercare.DomainAccountPrefix + w.f.AccountID}))
	require.NoError(t, access.AssignRole(w.admin, aftercare.RoleAssignment{UserID: w.amID, Role: aftercare.RoleDispatcher,
		Domain: aftercare.DomainAll}))
}
