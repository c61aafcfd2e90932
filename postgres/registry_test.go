package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countryRegions places every location of a country in one region, as the
// store tests need no city list.
type countryRegions map[string]string

func (l countryRegions) RegionAt(country string, _, _ float64) (string, error) {
	if r, ok := l[country]; ok {
		return r, nil
	}
	return "", aftercare.InvalidField("region", "no city in %s", country)
}

// registryWorld is a fixture account, an admin and an account manager of
// the fixture account, with their contexts.
type registryWorld struct {
	db       *postgres.DB
	f        postgres.Fixture
	admin    context.Context
	adminID  string
	am       context.Context // manages the fixture account only
	amID     string
	accounts *postgres.AccountRegistry
}

func mustRegistryWorld(t *testing.T) *registryWorld {
	t.Helper()
	db := postgrestest.MustOpen(t)
	w := &registryWorld{db: db, f: postgres.MustFixture(t, db, "REG", "premium"),
		adminID: "8f3c2a10-0000-4000-8000-00000000b001", amID: "8f3c2a10-0000-4000-8000-00000000b002"}
	postgres.MustExecSQL(t, db, `INSERT INTO users (id, username, display_name, email, role) VALUES
		($1, 'reg.admin', 'Admin', 'admin@example.com', 'admin'),
		($2, 'reg.am', 'Account Manager', 'am@example.com', 'account_manager')`, w.adminID, w.amID)
	ctx := context.Background()
	w.admin = aftercare.NewContextWithScope(aftercare.NewContextWithUser(ctx,
		&aftercare.User{ID: w.adminID, Role: aftercare.RoleAdmin}), &aftercare.Scope{UserID: w.adminID, All: true})
	w.am = aftercare.NewContextWithScope(aftercare.NewContextWithUser(ctx,
		&aftercare.User{ID: w.amID, Role: aftercare.RoleAccountManager}),
		&aftercare.Scope{UserID: w.amID, AccountIDs: []string{w.f.AccountID}})
	w.accounts = postgres.NewAccountRegistry(db, countryRegions{"CN": "east", "US": "intl"})
	return w
}

// auditCount returns how many audit events of an action there are.
func auditCount(t *testing.T, db *postgres.DB, action string) int {
	t.Helper()
	return int(postgrestest.MustQueryInt(t, db, `SELECT count(*) FROM audit_events WHERE action = $1`, action))
}

// assertCoded checks err's code and the field it names.
func assertCoded(t *testing.T, code, field string, err error, msgAndArgs ...any) {
	t.Helper()
	assert.Equal(t, code, aftercare.ErrorCode(err), append([]any{"%v"}, err)...)
	assert.Equal(t, field, aftercare.ErrorField(err), msgAndArgs...)
}

func TestCreateAccountWithManagers(t *testing.T) {
	w := mustRegistryWorld(t)
	a, err := w.accounts.CreateAccount(w.admin, aftercare.AccountInput{Code: "newco", Name: " New Co ", AccountManagerIDs: []string{w.amID}})
	require.NoError(t, err)
	assert.Equal(t, "NEWCO", a.Code)
	assert.Equal(t, "New Co", a.Name)
	managers, err := w.accounts.FindAccountManagers(w.admin, a.ID)
	require.NoError(t, err)
	require.Len(t, managers, 1)
	assert.Equal(t, "reg.am", managers[0].Username)
	assert.Equal(t, 1, auditCount(t, w.db, "account.create"))

	_, err = w.accounts.CreateAccount(w.admin, aftercare.AccountInput{Code: "NEWCO", Name: "Again"})
	assertCoded(t, aftercare.ECONFLICT, "code", err)
	_, err = w.accounts.CreateAccount(w.admin, aftercare.AccountInput{Code: "OTHER", Name: "Other", AccountManagerIDs: []string{w.adminID}})
	assertCoded(t, aftercare.EINVALID, "accountManagerIds[0]", err, "an admin is no account manager")
	assert.Equal(t, int64(0), postgrestest.MustQueryInt(t, w.db, `SELECT count(*) FROM accounts WHERE code = 'OTHER'`), "nothing half written")

	none := []string{}
	_, err = w.accounts.UpdateAccount(w.admin, a.ID, aftercare.AccountUpdate{AccountManagerIDs: &none})
	require.NoError(t, err)
	managers, err = w.accounts.FindAccountManagers(w.admin, a.ID)
	require.NoError(t, err)
	assert.Empty(t, managers, "the managers are replaced")
	_, err = w.accounts.UpdateAccount(w.am, w.f.AccountID, aftercare.AccountUpdate{})
	require.NoError(t, err, "the store scopes; @authorize keeps account writes to admins")
	_, err = w.accounts.UpdateAccount(w.am, a.ID, aftercare.AccountUpdate{})
	assertCoded(t, aftercare.ENOTFOUND, "", err, "another account is not found")
}

