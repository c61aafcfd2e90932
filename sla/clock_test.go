package sla_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// MustClock returns a new clock of the given kind.
func MustClock(tb testing.TB, kind aftercare.ClockKind, loc *time.Location, holidays sla.HolidaySet) *sla.Clock {
	tb.Helper()
	c, err := sla.NewClock(kind, loc, holidays)
	require.NoError(tb, err)
	return c
}

func TestClockLifecycle(t *testing.T) {
	loc := MustLoadLocation(t, "Asia/Shanghai")
	china := MustChinaHolidays(t)
	at := func(s string) time.Time { return MustLocal(t, loc, s) }
	standard, err := aftercare.DefaultSLAPolicy(aftercare.TierStandard)
	require.NoError(t, err)
	p2, err := standard.Terms(aftercare.P2, aftercare.ClockRestore) // 5BD on 9x5, parts pause
	require.NoError(t, err)
	p1, err := standard.Terms(aftercare.P1, aftercare.ClockRestore) // 3BD on 9x5, parts pause
	require.NoError(t, err)

	steps := []struct {
		name     string
		event    aftercare.ClockEvent
		deadline string
		now      string
		elapsed  time.Duration
		state    aftercare.ClockState
	}{
		{"started", aftercare.ClockEvent{Kind: aftercare.ClockEventStarted, At: at("2026-03-02 10:00"), Terms: p2},
			"2026-03-09 18:00 CST", "2026-03-02 12:00", 2 * time.Hour, aftercare.ClockRunning},
		{"awaiting quote approval", aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: at("2026-03-03 10:00"), By: "dispatcher-7", Reason: aftercare.PauseQuoteApproval},
			"none", "2026-03-03 17:00", 9 * time.Hour, aftercare.ClockPaused},
		{"quote approved", aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: at("2026-03-04 10:00"), By: "customer-it-3"},
			"2026-03-10 18:00 CST", "2026-03-04 11:00", 10 * time.Hour, aftercare.ClockRunning},
		{"awaiting parts", aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: at("2026-03-05 10:00"), By: "engineer-12", Reason: aftercare.PauseAwaitingParts},
			"none", "2026-03-05 12:00", 18 * time.Hour, aftercare.ClockPaused},
		{"parts arrived", aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: at("2026-03-05 15:00"), By: "engineer-12"},
			"2026-03-11 14:00 CST", "2026-03-05 15:30", 18*time.Hour + 30*time.Minute, aftercare.ClockRunning},
		{"raised to P1", aftercare.ClockEvent{Kind: aftercare.ClockEventRetargeted, At: at("2026-03-05 16:00"), By: "duty-manager-1", Terms: p1},
			"2026-03-09 14:00 CST", "2026-03-05 16:00", 19 * time.Hour, aftercare.ClockRunning},
		{"restored", aftercare.ClockEvent{Kind: aftercare.ClockEventStopped, At: at("2026-03-09 13:00"), By: "engineer-12"},
			"2026-03-09 14:00 CST", "2026-03-10 10:00", 34 * time.Hour, aftercare.ClockMet},
	}
	c := MustClock(t, aftercare.ClockRestore, loc, china)
	assert.Equal(t, aftercare.ClockState(""), c.State(at("2026-03-02 10:00")), "a clock that has not started has no state")
	var events []aftercare.ClockEvent
	for _, s := range steps {
		require.NoError(t, c.Apply(s.event), s.name)
		events = append(events, s.event)
		assert.Equal(t, s.deadline, local(c.Deadline(), loc), "after %s: Deadline() = %s, want %s", s.name, local(c.Deadline(), loc), s.deadline)
		now := at(s.now)
		assert.Equal(t, s.elapsed, c.Elapsed(now), "after %s: Elapsed(%s) = %s, want %s", s.name, s.now, c.Elapsed(now), s.elapsed)
		assert.Equal(t, s.state, c.State(now), "after %s: State(%s) = %q, want %q", s.name, s.now, c.State(now), s.state)
		replayed, err := sla.Replay(aftercare.ClockRestore, loc, china, events)
		require.NoError(t, err)
		assert.Equal(t, c, replayed, "after %s: Replay differs from Apply", s.name)
	}
	assert.Equal(t, []sla.Pause{
		{From: at("2026-03-03 10:00"), To: at("2026-03-04 10:00"), Reason: aftercare.PauseQuoteApproval, PausedBy: "dispatcher-7", ResumedBy: "customer-it-3"},
		{From: at("2026-03-05 10:00"), To: at("2026-03-05 15:00"), Reason: aftercare.PauseAwaitingParts, PausedBy: "engineer-12", ResumedBy: "engineer-12"},
	}, c.Pauses())
	assert.Equal(t, 35*time.Hour, c.Budget())
	assert.Equal(t, time.Hour, c.Remaining(at("2026-03-10 10:00")))
	assert.Equal(t, at("2026-03-09 13:00"), c.Stop())
	assert.Equal(t, at("2026-03-02 10:00"), c.Start())
	assert.Equal(t, p1, c.Terms())
	assert.Equal(t, aftercare.Coverage9x5, c.Calendar().Coverage())
	assert.Equal(t, aftercare.ClockRestore, c.Kind())
	assert.Equal(t, "2026-03-05 09:30 CST", local(c.PercentInstant(50), loc), "half of the 35h budget")
	// Looking back at the clock before its later events still sees its
	// pauses.
	assert.Equal(t, 9*time.Hour, c.Elapsed(at("2026-03-03 18:00")))
	assert.Equal(t, aftercare.ClockPaused, c.State(at("2026-03-03 18:00")))
}

