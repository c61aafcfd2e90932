package postgres_test

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feedEngineer returns the engineer's state in the fleet feed's changes
// since a cursor, and the cursor after them; ok is false when the feed
// does not return the engineer.
func feedEngineer(t *testing.T, w *registryWorld, cursor aftercare.FleetCursor, id string) (aftercare.FleetEngineer, aftercare.FleetCursor, bool) {
	t.Helper()
	changes, err := postgres.NewDispatchService(w.db).FleetChangesSince(w.admin, cursor)
	require.NoError(t, err)
	for _, e := range changes.Engineers {
		if e.ID == id {
			return e, changes.Cursor, true
		}
	}
	return aftercare.FleetEngineer{}, changes.Cursor, false
}

// TestFleetRegistryReachesTheFeed: a new depot, a new engineer, a changed
// skill expiry, shift or clearance, and a provider's suspension and
// reinstatement each reach the fleet's change feed, which the dispatch
// index follows.
func TestFleetRegistryReachesTheFeed(t *testing.T) {
	w := mustRegistryWorld(t)
	fleet := postgres.NewFleetRegistry(w.db, countryRegions{"CN": "east"})
	_, cursor, _ := feedEngineer(t, w, "", "")

	depot, err := fleet.CreateDepot(w.admin, aftercare.DepotInput{Code: "dep-pd1", Name: "Pudong Parts", City: "Shanghai",
		Country: "CN", Lat: 31.22, Lng: 121.54, TimeZone: "Asia/Shanghai"})
	require.NoError(t, err)
	assert.Equal(t, "east", depot.Region)
	assert.Equal(t, "DEP-PD1", depot.Code)
	changes, err := postgres.NewDispatchService(w.db).FleetChangesSince(w.admin, cursor)
	require.NoError(t, err)
	require.Len(t, changes.Depots, 1, "the new depot is in the feed")
	assert.Equal(t, depot.ID, changes.Depots[0].ID)

	expires := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	e, err := fleet.CreateEngineer(w.admin, aftercare.EngineerInput{Code: "ENG-NEW1", Name: "Qian Yu", HomeDepotID: depot.ID,
		TierClearance: aftercare.TierPremium, Capacity: 3,
		Shifts: []aftercare.ShiftWindow{{Day: time.Monday, Start: 8 * time.Hour, End: 20 * time.Hour}},
		Skills: []aftercare.Skill{{ProductLine: "thinksystem_sr", Level: 3, ExpiresOn: &expires}}})
	require.NoError(t, err)
	assert.Equal(t, "east", e.Region, "the home depot's region")
	assert.Equal(t, "Asia/Shanghai", e.TimeZone, "the home depot's zone")
	assert.Equal(t, depot.Lat, e.Lat, "starts at the home depot")
	fe, cursor, ok := feedEngineer(t, w, changes.Cursor, e.ID)
	require.True(t, ok, "the new engineer is in the feed")
	assert.True(t, fe.InService)
	require.Len(t, fe.Skills, 1)
	assert.Equal(t, expires, *fe.Skills[0].ExpiresOn)

	renewed, platinum := expires.AddDate(2, 0, 0), aftercare.TierPlatinum
	steps := []struct {
		name   string
		update aftercare.EngineerUpdate
		check  func(aftercare.FleetEngineer)
	}{
		{"a renewed certification", aftercare.EngineerUpdate{Skills: &[]aftercare.Skill{{ProductLine: "thinksystem_sr", Level: 3, ExpiresOn: &renewed}}},
			func(fe aftercare.FleetEngineer) { assert.Equal(t, renewed, *fe.Skills[0].ExpiresOn) }},
		{"a new shift", aftercare.EngineerUpdate{Shifts: &[]aftercare.ShiftWindow{{Day: time.Sunday, Start: 0, End: 24 * time.Hour}}},
			func(fe aftercare.FleetEngineer) { assert.Equal(t, time.Sunday, fe.Shifts[0].Day) }},
		{"a clearance", aftercare.EngineerUpdate{TierClearance: &platinum},
			func(fe aftercare.FleetEngineer) { assert.Equal(t, aftercare.TierPlatinum, fe.TierClearance) }},
	}
	for _, s := range steps {
		_, err := fleet.UpdateEngineer(w.admin, e.ID, s.update)
		require.NoError(t, err, s.name)
		var got aftercare.FleetEngineer
		got, cursor, ok = feedEngineer(t, w, cursor, e.ID)
		require.True(t, ok, "%s reaches the feed", s.name)
		assert.Greater(t, got.Version, fe.Version, s.name)
		s.check(got)
		fe = got
	}
	assert.Equal(t, 3, auditCount(t, w.db, "engineer.update"))

	own := postgrestest.MustQueryString(t, w.db, `SELECT id::text FROM service_providers WHERE code = 'AFTERCARE-FS'`)
	for _, status := range []aftercare.ProviderStatus{aftercare.ProviderSuspended, aftercare.ProviderActive} {
		_, err := fleet.SetProviderStatus(w.admin, own, status, "audit of the field service")
		require.NoError(t, err)
		got, next, ok := feedEngineer(t, w, cursor, e.ID)
		require.True(t, ok, "the provider's %s engineer is in the feed", status)
		assert.Equal(t, status == aftercare.ProviderActive, got.InService, "in service while the provider is active")
		cursor = next
	}
}