func TestCreateSitePlacesItInARegion(t *testing.T) {
	w := mustRegistryWorld(t)
	in := aftercare.SiteInput{AccountID: w.f.AccountID, Name: "Pudong DC", Address: "88 Century Ave", City: "Shanghai",
		Country: "CN", Lat: 31.22, Lng: 121.54, TimeZone: "Asia/Shanghai"}
	s, err := w.accounts.CreateSite(w.am, in)
	require.NoError(t, err, "an account manager adds sites to their own accounts")
	assert.Equal(t, "east", s.Region, "placed by its location")

	for _, tt := range []struct {
		name   string
		change func(*aftercare.SiteInput)
		code   string
		field  string
	}{
		{"same name", func(*aftercare.SiteInput) {}, aftercare.ECONFLICT, "name"},
		{"a region that does not exist", func(s *aftercare.SiteInput) { s.Name, s.Region = "X", "atlantis" }, aftercare.EINVALID, "region"},
		{"a country the locator cannot place", func(s *aftercare.SiteInput) { s.Name, s.Country = "Tokyo", "JP" }, aftercare.EINVALID, "region"},
		{"a zone Go does not know", func(s *aftercare.SiteInput) { s.Name, s.TimeZone = "Y", "Asia/Nowhere" }, aftercare.EINVALID, "timeZone"},
		{"latitude off the globe", func(s *aftercare.SiteInput) { s.Name, s.Lat = "Z", 91 }, aftercare.EINVALID, "lat"},
	} {
		bad := in
		tt.change(&bad)
		_, err := w.accounts.CreateSite(w.am, bad)
		assertCoded(t, tt.code, tt.field, err, tt.name)
	}
	in.Name, in.Country, in.Region = "Tokyo office", "JP", "intl"
	_, err = w.accounts.CreateSite(w.admin, in)
	assert.NoError(t, err, "a country the locator cannot place takes the region it is given")

	other, err := w.accounts.CreateAccount(w.admin, aftercare.AccountInput{Code: "OTHERCO", Name: "Other"})
	require.NoError(t, err)
	in.AccountID, in.Name = other.ID, "HQ"
	_, err = w.accounts.CreateSite(w.am, in)
	assertCoded(t, aftercare.ENOTFOUND, "", err, "another manager's account is not found")
	assert.Equal(t, 2, auditCount(t, w.db, "site.create"))
}

