package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// must sends a query that must succeed and returns the value at path.
func must(t *testing.T, url, token, query string, vars map[string]any, path ...string) any {
	t.Helper()
	resp := gql(t, url, token, query, vars)
	require.Empty(t, resp.Errors, "%s", query)
	return dig(resp.Data, path...)
}

// refused sends a query that must fail and returns the first error's code
// and extensions.
func refused(t *testing.T, url, token, query string, vars map[string]any) (string, map[string]any) {
	t.Helper()
	resp := gql(t, url, token, query, vars)
	require.NotEmpty(t, resp.Errors, "%s", query)
	assert.Nil(t, resp.Data[firstField(query)], "no data with the error")
	return resp.code(), resp.Errors[0].Extensions
}

// firstField returns the name of the first field a mutation selects.
func firstField(query string) string {
	var name string
	for i := 0; i < len(query); i++ {
		if query[i] == '{' {
			rest := query[i+1:]
			for j := 0; j < len(rest); j++ {
				c := rest[j]
				if c == '(' || c == ' ' || c == '{' || c == '\n' || c == '\t' {
					if name != "" {
						return name
					}
					continue
				}
				name += string(c)
			}
		}
	}
	return name
}

const (
	createSiteMutation = `mutation($in: CreateSiteInput!) { createSite(input: $in) { id region timeZone account { code } } }`
	candidatesQuery    = `query($id: ID!) { dispatchCandidates(incidentId: $id) { candidates { engineer { id } routeKm depot { id } }
		rejections { engineer { id } reason } } }`
)

// masterWorld is what TestMasterDataEndToEnd brings into service.
type masterWorld struct {
	admin, am, customer       string // tokens
	account, site, serial     string
	depot, provider, engineer string
	line, fru                 string
}

