package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// How a service-day job ends.
const (
	planComplete       = "complete"        // accepted, travelled, repaired, completed
	planCancelProposed = "cancel proposed" // the incident is cancelled before anyone accepts
	planCancelEnRoute  = "cancel en route" // ... while the engineer is on the way
	planCancelOnSite   = "cancel on site"  // ... after the engineer arrived and diagnosed
	planDecline        = "decline"         // the first engineer declines; the next one completes
	planOverride       = "override"        // the dispatcher gives an accepted job to another engineer, who completes
)

// dayIncident is one incident of the service day and the job working it.
type dayIncident struct {
	tier, serial, fru, line string // fru "" when the repair needs no part
	account, region, plan   string
	siteLat, siteLng        float64
	id, job, engineer       string
	// parts are where the job's parts were reserved: the location key of
	// each unit.
	parts []stockKey
}

// serviceDay is the world of TestServiceDayEndToEnd.
type serviceDay struct {
	env    *testEnv
	url    string
	admin  string
	logins map[string]string // engineer ID → token
	codes  map[string]string // engineer ID → code
	book   stockBook
	serial int
}

// TestServiceDayEndToEnd runs a service day on the real stack through
// GraphQL alone. Corporate IT files 30 incidents over the three tiers;
// dispatch gives each to an engineer (platinum with advance parts at
// filing, the others by the dispatcher); each engineer accepts, departs,
// arrives, records the diagnosis and the parts used with their serials,
// tests and completes — or declines, or is replaced by the dispatcher, or
// the incident is cancelled part-way. Mid-day an administrator brings a
// new site, asset and engineer into service, and the next incident goes
// to that engineer. Stock is received, moved to vans and back, counted,
// and the failed parts sent back are received. At the end every
// engineer's load is 0, every reservation is consumed or released, and
// for every (location, part) the units on hand are the units at the start
// plus receipts, minus consumption, plus or minus transfers and
// adjustments, plus good returns: by the test's own book and by the
// ledger's movements alike.
func TestServiceDayEndToEnd(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	d := &serviceDay{env: env, url: m.URL(), admin: env.token(t, "admin"), book: stockBook{}}
	incidents := d.chooseIncidents(t)
	d.rota(t, incidents)
	start := readStock(t, env)
	mark := postgrestest.MustQueryInt(t, env.db, `SELECT coalesce(max(id), 0) FROM stock_movements`)
	assert.Zero(t, postgrestest.MustQueryInt(t, env.db, `SELECT count(*) FROM assignments WHERE state IN
		('proposed', 'accepted', 'en_route', 'on_site')`), "the day starts with nobody busy")
	d.stockDepots(t, incidents)

	for _, inc := range incidents {
		d.file(t, inc)
	}
	for _, inc := range incidents {
		d.dispatch(t, inc)
	}
	d.assertLoads(t, incidents)
	for _, inc := range incidents {
		d.firstMove(t, inc)
	}

	late := d.newcomer(t, incidents[0])
	d.file(t, late)
	d.dispatch(t, late)
	require.Equal(t, "ENG-DAY01", d.codes[late.engineer], "the new engineer, on site with the part in the van, takes the new asset's incident")
	d.firstMove(t, late)
	incidents = append(incidents, late)
	d.assertLoads(t, incidents)

	for _, inc := range incidents {
		d.secondMove(t, inc)
	}
	for _, inc := range incidents {
		d.thirdMove(t, inc)
	}
	d.assertLoads(t, incidents)
	for _, inc := range incidents {
		d.finish(t, inc)
	}
	d.receiveReturns(t)
	d.restock(t)

	d.assertDayEnded(t, incidents)
	d.logDay(t, incidents)
	end := readStock(t, env)
	d.book.assertBalances(t, start, end)
	d.book.assertLedger(t, env, mark)
	postgrestest.AssertJobInvariants(t, env.db, nil)
}

// do runs a query as token and fails the test on any error.
func (d *serviceDay) do(t *testing.T, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	got := gql(t, d.url, token, query, vars)
	require.Empty(t, got.Errors, "%s %v: %+v", query, vars, got.Errors)
	return got.Data
}

