package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kpiFigures are the KPI counters the end-to-end scenario moves.
const kpiFigures = `resolved visited firstTimeFixes surveysAnswered surveysSatisfied onSite { met } restore { met }`

// kpisOf returns today's KPIs (UTC) of one key of a dimension, flattened to
// "resolved", "onSite.met" and so on; zero for a key with none yet.
func kpisOf(t *testing.T, url, token, dimension, key string) map[string]float64 {
	t.Helper()
	today := time.Now().UTC().Format(time.DateOnly)
	got := gql(t, url, token, `query($f: KpiFilter!) { kpis(filter: $f) { key `+kpiFigures+` } }`,
		map[string]any{"f": map[string]any{"dimension": dimension, "from": today, "to": today, "granularity": "TOTAL", "key": key}})
	require.Empty(t, got.Errors, "%+v", got.Errors)
	out := map[string]float64{}
	for _, k := range dig(got.Data, "kpis").([]any) {
		for name, v := range k.(map[string]any) {
			switch v := v.(type) {
			case float64:
				out[name] += v
			case map[string]any:
				out[name+".met"] += v["met"].(float64)
			}
		}
	}
	return out
}

// TestRepairFlowEndToEnd runs the whole repair flow on the real stack (API,
// worker, PostgreSQL, Temporal): a platinum P1 server failure filed with
// the part its diagnostics name → advance parts reserve the nearest
// engineer and the part from their van at filing → dispatch → arrival →
// diagnosis and the part installed with its serial number, consumed from
// the reserved van stock, the failed part sent back → repaired → verify
// refused until a test passes → verified → resolved → the survey is sent
// and answered through its link, without an account → the KPIs of the
// account and the engineer count the incident.
func TestRepairFlowEndToEnd(t *testing.T) {
	env := mustTestEnv(t)
	hook := newReceiver(t)
	env.cfg.Webhooks = []string{hook.URL}
	m := env.startMain(t)
	url := m.URL()
	admin := env.token(t, "admin")
	serial := env.summary.Serials[aftercare.TierPlatinum]

	asset := gql(t, url, admin, `query($s: String!) { assetBySerial(serialNumber: $s) { productLine account { id code } } }`,
		map[string]any{"s": serial})
	require.Empty(t, asset.Errors)
	line := dig(asset.Data, "assetBySerial", "productLine").(string)
	accountID := dig(asset.Data, "assetBySerial", "account", "id").(string)
	customer := env.token(t, customerOf(dig(asset.Data, "assetBySerial", "account", "code").(string)))
	require.Regexp(t, "^(thinksystem|thinkagile)", line, "the platinum demo serial is a server")

	// A part of the server that is no drive, so that the failed one goes
	// back to the depot whatever the contract says about keeping drives.
	parts := gql(t, url, admin, `query($l: String!) { parts(productLine: $l, first: 100) { edges { node { fru description } } } }`,
		map[string]any{"l": line})
	require.Empty(t, parts.Errors)
	var fru string
	for _, e := range dig(parts.Data, "parts", "edges").([]any) {
		if d := dig(e, "node", "description").(string); fru == "" && !regexp.MustCompile(`(?i)\b(hdd|ssd|drive)`).MatchString(d) {
			fru = dig(e, "node", "fru").(string)
		}
	}
	require.NotEmpty(t, fru, "a part of %s that is not a drive", line)

	// engineer.zhang (ENG-00001: platinum clearance, 24x7) works at the
	// customer's site today, certified on the server's line, with two of
	// the part in the van: the nearest qualified engineer whatever the hour.
	require.NoError(t, env.db.ExecScript(context.Background(), fmt.Sprintf(`
		UPDATE engineers e SET lat = s.lat, lng = s.lng FROM assets a JOIN sites s ON s.id = a.site_id
		WHERE a.serial_number = '%[1]s' AND e.code = 'ENG-00001';
		INSERT INTO engineer_skills (engineer_id, product_line, level)
		SELECT e.id, '%[2]s', 3 FROM engineers e WHERE e.code = 'ENG-00001'
		ON CONFLICT (engineer_id, product_line) DO UPDATE SET level = 3;
		%[3]s`, serial, line, postgrestest.VanStockSQL(fru, 2, "e.code = 'ENG-00001'"))))
	zhangQ := gql(t, url, admin, `{ engineers(first: 500) { edges { node { id code } } } }`, nil)
	require.Empty(t, zhangQ.Errors)
	var zhangID string
	for _, e := range dig(zhangQ.Data, "engineers", "edges").([]any) {
		if dig(e, "node", "code") == "ENG-00001" {
			zhangID = dig(e, "node", "id").(string)
		}
	}
	require.NotEmpty(t, zhangID)
	zhang := env.token(t, "engineer.zhang")
	vanOf := func() (onHand, reserved float64) {
		t.Helper()
		got := gql(t, url, admin, `query($e: ID!) { engineer(id: $e) { vanStock(first: 100) { edges { node { part { fru } onHand reserved } } } } }`,
			map[string]any{"e": zhangID})
		require.Empty(t, got.Errors)
		for _, e := range dig(got.Data, "engineer", "vanStock", "edges").([]any) {
			if dig(e, "node", "part", "fru") == fru {
				return dig(e, "node", "onHand").(float64), dig(e, "node", "reserved").(float64)
			}
		}
		return 0, 0
	}
	kpiBefore := kpisOf(t, url, admin, "ACCOUNT", accountID)
	engineerBefore := kpisOf(t, url, admin, "ENGINEER", zhangID)

	// Filed with the part the server's diagnostics name.
	input := incidentInput(serial, uniqueID("e2e"))
	input["symptoms"] = "Host down: both power supplies report a fault after a surge"
	input["parts"] = []any{map[string]any{"fru": fru, "quantity": 1}}
	filed := gql(t, url, customer, createIncidentMutation, map[string]any{"input": input})
	require.Empty(t, filed.Errors, "%+v", filed.Errors)
	id := dig(filed.Data, "createIncident", "id").(string)
	vars := map[string]any{"id": id}
	step := func(token, mutation string) map[string]any {
		t.Helper()
		got := gql(t, url, token, mutation, vars)
		require.Empty(t, got.Errors, "%s: %+v", mutation, got.Errors)
		return got.Data
	}

	// Advance parts: the workflow reserves the engineer and the part at
	// filing, before anyone has looked at the incident.
	waitFor(t, 60*time.Second, "the advance parts dispatch", func() bool {
		got := gql(t, url, admin, `query($id: ID!) { incident(id: $id) { assignments { id } } }`, vars)
		return len(got.Errors) == 0 && len(dig(got.Data, "incident", "assignments").([]any)) > 0
	})
	asg := gql(t, url, admin, `query($id: ID!) { incident(id: $id) { status assignments { engineer { id } parts { quantity } } } }`, vars)
	require.Empty(t, asg.Errors)
	a := dig(asg.Data, "incident", "assignments").([]any)[0]
	require.Equal(t, zhangID, dig(a, "engineer", "id"), "the nearest qualified engineer, with the part in the van")
	assert.Equal(t, "NEW", dig(asg.Data, "incident", "status"), "the part left before triage")
	onHand, reserved := vanOf()
	assert.Equal(t, 1.0, reserved, "one unit reserved in the van")

	// Triage, dispatch, travel, arrival.
	step(admin, `mutation($id: ID!) { acknowledgeIncident(id: $id) { status } }`)
	st := gql(t, url, admin, `query($id: ID!) { incident(id: $id) { status } }`, vars)
	if dig(st.Data, "incident", "status") == "TRIAGED" {
		step(admin, `mutation($id: ID!) { dispatchIncident(id: $id, note: "advance parts already on the way") { status } }`)
	}
	step(zhang, `mutation($id: ID!) { departForIncident(id: $id) { status } }`)
	assert.Equal(t, "ON_SITE", dig(step(zhang, `mutation($id: ID!) { arriveOnSite(id: $id) { status } }`), "arriveOnSite", "status"))

	// The repair: diagnosis, the part installed with its serial number.
	step(zhang, `mutation($id: ID!) { recordDiagnosis(incidentId: $id, diagnosis: "PSU 1 failed short; PSU 2 tripped") { diagnosis } }`)
	newSerial := "E2E-" + uniqueID("SN")[3:]
	used := gql(t, url, zhang, `mutation($id: ID!, $f: String!, $s: String!) { recordPartUsed(input: {incidentId: $id, fru: $f,
		serialNumber: $s, removedSerialNumber: "OLD-PSU-0001"}) { fru serialNumber stockId reserved van { id } engineer { id }
		depot { id } removed { serialNumber disposition depot { id } } } }`, map[string]any{"id": id, "f": fru, "s": newSerial})
	require.Empty(t, used.Errors, "%+v", used.Errors)
	p := dig(used.Data, "recordPartUsed")
	assert.Equal(t, fru, dig(p, "fru"))
	assert.Equal(t, newSerial[:4], dig(p, "serialNumber").(string)[:4])
	assert.Equal(t, true, dig(p, "reserved"), "the unit reserved at filing")
	assert.Equal(t, zhangID, dig(p, "van", "id"), "from the engineer's van")
	assert.Equal(t, zhangID, dig(p, "engineer", "id"))
	assert.Nil(t, dig(p, "depot"))
	assert.Equal(t, "RETURN_TO_DEPOT", dig(p, "removed", "disposition"))
	assert.NotNil(t, dig(p, "removed", "depot", "id"), "the failed part goes back to a depot")
	after, afterReserved := vanOf()
	assert.Equal(t, [2]float64{onHand - 1, reserved - 1}, [2]float64{after, afterReserved}, "consumed from the van")
	step(zhang, `mutation($id: ID!) { repairIncident(id: $id) { status } }`)

	// Verified only after a passing test.
	got := gql(t, url, zhang, `mutation($id: ID!) { verifyIncident(id: $id) { status } }`, vars)
	assert.Equal(t, aftercare.ECONFLICT, got.code())
	require.NotEmpty(t, got.Errors)
	assert.Contains(t, got.Errors[0].Message, "no test result")
	step(zhang, `mutation($id: ID!) { recordTestResult(incidentId: $id, passed: false, notes: "PSU 2 still trips under load") { passed } }`)
	got = gql(t, url, zhang, `mutation($id: ID!) { verifyIncident(id: $id) { status } }`, vars)
	assert.Equal(t, aftercare.ECONFLICT, got.code(), "the latest test failed")
	step(zhang, `mutation($id: ID!) { recordTestResult(incidentId: $id, passed: true, notes: "both PSUs green under full load for 30 min") { passed } }`)
	assert.Equal(t, "VERIFIED", dig(step(zhang, `mutation($id: ID!) { verifyIncident(id: $id) { status } }`), "verifyIncident", "status"))
	assert.Equal(t, "RESOLVED", dig(step(zhang, `mutation($id: ID!) { resolveIncident(id: $id) { status } }`), "resolveIncident", "status"))

	// The stock ledger traces the unit: reserved for the job at filing,
	// consumed by it; the failed part comes back to its depot and, received
	// as defective, is held there for the vendor.
	ledger := gql(t, url, zhang, `query($s: Int!) { stockLedger(stockId: $s) { edges { node { kind jobId incidentId } } } }`,
		map[string]any{"s": dig(p, "stockId")})
	require.Empty(t, ledger.Errors, "%+v", ledger.Errors)
	moves := dig(ledger.Data, "stockLedger", "edges").([]any)
	assert.Equal(t, "CONSUMPTION", dig(moves[0], "node", "kind"), "the engineer reads their van's ledger, newest first")
	assert.Equal(t, id, dig(moves[0], "node", "incidentId"))
	assert.Equal(t, "RESERVATION", dig(moves[1], "node", "kind"))
	assert.Equal(t, dig(moves[0], "node", "jobId"), dig(moves[1], "node", "jobId"), "one job reserved and consumed it")
	returned := gql(t, url, admin, `query($d: ID!) { returnsAwaitingReceipt(depotId: $d) { edges { node { id serialNumber incidentId } } } }`,
		map[string]any{"d": dig(p, "removed", "depot", "id")})
	require.Empty(t, returned.Errors, "%+v", returned.Errors)
	var returnID any
	for _, e := range dig(returned.Data, "returnsAwaitingReceipt", "edges").([]any) {
		if dig(e, "node", "incidentId") == id {
			returnID = dig(e, "node", "id")
			assert.Equal(t, "OLD-PSU-0001", dig(e, "node", "serialNumber"))
		}
	}
	require.NotNil(t, returnID, "the failed part awaits receipt at its depot")
	received := gql(t, url, admin, `mutation($r: Int!) { receivePartReturn(id: $r, condition: DEFECTIVE, note: "PSU shorted") {
		state receivedBy { username } } }`, map[string]any{"r": returnID})
	require.Empty(t, received.Errors, "%+v", received.Errors)
	assert.Equal(t, "RECEIVED_DEFECTIVE", dig(received.Data, "receivePartReturn", "state"))
	assert.Equal(t, "admin", dig(received.Data, "receivePartReturn", "receivedBy", "username"))

	record := gql(t, url, customer, `query($id: ID!) { incident(id: $id) { repair { diagnosis passed tests { passed }
		parts { fru serialNumber removed { disposition } } } } }`, vars)
	require.Empty(t, record.Errors, "%+v", record.Errors)
	assert.Equal(t, true, dig(record.Data, "incident", "repair", "passed"))
	assert.Len(t, dig(record.Data, "incident", "repair", "tests"), 2)
	assert.Len(t, dig(record.Data, "incident", "repair", "parts"), 1, "the customer sees the part installed")

	// The survey: sent by the workflow on resolution, answered through its
	// link by someone with no account.
	waitFor(t, 30*time.Second, "the survey", func() bool {
		got := gql(t, url, customer, `query($id: ID!) { incident(id: $id) { survey { sentAt } } }`, vars)
		return len(got.Errors) == 0 && dig(got.Data, "incident", "survey") != nil
	})
	link := surveyInvitation(t, hook, id)
	token := strings.TrimPrefix(link, env.cfg.PublicURL+aftercare.SurveyLinkPath)
	require.NotEqual(t, link, token, "the invitation links to the survey page under the public URL: %s", link)
	nobody := gql(t, url, "", `mutation($t: String!) { answerSurvey(token: $t, score: 5) { score } }`, map[string]any{"t": token})
	assert.Equal(t, http.StatusUnauthorized, nobody.Status, "without the link nothing is answered")
	page := surveyPageOf(t, url+aftercare.SurveyLinkPath+token)
	answered := page.answer(t, url, token, 5, "Fixed before our users noticed")
	require.Empty(t, answered.Errors, "%+v", answered.Errors)
	assert.Equal(t, 5.0, dig(answered.Data, "answerSurvey", "score"))
	again := page.answer(t, url, token, 4, "")
	assert.Equal(t, aftercare.ECONFLICT, again.code(), "one answer per incident")
	unknown := page.answer(t, url, aftercare.SurveyTokenPrefix+"unknownTokenOfTheRightShape0123456789", 4, "")
	assert.Equal(t, http.StatusUnauthorized, unknown.Status, "a link that names no survey is nobody's")
	assert.Equal(t, aftercare.EUNAUTHORIZED, unknown.code(), "a link that names no survey is nobody's")
	snoop := gql(t, url, token, `query($id: ID!) { incident(id: $id) { id } }`, vars)
	assert.Equal(t, aftercare.EUNAUTHORIZED, snoop.code(), "a survey link answers its survey and reads nothing")

	// The KPIs count the incident: resolved with one visit (a first-time
	// fix), its on-site and restore clocks met, a satisfied survey.
	for _, k := range []struct {
		dimension, key string
		before         map[string]float64
	}{{"ACCOUNT", accountID, kpiBefore}, {"ENGINEER", zhangID, engineerBefore}} {
		now := kpisOf(t, url, admin, k.dimension, k.key)
		t.Logf("%s KPIs today: before %v, after %v", k.dimension, k.before, now)
		for _, figure := range []string{"resolved", "visited", "firstTimeFixes", "surveysAnswered", "surveysSatisfied",
			"onSite.met", "restore.met"} {
			assert.Equal(t, k.before[figure]+1, now[figure], "%s %s", k.dimension, figure)
		}
	}
}
