package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jobStage is the real stack (API, worker, PostgreSQL, Temporal) with
// engineer.zhang (ENG-00001: platinum clearance, 24x7) working at the site
// of the platinum demo server, certified on its line, with two of one of
// its parts in the van, so that a platinum P1 filed with that part is
// dispatched to zhang at filing (advance parts replacement), whatever the
// hour. engineer.sun is ENG-00002's user, another engineer as able as
// zhang, a few kilometres further off: the next candidate.
type jobStage struct {
	env                *testEnv
	m                  *Main
	url                string
	admin, zhang, sun  string // tokens
	serial, fru        string
	zhangID, zhangCode string
}

func mustJobStage(t *testing.T) *jobStage {
	t.Helper()
	env := mustTestEnv(t)
	s := &jobStage{env: env, serial: env.summary.Serials[aftercare.TierPlatinum], zhangCode: "ENG-00001"}
	ctx := context.Background()
	require.NoError(t, env.db.QueryRow(ctx, `
		SELECT p.fru, e.id::text FROM parts p JOIN part_product_lines pl ON pl.part_id = p.id
		JOIN assets a ON a.product_line = pl.product_line, engineers e
		WHERE a.serial_number = $1 AND e.code = 'ENG-00001' ORDER BY p.fru LIMIT 1`, []any{s.serial}, &s.fru, &s.zhangID))
	require.NoError(t, env.db.ExecScript(ctx, fmt.Sprintf(`
		UPDATE engineers e SET lat = s.lat + CASE e.code WHEN 'ENG-00001' THEN 0 ELSE 0.05 END, lng = s.lng,
			tier_clearance = 'platinum', shifts = (SELECT shifts FROM engineers WHERE code = 'ENG-00001')
		FROM assets a JOIN sites s ON s.id = a.site_id
		WHERE a.serial_number = '%[1]s' AND e.code IN ('ENG-00001', 'ENG-00002');
		INSERT INTO engineer_skills (engineer_id, product_line, level)
		SELECT e.id, a.product_line, 3 FROM engineers e, assets a
		WHERE e.code IN ('ENG-00001', 'ENG-00002') AND a.serial_number = '%[1]s'
		ON CONFLICT (engineer_id, product_line) DO UPDATE SET level = 3;
		%[2]s
		INSERT INTO users (username, display_name, email, role) VALUES ('engineer.sun', 'Sun Yu', 'sun.yu@aftercare.example', 'engineer');
		UPDATE engineers SET user_id = (SELECT id FROM users WHERE username = 'engineer.sun') WHERE code = 'ENG-00002';
		INSERT INTO casbin_rule (ptype, v0, v1, v2)
		SELECT 'g', 'user:' || u.id, 'engineer', 'engineer:' || e.id FROM users u JOIN engineers e ON e.user_id = u.id
		WHERE u.username = 'engineer.sun'`, s.serial,
		postgrestest.VanStockSQL(s.fru, 2, "e.code IN ('ENG-00001', 'ENG-00002')"))))
	s.m = env.startMain(t)
	s.url = s.m.URL()
	s.admin, s.zhang, s.sun = env.token(t, "admin"), env.token(t, "engineer.zhang"), env.token(t, "engineer.sun")
	return s
}

// file files a platinum P1 for the demo server, needing the stage's part,
// as its corporate IT would, and waits for the job its workflow gives
// zhang at filing. It returns the incident's and the job's IDs.
func (s *jobStage) file(t *testing.T) (incidentID, jobID string) {
	t.Helper()
	input := incidentInput(s.serial, uniqueID("jobs"))
	input["symptoms"] = "Host down: a power supply reports a fault"
	input["parts"] = []any{map[string]any{"fru": s.fru, "quantity": 1}}
	filed := gql(t, s.url, s.admin, createIncidentMutation, map[string]any{"input": input})
	require.Empty(t, filed.Errors, "%+v", filed.Errors)
	incidentID = dig(filed.Data, "createIncident", "id").(string)
	waitFor(t, 60*time.Second, "the advance parts job", func() bool {
		got := gql(t, s.url, s.admin, `query($id: ID!) { incident(id: $id) { assignments { id engineer { id } state } } }`,
			map[string]any{"id": incidentID})
		jobs, _ := dig(got.Data, "incident", "assignments").([]any)
		if len(got.Errors) > 0 || len(jobs) == 0 {
			return false
		}
		require.Equal(t, s.zhangID, dig(jobs[0], "engineer", "id"), "zhang is at the site with the part")
		jobID = dig(jobs[0], "id").(string)
		return true
	})
	return incidentID, jobID
}

