package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// responseSnapshot is a 15-minute response clock started at start, with
// the given events after its start, as the workflow would record it.
func responseSnapshot(t testing.TB, start time.Time, more ...aftercare.ClockEvent) aftercare.ClockSnapshot {
	t.Helper()
	events := append([]aftercare.ClockEvent{{Kind: aftercare.ClockEventStarted, At: start, By: "system",
		Terms: aftercare.SLATerms{Target: aftercare.WallTarget(15 * time.Minute), Coverage: aftercare.Coverage24x7}}}, more...)
	deadline := start.Add(15 * time.Minute)
	return aftercare.ClockSnapshot{Kind: aftercare.ClockResponse, Target: aftercare.WallTarget(15 * time.Minute),
		Coverage: aftercare.Coverage24x7, TimeZone: "Asia/Shanghai", StartedAt: start, Deadline: &deadline,
		Budget: 15 * time.Minute, State: aftercare.ClockRunning, Events: events}
}

func TestSLAMirror(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	other := postgres.MustFixture(t, db, "OTHER", "premium")
	ctx := context.Background()
	inc, err := postgres.NewIncidentService(db).CreateIncident(ctx, validCreate(f.CoveredSerial, "sla-1"))
	require.NoError(t, err)
	s := postgres.NewSLAService(db)
	start := inc.CreatedAt.UTC().Truncate(time.Second)

	t.Run("facts", func(t *testing.T) {
		require.NoError(t, s.SetSLAOverrides(ctx, f.ContractID, map[string]string{"P1.response": "20m"}))
		facts, err := s.FindSLAFacts(ctx, inc.ID)
		require.NoError(t, err)
		assert.Equal(t, "Asia/Shanghai", facts.TimeZone)
		assert.Equal(t, "CN", facts.Country)
		assert.True(t, facts.OnSiteEntitled)
		assert.Equal(t, map[string]string{"P1.response": "20m"}, facts.Overrides)
		assert.Len(t, facts.Holidays, 39, "the CN 2026 holidays of migration 003")
	})
	t.Run("overrides are validated", func(t *testing.T) {
		assert.NoError(t, s.SetSLAOverrides(ctx, f.ContractID, map[string]string{"P3.response": "2h"}),
			"a wall target on a platinum 24x7 cell is fine")
		err := s.SetSLAOverrides(ctx, other.ContractID, map[string]string{"P3.lunch": "2h"})
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "an unknown cell is refused")
		err = s.SetSLAOverrides(ctx, other.ContractID, map[string]string{"P3.response": "soon"})
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "a malformed target is refused")
	})

	change := aftercare.IncidentChange{IncidentID: inc.ID, Key: "k:1", Version: 1, Kind: "clocks_started",
		FromStatus: aftercare.StatusNew, ToStatus: aftercare.StatusNew, At: start,
		Clocks: []aftercare.ClockSnapshot{responseSnapshot(t, start)}}
	t.Run("a change is recorded once", func(t *testing.T) {
		require.NoError(t, s.RecordIncidentChange(ctx, change))
		require.NoError(t, s.RecordIncidentChange(ctx, change))
		stopped := start.Add(5 * time.Minute)
		met := responseSnapshot(t, start, aftercare.ClockEvent{Kind: aftercare.ClockEventStopped, At: stopped, By: f.UserID})
		met.StoppedAt, met.State = &stopped, aftercare.ClockMet
		ack := aftercare.IncidentChange{IncidentID: inc.ID, Key: "k:2", Version: 2, Kind: "acknowledge",
			FromStatus: aftercare.StatusNew, ToStatus: aftercare.StatusTriaged, ActorID: f.UserID, At: stopped,
			Clocks: []aftercare.ClockSnapshot{met}}
		require.NoError(t, s.RecordIncidentChange(ctx, ack))
		// A retry of the first change arriving late neither repeats its
		// event nor rolls the clock back.
		require.NoError(t, s.RecordIncidentChange(ctx, change))

		events, err := s.FindIncidentEvents(ctx, inc.ID)
		require.NoError(t, err)
		var kinds []string
		for _, e := range events {
			kinds = append(kinds, e.Kind)
		}
		assert.Equal(t, []string{"created", "clocks_started", "acknowledge"}, kinds)
		got, err := postgres.NewIncidentService(db).FindIncidentByID(ctx, inc.ID)
		require.NoError(t, err)
		assert.Equal(t, aftercare.StatusTriaged, got.Status)
		clocks, err := s.FindSLAClocks(ctx, inc.ID, start.Add(time.Hour))
		require.NoError(t, err)
		require.Len(t, clocks, 1)
		assert.Equal(t, aftercare.ClockMet, clocks[0].State)
		assert.Equal(t, 5*time.Minute, clocks[0].Elapsed)
		assert.Equal(t, 10*time.Minute, clocks[0].Remaining)
	})

	t.Run("an escalation is recorded once with its notifications", func(t *testing.T) {
		inc2, err := postgres.NewIncidentService(db).CreateIncident(ctx, validCreate(f.CoveredSerial, "sla-2"))
		require.NoError(t, err)
		start2 := inc2.CreatedAt.UTC().Truncate(time.Second)
		require.NoError(t, s.RecordIncidentChange(ctx, aftercare.IncidentChange{IncidentID: inc2.ID, Key: "k2:1", Version: 1,
			Kind: "clocks_started", At: start2, Clocks: []aftercare.ClockSnapshot{responseSnapshot(t, start2)}}))
		snap := responseSnapshot(t, start2)
		snap.State = aftercare.ClockBreached
		breach := []aftercare.EscalationAction{aftercare.EscalationBreach}
		due, fired := start2.Add(15*time.Minute), start2.Add(15*time.Minute+30*time.Millisecond)
		notice := aftercare.EscalationNotice{Kind: "escalation", IncidentID: inc2.ID, Clock: aftercare.ClockResponse,
			Level: 4, Percent: 100, Actions: breach, Breach: true, Target: "15m", DueAt: due, FiredAt: fired}
		esc := aftercare.EscalationFired{
			Escalation: aftercare.Escalation{IncidentID: inc2.ID, Clock: aftercare.ClockResponse, Level: 4, Percent: 100,
				Actions: breach, DueAt: due, FiredAt: fired},
			Key: "escalation:" + inc2.ID + ":response:4", Version: 2, Clock: snap, Notification: notice,
		}
		hooks := []string{"http://a.example/hook", "http://b.example/hook"}
		require.NoError(t, s.RecordEscalation(ctx, esc, hooks))
		require.NoError(t, s.RecordEscalation(ctx, esc, hooks))

		escs, err := s.FindEscalations(ctx, inc2.ID)
		require.NoError(t, err)
		require.Len(t, escs, 1)
		assert.Equal(t, breach, escs[0].Actions)
		msgs, err := db.ClaimOutbox(ctx, aftercare.OutboxTopicWebhook, 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, msgs, 2, "one notification per webhook, once")
		var d aftercare.WebhookDelivery
		require.NoError(t, json.Unmarshal(msgs[0].Payload, &d))
		var body map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(d.Body, &body))
		assert.JSONEq(t, `[{"notification_id":1, "reason":"customer_contact", "user_id":null,
			"name":"Wang Fang", "email":"wang.fang@example.com"}]`, string(body["recipients"]), "the body with who it is for")
		delete(body, "recipients")
		assert.JSONEq(t, string(must(json.Marshal(notice))), string(must(json.Marshal(body))), "the body is the workflow's notice")

		now := start2.Add(time.Hour)
		breaches, _, err := s.FindBreaches(ctx, aftercare.BreachFilter{}, now)
		require.NoError(t, err)
		require.Len(t, breaches, 1)
		assert.Equal(t, inc2.ID, breaches[0].IncidentID)
		assert.Equal(t, aftercare.ClockBreached, breaches[0].State)
		assert.InDelta(t, 400.0, breaches[0].PercentUsed(), 0.01)

		foreign := aftercare.NewContextWithScope(ctx, &aftercare.Scope{AccountIDs: []string{other.AccountID}})
		breaches, _, err = s.FindBreaches(foreign, aftercare.BreachFilter{}, now)
		require.NoError(t, err)
		assert.Empty(t, breaches, "another account's breaches stay hidden")
		clocks, err := s.FindSLAClocks(foreign, inc2.ID, now)
		require.NoError(t, err)
		assert.Empty(t, clocks)
		_, err = s.SubscribeIncidentEvents(foreign, inc2.ID)
		assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
	})
}

