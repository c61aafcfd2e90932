package sla_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// The number of random cases per property; the reference is slow, so it
// gets fewer.
const (
	propertyCases  = 2000
	referenceCases = 400
)

func TestFastEqualsReference(t *testing.T) {
	g := newGenerator(t, 1)
	for i := range referenceCases {
		s := g.scenario(t)
		budget := sla.Budget(s.start, s.target, s.cal)
		want := s.ref.budget(t, s.start, s.target)
		require.Equal(t, want, budget, "case %d: Budget = %s, want %s; %v", i, budget, want, s)

		deadline := sla.Deadline(s.start, s.target, s.cal, s.pauses)
		wantDeadline := s.ref.spend(s.start, budget, s.pauses)
		require.True(t, wantDeadline.Equal(deadline), "case %d: Deadline = %s, want %s; %v", i, deadline, wantDeadline, s)

		now := s.start.Add(time.Duration(g.rng.IntN(20*24*60)-24*60) * time.Minute)
		elapsed := sla.Elapsed(s.start, now, s.cal, s.pauses)
		wantElapsed := s.ref.elapsed(s.start, now, s.pauses)
		require.Equal(t, wantElapsed, elapsed, "case %d: Elapsed(%s) = %s, want %s; %v", i, now, elapsed, wantElapsed, s)
	}
}

func TestAroundTheClockIsWallTime(t *testing.T) {
	g := newGenerator(t, 2)
	for i := range propertyCases {
		cal, _ := g.calendar(t, aftercare.Coverage24x7)
		start := g.instant(cal.Location())
		d := time.Duration(1+g.rng.IntN(400*60)) * time.Minute
		now := start.Add(d)
		got := sla.Elapsed(start, now, cal, nil)
		require.Equal(t, d, got, "case %d: Elapsed over %s of wall time = %s in %s", i, d, got, cal.Location())
		deadline := sla.Deadline(start, aftercare.WallTarget(d), cal, nil)
		require.True(t, now.Equal(deadline), "case %d: Deadline(%s, %s) = %s, want %s", i, start, d, deadline, now)
		bh := time.Duration(1+g.rng.IntN(100)) * time.Hour
		deadline = sla.Deadline(start, aftercare.BusinessHoursTarget(int(bh/time.Hour)), cal, nil)
		require.True(t, start.Add(bh).Equal(deadline), "case %d: Deadline(%s, %s of BH) = %s on 24x7", i, start, bh, deadline)
	}
}

func TestLongerTargetNeverEarlier(t *testing.T) {
	g := newGenerator(t, 3)
	for i := range propertyCases {
		s := g.scenario(t)
		var shorter, longer aftercare.SLATarget
		switch g.rng.IntN(3) {
		case 0:
			n := 1 + g.rng.IntN(60)
			shorter, longer = aftercare.BusinessHoursTarget(n), aftercare.BusinessHoursTarget(n+1+g.rng.IntN(30))
		case 1:
			n := 1 + g.rng.IntN(10)
			shorter, longer = aftercare.BusinessDaysTarget(n), aftercare.BusinessDaysTarget(n+1+g.rng.IntN(5))
		default:
			shorter, longer = aftercare.NextBusinessDayTarget(), aftercare.BusinessDaysTarget(2)
		}
		a := sla.Deadline(s.start, shorter, s.cal, s.pauses)
		b := sla.Deadline(s.start, longer, s.cal, s.pauses)
		if a.IsZero() {
			require.True(t, b.IsZero(), "case %d: %s has no deadline but %s has %s; %v", i, shorter, longer, b, s)
			continue
		}
		require.False(t, !b.IsZero() && b.Before(a), "case %d: Deadline(%s) = %s is before Deadline(%s) = %s; %v",
			i, longer, b, shorter, a, s)
	}
}

func TestPauseDelaysByItsBusinessLength(t *testing.T) {
	g := newGenerator(t, 4)
	for i := range propertyCases {
		s := g.scenario(t)
		budget := sla.Budget(s.start, s.target, s.cal)
		before := sla.Deadline(s.start, s.target, s.cal, nil)
		from := s.start.Add(time.Duration(g.rng.IntN(10*24*60)) * time.Minute)
		pause := sla.Pause{From: from, To: from.Add(time.Duration(1+g.rng.IntN(4*24*60)) * time.Minute)}
		after := sla.Deadline(s.start, s.target, s.cal, []sla.Pause{pause})

		require.Equal(t, budget, sla.Elapsed(s.start, after, s.cal, []sla.Pause{pause}),
			"case %d: Elapsed at the paused deadline %s is not the budget; pause %v; %v", i, after, pause, s)
		if !from.Before(before) {
			require.True(t, before.Equal(after), "case %d: a pause from %s after the deadline %s moved it to %s; %v",
				i, from, before, after, s)
			continue
		}
		d := sla.Elapsed(pause.From, pause.To, s.cal, nil)
		got := sla.Elapsed(s.start, after, s.cal, nil)
		require.Equal(t, budget+d, got, "case %d: a pause of business length %s moved the deadline from %s to %s, %s of business time; %v",
			i, d, before, after, got-budget, s)
	}
}