// dispatcher returns the token of the region's dispatcher, or the
// administrator's for a region the demo has no dispatcher for.
func (d *serviceDay) dispatcher(t *testing.T, region string) string {
	t.Helper()
	for _, u := range d.env.summary.Users {
		if u.Username == "dispatcher."+region {
			return d.env.token(t, u.Username)
		}
	}
	return d.admin
}

// chooseIncidents picks ten incidents for each tier but platinum, which
// gets nine (its tenth is the new asset's), on assets under an in-force
// contract of the tier that covers the work free of charge, each with its
// plan: most complete, the others end in each way a job can.
func (d *serviceDay) chooseIncidents(t *testing.T) []*dayIncident {
	t.Helper()
	byTier := map[string][]*dayIncident{}
	var inc dayIncident
	require.NoError(t, d.env.db.Query(context.Background(), `
		SELECT DISTINCT ON (c.tier, a.serial_number) c.tier, a.serial_number, a.product_line, ac.code, s.region, s.lat, s.lng,
			(SELECT min(p.fru) FROM parts p JOIN part_product_lines pl ON pl.part_id = p.id WHERE pl.product_line = a.product_line
			 AND p.description NOT ILIKE '%battery%')
		FROM assets a JOIN contract_assets ca ON ca.asset_id = a.id JOIN contracts c ON c.id = ca.contract_id
		JOIN sites s ON s.id = a.site_id JOIN accounts ac ON ac.id = a.account_id
		WHERE c.status IN ('active', 'expiring') AND c.starts_on <= current_date AND c.ends_on > current_date
		ORDER BY c.tier, a.serial_number`, nil,
		[]any{&inc.tier, &inc.serial, &inc.line, &inc.account, &inc.region, &inc.siteLat, &inc.siteLng, &inc.fru}, func() error {
			c := inc
			byTier[c.tier] = append(byTier[c.tier], &c)
			return nil
		}))
	for tier, assets := range byTier {
		byTier[tier] = slices.DeleteFunc(assets, func(a *dayIncident) bool {
			got := d.do(t, d.admin, `query($s: String!) { entitlementCheck(serialNumber: $s) { covered needsQuote } }`,
				map[string]any{"s": a.serial})
			return dig(got, "entitlementCheck", "covered") != true || dig(got, "entitlementCheck", "needsQuote") != false
		})
	}
	plans := []string{planComplete, planComplete, planCancelProposed, planComplete, planDecline, planComplete,
		planCancelEnRoute, planComplete, planOverride, planCancelOnSite}
	var out []*dayIncident
	for i := range 10 {
		for _, tier := range []string{"platinum", "premium", "standard"} {
			if i == 9 && tier == "platinum" {
				continue // the tenth is the new asset's (newcomer)
			}
			assets := byTier[tier]
			require.NotEmpty(t, assets, "the demo has assets under %s contracts", tier)
			c := *assets[i%len(assets)]
			c.plan = plans[len(out)%len(plans)]
			if tier != "platinum" && i%4 == 3 {
				c.fru = "" // a repair without parts: a reseat, a firmware fix
			}
			out = append(out, &c)
		}
	}
	return out
}

// rota has the administrator put every engineer on a round-the-clock rota
// for the day, cleared for every tier and certified on every product line
// of the day's assets, each with a login of their own.
func (d *serviceDay) rota(t *testing.T, incidents []*dayIncident) {
	t.Helper()
	lines := map[string]bool{}
	var skills []any
	for _, inc := range incidents {
		if !lines[inc.line] {
			lines[inc.line] = true
			skills = append(skills, map[string]any{"productLine": inc.line, "level": 3,
				"expiresOn": time.Now().AddDate(1, 0, 0).Format(time.DateOnly)})
		}
	}
	edges := dig(d.do(t, d.admin, `{ engineers(first: 500) { edges { node { id code } } } }`, nil), "engineers", "edges").([]any)
	d.logins, d.codes = map[string]string{}, map[string]string{}
	for _, e := range edges {
		id, code := dig(e, "node", "id").(string), dig(e, "node", "code").(string)
		update := map[string]any{"shifts": allWeek(), "tierClearance": "PLATINUM", "capacity": 3, "skills": skills}
		username := "engineer.zhang"
		if code != "ENG-00001" {
			username = "eng." + strings.ToLower(code)
			update["userId"] = d.do(t, d.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"username": username, "displayName": "Engineer " + code,
					"email": username + "@aftercare.example", "role": "ENGINEER"}})["createUser"].(map[string]any)["id"]
		}
		d.do(t, d.admin, `mutation($id: ID!, $in: UpdateEngineerInput!) { updateEngineer(id: $id, input: $in) { id } }`,
			map[string]any{"id": id, "in": update})
		d.logins[id], d.codes[id] = d.env.token(t, username), code
	}
	for id, token := range d.logins {
		waitForRules(t, d.url, token, `query($e: ID!) { engineer(id: $e) { id } }`, map[string]any{"e": id})
	}
}

