package aftercare_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
)

// The JSON encodings below are stored (tier policies, clock events in the
// sla_clocks table) and recorded in incident workflows' histories (the
// policy and holidays their clocks started with, and each clock's events),
// so they must never change: old rows and histories must still decode to
// the same values.

// TestSLAPolicyJSON pins the stored and recorded encoding of each tier's
// default policy.
func TestSLAPolicyJSON(t *testing.T) {
	want := map[aftercare.Tier]string{
		aftercare.TierPlatinum: `{"Tier":"platinum","Cells":[{"Priority":"P1","Clock":"response","Target":"15m","Coverage":"24x7"},{"Priority":"P1","Clock":"on_site","Target":"4h","Coverage":"24x7"},{"Priority":"P1","Clock":"restore","Target":"6h","Coverage":"24x7"},{"Priority":"P2","Clock":"response","Target":"30m","Coverage":"24x7"},{"Priority":"P2","Clock":"on_site","Target":"8h","Coverage":"24x7"},{"Priority":"P2","Clock":"restore","Target":"24h","Coverage":"24x7"},{"Priority":"P3","Clock":"response","Target":"2h","Coverage":"24x7"},{"Priority":"P3","Clock":"on_site","Target":"NBD","Coverage":"24x7"},{"Priority":"P3","Clock":"restore","Target":"3BD","Coverage":"24x7"},{"Priority":"P4","Clock":"response","Target":"1BD","Coverage":"24x7"},{"Priority":"P4","Clock":"on_site","Target":"—","Coverage":"24x7"},{"Priority":"P4","Clock":"restore","Target":"5BD","Coverage":"24x7"}],"PartsPause":false,"Ladder":[{"Percent":50,"Actions":["warn_engineer","warn_dispatcher"]},{"Percent":75,"Actions":["escalate_duty_manager","redispatch"]},{"Percent":90,"Actions":["notify_account_manager"]},{"Percent":100,"Actions":["breach"]}]}`,
		aftercare.TierPremium:  `{"Tier":"premium","Cells":[{"Priority":"P1","Clock":"response","Target":"30m","Coverage":"24x7"},{"Priority":"P1","Clock":"on_site","Target":"4h","Coverage":"24x7"},{"Priority":"P1","Clock":"restore","Target":"24h","Coverage":"24x7"},{"Priority":"P2","Clock":"response","Target":"2h","Coverage":"24x7"},{"Priority":"P2","Clock":"on_site","Target":"NBD","Coverage":"24x7"},{"Priority":"P2","Clock":"restore","Target":"2BD","Coverage":"24x7"},{"Priority":"P3","Clock":"response","Target":"4BH","Coverage":"9x5"},{"Priority":"P3","Clock":"on_site","Target":"NBD","Coverage":"9x5"},{"Priority":"P3","Clock":"restore","Target":"3BD","Coverage":"9x5"},{"Priority":"P4","Clock":"response","Target":"1BD","Coverage":"9x5"},{"Priority":"P4","Clock":"on_site","Target":"—","Coverage":"9x5"},{"Priority":"P4","Clock":"restore","Target":"10BD","Coverage":"9x5"}],"PartsPause":false,"Ladder":[{"Percent":50,"Actions":["warn_engineer","warn_dispatcher"]},{"Percent":75,"Actions":["escalate_duty_manager","redispatch"]},{"Percent":90,"Actions":["notify_account_manager"]},{"Percent":100,"Actions":["breach"]}]}`,
		aftercare.TierStandard: `{"Tier":"standard","Cells":[{"Priority":"P1","Clock":"response","Target":"4BH","Coverage":"9x5"},{"Priority":"P1","Clock":"on_site","Target":"NBD","Coverage":"9x5"},{"Priority":"P1","Clock":"restore","Target":"3BD","Coverage":"9x5"},{"Priority":"P2","Clock":"response","Target":"4BH","Coverage":"9x5"},{"Priority":"P2","Clock":"on_site","Target":"NBD","Coverage":"9x5"},{"Priority":"P2","Clock":"restore","Target":"5BD","Coverage":"9x5"},{"Priority":"P3","Clock":"response","Target":"1BD","Coverage":"9x5"},{"Priority":"P3","Clock":"on_site","Target":"—","Coverage":"9x5"},{"Priority":"P3","Clock":"restore","Target":"5BD","Coverage":"9x5"},{"Priority":"P4","Clock":"response","Target":"2BD","Coverage":"9x5"},{"Priority":"P4","Clock":"on_site","Target":"—","Coverage":"9x5"},{"Priority":"P4","Clock":"restore","Target":"10BD","Coverage":"9x5"}],"PartsPause":true,"Ladder":[{"Percent":50,"Actions":["warn_engineer","warn_dispatcher"]},{"Percent":75,"Actions":["escalate_duty_manager","redispatch"]},{"Percent":90,"Actions":["notify_account_manager"]},{"Percent":100,"Actions":["breach"]}]}`,
	}
	for _, tier := range aftercare.Tiers {
		p, err := aftercare.DefaultSLAPolicy(tier)
		require.NoError(t, err)
		got, err := json.Marshal(p)
		require.NoError(t, err)
		assert.Equal(t, want[tier], string(got), "json.Marshal(DefaultSLAPolicy(%q)) = %s, want %s", tier, got, want[tier])
		var back aftercare.SLAPolicy
		require.NoError(t, json.Unmarshal([]byte(want[tier]), &back))
		assert.Equal(t, p, back, "the %s policy does not decode to itself", tier)
	}
}