func TestClockPauseRules(t *testing.T) {
	loc := MustLoadLocation(t, "Europe/Berlin")
	at := func(s string) time.Time { return MustLocal(t, loc, s) }
	platinum, err := aftercare.DefaultSLAPolicy(aftercare.TierPlatinum)
	require.NoError(t, err)
	tests := []struct {
		kind   aftercare.ClockKind
		reason aftercare.PauseReason
		want   string
	}{
		{aftercare.ClockResponse, aftercare.PauseSiteAccess, "2026-06-01 10:15 CEST"},
		{aftercare.ClockOnSite, aftercare.PauseAwaitingParts, "2026-06-01 14:00 CEST"},
		{aftercare.ClockOnSite, aftercare.PauseSiteAccess, "2026-06-01 15:00 CEST"},
		{aftercare.ClockRestore, aftercare.PauseCustomerUnreachable, "2026-06-01 17:00 CEST"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+string(tt.reason), func(t *testing.T) {
			terms, err := platinum.Terms(aftercare.P1, tt.kind)
			require.NoError(t, err)
			c := MustClock(t, tt.kind, loc, sla.HolidaySet{})
			require.NoError(t, c.Apply(aftercare.ClockEvent{Kind: aftercare.ClockEventStarted, At: at("2026-06-01 10:00"), Terms: terms}))
			require.NoError(t, c.Apply(aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: at("2026-06-01 10:05"), By: "u1", Reason: tt.reason}))
			hold, ok := c.Hold()
			require.True(t, ok)
			assert.Equal(t, tt.reason, hold.Reason)
			require.NoError(t, c.Apply(aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: at("2026-06-01 11:05"), By: "u2"}))
			_, ok = c.Hold()
			assert.False(t, ok)
			assert.Equal(t, tt.want, local(c.Deadline(), loc), "%s clock held for %s: Deadline() = %s, want %s",
				tt.kind, tt.reason, local(c.Deadline(), loc), tt.want)
		})
	}
}