// TestMasterDataEndToEnd brings a new customer into service through the
// API alone — an account manager, an account, a site placed in its region,
// assets one by one and by CSV (a file with one bad row writes nothing and
// names the line), a product line, a part, a depot, a partner provider and
// an engineer with a skill — and files an incident on a new asset: the new
// engineer is its candidate, with the part from the new depot. Then the
// dispatch index follows each change: an expired certification removes the
// engineer, a renewal brings them back, a shift that does not cover now
// rejects them, a moved depot lengthens the trip, a suspended provider
// takes them out.
func TestMasterDataEndToEnd(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	w := &masterWorld{admin: env.token(t, "admin")}
	url := m.URL()

	require.True(t, t.Run("a customer", func(t *testing.T) { newCustomer(t, env, url, w) }))
	require.True(t, t.Run("assets by CSV", func(t *testing.T) { importAssets(t, url, w) }))
	require.True(t, t.Run("a field service", func(t *testing.T) { newFieldService(t, env, url, w) }))

	input := incidentInput(w.serial, uniqueID("master"))
	input["parts"] = []any{map[string]any{"fru": w.fru, "quantity": 1}}
	id := must(t, url, w.customer, `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
		map[string]any{"input": input}, "createIncident", "id").(string)
	candidate := func() (candidate map[string]any, reason string) {
		t.Helper()
		got := must(t, url, w.admin, candidatesQuery, map[string]any{"id": id}, "dispatchCandidates")
		for _, c := range dig(got, "candidates").([]any) {
			if dig(c, "engineer", "id") == w.engineer {
				return c.(map[string]any), ""
			}
		}
		for _, r := range dig(got, "rejections").([]any) {
			if dig(r, "engineer", "id") == w.engineer {
				return nil, dig(r, "reason").(string)
			}
		}
		return nil, ""
	}
	// The API's dispatch index follows the database within moments of a
	// commit (the fleet feed's announcements), so a change shows in the
	// candidates a moment after the mutation that made it.
	await := func(want func(c map[string]any, reason string) bool) (map[string]any, string) {
		t.Helper()
		var c map[string]any
		var reason string
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if c, reason = candidate(); want(c, reason) || time.Now().After(deadline) {
				return c, reason
			}
		}
	}
	listed := func(c map[string]any, _ string) bool { return c != nil }
	c, _ := await(listed)
	require.NotNil(t, c, "the new engineer is the new incident's candidate")
	assert.Equal(t, w.depot, dig(c, "depot", "id"), "with the part from the new depot")
	firstRoute := dig(c, "routeKm").(float64)

	setEngineer := func(in map[string]any) {
		t.Helper()
		must(t, url, w.admin, `mutation($id: ID!, $in: UpdateEngineerInput!) { updateEngineer(id: $id, input: $in) { id } }`,
			map[string]any{"id": w.engineer, "in": in})
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	yesterday := time.Now().In(shanghai).AddDate(0, 0, -1).Format(time.DateOnly)
	setEngineer(map[string]any{"skills": []any{map[string]any{"productLine": w.line, "level": 2, "expiresOn": yesterday}}})
	_, reason := await(func(_ map[string]any, r string) bool { return r == "certification_expired" })
	assert.Equal(t, "certification_expired", reason, "an expired certification removes the engineer")

	setEngineer(map[string]any{"skills": []any{map[string]any{"productLine": w.line, "level": 2,
		"expiresOn": time.Now().AddDate(1, 0, 0).Format(time.DateOnly)}}})
	c, _ = await(listed)
	require.NotNil(t, c, "a renewed certification brings them back")

	now := time.Now().In(shanghai)
	other := []string{"SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"}[(now.Weekday()+3)%7]
	setEngineer(map[string]any{"shifts": []any{map[string]any{"day": other, "start": "09:00", "end": "17:00"}}})
	_, reason = await(func(_ map[string]any, r string) bool { return r == "off_shift" })
	assert.Equal(t, "off_shift", reason, "a shift that does not cover now")
	setEngineer(map[string]any{"shifts": allWeek()})

	must(t, url, w.admin, `mutation($id: ID!) { updateDepot(id: $id, input: {lat: 31.60, lng: 120.90}) { region } }`,
		map[string]any{"id": w.depot})
	c, _ = await(func(c map[string]any, _ string) bool { return c != nil && dig(c, "routeKm").(float64) > firstRoute+20 })
	require.NotNil(t, c)
	assert.Greater(t, dig(c, "routeKm").(float64), firstRoute+20, "the moved depot is farther off the way")

	must(t, url, w.admin, `mutation($id: ID!) { setServiceProviderStatus(id: $id, status: SUSPENDED, reason: "licence review") { status } }`,
		map[string]any{"id": w.provider})
	c, reason = await(func(c map[string]any, r string) bool { return c == nil && r == "" })
	assert.Nil(t, c, "a suspended provider's engineer is no candidate")
	assert.Empty(t, reason, "nor listed: out of the index")
	must(t, url, w.admin, `mutation($id: ID!) { setServiceProviderStatus(id: $id, status: ACTIVE) { status } }`,
		map[string]any{"id": w.provider})
	c, _ = await(listed)
	assert.NotNil(t, c, "reinstated")

	customerID := must(t, url, w.admin, `{ user(username: "it.newco") { id } }`, nil, "user", "id")
	must(t, url, w.admin, `mutation($id: ID!) { disableUser(id: $id, reason: "left NewCo") { disabledAt } }`, map[string]any{"id": customerID})
	locked := gql(t, url, w.customer, `{ me { id } }`, nil)
	assert.Equal(t, aftercare.EUNAUTHORIZED, locked.code(), "a disabled user's token is refused")
	must(t, url, w.admin, `mutation($id: ID!) { enableUser(id: $id) { id } }`, map[string]any{"id": customerID})
	must(t, url, w.customer, `{ me { id } }`, nil)

	audit := must(t, url, w.admin, `query($id: String!) { auditLog(objectType: "engineer", objectId: $id, first: 10) {
		edges { node { action actor { username } } } } }`, map[string]any{"id": w.engineer}, "auditLog", "edges").([]any)
	assert.Len(t, audit, 5, "created and changed four times, each audited")
}

// allWeek is a shift calendar around the clock.
func allWeek() []any {
	var out []any
	for _, d := range []string{"SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"} {
		out = append(out, map[string]any{"day": d, "start": "00:00", "end": "24:00"})
	}
	return out
}

// newCustomer has an admin create an account manager and an account, and
// the account manager a site, an asset under a draft contract, and the
// account's corporate IT user.
func newCustomer(t *testing.T, env *testEnv, url string, w *masterWorld) {
	user := func(username, role string, extra map[string]any) string {
		in := map[string]any{"username": username, "displayName": username, "email": username + "@newco.example", "role": role}
		for k, v := range extra {
			in[k] = v
		}
		return must(t, url, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`,
			map[string]any{"in": in}, "createUser", "id").(string)
	}
	amID := user("am.newco", "ACCOUNT_MANAGER", nil)
	acct := must(t, url, w.admin, `mutation($in: CreateAccountInput!) { createAccount(input: $in) { id code accountManagers { username } } }`,
		map[string]any{"in": map[string]any{"code": "newco", "name": "NewCo Precision Machining", "accountManagerIds": []string{amID}}},
		"createAccount")
	assert.Equal(t, "NEWCO", dig(acct, "code"))
	assert.Equal(t, []any{map[string]any{"username": "am.newco"}}, dig(acct, "accountManagers"))
	w.account = dig(acct, "id").(string)
	w.am = env.token(t, "am.newco")
	waitForRules(t, url, w.am, `query($id: ID!) { account(id: $id) { id } }`, map[string]any{"id": w.account})

	site := map[string]any{"accountId": w.account, "name": "Suzhou plant", "address": "88 Xinghu St, SIP", "city": "Suzhou",
		"country": "CN", "lat": 31.30, "lng": 120.58, "timeZone": "Asia/Shanghai"}
	for field, bad := range map[string]any{"lat": 91.0, "timeZone": "Asia/Suzhou", "country": "China"} {
		in := map[string]any{}
		for k, v := range site {
			in[k] = v
		}
		in[field] = bad
		code, ext := refused(t, url, w.am, createSiteMutation, map[string]any{"in": in})
		assert.Equal(t, aftercare.EINVALID, code, field)
		assert.Equal(t, field, ext["field"], "the error names the field")
	}
	created := must(t, url, w.am, createSiteMutation, map[string]any{"in": site}, "createSite")
	assert.Equal(t, "east", dig(created, "region"), "Suzhou is served from the east region, by its nearest listed city")
	w.site = dig(created, "id").(string)
	code, _ := refused(t, url, w.am, createSiteMutation, map[string]any{"in": map[string]any{"accountId": env.firstAccountID(t, url, w.admin),
		"name": "X", "address": "X", "city": "X", "country": "CN", "lat": 31.3, "lng": 120.6, "timeZone": "Asia/Shanghai"}})
	assert.Equal(t, aftercare.ENOTFOUND, code, "an account manager adds sites to their own accounts only")

	w.line = "thinkedge_se"
	must(t, url, w.admin, `mutation { createProductLine(input: {code: "thinkedge_se", name: "ThinkEdge SE Edge Servers", kind: "server"}) { code } }`, nil)
	w.serial = "J9EDGE0001"
	must(t, url, w.am, `mutation($in: RegisterAssetInput!) { registerAsset(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"siteId": w.site, "serialNumber": w.serial, "productLine": w.line, "model": "ThinkEdge SE350 V2",
		"shippedOn": time.Now().AddDate(0, -1, 0).Format(time.DateOnly), "warrantyEndsOn": time.Now().AddDate(3, 0, 0).Format(time.DateOnly)}})
	user("it.newco", "CUSTOMER_IT", map[string]any{"accountId": w.account})
	w.customer = env.token(t, "it.newco")
	waitForRules(t, url, w.customer, `query($id: ID!) { account(id: $id) { id } }`, map[string]any{"id": w.account})
	seen := must(t, url, w.customer, `query($s: String!) { assetBySerial(serialNumber: $s) { site { region } } }`,
		map[string]any{"s": w.serial}, "assetBySerial", "site", "region")
	assert.Equal(t, "east", seen, "the new corporate IT user sees the account's asset")
}

// waitForRules waits until the API has reloaded the access rules a
// mutation changed (LISTEN/NOTIFY): until the query succeeds as the token's
// user.
func waitForRules(t *testing.T, url, token, query string, vars map[string]any) {
	t.Helper()
	waitFor(t, 10*time.Second, "the API to reload the access rules", func() bool {
		return len(gql(t, url, token, query, vars).Errors) == 0
	})
}

// firstAccountID returns the ID of the demo's first account.
func (e *testEnv) firstAccountID(t *testing.T, url, admin string) string {
	t.Helper()
	edges := must(t, url, admin, `{ accounts(first: 1) { edges { node { id } } } }`, nil, "accounts", "edges").([]any)
	return dig(edges[0], "node", "id").(string)
}

// importAssets has the account manager import assets under a draft
// contract: a file with one bad row writes nothing and names the line; the
// file without it registers every asset.
func importAssets(t *testing.T, url string, w *masterWorld) {
	starts := time.Now().UTC().AddDate(0, 1, 0)
	draft := must(t, url, w.am, `mutation($in: CreateContractInput!) { createContract(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"accountId": w.account, "tier": "PREMIUM", "startsOn": starts.Format(time.DateOnly),
			"endsOn": starts.AddDate(1, 0, 0).Format(time.DateOnly), "serialNumbers": []string{w.serial}, "entitlements": []any{}}},
		"createContract", "id").(string)
	csv := "serial_number,site,product_line,model,shipped_on,warranty_ends_on\n"
	for i := range 5 {
		csv += fmt.Sprintf("J9EDGE01%02d,Suzhou plant,thinkedge_se,ThinkEdge SE350 V2,2026-01-05,2029-01-04\n", i)
	}
	bad := csv + "J9EDGE0199,Wuxi plant,thinkedge_se,ThinkEdge SE350 V2,2026-01-05,2029-01-04\n" // line 7
	importMutation := `mutation($a: ID!, $c: ID, $csv: String!) { importAssets(accountId: $a, contractId: $c, csv: $csv) { serialNumber } }`
	code, ext := refused(t, url, w.am, importMutation, map[string]any{"a": w.account, "c": draft, "csv": bad})
	assert.Equal(t, aftercare.EINVALID, code)
	assert.Equal(t, []any{map[string]any{"line": float64(7), "field": "site", "message": `the account has no site named "Wuxi plant"`}},
		ext["problems"], "the bad row, by line")
	missing := gql(t, url, w.am, `{ assetBySerial(serialNumber: "J9EDGE0100") { id } }`, nil)
	assert.Equal(t, aftercare.ENOTFOUND, missing.code(), "nothing of the bad file was written")

	imported := must(t, url, w.am, importMutation, map[string]any{"a": w.account, "c": draft, "csv": csv}, "importAssets").([]any)
	assert.Len(t, imported, 5)
	covered := must(t, url, w.am, `query($s: String!) { assetBySerial(serialNumber: $s) { contracts { edges { node { id } } } } }`,
		map[string]any{"s": "J9EDGE0104"}, "assetBySerial", "contracts", "edges").([]any)
	require.Len(t, covered, 1, "imported under the draft contract")
	assert.Equal(t, draft, dig(covered[0], "node", "id"))
}