// do runs a query as token and fails the test on any error.
func (s *jobStage) do(t *testing.T, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	got := gql(t, s.url, token, query, vars)
	require.Empty(t, got.Errors, "%s: %+v", query, got.Errors)
	return got.Data
}

// status returns the incident's status.
func (s *jobStage) status(t *testing.T, incidentID string) string {
	t.Helper()
	return dig(s.do(t, s.admin, `query($id: ID!) { incident(id: $id) { status } }`, map[string]any{"id": incidentID}),
		"incident", "status").(string)
}

// van returns the units of the stage's part on hand and reserved in zhang's
// van.
func (s *jobStage) van(t *testing.T) [2]float64 {
	t.Helper()
	got := s.do(t, s.admin, `query($e: ID!) { engineer(id: $e) { vanStock(first: 100) { edges { node { part { fru } onHand reserved } } } } }`,
		map[string]any{"e": s.zhangID})
	for _, e := range dig(got, "engineer", "vanStock", "edges").([]any) {
		if dig(e, "node", "part", "fru") == s.fru {
			return [2]float64{dig(e, "node", "onHand").(float64), dig(e, "node", "reserved").(float64)}
		}
	}
	return [2]float64{}
}

// TestEngineerWorksTheirJobEndToEnd runs an engineer's job on the real
// stack from the engineer's side: the job a platinum P1 got at filing is
// in myJobs with where to go and what to take; accepting it dispatches
// the incident and acknowledges it; departing and arriving move incident
// and job together, the arrival reporting where the engineer is;
// completing is refused until the repair is recorded, then resolves the
// incident and completes the job, the van's unit consumed; the
// dispatcher sees the engineer's load go up and down.
func TestEngineerWorksTheirJobEndToEnd(t *testing.T) {
	s := mustJobStage(t)
	incidentID, jobID := s.file(t)
	job := map[string]any{"id": jobID}
	assert.Equal(t, [2]float64{2, 1}, s.van(t), "one unit held for the job")

	mine := s.do(t, s.zhang, `{ myJobs { id state active incident { id status } site { id lat lng }
		parts { part { fru } quantity depot { code } } } }`, nil)
	jobs := dig(mine, "myJobs").([]any)
	require.NotEmpty(t, jobs)
	first := jobs[0]
	assert.Equal(t, jobID, dig(first, "id"))
	assert.Equal(t, "PROPOSED", dig(first, "state"))
	assert.Equal(t, true, dig(first, "active"))
	assert.Equal(t, "NEW", dig(first, "incident", "status"), "the part left before triage")
	require.Len(t, dig(first, "parts"), 1)
	assert.Equal(t, s.fru, dig(dig(first, "parts").([]any)[0], "part", "fru"))
	assert.Nil(t, dig(dig(first, "parts").([]any)[0], "depot"), "the part is in the van: nothing to pick up")
	siteLat, siteLng := dig(first, "site", "lat").(float64), dig(first, "site", "lng").(float64)

	loadOf := func() (load float64, current int) {
		got := s.do(t, s.admin, `query($e: ID!) { engineer(id: $e) { load onShiftNow currentJobs { id } } }`, map[string]any{"e": s.zhangID})
		assert.Equal(t, true, dig(got, "engineer", "onShiftNow"), "zhang works around the clock")
		return dig(got, "engineer", "load").(float64), len(dig(got, "engineer", "currentJobs").([]any))
	}
	load, current := loadOf()
	assert.Equal(t, float64(current), load, "the load is the jobs held")
	assert.Equal(t, 1.0, load)

	refused := gql(t, s.url, s.zhang, `mutation($id: ID!) { departForJob(id: $id) { state } }`, job)
	assert.Equal(t, aftercare.ECONFLICT, refused.code())
	assert.Contains(t, refused.Errors[0].Message, "accept the job first")

	accepted := s.do(t, s.zhang, `mutation($id: ID!) { acceptJob(id: $id) { state incident { status slaClocks { kind state } } } }`, job)
	assert.Equal(t, "ACCEPTED", dig(accepted, "acceptJob", "state"))
	assert.Equal(t, "DISPATCHED", dig(accepted, "acceptJob", "incident", "status"))
	for _, c := range dig(accepted, "acceptJob", "incident", "slaClocks").([]any) {
		if dig(c, "kind") == "RESPONSE" {
			assert.Equal(t, "MET", dig(c, "state"), "accepting the job acknowledged the incident")
		}
	}

	assert.Equal(t, "EN_ROUTE", dig(s.do(t, s.zhang, `mutation($id: ID!) { departForJob(id: $id) { state } }`, job), "departForJob", "state"))
	assert.Equal(t, "EN_ROUTE", s.status(t, incidentID))
	bad := gql(t, s.url, s.zhang, `mutation($id: ID!) { arriveForJob(id: $id, lat: 91, lng: 0) { state } }`, job)
	assert.Equal(t, aftercare.EINVALID, bad.code())
	assert.Contains(t, bad.Errors[0].Message, "lat must be")
	arrived := s.do(t, s.zhang, `mutation($id: ID!, $lat: Float!, $lng: Float!) { arriveForJob(id: $id, lat: $lat, lng: $lng) { state } }`,
		map[string]any{"id": jobID, "lat": siteLat + 0.001, "lng": siteLng})
	assert.Equal(t, "ON_SITE", dig(arrived, "arriveForJob", "state"))
	assert.Equal(t, "ON_SITE", s.status(t, incidentID))
	at := s.do(t, s.admin, `query($e: ID!) { engineer(id: $e) { lat lng } }`, map[string]any{"e": s.zhangID})
	assert.InDelta(t, siteLat+0.001, dig(at, "engineer", "lat").(float64), 1e-9, "the arrival is a location report")

	missing := gql(t, s.url, s.zhang, `mutation($id: ID!) { completeJob(id: $id) { state } }`, job)
	require.Equal(t, aftercare.ECONFLICT, missing.code())
	for _, what := range []string{"no diagnosis", "no part used", "no test result"} {
		assert.Contains(t, missing.Errors[0].Message, what)
	}
	assert.Equal(t, "ON_SITE", s.status(t, incidentID), "a refused completion changes nothing")

	vars := map[string]any{"id": incidentID, "f": s.fru, "s": "JOB-" + strings.ToUpper(uniqueID("SN")[3:])}
	s.do(t, s.zhang, `mutation($id: ID!) { recordDiagnosis(incidentId: $id, diagnosis: "PSU 1 failed short") { diagnosis } }`, vars)
	s.do(t, s.zhang, `mutation($id: ID!, $f: String!, $s: String!) { recordPartUsed(input: {incidentId: $id, fru: $f, serialNumber: $s}) { fru } }`, vars)
	s.do(t, s.zhang, `mutation($id: ID!) { recordTestResult(incidentId: $id, passed: true, notes: "green under load") { passed } }`, vars)
	done := s.do(t, s.zhang, `mutation($id: ID!) { completeJob(id: $id, note: "PSU replaced") { state active incident { status events { kind } } } }`, job)
	assert.Equal(t, "COMPLETED", dig(done, "completeJob", "state"))
	assert.Equal(t, false, dig(done, "completeJob", "active"))
	assert.Equal(t, "RESOLVED", dig(done, "completeJob", "incident", "status"))
	var kinds []string
	for _, e := range dig(done, "completeJob", "incident", "events").([]any) {
		kinds = append(kinds, dig(e, "kind").(string))
	}
	assert.Subset(t, kinds, []string{"accept", "depart", "arrive", "repair", "verify", "resolve"}, "every step is a transition: %v", kinds)
	assert.Equal(t, [2]float64{1, 0}, s.van(t), "the unit used is gone from the van, nothing held")
	load, current = loadOf()
	assert.Equal(t, [2]float64{0, 0}, [2]float64{load, float64(current)}, "the engineer is free again")
	postgrestest.AssertJobInvariants(t, s.env.db, nil)
}

