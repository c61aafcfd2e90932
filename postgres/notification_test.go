package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The people of the routing test, with fixed IDs.
const (
	uEngineer     = "00000000-0000-4000-8000-000000000001"
	uDispEast     = "00000000-0000-4000-8000-000000000002"
	uDispNorth    = "00000000-0000-4000-8000-000000000003"
	uDirector1    = "00000000-0000-4000-8000-000000000004"
	uDirector2    = "00000000-0000-4000-8000-000000000005"
	uDirectorGone = "00000000-0000-4000-8000-000000000006"
	uDutyManager  = "00000000-0000-4000-8000-000000000007"
	uAccountMgr   = "00000000-0000-4000-8000-000000000008"
	uOtherAM      = "00000000-0000-4000-8000-000000000009"
	uContactIT    = "00000000-0000-4000-8000-00000000000a"
)

// mustRoutingStaff adds, around a fixture's account in region east, the
// people an escalation may reach and some it must not.
func mustRoutingStaff(t testing.TB, db *postgres.DB, f postgres.Fixture) {
	t.Helper()
	script := fmt.Sprintf(`
		INSERT INTO regions VALUES ('north', 'North China') ON CONFLICT DO NOTHING;
		INSERT INTO users (id, username, display_name, email, role, account_id, disabled_at) VALUES
			('%[1]s', 'engineer.zhang', 'Zhang Wei', 'zhang@aftercare.example', 'engineer', NULL, NULL),
			('%[2]s', 'dispatcher.east', 'Zhou Min', 'zhou@aftercare.example', 'dispatcher', NULL, NULL),
			('%[3]s', 'dispatcher.north', 'Sun Lei', 'sun@aftercare.example', 'dispatcher', NULL, NULL),
			('%[4]s', 'director.a', 'Director A', 'a@aftercare.example', 'service_director', NULL, NULL),
			('%[5]s', 'director.b', 'Director B', 'b@aftercare.example', 'service_director', NULL, NULL),
			('%[6]s', 'director.gone', 'Director Gone', 'gone@aftercare.example', 'service_director', NULL, now()),
			('%[7]s', 'duty.east', 'Duty East', 'duty@aftercare.example', 'dispatcher', NULL, NULL),
			('%[8]s', 'am.li', 'Li Na', 'li@aftercare.example', 'account_manager', NULL, NULL),
			('%[9]s', 'am.chen', 'Chen Jie', 'chen@aftercare.example', 'account_manager', NULL, NULL),
			('%[10]s', 'it.wang', 'Wang Fang', 'Wang.Fang@example.com', 'customer_it', '%[11]s', NULL);
		INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
			('g', 'user:%[2]s', 'dispatcher', 'region:east'),
			('g', 'user:%[3]s', 'dispatcher', 'region:north'),
			('g', 'user:%[8]s', 'account_manager', 'account:%[11]s'),
			('g', 'user:%[9]s', 'account_manager', 'account:%[11]s');
		UPDATE contracts SET account_manager_id = '%[8]s' WHERE id = '%[12]s';
		INSERT INTO depots (id, code, name, city, region, lat, lng, time_zone)
			VALUES ('00000000-0000-4000-8000-0000000000d1', 'SHA1', 'Shanghai', 'Shanghai', 'east', 31.2, 121.4, 'Asia/Shanghai');
		INSERT INTO engineers (id, code, name, user_id, region, home_depot_id, tier_clearance, capacity, time_zone, lat, lng)
			VALUES ('00000000-0000-4000-8000-0000000000e1', 'E1', 'Zhang Wei', '%[1]s', 'east',
				'00000000-0000-4000-8000-0000000000d1', 'platinum', 4, 'Asia/Shanghai', 31.2, 121.4)`,
		uEngineer, uDispEast, uDispNorth, uDirector1, uDirector2, uDirectorGone, uDutyManager, uAccountMgr, uOtherAM,
		uContactIT, f.AccountID, f.ContractID)
	require.NoError(t, db.ExecScript(context.Background(), script))
}

// recipient is a notification as the test compares it.
type recipient struct {
	Reason aftercare.NotificationReason
	User   string
	Email  string
}

func recipientsOf(ns []*aftercare.Notification, clock aftercare.ClockKind, level int) []recipient {
	var out []recipient
	for _, n := range ns {
		if n.Clock == clock && n.Level == level {
			out = append(out, recipient{n.Reason, n.UserID, n.Email})
		}
	}
	slices.SortFunc(out, func(a, b recipient) int { return strings.Compare(string(a.Reason)+a.User, string(b.Reason)+b.User) })
	return out
}