// TestProviderLifecycle walks a partner's authorisation to its end: active,
// suspended (its engineers out of dispatch and refused by the assignment
// transaction), active again, terminated, after which nothing restores it
// and no engineer may join it.
func TestProviderLifecycle(t *testing.T) {
	w := mustRegistryWorld(t)
	fleet := postgres.NewFleetRegistry(w.db, countryRegions{"CN": "east"})
	p, err := fleet.CreateProvider(w.admin, aftercare.ProviderInput{Code: "jiangnan-tech", Name: "Jiangnan Tech Services",
		Kind: aftercare.ProviderPartner, Region: "east"})
	require.NoError(t, err)
	assert.Equal(t, "JIANGNAN-TECH", p.Code)
	assert.Equal(t, aftercare.ProviderActive, p.Status)
	_, err = fleet.CreateProvider(w.admin, aftercare.ProviderInput{Code: "JIANGNAN-TECH", Name: "Again", Kind: aftercare.ProviderPartner})
	assertCoded(t, aftercare.ECONFLICT, "code", err)
	_, err = fleet.CreateProvider(w.admin, aftercare.ProviderInput{Code: "X-1", Name: "X", Kind: aftercare.ProviderPartner, Region: "mars"})
	assertCoded(t, aftercare.EINVALID, "region", err)

	_, err = fleet.SetProviderStatus(w.admin, p.ID, aftercare.ProviderSuspended, "")
	assertCoded(t, aftercare.EINVALID, "reason", err, "a suspension says why")
	for _, s := range []aftercare.ProviderStatus{aftercare.ProviderSuspended, aftercare.ProviderActive, aftercare.ProviderTerminated} {
		got, err := fleet.SetProviderStatus(w.admin, p.ID, s, "quarterly review")
		require.NoError(t, err, s)
		assert.Equal(t, s, got.Status)
	}
	_, err = fleet.SetProviderStatus(w.admin, p.ID, aftercare.ProviderActive, "")
	assertCoded(t, aftercare.ECONFLICT, "", err, "terminated is final")
	list, _, err := fleet.FindProviders(w.admin, aftercare.ProviderFilter{Status: aftercare.ProviderTerminated})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, p.ID, list[0].ID)
	assert.Equal(t, 3, auditCount(t, w.db, "provider.set_status"))

	depot, err := fleet.CreateDepot(w.admin, aftercare.DepotInput{Code: "DEP-X", Name: "X", City: "Shanghai", Country: "CN",
		Lat: 31.2, Lng: 121.5, TimeZone: "Asia/Shanghai"})
	require.NoError(t, err)
	in := aftercare.EngineerInput{Code: "ENG-JN1", Name: "Sun Li", HomeDepotID: depot.ID, TierClearance: aftercare.TierStandard,
		Capacity: 2, ProviderID: p.ID}
	_, err = fleet.CreateEngineer(w.admin, in)
	assertCoded(t, aftercare.ECONFLICT, "providerId", err, "a terminated provider takes no engineers")
	in.ProviderID = ""
	e, err := fleet.CreateEngineer(w.admin, in)
	require.NoError(t, err)
	_, err = fleet.UpdateEngineer(w.admin, e.ID, aftercare.EngineerUpdate{ProviderID: &p.ID})
	assertCoded(t, aftercare.ECONFLICT, "providerId", err)
	_, err = fleet.CreateEngineer(w.admin, in)
	assertCoded(t, aftercare.ECONFLICT, "code", err)
	in.Code, in.Skills = "ENG-JN2", []aftercare.Skill{{ProductLine: "thinkpad_z", Level: 1}}
	_, err = fleet.CreateEngineer(w.admin, in)
	assertCoded(t, aftercare.EINVALID, "skills[0].productLine", err)
	in.Skills, in.HomeDepotID = nil, "8f3c2a10-0000-4000-8000-00000000d0ff"
	_, err = fleet.CreateEngineer(w.admin, in)
	assertCoded(t, aftercare.EINVALID, "homeDepotId", err)
}