// TestCancellingAnIncidentEndsItsJob cancels a platinum P1 that dispatched
// itself at filing: its job is cancelled, the part goes back to the van and
// the engineer's load drops, in the cancellation's own transaction.
func TestCancellingAnIncidentEndsItsJob(t *testing.T) {
	s := mustJobStage(t)
	incidentID, jobID := s.file(t)
	assert.Equal(t, [2]float64{2, 1}, s.van(t))

	cancelled := s.do(t, s.admin, `mutation($id: ID!) { cancelIncident(id: $id, reason: "fixed by a reboot") {
		status assignments { id state parts { quantity } } } }`, map[string]any{"id": incidentID})
	assert.Equal(t, "CANCELLED", dig(cancelled, "cancelIncident", "status"))
	jobs := dig(cancelled, "cancelIncident", "assignments").([]any)
	require.Len(t, jobs, 1)
	assert.Equal(t, jobID, dig(jobs[0], "id"))
	assert.Equal(t, "CANCELLED", dig(jobs[0], "state"))
	assert.Empty(t, dig(jobs[0], "parts"), "nothing is held for it")
	assert.Equal(t, [2]float64{2, 0}, s.van(t), "the part is back in the van")
	load := s.do(t, s.admin, `query($e: ID!) { engineer(id: $e) { load } }`, map[string]any{"e": s.zhangID})
	assert.Equal(t, 0.0, dig(load, "engineer", "load"))
	mine := s.do(t, s.zhang, `{ myJobs { id state active } }`, nil)
	assert.Equal(t, []any{map[string]any{"id": jobID, "state": "CANCELLED", "active": false}}, dig(mine, "myJobs"))
	postgrestest.AssertJobInvariants(t, s.env.db, nil)
}