// file has the account's corporate IT file the incident, with the part
// its diagnostics name.
func (d *serviceDay) file(t *testing.T, inc *dayIncident) {
	t.Helper()
	input := incidentInput(inc.serial, uniqueID("day"))
	input["priority"] = "P2"
	if inc.tier == "platinum" {
		input["priority"] = "P1"
	}
	if inc.fru != "" {
		input["parts"] = []any{map[string]any{"fru": inc.fru, "quantity": 1}}
	}
	filed := d.do(t, d.env.token(t, customerOf(inc.account)), createIncidentMutation, map[string]any{"input": input})
	inc.id = dig(filed, "createIncident", "id").(string)
	assert.Equal(t, strings.ToUpper(inc.tier), dig(filed, "createIncident", "tier"))
}

// dispatch waits for the job a platinum incident's workflow gives at
// filing (advance parts replacement), or has the region's dispatcher
// assign the best candidate, retrying while the contract still counts the
// entitlement claim, as a dispatcher would.
func (d *serviceDay) dispatch(t *testing.T, inc *dayIncident) {
	t.Helper()
	dispatcher := d.dispatcher(t, inc.region)
	waitFor(t, 90*time.Second, "incident "+inc.id+"'s job", func() bool {
		if d.activeJob(t, inc) {
			return true
		}
		if inc.tier == "platinum" && inc.fru != "" {
			return false // the workflow dispatches it
		}
		got := gql(t, d.url, dispatcher, `mutation($id: ID!) { assignEngineer(incidentId: $id) { id } }`, map[string]any{"id": inc.id})
		if got.code() == aftercare.ECONFLICT && len(got.Errors) > 0 && got.Errors[0].Message == aftercare.ClaimPendingMessage {
			return false
		}
		require.Empty(t, got.Errors, "%s %s: %+v %v", inc.tier, inc.serial, got.Errors,
			d.do(t, d.admin, `query($id: ID!) { incident(id: $id) { status coverage { covered needsQuote reason } } }`, map[string]any{"id": inc.id}))
		return d.activeJob(t, inc)
	})
}

// activeJob reads the incident's active job, with where its parts are
// reserved, into inc, and reports whether it has one.
func (d *serviceDay) activeJob(t *testing.T, inc *dayIncident) bool {
	t.Helper()
	got := d.do(t, d.admin, `query($id: ID!) { incident(id: $id) { assignments { id state engineer { id }
		parts { part { fru } quantity depot { id } } } } }`, map[string]any{"id": inc.id})
	for _, a := range dig(got, "incident", "assignments").([]any) {
		switch dig(a, "state") {
		case "PROPOSED", "ACCEPTED", "EN_ROUTE", "ON_SITE":
		default:
			continue
		}
		inc.job, inc.engineer = dig(a, "id").(string), dig(a, "engineer", "id").(string)
		inc.parts = nil
		for _, p := range dig(a, "parts").([]any) {
			key := stockKey{location: "van:" + inc.engineer, fru: dig(p, "part", "fru").(string)}
			if depot, ok := dig(p, "depot", "id").(string); ok {
				key.location = "depot:" + depot
			}
			for range int(dig(p, "quantity").(float64)) {
				inc.parts = append(inc.parts, key)
			}
		}
		return true
	}
	return false
}

