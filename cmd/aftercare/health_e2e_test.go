package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProactiveIncidentEndToEnd runs predictive service on the real stack:
// a platinum server's corporate IT reports six days of a drive losing
// sectors over GraphQL → a warning naming the readings and the drive →
// a proactive incident filed by itself, whose workflow's advance parts
// dispatch reserves the nearest engineer and the drive before anyone has
// looked → corporate IT is notified → reporting again raises nothing.
func TestProactiveIncidentEndToEnd(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	url := m.URL()
	admin := env.token(t, "admin")
	serial := env.summary.Serials[aftercare.TierPlatinum]
	asset := gql(t, url, admin, `query($s: String!) { assetBySerial(serialNumber: $s) { productLine account { code } } }`,
		map[string]any{"s": serial})
	require.Empty(t, asset.Errors)
	line := dig(asset.Data, "assetBySerial", "productLine").(string)
	customer := env.token(t, customerOf(dig(asset.Data, "assetBySerial", "account", "code").(string)))
	fru := postgrestest.MustQueryString(t, env.db, `SELECT p.fru FROM parts p
		JOIN part_product_lines pl ON pl.part_id = p.id AND pl.product_line = $1
		WHERE p.component = 'drive' ORDER BY p.unit_price, p.fru LIMIT 1`, line)

	// engineer.zhang (ENG-00001: platinum clearance, 24x7) is at the
	// customer's site, certified on the line, with the drive in the van.
	require.NoError(t, env.db.ExecScript(context.Background(), fmt.Sprintf(`
		UPDATE engineers e SET lat = s.lat, lng = s.lng FROM assets a JOIN sites s ON s.id = a.site_id
		WHERE a.serial_number = '%[1]s' AND e.code = 'ENG-00001';
		INSERT INTO engineer_skills (engineer_id, product_line, level)
		SELECT e.id, '%[2]s', 3 FROM engineers e WHERE e.code = 'ENG-00001'
		ON CONFLICT (engineer_id, product_line) DO UPDATE SET level = 3;
		%[3]s`, serial, line, postgrestest.VanStockSQL(fru, 2, "e.code = 'ENG-00001'"))))

	var readings []any
	now := time.Now()
	for day := 0; day <= 6; day++ {
		pending := 0
		if day == 6 {
			pending = 12
		}
		readings = append(readings, map[string]any{"serialNumber": serial, "component": "DRIVE", "slot": 3,
			"takenAt":            now.Add(time.Duration(day-6) * 24 * time.Hour).Format(time.RFC3339Nano),
			"reallocatedSectors": day * 8, "pendingSectors": pending, "powerOnHours": 21000 + day*24})
	}
	const report = `mutation($r: [HealthReadingInput!]!) { reportHealth(readings: $r) {
		accepted warnings { id component slot score reasons fru state incident { id category priority symptoms } } } }`
	got := gql(t, url, customer, report, map[string]any{"r": readings})
	require.Empty(t, got.Errors, "%+v", got.Errors)
	assert.EqualValues(t, 7, dig(got.Data, "reportHealth", "accepted"))
	warnings := dig(got.Data, "reportHealth", "warnings").([]any)
	require.Len(t, warnings, 1)
	w := warnings[0]
	assert.Equal(t, "DRIVE", dig(w, "component"))
	assert.Contains(t, dig(w, "reasons"), "reallocated sectors 0 → 48 in 6 days; pending sectors 12")
	assert.Equal(t, fru, dig(w, "fru"))
	incidentID := dig(w, "incident", "id").(string)
	assert.Equal(t, "PREDICTED_FAILURE", dig(w, "incident", "category"))
	assert.Contains(t, dig(w, "incident", "symptoms"), "Predicted drive failure (slot 3)")

	vars := map[string]any{"id": incidentID}
	waitFor(t, 60*time.Second, "the advance parts dispatch of the proactive incident", func() bool {
		got := gql(t, url, admin, `query($id: ID!) { incident(id: $id) { assignments { id } } }`, vars)
		return len(got.Errors) == 0 && len(dig(got.Data, "incident", "assignments").([]any)) > 0
	})
	asg := gql(t, url, admin, `query($id: ID!) { incident(id: $id) { status assignments { engineer { code } parts { part { fru } quantity } } } }`, vars)
	require.Empty(t, asg.Errors)
	a := dig(asg.Data, "incident", "assignments").([]any)[0]
	assert.Equal(t, "ENG-00001", dig(a, "engineer", "code"))
	parts := dig(a, "parts").([]any)
	require.Len(t, parts, 1, "the drive is reserved with the engineer")
	assert.Equal(t, fru, dig(parts[0], "part", "fru"))
	assert.EqualValues(t, 1, postgrestest.MustQueryInt(t, env.db, `SELECT count(*) FROM part_reservations r
		JOIN assignments a ON a.id = r.assignment_id WHERE a.incident_id = $1 AND r.state = 'reserved'`, incidentID))

	notes := gql(t, url, customer, `{ myNotifications(first: 10) { edges { node { kind reason healthWarning { id reasons } } } } }`, nil)
	require.Empty(t, notes.Errors, "%+v", notes.Errors)
	var told bool
	for _, e := range dig(notes.Data, "myNotifications", "edges").([]any) {
		told = told || (dig(e, "node", "kind") == "HEALTH_WARNING" && dig(e, "node", "reason") == "CUSTOMER_IT" &&
			dig(e, "node", "healthWarning", "id") == dig(w, "id"))
	}
	assert.True(t, told, "corporate IT is told: %+v", notes.Data)

	again := gql(t, url, customer, report, map[string]any{"r": readings})
	require.Empty(t, again.Errors)
	assert.Empty(t, dig(again.Data, "reportHealth", "warnings"), "one warning per asset and component until resolved")
	risk := gql(t, url, customer, `query($s: String!) { assetRisk(serialNumber: $s) { component slot score reasons } }`,
		map[string]any{"s": serial})
	require.Empty(t, risk.Errors)
	assert.Contains(t, fmt.Sprint(risk.Data), "reallocated sectors")
}