// TestDecliningAJobGivesItToTheNextEngineer declines the job a platinum P1
// got at filing: the job is declined and its part released, and in the
// same call the incident goes to the next candidate, engineer.sun, whose
// list now holds it; the job cannot be declined twice, and zhang is never
// asked again.
func TestDecliningAJobGivesItToTheNextEngineer(t *testing.T) {
	s := mustJobStage(t)
	incidentID, jobID := s.file(t)
	job := map[string]any{"id": jobID}

	noReason := gql(t, s.url, s.zhang, `mutation($id: ID!) { declineJob(id: $id, reason: " ") { reassigned } }`, job)
	assert.Equal(t, aftercare.EINVALID, noReason.code())
	declined := s.do(t, s.zhang, `mutation($id: ID!) { declineJob(id: $id, reason: "van broke down") {
		declined { id state active parts { quantity } } reassigned unassigned } }`, job)
	assert.Equal(t, "DECLINED", dig(declined, "declineJob", "declined", "state"))
	assert.Empty(t, dig(declined, "declineJob", "declined", "parts"), "the declined job holds nothing")
	assert.Equal(t, [2]float64{2, 0}, s.van(t), "the part is back in zhang's van")
	require.Equal(t, true, dig(declined, "declineJob", "reassigned"), "unassigned: %v", dig(declined, "declineJob", "unassigned"))

	sunJobs := dig(s.do(t, s.sun, `{ myJobs { id state incident { id } } }`, nil), "myJobs").([]any)
	require.Len(t, sunJobs, 1, "the next candidate has the job")
	assert.Equal(t, incidentID, dig(sunJobs[0], "incident", "id"))
	assert.Equal(t, "PROPOSED", dig(sunJobs[0], "state"))
	again := gql(t, s.url, s.zhang, `mutation($id: ID!) { declineJob(id: $id, reason: "again") { reassigned } }`, job)
	assert.Equal(t, aftercare.ECONFLICT, again.code())

	// zhang still sees the incident, having had a job on it, but the job
	// on it now is sun's: not zhang's to work, nor in zhang's list.
	next := map[string]any{"id": dig(sunJobs[0], "id")}
	for _, m := range []string{`mutation($id: ID!) { acceptJob(id: $id) { id } }`, `mutation($id: ID!) { departForJob(id: $id) { id } }`} {
		assert.Equal(t, aftercare.ENOTFOUND, gql(t, s.url, s.zhang, m, next).code(), "%s on another engineer's job", m)
	}
	zhangJobs := dig(s.do(t, s.zhang, `{ myJobs { id } }`, nil), "myJobs")
	assert.Equal(t, []any{map[string]any{"id": jobID}}, zhangJobs, "only the declined job is zhang's")
	arrive := gql(t, s.url, s.zhang, `mutation($id: ID!) { arriveOnSite(id: $id) { id } }`, map[string]any{"id": incidentID})
	assert.Equal(t, aftercare.ECONFLICT, arrive.code(), "nor may zhang arrive for sun through the incident")

	declined = s.do(t, s.sun, `mutation($id: ID!) { declineJob(id: $id, reason: "off sick") { reassigned unassigned } }`, next)
	assert.Equal(t, false, dig(declined, "declineJob", "reassigned"), "zhang, who declined, is not asked again")
	assert.Contains(t, dig(declined, "declineJob", "unassigned"), "declined")
	s.do(t, s.admin, `mutation($id: ID!) { cancelIncident(id: $id, reason: "done") { status } }`, map[string]any{"id": incidentID})
	postgrestest.AssertJobInvariants(t, s.env.db, nil)
}