// assertLoads checks, as the administrator reads the fleet, that every
// engineer's load is the day's active jobs they hold.
func (d *serviceDay) assertLoads(t *testing.T, incidents []*dayIncident) {
	t.Helper()
	want := map[string]float64{}
	for _, inc := range incidents {
		if inc.job != "" {
			want[inc.engineer]++
		}
	}
	edges := dig(d.do(t, d.admin, `{ engineers(first: 500) { edges { node { id code load currentJobs { id } } } } }`, nil),
		"engineers", "edges").([]any)
	require.GreaterOrEqual(t, len(edges), len(d.logins))
	for _, e := range edges {
		id := dig(e, "node", "id").(string)
		assert.Equal(t, want[id], dig(e, "node", "load"), "engineer %s's load", dig(e, "node", "code"))
		assert.Len(t, dig(e, "node", "currentJobs"), int(want[id]), "engineer %s's current jobs", dig(e, "node", "code"))
	}
}

// jobAction runs one of the engineer's job mutations on the incident's
// job, as its engineer, and checks the state the job reaches.
func (d *serviceDay) jobAction(t *testing.T, inc *dayIncident, mutation, want string) {
	t.Helper()
	vars := map[string]any{"id": inc.job, "lat": inc.siteLat, "lng": inc.siteLng}
	args := "(id: $id)"
	decl := "($id: ID!)"
	if mutation == "arriveForJob" {
		args, decl = "(id: $id, lat: $lat, lng: $lng)", "($id: ID!, $lat: Float!, $lng: Float!)"
	} else {
		delete(vars, "lat")
		delete(vars, "lng")
	}
	got := d.do(t, d.logins[inc.engineer], fmt.Sprintf(`mutation%s { %s%s { state } }`, decl, mutation, args), vars)
	assert.Equal(t, want, dig(got, mutation, "state"), "%s on incident %s", mutation, inc.id)
}

// cancel has the dispatcher cancel the incident: its job ends with it.
func (d *serviceDay) cancel(t *testing.T, inc *dayIncident, reason string) {
	t.Helper()
	got := d.do(t, d.dispatcher(t, inc.region), `mutation($id: ID!, $r: String!) { cancelIncident(id: $id, reason: $r) {
		status assignments { id state parts { quantity } } } }`, map[string]any{"id": inc.id, "r": reason})
	assert.Equal(t, "CANCELLED", dig(got, "cancelIncident", "status"))
	job := dig(got, "cancelIncident", "assignments").([]any)[0]
	assert.Equal(t, map[string]any{"id": inc.job, "state": "CANCELLED", "parts": []any{}}, job, "the job ends and holds nothing")
	inc.job, inc.parts = "", nil
}

// firstMove: the job is accepted, declined (the next engineer accepts
// it), or the incident is cancelled before anyone accepts.
func (d *serviceDay) firstMove(t *testing.T, inc *dayIncident) {
	t.Helper()
	switch inc.plan {
	case planCancelProposed:
		d.cancel(t, inc, "the customer rebooted it; it came back")
		return
	case planDecline:
		first := inc.engineer
		got := d.do(t, d.logins[inc.engineer], `mutation($id: ID!) { declineJob(id: $id, reason: "stuck in traffic on the ring road") {
			declined { state parts { quantity } } reassigned unassigned } }`, map[string]any{"id": inc.job})
		assert.Equal(t, "DECLINED", dig(got, "declineJob", "declined", "state"))
		assert.Empty(t, dig(got, "declineJob", "declined", "parts"), "the declined job's parts go back")
		require.Equal(t, true, dig(got, "declineJob", "reassigned"), "unassigned: %v", dig(got, "declineJob", "unassigned"))
		require.True(t, d.activeJob(t, inc))
		require.NotEqual(t, first, inc.engineer, "the next candidate has it")
	}
	d.jobAction(t, inc, "acceptJob", "ACCEPTED")
}