// newFieldService has the admin create a part with prices, a depot placed
// by its location (with units of the part received there), a partner
// provider and an engineer of it certified on the new product line.
func newFieldService(t *testing.T, env *testEnv, url string, w *masterWorld) {
	w.fru = "03SE0001"
	part := must(t, url, w.admin, `mutation($in: CreatePartInput!) { createPart(input: $in) { id unitPrice { amount currency } } }`,
		map[string]any{"in": map[string]any{"fru": w.fru, "description": "SE350 V2 power module",
			"unitPrice": map[string]any{"amount": "980.50", "currency": "CNY"}, "productLines": []string{w.line},
			"prices": []any{map[string]any{"tier": "STANDARD", "region": "east", "amount": "1020"}}}}, "createPart")
	assert.Equal(t, "980.50", dig(part, "unitPrice", "amount"))
	depot := must(t, url, w.admin, `mutation { createDepot(input: {code: "dep-sip1", name: "Suzhou Parts Depot", city: "Suzhou",
		country: "CN", lat: 31.32, lng: 120.62, timeZone: "Asia/Shanghai"}) { id code region country } }`, nil, "createDepot")
	assert.Equal(t, map[string]any{"id": dig(depot, "id"), "code": "DEP-SIP1", "region": "east", "country": "CN"}, depot)
	w.depot = dig(depot, "id").(string)
	must(t, url, w.admin, `mutation($d: ID!, $f: String!) { receiveStock(input: {depotId: $d, fru: $f, quantity: 4}) { id } }`,
		map[string]any{"d": w.depot, "f": w.fru}, "receiveStock")

	w.provider = must(t, url, w.admin, `mutation { createServiceProvider(input: {code: "suzhou-tech", name: "Suzhou Tech Services",
		kind: PARTNER, region: "east"}) { id } }`, nil, "createServiceProvider", "id").(string)
	engineer := map[string]any{"code": "ENG-SZ001", "name": "Gu Ming", "homeDepotId": w.depot, "tierClearance": "PREMIUM",
		"capacity": 3, "shifts": allWeek(), "providerId": w.provider,
		"skills": []any{map[string]any{"productLine": w.line, "level": 2, "expiresOn": time.Now().AddDate(1, 0, 0).Format(time.DateOnly)}}}
	createEngineer := `mutation($in: CreateEngineerInput!) { createEngineer(input: $in) { id region timeZone provider { code }
		skills { productLine level expiresOn } } }`
	bad := map[string]any{}
	for k, v := range engineer {
		bad[k] = v
	}
	bad["shifts"] = []any{map[string]any{"day": "MONDAY", "start": "18:00", "end": "08:00"}}
	code, ext := refused(t, url, w.admin, createEngineer, map[string]any{"in": bad})
	assert.Equal(t, aftercare.EINVALID, code)
	assert.Equal(t, "shifts[0].end", ext["field"])
	code, _ = refused(t, url, w.am, createEngineer, map[string]any{"in": engineer})
	assert.Equal(t, aftercare.EUNAUTHORIZED, code, "account managers keep no engineers")

	created := must(t, url, w.admin, createEngineer, map[string]any{"in": engineer}, "createEngineer")
	assert.Equal(t, "east", dig(created, "region"), "the home depot's region")
	assert.Equal(t, "Asia/Shanghai", dig(created, "timeZone"))
	assert.Equal(t, "SUZHOU-TECH", dig(created, "provider", "code"))
	w.engineer = dig(created, "id").(string)
	staff := must(t, url, w.admin, `query($id: ID!) { serviceProvider(id: $id) { status engineers { edges { node { id } } } } }`,
		map[string]any{"id": w.provider}, "serviceProvider")
	assert.Equal(t, "ACTIVE", dig(staff, "status"))
	assert.Len(t, dig(staff, "engineers", "edges"), 1)
}