// TestClockEventJSON pins the stored and recorded encoding of clock events,
// with every kind of event and of target.
func TestClockEventJSON(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	events := []aftercare.ClockEvent{
		{Kind: aftercare.ClockEventStarted, At: at, By: "system",
			Terms: aftercare.SLATerms{Target: aftercare.BusinessHoursTarget(4), Coverage: aftercare.Coverage9x5, PartsPause: true}},
		{Kind: aftercare.ClockEventPaused, At: at.Add(time.Hour), By: "u1", Reason: aftercare.PauseAwaitingParts},
		{Kind: aftercare.ClockEventResumed, At: at.Add(2 * time.Hour), By: "u1"},
		{Kind: aftercare.ClockEventRetargeted, At: at.Add(3 * time.Hour), By: "u1",
			Terms: aftercare.SLATerms{Target: aftercare.NextBusinessDayTarget(), Coverage: aftercare.Coverage9x5}},
		{Kind: aftercare.ClockEventRetargeted, At: at.Add(3 * time.Hour), By: "u1",
			Terms: aftercare.SLATerms{Target: aftercare.BusinessDaysTarget(3), Coverage: aftercare.Coverage24x7}},
		{Kind: aftercare.ClockEventRetargeted, At: at.Add(3 * time.Hour), By: "u1",
			Terms: aftercare.SLATerms{Target: aftercare.WallTarget(90 * time.Minute), Coverage: aftercare.Coverage24x7}},
		{Kind: aftercare.ClockEventStopped, At: at.Add(4 * time.Hour), By: "system"},
	}
	want := `[{"Kind":"started","At":"2026-03-02T10:00:00Z","By":"system","Reason":"","Terms":{"Target":"4BH","Coverage":"9x5","PartsPause":true}},{"Kind":"paused","At":"2026-03-02T11:00:00Z","By":"u1","Reason":"awaiting_parts","Terms":{"Target":"—","Coverage":"","PartsPause":false}},{"Kind":"resumed","At":"2026-03-02T12:00:00Z","By":"u1","Reason":"","Terms":{"Target":"—","Coverage":"","PartsPause":false}},{"Kind":"retargeted","At":"2026-03-02T13:00:00Z","By":"u1","Reason":"","Terms":{"Target":"NBD","Coverage":"9x5","PartsPause":false}},{"Kind":"retargeted","At":"2026-03-02T13:00:00Z","By":"u1","Reason":"","Terms":{"Target":"3BD","Coverage":"24x7","PartsPause":false}},{"Kind":"retargeted","At":"2026-03-02T13:00:00Z","By":"u1","Reason":"","Terms":{"Target":"1h30m","Coverage":"24x7","PartsPause":false}},{"Kind":"stopped","At":"2026-03-02T14:00:00Z","By":"system","Reason":"","Terms":{"Target":"—","Coverage":"","PartsPause":false}}]`
	got, err := json.Marshal(events)
	require.NoError(t, err)
	assert.Equal(t, want, string(got), "json.Marshal(events) = %s, want %s", got, want)
	var back []aftercare.ClockEvent
	require.NoError(t, json.Unmarshal([]byte(want), &back))
	assert.Equal(t, events, back)
}

// TestSpecialDayJSON pins the recorded encoding of a workflow's holidays.
func TestSpecialDayJSON(t *testing.T) {
	days := []aftercare.SpecialDay{{Date: aftercare.Date{Year: 2026, Month: time.October, Day: 1}, Kind: aftercare.DayHoliday, Name: "National Day"}}
	want := `[{"Date":{"Year":2026,"Month":10,"Day":1},"Kind":"holiday","Name":"National Day"}]`
	got, err := json.Marshal(days)
	require.NoError(t, err)
	assert.Equal(t, want, string(got), "json.Marshal(days) = %s, want %s", got, want)
}