// secondMove: the engineer sets out; the dispatcher gives an accepted job
// to another engineer, who accepts and sets out; or the incident is
// cancelled once the engineer is on the way.
func (d *serviceDay) secondMove(t *testing.T, inc *dayIncident) {
	t.Helper()
	if inc.job == "" {
		return
	}
	if inc.plan == planOverride {
		first := inc.engineer
		candidates := dig(d.do(t, d.admin, candidatesQuery, map[string]any{"id": inc.id}), "dispatchCandidates", "candidates").([]any)
		var other string
		for _, c := range candidates {
			if id := dig(c, "engineer", "id").(string); id != first && other == "" {
				other = id
			}
		}
		require.NotEmpty(t, other, "another engineer can take incident %s", inc.id)
		got := d.do(t, d.dispatcher(t, inc.region), `mutation($i: ID!, $e: ID!) { overrideAssignment(incidentId: $i, engineerId: $e,
			reason: "the customer asked for the engineer who fixed it last time") { id engineer { id } state } }`,
			map[string]any{"i": inc.id, "e": other})
		assert.Equal(t, other, dig(got, "overrideAssignment", "engineer", "id"))
		old := d.do(t, d.admin, `query($id: ID!) { incident(id: $id) { assignments { id state parts { quantity } } } }`,
			map[string]any{"id": inc.id})
		for _, a := range dig(old, "incident", "assignments").([]any) {
			if dig(a, "id") == inc.job {
				assert.Equal(t, "OVERRIDDEN", dig(a, "state"))
				assert.Empty(t, dig(a, "parts"), "the replaced job's parts go back")
			}
		}
		require.True(t, d.activeJob(t, inc))
		require.Equal(t, other, inc.engineer)
		d.jobAction(t, inc, "acceptJob", "ACCEPTED")
	}
	d.jobAction(t, inc, "departForJob", "EN_ROUTE")
	if inc.plan == planCancelEnRoute {
		d.cancel(t, inc, "a colleague on site found the loose cable")
	}
}

// thirdMove: the engineer arrives, reporting where they are; or, after
// arriving and diagnosing, the incident is cancelled.
func (d *serviceDay) thirdMove(t *testing.T, inc *dayIncident) {
	t.Helper()
	if inc.job == "" {
		return
	}
	d.jobAction(t, inc, "arriveForJob", "ON_SITE")
	at := d.do(t, d.admin, `query($e: ID!) { engineer(id: $e) { lat lng } }`, map[string]any{"e": inc.engineer})
	assert.InDelta(t, inc.siteLat, dig(at, "engineer", "lat"), 1e-9, "the arrival moved the engineer")
	if inc.plan == planCancelOnSite {
		d.do(t, d.logins[inc.engineer], `mutation($id: ID!) { recordDiagnosis(incidentId: $id, diagnosis: "no fault found") { diagnosis } }`,
			map[string]any{"id": inc.id})
		d.cancel(t, inc, "no fault found; the customer withdrew it")
	}
}

// finish has the engineer record the repair — the diagnosis, each part
// used with its serial and the failed part's, a passing test — and
// complete the job: the incident resolves and the parts are consumed
// where they were reserved.
func (d *serviceDay) finish(t *testing.T, inc *dayIncident) {
	t.Helper()
	if inc.job == "" {
		return
	}
	token := d.logins[inc.engineer]
	vars := map[string]any{"id": inc.id}
	d.do(t, token, `mutation($id: ID!) { recordDiagnosis(incidentId: $id, diagnosis: "failed module replaced") { diagnosis } }`, vars)
	for _, key := range inc.parts {
		d.serial++
		d.do(t, token, `mutation($id: ID!, $f: String!, $s: String!, $r: String!) { recordPartUsed(input: {incidentId: $id, fru: $f,
			serialNumber: $s, removedSerialNumber: $r}) { fru } }`, map[string]any{"id": inc.id, "f": key.fru,
			"s": fmt.Sprintf("NEW%06d", d.serial), "r": fmt.Sprintf("OLD%06d", d.serial)})
	}
	d.do(t, token, `mutation($id: ID!) { recordTestResult(incidentId: $id, passed: true, notes: "burn-in passed") { passed } }`, vars)
	got := d.do(t, token, `mutation($id: ID!) { completeJob(id: $id, note: "done") { state active incident { status } } }`,
		map[string]any{"id": inc.job})
	assert.Equal(t, map[string]any{"state": "COMPLETED", "active": false, "incident": map[string]any{"status": "RESOLVED"}},
		dig(got, "completeJob"))
	for _, key := range inc.parts {
		d.book.add(key).consumed++
	}
	inc.job = ""
}

