package sla_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

// tableRow writes a policy's cells of one priority like DESIGN.md §4:
// "24x7 15m/4h/6h".
func tableRow(tb testing.TB, p sla.Policy, pri aftercare.Priority) string {
	tb.Helper()
	var targets []string
	var cov sla.Coverage
	for _, clock := range aftercare.ClockKinds {
		c, err := p.Cell(pri, clock)
		require.NoError(tb, err)
		targets = append(targets, c.Target.String())
		cov = c.Coverage
	}
	return fmt.Sprintf("%s %s", cov, strings.Join(targets, "/"))
}

func TestDefaultPolicy(t *testing.T) {
	want := map[aftercare.Tier][]string{
		aftercare.TierPlatinum: {"24x7 15m/4h/6h", "24x7 30m/8h/24h", "24x7 2h/NBD/3BD", "24x7 1BD/—/5BD"},
		aftercare.TierPremium:  {"24x7 30m/4h/24h", "24x7 2h/NBD/2BD", "9x5 4BH/NBD/3BD", "9x5 1BD/—/10BD"},
		aftercare.TierStandard: {"9x5 4BH/NBD/3BD", "9x5 4BH/NBD/5BD", "9x5 1BD/—/5BD", "9x5 2BD/—/10BD"},
	}
	for _, tier := range aftercare.Tiers {
		t.Run(string(tier), func(t *testing.T) {
			p, err := sla.DefaultPolicy(tier)
			require.NoError(t, err)
			require.NoError(t, p.Validate())
			for i, pri := range aftercare.Priorities {
				got := tableRow(t, p, pri)
				assert.Equal(t, want[tier][i], got, "DefaultPolicy(%q) %s = %q, want %q", tier, pri, got, want[tier][i])
			}
			assert.Equal(t, sla.DefaultLadder(), p.Ladder)
			assert.Equal(t, tier == aftercare.TierStandard, p.PartsPause, "parts pause of %s", tier)
		})
	}
	_, err := sla.DefaultPolicy("gold")
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "DefaultPolicy(gold) error = %v", err)
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*sla.Policy)
		want   string
	}{
		{"unknown tier", func(p *sla.Policy) { p.Tier = "gold" }, `unknown tier "gold"`},
		{"missing cell", func(p *sla.Policy) { p.Cells = p.Cells[1:] }, "has 11 cells, want 12"},
		{"duplicate cell", func(p *sla.Policy) { p.Cells[1] = p.Cells[0] }, "cell P1 response appears twice"},
		{"platinum parts pause", func(p *sla.Policy) { p.PartsPause = true }, "never pauses a platinum clock"},
		{"wall target on 9x5", func(p *sla.Policy) { p.Cells[0].Coverage = sla.Coverage9x5 }, "needs 24x7 coverage"},
		{"unknown coverage", func(p *sla.Policy) { p.Cells[0].Coverage = "8x5" }, `unknown coverage "8x5"`},
		{"bad target", func(p *sla.Policy) { p.Cells[0].Target = sla.BusinessDays(0) }, "between 1BD and 366BD"},
		{"bad ladder", func(p *sla.Policy) { p.Ladder = p.Ladder[:3] }, "must end with a 100 % level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := sla.DefaultPolicy(aftercare.TierPlatinum)
			require.NoError(t, err)
			tt.change(&p)
			err = p.Validate()
			require.Error(t, err)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
		})
	}
}