// TestEngineersWorkOnlyTheirOwnJobs lets another engineer try every job
// action on zhang's job, and read it: each answers ENOTFOUND, exactly as
// for a job that does not exist, and the job appears only in zhang's
// list. A dispatcher sees the job among zhang's current jobs only in the
// region of its site.
func TestEngineersWorkOnlyTheirOwnJobs(t *testing.T) {
	s := mustJobStage(t)
	incidentID, jobID := s.file(t)
	job := map[string]any{"id": jobID}
	for _, m := range []string{
		`mutation($id: ID!) { acceptJob(id: $id) { id } }`,
		`mutation($id: ID!) { declineJob(id: $id, reason: "not mine") { reassigned } }`,
		`mutation($id: ID!) { departForJob(id: $id) { id } }`,
		`mutation($id: ID!) { arriveForJob(id: $id, lat: 31.2, lng: 121.4) { id } }`,
		`mutation($id: ID!) { completeJob(id: $id) { id } }`,
	} {
		got := gql(t, s.url, s.sun, m, job)
		assert.Equal(t, aftercare.ENOTFOUND, got.code(), "%s: %+v", m, got.Errors)
	}
	sunJobs := s.do(t, s.sun, `{ myJobs { id } }`, nil)
	assert.Empty(t, dig(sunJobs, "myJobs"), "another engineer's job is not in the list")
	theirs := gql(t, s.url, s.sun, `mutation($id: ID!) { departForIncident(id: $id) { id } }`, map[string]any{"id": incidentID})
	assert.Equal(t, aftercare.ENOTFOUND, theirs.code(), "nor is its incident")
	after := s.do(t, s.admin, `query($id: ID!) { incident(id: $id) { status site { region } assignments { state } } }`,
		map[string]any{"id": incidentID})
	assert.Equal(t, "NEW", dig(after, "incident", "status"), "nothing changed")
	assert.Equal(t, []any{map[string]any{"state": "PROPOSED"}}, dig(after, "incident", "assignments"), "nothing changed")
	region := dig(after, "incident", "site", "region").(string)
	t.Logf("the job's site is in region %s", region)

	for _, d := range []string{"dispatcher.east", "dispatcher.north"} {
		got := s.do(t, s.env.token(t, d), `query($e: ID!) { engineer(id: $e) { load currentJobs { id } } }`, map[string]any{"e": s.zhangID})
		assert.Equal(t, 1.0, dig(got, "engineer", "load"), "%s sees the load, wherever the jobs are", d)
		want := []any{}
		if d == "dispatcher."+region {
			want = []any{map[string]any{"id": jobID}}
		}
		assert.Equal(t, want, dig(got, "engineer", "currentJobs"), "%s sees the jobs of its region only", d)
	}
	postgrestest.AssertJobInvariants(t, s.env.db, nil)
}