// TestSuspendedProviderIsNotAssigned: the assignment transaction refuses
// an engineer whose provider is suspended, whatever the index said.
func TestSuspendedProviderIsNotAssigned(t *testing.T) {
	w := mustRegistryWorld(t)
	fleet := postgres.NewFleetRegistry(w.db, countryRegions{"CN": "east"})
	p, err := fleet.CreateProvider(w.admin, aftercare.ProviderInput{Code: "SUSP", Name: "Susp", Kind: aftercare.ProviderPartner})
	require.NoError(t, err)
	depot, err := fleet.CreateDepot(w.admin, aftercare.DepotInput{Code: "DEP-S", Name: "S", City: "Shanghai", Country: "CN",
		Lat: 31.2, Lng: 121.5, TimeZone: "Asia/Shanghai"})
	require.NoError(t, err)
	e, err := fleet.CreateEngineer(w.admin, aftercare.EngineerInput{Code: "ENG-S1", Name: "S", HomeDepotID: depot.ID,
		TierClearance: aftercare.TierPlatinum, Capacity: 2, ProviderID: p.ID,
		Skills: []aftercare.Skill{{ProductLine: "thinksystem_sr", Level: 3}}})
	require.NoError(t, err)
	inc, err := postgres.NewIncidentService(w.db).CreateIncident(w.admin, aftercare.IncidentCreate{
		SerialNumber: w.f.CoveredSerial, Priority: aftercare.P2, Category: aftercare.CategoryHardwareFailure,
		Symptoms: "fan", Contact: aftercare.Contact{Name: "A", Email: "a@example.com"}, ClientRequestID: "susp-1"})
	require.NoError(t, err)
	_, err = fleet.SetProviderStatus(w.admin, p.ID, aftercare.ProviderSuspended, "licence lapsed")
	require.NoError(t, err)
	dispatch := postgres.NewDispatchService(w.db)
	create := aftercare.AssignmentCreate{IncidentID: inc.ID, EngineerID: e.ID, ETA: time.Now().Add(time.Hour), DistanceKm: 1}
	_, err = dispatch.CreateAssignment(w.admin, create)
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "%v", err)
	_, err = fleet.SetProviderStatus(w.admin, p.ID, aftercare.ProviderActive, "")
	require.NoError(t, err)
	_, err = dispatch.CreateAssignment(w.admin, create)
	assert.NoError(t, err, "reinstated")
}

// TestEngineerLoginChanges gives an engineer a login, then another in its
// place: the new user acts in the engineer's domain and the old one no
// longer does; a user who is another engineer's login, or who is not an
// engineer, is refused naming userId.
func TestEngineerLoginChanges(t *testing.T) {
	w := mustRegistryWorld(t)
	fleet := postgres.NewFleetRegistry(w.db, countryRegions{"CN": "east"})
	depot, err := fleet.CreateDepot(w.admin, aftercare.DepotInput{Code: "dep-lg1", Name: "Login Depot", City: "Shanghai",
		Country: "CN", Lat: 31.2, Lng: 121.5, TimeZone: "Asia/Shanghai"})
	require.NoError(t, err)
	engineer := func(code string) *aftercare.Engineer {
		e, err := fleet.CreateEngineer(w.admin, aftercare.EngineerInput{Code: code, Name: code, HomeDepotID: depot.ID,
			TierClearance: aftercare.TierStandard, Capacity: 2,
			Shifts: []aftercare.ShiftWindow{{Day: time.Monday, Start: 8 * time.Hour, End: 18 * time.Hour}}})
		require.NoError(t, err)
		return e
	}
	first, second := engineer("ENG-LG1"), engineer("ENG-LG2")
	users := postgres.NewUserRegistry(w.db)
	user := func(name string, role aftercare.Role) string {
		u, err := users.CreateUser(w.admin, aftercare.UserInput{Username: name, DisplayName: name, Email: name + "@example.com", Role: role})
		require.NoError(t, err)
		return u.ID
	}
	oldLogin, newLogin, manager := user("eng.old", aftercare.RoleEngineer), user("eng.new", aftercare.RoleEngineer),
		user("am.other", aftercare.RoleAccountManager)
	acts := func(userID, engineerID string) bool {
		return postgrestest.MustQueryInt(t, w.db, `SELECT count(*) FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND v1 = 'engineer'
			AND v2 = $2`, "user:"+userID, aftercare.DomainEngineerPrefix+engineerID) == 1
	}

	_, err = fleet.UpdateEngineer(w.admin, first.ID, aftercare.EngineerUpdate{UserID: &oldLogin})
	require.NoError(t, err)
	assert.True(t, acts(oldLogin, first.ID))
	_, err = fleet.UpdateEngineer(w.admin, first.ID, aftercare.EngineerUpdate{UserID: &oldLogin})
	require.NoError(t, err, "linking the login the engineer has changes nothing")
	assert.True(t, acts(oldLogin, first.ID))

	_, err = fleet.UpdateEngineer(w.admin, first.ID, aftercare.EngineerUpdate{UserID: &newLogin})
	require.NoError(t, err)
	assert.True(t, acts(newLogin, first.ID), "the new login acts for the engineer")
	assert.False(t, acts(oldLogin, first.ID), "the old login no longer does")
	assert.Equal(t, newLogin, postgrestest.MustQueryString(t, w.db, `SELECT user_id::text FROM engineers WHERE id = $1`, first.ID))

	_, err = fleet.UpdateEngineer(w.admin, second.ID, aftercare.EngineerUpdate{UserID: &newLogin})
	assertCoded(t, aftercare.ECONFLICT, "userId", err, "one login per engineer")
	_, err = fleet.UpdateEngineer(w.admin, second.ID, aftercare.EngineerUpdate{UserID: &manager})
	assertCoded(t, aftercare.EINVALID, "userId", err, "only an engineer's user")
	assert.False(t, acts(manager, second.ID))
}