func TestEffective(t *testing.T) {
	defaults, err := sla.DefaultPolicy(aftercare.TierStandard)
	require.NoError(t, err)
	before := tableRow(t, defaults, aftercare.P1)

	got, err := sla.Effective(defaults, []sla.Override{
		{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: sla.Wall(2 * time.Hour)},
		{Priority: aftercare.P1, Clock: aftercare.ClockOnSite, Target: sla.BusinessHours(8)},
		{Priority: aftercare.P1, Clock: aftercare.ClockRestore, Target: sla.Wall(24 * time.Hour), Coverage: sla.Coverage24x7},
		{Priority: aftercare.P4, Clock: aftercare.ClockOnSite, Target: sla.BusinessDays(3)},
	})
	require.NoError(t, err)
	require.NoError(t, got.Validate())
	resp, err := got.Cell(aftercare.P1, aftercare.ClockResponse)
	require.NoError(t, err)
	assert.Equal(t, sla.Cell{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: sla.Wall(2 * time.Hour),
		Coverage: sla.Coverage24x7}, resp, "a wall-clock override runs around the clock")
	onSite, err := got.Cell(aftercare.P1, aftercare.ClockOnSite)
	require.NoError(t, err)
	assert.Equal(t, sla.Coverage9x5, onSite.Coverage, "a business-hours override keeps the default coverage")
	assert.Equal(t, "24x7 2h/8BH/24h", tableRow(t, got, aftercare.P1))
	assert.Equal(t, "9x5 2BD/3BD/10BD", tableRow(t, got, aftercare.P4))
	assert.Equal(t, "9x5 4BH/NBD/5BD", tableRow(t, got, aftercare.P2), "cells not overridden keep their defaults")
	assert.Equal(t, before, tableRow(t, defaults, aftercare.P1), "Effective must not modify the defaults")

	terms, err := got.Terms(aftercare.P4, aftercare.ClockOnSite)
	require.NoError(t, err)
	assert.Equal(t, sla.Terms{Target: sla.BusinessDays(3), Coverage: sla.Coverage9x5, PartsPause: true}, terms)
}

func TestEffectiveRejects(t *testing.T) {
	defaults, err := sla.DefaultPolicy(aftercare.TierPremium)
	require.NoError(t, err)
	broken := defaults
	broken.Tier = "gold"
	tests := []struct {
		name      string
		defaults  sla.Policy
		overrides []sla.Override
		want      string
	}{
		{"invalid defaults", broken, nil, `unknown tier "gold"`},
		{"unknown priority", defaults, []sla.Override{{Priority: "P9", Clock: aftercare.ClockResponse, Target: sla.BusinessHours(1)}},
			`unknown cell "P9.response"`},
		{"unknown clock", defaults, []sla.Override{{Priority: aftercare.P1, Clock: "repair", Target: sla.BusinessHours(1)}},
			`unknown cell "P1.repair"`},
		{"twice", defaults, []sla.Override{
			{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: sla.BusinessHours(1)},
			{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: sla.BusinessHours(2)},
		}, "P1.response appears twice"},
		{"wall on explicit 9x5", defaults, []sla.Override{
			{Priority: aftercare.P3, Clock: aftercare.ClockResponse, Target: sla.Wall(90 * time.Minute), Coverage: sla.Coverage9x5},
		}, "wall-clock target 1h30m needs 24x7 coverage; write business hours (2BH) for 9x5"},
		{"invalid target", defaults, []sla.Override{{Priority: aftercare.P1, Clock: aftercare.ClockRestore, Target: sla.Wall(time.Millisecond)}},
			"SLA override P1.restore: a wall target must be whole seconds"},
		{"unknown coverage", defaults, []sla.Override{
			{Priority: aftercare.P1, Clock: aftercare.ClockRestore, Target: sla.BusinessDays(1), Coverage: "5x8"},
		}, `unknown coverage "5x8"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sla.Effective(tt.defaults, tt.overrides)
			require.Error(t, err)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
		})
	}
}

func TestParseOverride(t *testing.T) {
	tests := []struct {
		key, value string
		want       sla.Override
		err        string
	}{
		{"P1.response", "30 min", sla.Override{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: sla.Wall(30 * time.Minute)}, ""},
		{"P3.on_site", "—", sla.Override{Priority: aftercare.P3, Clock: aftercare.ClockOnSite}, ""},
		{"P4.restore", "7BD", sla.Override{Priority: aftercare.P4, Clock: aftercare.ClockRestore, Target: sla.BusinessDays(7)}, ""},
		{"P1-response", "1h", sla.Override{}, "want priority.clock"},
		{"P5.response", "1h", sla.Override{}, "want priority.clock"},
		{"P1.onsite", "1h", sla.Override{}, "want priority.clock"},
		{"P1.response", "soon", sla.Override{}, `SLA override P1.response: target "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			got, err := sla.ParseOverride(tt.key, tt.value)
			if tt.err != "" {
				require.Error(t, err)
				assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
				assert.Contains(t, aftercare.ErrorMessage(err), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "ParseOverride(%q, %q) = %+v, want %+v", tt.key, tt.value, got, tt.want)
			assert.Equal(t, tt.key, got.Key())
		})
	}
}