// newcomer has the administrator bring into service, mid-day, a new site
// of the first incident's account with a new asset under its contract,
// and a new engineer with a login, certified on the asset's line, who is
// sent to the site with the part in the van. It returns the incident the
// asset will have.
func (d *serviceDay) newcomer(t *testing.T, like *dayIncident) *dayIncident {
	t.Helper()
	var account, contract string
	require.NoError(t, d.env.db.QueryRow(context.Background(), `
		SELECT a.account_id::text, c.id::text FROM assets a JOIN contract_assets ca ON ca.asset_id = a.id
		JOIN contracts c ON c.id = ca.contract_id
		WHERE a.serial_number = $1 AND c.tier = 'platinum' AND c.status IN ('active', 'expiring') AND c.starts_on <= current_date
		ORDER BY c.ends_on DESC LIMIT 1`, []any{like.serial}, &account, &contract))
	inc := &dayIncident{tier: "platinum", serial: "SDAY00001", fru: like.fru, line: like.line, account: like.account,
		plan: planComplete, siteLat: like.siteLat + 0.137, siteLng: like.siteLng - 0.091}
	site := d.do(t, d.admin, createSiteMutation, map[string]any{"in": map[string]any{"accountId": account, "name": "Day-one annex",
		"address": "2 Annex Road", "city": "Annex", "country": "CN", "lat": inc.siteLat, "lng": inc.siteLng, "timeZone": "Asia/Shanghai"}})
	inc.region = dig(site, "createSite", "region").(string)
	d.do(t, d.admin, `mutation($in: RegisterAssetInput!) { registerAsset(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"siteId": dig(site, "createSite", "id"), "serialNumber": inc.serial, "productLine": inc.line, "model": "Day-one server",
		"shippedOn": time.Now().AddDate(0, -2, 0).Format(time.DateOnly), "warrantyEndsOn": time.Now().AddDate(3, 0, 0).Format(time.DateOnly),
		"contractId": contract}})

	depot := d.depotIn(t, inc.region)
	user := d.do(t, d.admin, `mutation { createUser(input: {username: "engineer.day", displayName: "Day One",
		email: "day.one@aftercare.example", role: ENGINEER}) { id } }`, nil)
	created := d.do(t, d.admin, `mutation($in: CreateEngineerInput!) { createEngineer(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"code": "ENG-DAY01", "name": "Day One", "homeDepotId": depot, "tierClearance": "PLATINUM", "capacity": 2, "shifts": allWeek(),
		"userId": dig(user, "createUser", "id"), "skills": []any{map[string]any{"productLine": inc.line, "level": 3,
			"expiresOn": time.Now().AddDate(1, 0, 0).Format(time.DateOnly)}}}})
	id := dig(created, "createEngineer", "id").(string)
	d.codes[id], d.logins[id] = "ENG-DAY01", d.env.token(t, "engineer.day")
	waitForRules(t, d.url, d.logins[id], `{ myJobs { id } }`, nil)
	d.do(t, d.admin, `mutation($e: ID!, $lat: Float!, $lng: Float!) { reportLocation(engineerId: $e, lat: $lat, lng: $lng) { id } }`,
		map[string]any{"e": id, "lat": inc.siteLat, "lng": inc.siteLng})
	d.receive(t, inc.region, depot, inc.fru, 1)
	d.transfer(t, inc.region, depot, id, inc.fru, 1, "DEPOT_TO_VAN")
	return inc
}

// logDay logs how the day's incidents ended and who worked them.
func (d *serviceDay) logDay(t *testing.T, incidents []*dayIncident) {
	t.Helper()
	plans, tiers, engineers := map[string]int{}, map[string]int{}, map[string]bool{}
	for _, inc := range incidents {
		plans[inc.plan]++
		tiers[inc.tier]++
		engineers[inc.engineer] = true
	}
	t.Logf("%d incidents by tier %v, ending %v, worked by %d engineers; %d stock rows moved",
		len(incidents), tiers, plans, len(engineers), len(d.book))
}