func TestDeadlineUsesTheBudget(t *testing.T) {
	g := newGenerator(t, 5)
	for i := range propertyCases {
		s := g.scenario(t)
		budget := sla.Budget(s.start, s.target, s.cal)
		deadline := sla.Deadline(s.start, s.target, s.cal, s.pauses)
		if deadline.IsZero() {
			require.Less(t, sla.Elapsed(s.start, s.start.Add(400*24*time.Hour), s.cal, s.pauses), budget,
				"case %d: no deadline, yet the budget is used; %v", i, s)
			continue
		}
		require.Equal(t, budget, sla.Elapsed(s.start, deadline, s.cal, s.pauses),
			"case %d: Elapsed(Deadline = %s) is not the budget; %v", i, deadline, s)
		require.Less(t, sla.Elapsed(s.start, deadline.Add(-time.Minute), s.cal, s.pauses), budget,
			"case %d: the budget is used before the deadline %s; %v", i, deadline, s)
		require.Zero(t, sla.Remaining(s.start, deadline, s.target, s.cal, s.pauses))
	}
}

func TestBreachedIffStoppedAfterDeadline(t *testing.T) {
	g := newGenerator(t, 6)
	for i := range propertyCases {
		s := g.scenario(t)
		deadline := sla.Deadline(s.start, s.target, s.cal, s.pauses)
		stop := s.start.Add(time.Duration(g.rng.IntN(20*24*60)) * time.Minute)
		if g.rng.IntN(8) == 0 && !deadline.IsZero() {
			stop = deadline
		}
		now := stop.Add(time.Duration(g.rng.IntN(24*60)) * time.Minute)
		got := sla.StateAt(now, deadline, stop, s.pauses)
		breached := !deadline.IsZero() && stop.After(deadline)
		require.Equal(t, breached, got == aftercare.ClockBreached, "case %d: stopped %s, deadline %s: state %q; %v", i, stop, deadline, got, s)
		require.Contains(t, []aftercare.ClockState{aftercare.ClockMet, aftercare.ClockBreached}, got, "case %d: a stopped clock is met or breached", i)
	}
}

func TestPercentInstantIsMonotone(t *testing.T) {
	g := newGenerator(t, 7)
	for i := range propertyCases / 4 {
		s := g.scenario(t)
		budget := sla.Budget(s.start, s.target, s.cal)
		var prev time.Time
		for p := 0; p <= 120; p += 1 + g.rng.IntN(10) {
			at := sla.PercentInstant(s.start, s.target, p, s.cal, s.pauses)
			if at.IsZero() {
				prev = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
				continue
			}
			require.False(t, at.Before(prev), "case %d: PercentInstant(%d) = %s is before the previous %s; %v", i, p, at, prev, s)
			used := sla.Elapsed(s.start, at, s.cal, s.pauses)
			require.Equal(t, budget/100*time.Duration(p)+budget%100*time.Duration(p)/100, used,
				"case %d: Elapsed(PercentInstant(%d)) = %s of %s; %v", i, p, used, budget, s)
			prev = at
		}
		full := sla.PercentInstant(s.start, s.target, 100, s.cal, s.pauses)
		require.True(t, full.Equal(sla.Deadline(s.start, s.target, s.cal, s.pauses)), "case %d: 100 %% is not the deadline; %v", i, s)
	}
}

func TestReplayEqualsApply(t *testing.T) {
	g := newGenerator(t, 8)
	for i := range propertyCases / 4 {
		kind := aftercare.ClockKinds[g.rng.IntN(len(aftercare.ClockKinds))]
		loc := g.zones[g.rng.IntN(len(g.zones))]
		holidays := g.holidays(t)
		events := g.history(g.instant(loc))
		c := MustClock(t, kind, loc, holidays)
		for j, e := range events {
			require.NoError(t, c.Apply(e), "case %d event %d", i, j+1)
			replayed, err := sla.Replay(kind, loc, holidays, events[:j+1])
			require.NoError(t, err, "case %d event %d", i, j+1)
			require.Equal(t, replayed, c, "case %d: after event %d (%s) Apply and Replay differ; events %v", i, j+1, e.Kind, events)

			cal := c.Calendar()
			want := sla.Deadline(c.Start(), c.Terms().Target, cal, c.Pauses())
			require.True(t, want.Equal(c.Deadline()), "case %d event %d: Deadline() = %s, want %s", i, j+1, c.Deadline(), want)
			now := e.At.Add(time.Duration(g.rng.IntN(3*24*60)) * time.Minute)
			if stop := c.Stop(); !stop.IsZero() && now.After(stop) {
				now = stop
			}
			assert.Equal(t, sla.Elapsed(c.Start(), now, cal, c.Pauses()), c.Elapsed(now), "case %d event %d: Elapsed(%s)", i, j+1, now)
			assert.Equal(t, sla.StateAt(now, want, c.Stop(), c.Pauses()), c.State(now), "case %d event %d: State(%s)", i, j+1, now)
		}
	}
}

func TestFastEqualsReferenceInOddZones(t *testing.T) {
	g := newGenerator(t, 9)
	// Half-hour and 45-minute offsets, a half-hour daylight-saving shift,
	// changes at midnight, and Morocco's Ramadan changes.
	g.zones = nil
	for _, name := range []string{
		"Australia/Lord_Howe", "America/Santiago", "America/Havana", "Asia/Kathmandu",
		"America/St_Johns", "Pacific/Chatham", "Africa/Casablanca", "Asia/Tehran",
	} {
		g.zones = append(g.zones, MustLoadLocation(t, name))
	}
	for i := range referenceCases / 4 {
		s := g.scenario(t)
		deadline := sla.Deadline(s.start, s.target, s.cal, s.pauses)
		want := s.ref.spend(s.start, s.ref.budget(t, s.start, s.target), s.pauses)
		require.True(t, want.Equal(deadline), "case %d: Deadline = %s, want %s; %v", i, deadline, want, s)
	}
}