func TestTermsValidate(t *testing.T) {
	tests := []struct {
		name  string
		terms sla.Terms
		want  string
	}{
		{"business days on 9x5", sla.Terms{Target: sla.BusinessDays(3), Coverage: sla.Coverage9x5}, ""},
		{"wall on 24x7", sla.Terms{Target: sla.Wall(time.Hour), Coverage: sla.Coverage24x7}, ""},
		{"does not apply", sla.Terms{Coverage: sla.Coverage9x5}, "does not apply"},
		{"wall on 9x5", sla.Terms{Target: sla.Wall(time.Hour), Coverage: sla.Coverage9x5}, "needs 24x7 coverage"},
		{"no coverage", sla.Terms{Target: sla.NextBusinessDay()}, "unknown coverage"},
		{"bad target", sla.Terms{Target: sla.BusinessHours(0), Coverage: sla.Coverage9x5}, "business-hours target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.terms.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
		})
	}
}

func TestPausedBy(t *testing.T) {
	tests := []struct {
		kind       aftercare.ClockKind
		reason     sla.PauseReason
		partsPause bool
		want       bool
	}{
		{aftercare.ClockResponse, sla.PauseQuoteApproval, true, false},
		{aftercare.ClockResponse, sla.PauseAwaitingParts, true, false},
		{aftercare.ClockOnSite, sla.PauseQuoteApproval, false, true},
		{aftercare.ClockOnSite, sla.PauseSiteAccess, false, true},
		{aftercare.ClockRestore, sla.PauseCustomerUnreachable, false, true},
		{aftercare.ClockOnSite, sla.PauseAwaitingParts, false, false},
		{aftercare.ClockOnSite, sla.PauseAwaitingParts, true, true},
		{aftercare.ClockRestore, sla.PauseAwaitingParts, false, false},
		{aftercare.ClockRestore, sla.PauseAwaitingParts, true, true},
		{aftercare.ClockRestore, "lunch", true, false},
	}
	for _, tt := range tests {
		got := sla.PausedBy(tt.kind, tt.reason, tt.partsPause)
		assert.Equal(t, tt.want, got, "PausedBy(%q, %q, %v) = %v, want %v", tt.kind, tt.reason, tt.partsPause, got, tt.want)
	}
}

func TestLadderValidate(t *testing.T) {
	breach := []sla.Action{sla.ActionBreach}
	tests := []struct {
		name   string
		ladder sla.Ladder
		want   string
	}{
		{"default", sla.DefaultLadder(), ""},
		{"breach only", sla.Ladder{{Percent: 100, Actions: breach}}, ""},
		{"empty", nil, "must end with a 100 % level"},
		{"not ascending", sla.Ladder{{75, []sla.Action{sla.ActionWarnEngineer}}, {50, []sla.Action{sla.ActionWarnDispatcher}},
			{100, breach}}, "level 2: 50 % must be above 75 %"},
		{"zero percent", sla.Ladder{{0, []sla.Action{sla.ActionWarnEngineer}}, {100, breach}}, "level 1: 0 % must be above 0 %"},
		{"no actions", sla.Ladder{{50, nil}, {100, breach}}, "level 1 (50 %) has no actions"},
		{"unknown action", sla.Ladder{{50, []sla.Action{"page_ceo"}}, {100, breach}}, `unknown action "page_ceo"`},
		{"repeated action", sla.Ladder{{50, []sla.Action{sla.ActionWarnEngineer, sla.ActionWarnEngineer}}, {100, breach}},
			`action "warn_engineer" twice`},
		{"early breach", sla.Ladder{{90, breach}, {100, breach}}, "only the 100 % level may breach"},
		{"no breach", sla.Ladder{{100, []sla.Action{sla.ActionNotifyAccountManager}}}, "the 100 % escalation level must breach"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ladder.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
		})
	}
}
