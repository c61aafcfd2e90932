package sla_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

func TestLadderInstants(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	hour := aftercare.SLATerms{Target: aftercare.WallTarget(time.Hour), Coverage: aftercare.Coverage24x7}
	at := func(m int) time.Time { return start.Add(time.Duration(m) * time.Minute) }
	started := aftercare.ClockEvent{Kind: aftercare.ClockEventStarted, At: start, Terms: hour}
	ladder := aftercare.DefaultEscalationLadder() // 50, 75, 90, 100 %
	tests := []struct {
		name   string
		kind   aftercare.ClockKind
		events []aftercare.ClockEvent
		want   []int // minutes after start, -1 for a level never due
	}{
		{"running", aftercare.ClockRestore, []aftercare.ClockEvent{started}, []int{30, 45, 54, 60}},
		{"stopped between levels", aftercare.ClockResponse, []aftercare.ClockEvent{started,
			{Kind: aftercare.ClockEventStopped, At: at(40)}}, []int{30, -1, -1, -1}},
		{"stopped at a level's instant", aftercare.ClockResponse, []aftercare.ClockEvent{started,
			{Kind: aftercare.ClockEventStopped, At: at(45)}}, []int{30, -1, -1, -1}},
		{"paused and resumed", aftercare.ClockRestore, []aftercare.ClockEvent{started,
			{Kind: aftercare.ClockEventPaused, At: at(10), By: "u", Reason: aftercare.PauseSiteAccess},
			{Kind: aftercare.ClockEventResumed, At: at(30), By: "u"}}, []int{50, 65, 74, 80}},
		{"paused still", aftercare.ClockRestore, []aftercare.ClockEvent{started,
			{Kind: aftercare.ClockEventPaused, At: at(40), By: "u", Reason: aftercare.PauseSiteAccess}},
			[]int{30, -1, -1, -1}},
		{"not started", aftercare.ClockRestore, nil, []int{-1, -1, -1, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := sla.Replay(tt.kind, time.UTC, sla.HolidaySet{}, tt.events)
			require.NoError(t, err)
			got := c.LadderInstants(ladder)
			require.Len(t, got, len(tt.want))
			for i, m := range tt.want {
				want := time.Time{}
				if m >= 0 {
					want = at(m)
				}
				assert.True(t, want.Equal(got[i]), "LadderInstants()[%d] = %v, want %v", i, got[i], want)
			}
		})
	}
}