// TestMovingASiteMovesItsKPIs: an incident's KPI facts name its site's
// region, so a site moved to another region takes its incidents along.
func TestMovingASiteMovesItsKPIs(t *testing.T) {
	w := mustRegistryWorld(t)
	postgres.MustExecSQL(t, w.db, `INSERT INTO regions VALUES ('north', 'North China') ON CONFLICT DO NOTHING`)
	inc, err := postgres.NewIncidentService(w.db).CreateIncident(w.admin, aftercare.IncidentCreate{
		SerialNumber: w.f.CoveredSerial, Priority: aftercare.P2, Category: aftercare.CategoryHardwareFailure,
		Symptoms: "fan", Contact: aftercare.Contact{Name: "A", Email: "a@example.com"}, ClientRequestID: "move-1"})
	require.NoError(t, err)
	region := func() string {
		return postgrestest.MustQueryString(t, w.db, `SELECT region FROM incident_facts WHERE incident_id = $1`, inc.ID)
	}
	require.Equal(t, "east", region())
	lat, lng := 39.9, 116.4
	north := "north"
	s, err := w.accounts.UpdateSite(w.am, w.f.SiteID, aftercare.SiteUpdate{Lat: &lat, Lng: &lng, Region: &north})
	require.NoError(t, err)
	assert.Equal(t, "north", s.Region)
	assert.Equal(t, "north", region(), "the incident's facts follow the site")

	lat, lng = 31.2, 121.5
	s, err = w.accounts.UpdateSite(w.am, w.f.SiteID, aftercare.SiteUpdate{Lat: &lat, Lng: &lng})
	require.NoError(t, err)
	assert.Equal(t, "east", s.Region, "a moved site whose update names no region is placed again")
	assert.Equal(t, "east", region())
	assert.Equal(t, 2, auditCount(t, w.db, "site.update"))
}

func TestRegisterAsset(t *testing.T) {
	w := mustRegistryWorld(t)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	in := aftercare.AssetInput{SiteID: w.f.SiteID, SerialNumber: "j30new01", ProductLine: "thinksystem_sr", Model: "SR650 V3",
		ShippedOn: day("2026-01-10"), WarrantyEndsOn: day("2029-01-09"), ContractID: w.f.ContractID}
	a, err := w.accounts.RegisterAsset(w.am, in)
	require.NoError(t, err)
	assert.Equal(t, "J30NEW01", a.SerialNumber)
	assert.Equal(t, w.f.AccountID, a.AccountID)
	assert.Equal(t, int64(1), postgrestest.MustQueryInt(t, w.db,
		`SELECT count(*) FROM contract_assets WHERE contract_id = $1 AND asset_id = $2`, w.f.ContractID, a.ID), "under the contract")

	for _, tt := range []struct {
		name   string
		change func(*aftercare.AssetInput)
		code   string
		field  string
	}{
		{"serial registered", func(*aftercare.AssetInput) {}, aftercare.ECONFLICT, "serialNumber"},
		{"unknown product line", func(a *aftercare.AssetInput) { a.SerialNumber, a.ProductLine = "J30NEW02", "thinkpad_z" }, aftercare.EINVALID, "productLine"},
		{"another account's contract", func(a *aftercare.AssetInput) {
			a.SerialNumber, a.ContractID = "J30NEW03", "8f3c2a10-0000-4000-8000-00000000c0ff"
		}, aftercare.ENOTFOUND, "contractId"},
		{"warranty before shipping", func(a *aftercare.AssetInput) {
			a.SerialNumber, a.WarrantyEndsOn = "J30NEW04", day("2025-01-01")
		}, aftercare.EINVALID, "warrantyEndsOn"},
		{"no such site", func(a *aftercare.AssetInput) { a.SerialNumber, a.SiteID = "J30NEW05", "nope" }, aftercare.ENOTFOUND, ""},
	} {
		bad := in
		tt.change(&bad)
		_, err := w.accounts.RegisterAsset(w.am, bad)
		assertCoded(t, tt.code, tt.field, err, tt.name)
	}
	postgres.MustExecSQL(t, w.db, `UPDATE contracts SET status = 'expired' WHERE id = $1`, w.f.ContractID)
	in.SerialNumber = "J30NEW06"
	_, err = w.accounts.RegisterAsset(w.am, in)
	assertCoded(t, aftercare.ECONFLICT, "contractId", err, "an ended contract takes no assets")
	assert.Equal(t, int64(0), postgrestest.MustQueryInt(t, w.db, `SELECT count(*) FROM assets WHERE serial_number LIKE 'J30NEW0_' AND serial_number <> 'J30NEW01'`))
}