// ladder is the default ladder's levels as escalations carry them.
var ladder = []struct {
	percent int
	actions []aftercare.EscalationAction
}{
	{50, []aftercare.EscalationAction{aftercare.EscalationWarnEngineer, aftercare.EscalationWarnDispatcher}},
	{75, []aftercare.EscalationAction{aftercare.EscalationDutyManager, aftercare.EscalationRedispatch}},
	{90, []aftercare.EscalationAction{aftercare.EscalationNotifyAccountManager}},
	{100, []aftercare.EscalationAction{aftercare.EscalationBreach}},
}

func TestEscalationsNotifyTheirRecipientsOnce(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	mustRoutingStaff(t, db, f)
	ctx := context.Background()
	s := postgres.NewSLAService(db)
	notes := postgres.NewNotificationService(db)
	inc, err := postgres.NewIncidentService(db).CreateIncident(ctx, validCreate(f.CoveredSerial, "route-1"))
	require.NoError(t, err)
	require.NoError(t, db.ExecScript(ctx, fmt.Sprintf(`
		INSERT INTO assignments (incident_id, engineer_id, state, eta, distance_km)
		VALUES ('%s', '00000000-0000-4000-8000-0000000000e1', 'accepted', now() + interval '1 hour', 3)`, inc.ID)))
	start := inc.CreatedAt.UTC().Truncate(time.Second)
	response, restore := responseSnapshot(t, start), responseSnapshot(t, start)
	restore.Kind = aftercare.ClockRestore
	require.NoError(t, s.RecordIncidentChange(ctx, aftercare.IncidentChange{IncidentID: inc.ID, Key: "route:1", Version: 1,
		Kind: "clocks_started", At: start, Clocks: []aftercare.ClockSnapshot{response, restore}}))
	admin := aftercare.NewContextWithUser(ctx, &aftercare.User{ID: f.UserID, Role: aftercare.RoleAdmin})
	_, err = notes.SetDutyManager(admin, "east", uDutyManager)
	require.NoError(t, err)

	hooks := []string{"http://a.example/hook", "http://b.example/hook"}
	fire := func(snap aftercare.ClockSnapshot, level int) {
		lv := ladder[level-1]
		at := start.Add(time.Duration(lv.percent) * 9 * time.Second)
		esc := aftercare.EscalationFired{
			Escalation: aftercare.Escalation{IncidentID: inc.ID, Clock: snap.Kind, Level: level, Percent: lv.percent,
				Actions: lv.actions, DueAt: at, FiredAt: at},
			Key: fmt.Sprintf("escalation:%s:%s:%d", inc.ID, snap.Kind, level), Version: int64(1 + level), Clock: snap,
			Notification: aftercare.EscalationNotice{Kind: "escalation", Level: level},
		}
		// The activity's retry, after a lost answer, writes nothing more.
		require.NoError(t, s.RecordEscalation(ctx, esc, hooks))
		require.NoError(t, s.RecordEscalation(ctx, esc, hooks))
	}
	for level := 1; level <= 4; level++ {
		fire(response, level)
	}
	// The region loses its duty manager; the restore clock's 75 % goes to
	// the service directors standing in. The engineer hands the job back
	// before the restore clock's 50 %, so only the dispatcher hears of it.
	_, err = notes.SetDutyManager(admin, "east", "")
	require.NoError(t, err)
	require.NoError(t, db.ExecScript(ctx, fmt.Sprintf(`UPDATE assignments SET state = 'declined' WHERE incident_id = '%s'`, inc.ID)))
	fire(restore, 1)
	fire(restore, 2)

	got, err := notes.FindNotifications(ctx, inc.ID)
	require.NoError(t, err)
	engineer := recipient{aftercare.ReasonAssignedEngineer, uEngineer, "zhang@aftercare.example"}
	dispatcher := recipient{aftercare.ReasonDispatcher, uDispEast, "zhou@aftercare.example"}
	for _, c := range []struct {
		clock aftercare.ClockKind
		level int
		want  []recipient
	}{
		{aftercare.ClockResponse, 1, []recipient{engineer, dispatcher}},
		{aftercare.ClockResponse, 2, []recipient{{aftercare.ReasonDutyManager, uDutyManager, "duty@aftercare.example"}}},
		{aftercare.ClockResponse, 3, []recipient{{aftercare.ReasonAccountManager, uAccountMgr, "li@aftercare.example"}}},
		{aftercare.ClockResponse, 4, []recipient{
			{aftercare.ReasonCustomerContact, uContactIT, "wang.fang@example.com"},
			{aftercare.ReasonServiceDirector, uDirector1, "a@aftercare.example"},
			{aftercare.ReasonServiceDirector, uDirector2, "b@aftercare.example"}}},
		{aftercare.ClockRestore, 1, []recipient{dispatcher}},
		{aftercare.ClockRestore, 2, []recipient{
			{aftercare.ReasonDutyManager, uDirector1, "a@aftercare.example"},
			{aftercare.ReasonDutyManager, uDirector2, "b@aftercare.example"}}},
	} {
		assert.Equal(t, c.want, recipientsOf(got, c.clock, c.level), "%s level %d", c.clock, c.level)
	}
	assert.Len(t, got, 10, "each recipient once, retries included")

	msgs, err := db.ClaimOutbox(ctx, aftercare.OutboxTopicWebhook, 100, time.Minute)
	require.NoError(t, err)
	require.Len(t, msgs, 6*len(hooks), "one webhook message per level and URL, once")
	for _, m := range msgs {
		var d aftercare.WebhookDelivery
		require.NoError(t, json.Unmarshal(m.Payload, &d))
		var body struct {
			Kind       string
			Level      int
			Recipients []struct {
				NotificationID int64 `json:"notification_id"`
				Reason         string
				UserID         *string `json:"user_id"`
				Email          string
			}
		}
		require.NoError(t, json.Unmarshal(d.Body, &body))
		assert.Equal(t, "escalation", body.Kind, "the workflow's body is kept")
		assert.NotEmpty(t, body.Recipients, "%s names its recipients", d.Key)
		for _, r := range body.Recipients {
			assert.NotZero(t, r.NotificationID)
			assert.NotEmpty(t, r.Email)
		}
	}

	events, err := s.FindIncidentEvents(ctx, inc.ID)
	require.NoError(t, err)
	var breach map[string]any
	for _, e := range events {
		var data map[string]any
		require.NoError(t, json.Unmarshal(e.Data, &data))
		if e.Kind == "escalation" && data["clock"] == "response" && data["percent"] == 100.0 {
			breach = data
		}
	}
	require.NotNil(t, breach, "the breach's event")
	rs, _ := breach["recipients"].([]any)
	assert.Len(t, rs, 3, "the event names who was told")
	assert.NotContains(t, string(must(json.Marshal(breach))), "@", "and shows subscribers no email address")

	t.Run("each user reads only their own", func(t *testing.T) {
		as := func(id string) context.Context {
			return aftercare.NewContextWithUser(ctx, &aftercare.User{ID: id, Role: aftercare.RoleServiceDirector})
		}
		mine, info, err := notes.FindMyNotifications(as(uDirector1), aftercare.PageRequest{First: 1})
		require.NoError(t, err)
		require.Len(t, mine, 1)
		assert.True(t, info.HasNextPage)
		assert.Equal(t, aftercare.ReasonDutyManager, mine[0].Reason, "newest first")
		rest, info, err := notes.FindMyNotifications(as(uDirector1), aftercare.PageRequest{First: 10, After: info.EndCursor})
		require.NoError(t, err)
		assert.False(t, info.HasNextPage)
		require.Len(t, rest, 1)
		assert.Equal(t, aftercare.ReasonServiceDirector, rest[0].Reason)
		for _, id := range []string{uEngineer, uDispNorth, uOtherAM, uContactIT, uDirectorGone} {
			mine, _, err := notes.FindMyNotifications(as(id), aftercare.PageRequest{})
			require.NoError(t, err)
			for _, n := range mine {
				assert.Equal(t, id, n.UserID)
			}
		}
		mine, _, err = notes.FindMyNotifications(as(uDispNorth), aftercare.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, mine, "another region's dispatcher hears nothing")
		mine, _, err = notes.FindMyNotifications(ctx, aftercare.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, mine, "nobody signed in reads nothing")
	})

	t.Run("duty managers are service directors or dispatchers", func(t *testing.T) {
		_, err := notes.SetDutyManager(admin, "east", uAccountMgr)
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
		_, err = notes.SetDutyManager(admin, "atlantis", uDirector1)
		assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
		_, err = notes.SetDutyManager(admin, "north", "not-an-id")
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
		d, err := notes.SetDutyManager(admin, "north", uDispNorth)
		require.NoError(t, err)
		assert.Equal(t, uDispNorth, d.UserID)
		all, err := notes.FindDutyManagers(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)
		assert.Equal(t, "north", all[0].Region)
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