func TestClockRejects(t *testing.T) {
	loc := MustLoadLocation(t, "Asia/Singapore")
	at := func(s string) time.Time { return MustLocal(t, loc, s) }
	terms := aftercare.SLATerms{Target: aftercare.WallTarget(4 * time.Hour), Coverage: aftercare.Coverage24x7}
	start := aftercare.ClockEvent{Kind: aftercare.ClockEventStarted, At: at("2026-06-01 10:00"), Terms: terms}
	pause := aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: at("2026-06-01 11:00"), By: "u1", Reason: aftercare.PauseSiteAccess}
	resume := aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: at("2026-06-01 12:00"), By: "u1"}
	stop := aftercare.ClockEvent{Kind: aftercare.ClockEventStopped, At: at("2026-06-01 13:00"), By: "u1"}
	tests := []struct {
		name    string
		history []aftercare.ClockEvent
		event   aftercare.ClockEvent
		code    string
		want    string
	}{
		{"before start", nil, pause, aftercare.ECONFLICT, "before the on_site clock started"},
		{"second start", []aftercare.ClockEvent{start}, start, aftercare.ECONFLICT, "already started"},
		{"pause while paused", []aftercare.ClockEvent{start, pause}, pause, aftercare.ECONFLICT, "already on hold (site_access)"},
		{"resume while running", []aftercare.ClockEvent{start}, resume, aftercare.ECONFLICT, "not on hold"},
		{"after stop", []aftercare.ClockEvent{start, stop}, resume, aftercare.ECONFLICT, "after the on_site clock stopped"},
		{"back in time", []aftercare.ClockEvent{start, pause}, aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: at("2026-06-01 10:30"), By: "u1"},
			aftercare.EINVALID, "is before the previous event"},
		{"no time", nil, aftercare.ClockEvent{Kind: aftercare.ClockEventStarted, Terms: terms}, aftercare.EINVALID, "has no time"},
		{"unknown kind", []aftercare.ClockEvent{start}, aftercare.ClockEvent{Kind: "exploded", At: at("2026-06-01 11:00")}, aftercare.EINVALID, `unknown clock event "exploded"`},
		{"pause without who", []aftercare.ClockEvent{start}, aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: at("2026-06-01 11:00"), Reason: aftercare.PauseSiteAccess},
			aftercare.EINVALID, "who paused"},
		{"resume without who", []aftercare.ClockEvent{start, pause}, aftercare.ClockEvent{Kind: aftercare.ClockEventResumed, At: at("2026-06-01 12:00")},
			aftercare.EINVALID, "who resumed"},
		{"unknown reason", []aftercare.ClockEvent{start}, aftercare.ClockEvent{Kind: aftercare.ClockEventPaused, At: at("2026-06-01 11:00"), By: "u1", Reason: "lunch"},
			aftercare.EINVALID, `unknown reason "lunch"`},
		{"start without a target", nil, aftercare.ClockEvent{Kind: aftercare.ClockEventStarted, At: at("2026-06-01 10:00"), Terms: aftercare.SLATerms{Coverage: aftercare.Coverage9x5}},
			aftercare.EINVALID, "does not apply"},
		{"retarget to wall on 9x5", []aftercare.ClockEvent{start}, aftercare.ClockEvent{Kind: aftercare.ClockEventRetargeted, At: at("2026-06-01 11:00"),
			Terms: aftercare.SLATerms{Target: aftercare.WallTarget(time.Hour), Coverage: aftercare.Coverage9x5}}, aftercare.EINVALID, "needs 24x7 coverage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := MustClock(t, aftercare.ClockOnSite, loc, sla.HolidaySet{})
			for _, e := range tt.history {
				require.NoError(t, c.Apply(e))
			}
			before := *c
			err := c.Apply(tt.event)
			require.Error(t, err)
			assert.Equal(t, tt.code, aftercare.ErrorCode(err), "Apply error %v", err)
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
			assert.Equal(t, before, *c, "a rejected event must leave the clock as it was")

			_, err = sla.Replay(aftercare.ClockOnSite, loc, sla.HolidaySet{}, append(tt.history, tt.event))
			require.Error(t, err)
			assert.Equal(t, tt.code, aftercare.ErrorCode(err), "Replay error %v", err)
			assert.Contains(t, err.Error(), "event "+strconv.Itoa(len(tt.history)+1))
		})
	}
}

func TestNewClockRejects(t *testing.T) {
	_, err := sla.NewClock("repair", time.UTC, sla.HolidaySet{})
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "NewClock(repair) error = %v", err)
	_, err = sla.NewClock(aftercare.ClockResponse, nil, sla.HolidaySet{})
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "NewClock without a zone: error = %v", err)
	_, err = sla.Replay("repair", time.UTC, sla.HolidaySet{}, nil)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "Replay(repair) error = %v", err)
	_, err = sla.NewCalendar("8x5", time.UTC, sla.HolidaySet{})
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "NewCalendar(8x5) error = %v", err)
	_, err = sla.NewCalendar(aftercare.Coverage9x5, nil, sla.HolidaySet{})
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "NewCalendar without a zone: error = %v", err)
}