// TestImportAssetsIsAllOrNothing: a file with one row the database refuses
// writes nothing and names the line; the same file without it registers
// every asset, under the contract.
func TestImportAssetsIsAllOrNothing(t *testing.T) {
	w := mustRegistryWorld(t)
	var b strings.Builder
	b.WriteString(aftercare.AssetCSVHeader + "\n")
	for i := range 20 {
		site := "HQ"
		if i%2 == 1 {
			site = w.f.SiteID // a site by its ID
		}
		fmt.Fprintf(&b, "IMP%05d,%s,thinksystem_sr,SR650 V3,2026-01-10,2029-01-09\n", i, site)
	}
	good := b.String()
	bad := good + "IMP99999,Nowhere,thinksystem_sr,SR650 V3,2026-01-10,2029-01-09\n" + // line 22
		w.f.BareSerial + ",HQ,thinksystem_sr,SR650 V3,2026-01-10,2029-01-09\n" // line 23: registered already
	_, err := w.accounts.ImportAssets(w.am, aftercare.AssetImport{AccountID: w.f.AccountID, ContractID: w.f.ContractID, CSV: bad})
	var e *aftercare.Error
	require.True(t, errors.As(err, &e), "%v", err)
	assert.Equal(t, aftercare.EINVALID, e.Code)
	assert.Equal(t, []aftercare.Problem{
		{Line: 22, Field: "site", Message: `the account has no site named "Nowhere"`},
		{Line: 23, Field: "serialNumber", Message: "an asset " + w.f.BareSerial + " is registered already"},
	}, e.Problems)
	assert.Equal(t, int64(0), postgrestest.MustQueryInt(t, w.db, `SELECT count(*) FROM assets WHERE serial_number LIKE 'IMP%'`),
		"a bad file writes nothing")

	assets, err := w.accounts.ImportAssets(w.am, aftercare.AssetImport{AccountID: w.f.AccountID, ContractID: w.f.ContractID, CSV: good})
	require.NoError(t, err)
	require.Len(t, assets, 20)
	assert.Equal(t, "IMP00000", assets[0].SerialNumber, "in the file's order")
	assert.Equal(t, int64(20), postgrestest.MustQueryInt(t, w.db, `
		SELECT count(*) FROM contract_assets ca JOIN assets a ON a.id = ca.asset_id
		WHERE ca.contract_id = $1 AND a.serial_number LIKE 'IMP%'`, w.f.ContractID))
	assert.Equal(t, 1, auditCount(t, w.db, "asset.import"))

	other, err := w.accounts.CreateAccount(w.admin, aftercare.AccountInput{Code: "OTHERCO", Name: "Other"})
	require.NoError(t, err)
	_, err = w.accounts.ImportAssets(w.am, aftercare.AssetImport{AccountID: other.ID, CSV: good})
	assertCoded(t, aftercare.ENOTFOUND, "", err, "another manager's account")
}

func TestAddContractAssets(t *testing.T) {
	w := mustRegistryWorld(t)
	c, err := w.accounts.AddContractAssets(w.am, w.f.ContractID, []string{strings.ToLower(w.f.BareSerial), w.f.CoveredSerial})
	require.NoError(t, err)
	assert.Equal(t, w.f.ContractID, c.ID)
	assert.Equal(t, int64(2), postgrestest.MustQueryInt(t, w.db, `SELECT count(*) FROM contract_assets WHERE contract_id = $1`, w.f.ContractID))
	_, err = w.accounts.AddContractAssets(w.am, w.f.ContractID, []string{w.f.BareSerial, "NOSUCH01"})
	assertCoded(t, aftercare.EINVALID, "serialNumbers[1]", err)
	_, err = w.accounts.AddContractAssets(w.am, w.f.ContractID, nil)
	assertCoded(t, aftercare.EINVALID, "serialNumbers", err)
}