func TestSubscribeIncidentEventsSeesEveryWriter(t *testing.T) {
	db, url := postgrestest.MustOpenURL(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inc, err := postgres.NewIncidentService(db).CreateIncident(ctx, validCreate(f.CoveredSerial, "sub-1"))
	require.NoError(t, err)
	events, err := postgres.NewSLAService(db).SubscribeIncidentEvents(ctx, inc.ID)
	require.NoError(t, err)

	// Another process: its own pool on the same database.
	writer, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	defer writer.Close()
	for i, kind := range []string{"acknowledge", "dispatch"} {
		require.NoError(t, postgres.NewSLAService(writer).RecordIncidentChange(ctx, aftercare.IncidentChange{
			IncidentID: inc.ID, Key: kind, Version: int64(i + 1), Kind: kind, At: time.Now()}))
	}
	for _, want := range []string{"acknowledge", "dispatch"} {
		select {
		case e := <-events:
			assert.Equal(t, want, e.Kind)
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s event", want)
		}
	}
	// A burst larger than a page arrives whole and in order.
	const burst = 250
	for i := range burst {
		require.NoError(t, postgres.NewSLAService(writer).RecordIncidentChange(ctx, aftercare.IncidentChange{
			IncidentID: inc.ID, Key: fmt.Sprintf("burst-%d", i), Version: int64(10 + i), Kind: "escalation", At: time.Now()}))
	}
	var last int64
	for i := range burst {
		select {
		case e := <-events:
			assert.Greater(t, e.ID, last, "event %d in order", i)
			last = e.ID
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d events of the burst arrived", i, burst)
		}
	}
}

func TestBreachesEarnServiceCreditsUpToTheMonthlyCap(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "ACME", "platinum")
	postgres.SetCredits(t, db, f.ContractID, 5, 8)
	ctx := context.Background()
	s := postgres.NewSLAService(db)
	breach := func(requestID string, clock aftercare.ClockKind, level, percent int) *aftercare.Escalation {
		inc, err := postgres.NewIncidentService(db).CreateIncident(ctx, validCreate(f.CoveredSerial, requestID))
		require.NoError(t, err)
		start := inc.CreatedAt.UTC().Truncate(time.Second)
		snap := responseSnapshot(t, start)
		snap.Kind = clock
		require.NoError(t, s.RecordIncidentChange(ctx, aftercare.IncidentChange{IncidentID: inc.ID, Key: requestID, Version: 1,
			Kind: "clocks_started", At: start, Clocks: []aftercare.ClockSnapshot{snap}}))
		require.NoError(t, s.RecordEscalation(ctx, aftercare.EscalationFired{
			Escalation: aftercare.Escalation{IncidentID: inc.ID, Clock: clock, Level: level, Percent: percent,
				Actions: []aftercare.EscalationAction{aftercare.EscalationBreach}, DueAt: start, FiredAt: start},
			Key: requestID + ":esc", Version: 2, Clock: snap}, nil))
		escs, err := s.FindEscalations(ctx, inc.ID)
		require.NoError(t, err)
		require.Len(t, escs, 1)
		return escs[0]
	}
	credits := func(e *aftercare.Escalation) any {
		if e.ServiceCredit == nil {
			return nil
		}
		return *e.ServiceCredit
	}
	assert.Nil(t, credits(breach("warn", aftercare.ClockResponse, 1, 50)), "a warning earns nothing")
	assert.Equal(t, 5.0, credits(breach("b1", aftercare.ClockResponse, 4, 100)))
	assert.Equal(t, 3.0, credits(breach("b2", aftercare.ClockRestore, 4, 100)), "the cap leaves 3 %")
	assert.Equal(t, 0.0, credits(breach("b3", aftercare.ClockResponse, 4, 100)), "the cap is spent")
}
