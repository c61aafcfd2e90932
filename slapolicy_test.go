package aftercare_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
)

// tableRow writes a policy's cells of one priority like DESIGN.md §4:
// "24x7 15m/4h/6h".
func tableRow(tb testing.TB, p aftercare.SLAPolicy, pri aftercare.Priority) string {
	tb.Helper()
	var targets []string
	var cov aftercare.SLACoverage
	for _, clock := range aftercare.ClockKinds {
		c, err := p.Cell(pri, clock)
		require.NoError(tb, err)
		targets = append(targets, c.Target.String())
		cov = c.Coverage
	}
	return fmt.Sprintf("%s %s", cov, strings.Join(targets, "/"))
}

func TestDefaultSLAPolicy(t *testing.T) {
	want := map[aftercare.Tier][]string{
		aftercare.TierPlatinum: {"24x7 15m/4h/6h", "24x7 30m/8h/24h", "24x7 2h/NBD/3BD", "24x7 1BD/—/5BD"},
		aftercare.TierPremium:  {"24x7 30m/4h/24h", "24x7 2h/NBD/2BD", "9x5 4BH/NBD/3BD", "9x5 1BD/—/10BD"},
		aftercare.TierStandard: {"9x5 4BH/NBD/3BD", "9x5 4BH/NBD/5BD", "9x5 1BD/—/5BD", "9x5 2BD/—/10BD"},
	}
	for _, tier := range aftercare.Tiers {
		t.Run(string(tier), func(t *testing.T) {
			p, err := aftercare.DefaultSLAPolicy(tier)
			require.NoError(t, err)
			require.NoError(t, p.Validate())
			for i, pri := range aftercare.Priorities {
				got := tableRow(t, p, pri)
				assert.Equal(t, want[tier][i], got, "DefaultSLAPolicy(%q) %s = %q, want %q", tier, pri, got, want[tier][i])
			}
			assert.Equal(t, aftercare.DefaultEscalationLadder(), p.Ladder)
			assert.Equal(t, tier == aftercare.TierStandard, p.PartsPause, "parts pause of %s", tier)
		})
	}
	_, err := aftercare.DefaultSLAPolicy("gold")
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "DefaultSLAPolicy(gold) error = %v", err)
}

func TestSLAPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*aftercare.SLAPolicy)
		want   string
	}{
		{"unknown tier", func(p *aftercare.SLAPolicy) { p.Tier = "gold" }, `unknown tier "gold"`},
		{"missing cell", func(p *aftercare.SLAPolicy) { p.Cells = p.Cells[1:] }, "has 11 cells, want 12"},
		{"duplicate cell", func(p *aftercare.SLAPolicy) { p.Cells[1] = p.Cells[0] }, "cell P1 response appears twice"},
		{"platinum parts pause", func(p *aftercare.SLAPolicy) { p.PartsPause = true }, "never pauses a platinum clock"},
		{"wall target on 9x5", func(p *aftercare.SLAPolicy) { p.Cells[0].Coverage = aftercare.Coverage9x5 }, "needs 24x7 coverage"},
		{"unknown coverage", func(p *aftercare.SLAPolicy) { p.Cells[0].Coverage = "8x5" }, `unknown coverage "8x5"`},
		{"bad target", func(p *aftercare.SLAPolicy) { p.Cells[0].Target = aftercare.BusinessDaysTarget(0) }, "between 1BD and 366BD"},
		{"bad ladder", func(p *aftercare.SLAPolicy) { p.Ladder = p.Ladder[:3] }, "must end with a 100 % level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := aftercare.DefaultSLAPolicy(aftercare.TierPlatinum)
			require.NoError(t, err)
			tt.change(&p)
			err = p.Validate()
			require.Error(t, err)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
		})
	}
}

func TestWithOverrides(t *testing.T) {
	defaults, err := aftercare.DefaultSLAPolicy(aftercare.TierStandard)
	require.NoError(t, err)
	before := tableRow(t, defaults, aftercare.P1)

	got, err := defaults.WithOverrides([]aftercare.SLAOverride{
		{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: aftercare.WallTarget(2 * time.Hour)},
		{Priority: aftercare.P1, Clock: aftercare.ClockOnSite, Target: aftercare.BusinessHoursTarget(8)},
		{Priority: aftercare.P1, Clock: aftercare.ClockRestore, Target: aftercare.WallTarget(24 * time.Hour), Coverage: aftercare.Coverage24x7},
		{Priority: aftercare.P4, Clock: aftercare.ClockOnSite, Target: aftercare.BusinessDaysTarget(3)},
	})
	require.NoError(t, err)
	require.NoError(t, got.Validate())
	resp, err := got.Cell(aftercare.P1, aftercare.ClockResponse)
	require.NoError(t, err)
	assert.Equal(t, aftercare.SLACell{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: aftercare.WallTarget(2 * time.Hour),
		Coverage: aftercare.Coverage24x7}, resp, "a wall-clock override runs around the clock")
	onSite, err := got.Cell(aftercare.P1, aftercare.ClockOnSite)
	require.NoError(t, err)
	assert.Equal(t, aftercare.Coverage9x5, onSite.Coverage, "a business-hours override keeps the default coverage")
	assert.Equal(t, "24x7 2h/8BH/24h", tableRow(t, got, aftercare.P1))
	assert.Equal(t, "9x5 2BD/3BD/10BD", tableRow(t, got, aftercare.P4))
	assert.Equal(t, "9x5 4BH/NBD/5BD", tableRow(t, got, aftercare.P2), "cells not overridden keep their defaults")
	assert.Equal(t, before, tableRow(t, defaults, aftercare.P1), "WithOverrides must not modify the defaults")

	terms, err := got.Terms(aftercare.P4, aftercare.ClockOnSite)
	require.NoError(t, err)
	assert.Equal(t, aftercare.SLATerms{Target: aftercare.BusinessDaysTarget(3), Coverage: aftercare.Coverage9x5, PartsPause: true}, terms)
}

func TestWithOverridesRejects(t *testing.T) {
	defaults, err := aftercare.DefaultSLAPolicy(aftercare.TierPremium)
	require.NoError(t, err)
	broken := defaults
	broken.Tier = "gold"
	tests := []struct {
		name      string
		defaults  aftercare.SLAPolicy
		overrides []aftercare.SLAOverride
		want      string
	}{
		{"invalid defaults", broken, nil, `unknown tier "gold"`},
		{"unknown priority", defaults, []aftercare.SLAOverride{{Priority: "P9", Clock: aftercare.ClockResponse, Target: aftercare.BusinessHoursTarget(1)}},
			`unknown cell "P9.response"`},
		{"unknown clock", defaults, []aftercare.SLAOverride{{Priority: aftercare.P1, Clock: "repair", Target: aftercare.BusinessHoursTarget(1)}},
			`unknown cell "P1.repair"`},
		{"twice", defaults, []aftercare.SLAOverride{
			{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: aftercare.BusinessHoursTarget(1)},
			{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: aftercare.BusinessHoursTarget(2)},
		}, "P1.response appears twice"},
		{"wall on explicit 9x5", defaults, []aftercare.SLAOverride{
			{Priority: aftercare.P3, Clock: aftercare.ClockResponse, Target: aftercare.WallTarget(90 * time.Minute), Coverage: aftercare.Coverage9x5},
		}, "wall-clock target 1h30m needs 24x7 coverage; write business hours (2BH) for 9x5"},
		{"invalid target", defaults, []aftercare.SLAOverride{{Priority: aftercare.P1, Clock: aftercare.ClockRestore, Target: aftercare.WallTarget(time.Millisecond)}},
			"SLA override P1.restore: a wall target must be whole seconds"},
		{"unknown coverage", defaults, []aftercare.SLAOverride{
			{Priority: aftercare.P1, Clock: aftercare.ClockRestore, Target: aftercare.BusinessDaysTarget(1), Coverage: "5x8"},
		}, `unknown coverage "5x8"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.defaults.WithOverrides(tt.overrides)
			require.Error(t, err)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
		})
	}
}

func TestParseSLAOverride(t *testing.T) {
	tests := []struct {
		key, value string
		want       aftercare.SLAOverride
		err        string
	}{
		{"P1.response", "30 min", aftercare.SLAOverride{Priority: aftercare.P1, Clock: aftercare.ClockResponse, Target: aftercare.WallTarget(30 * time.Minute)}, ""},
		{"P3.on_site", "—", aftercare.SLAOverride{Priority: aftercare.P3, Clock: aftercare.ClockOnSite}, ""},
		{"P4.restore", "7BD", aftercare.SLAOverride{Priority: aftercare.P4, Clock: aftercare.ClockRestore, Target: aftercare.BusinessDaysTarget(7)}, ""},
		{"P1-response", "1h", aftercare.SLAOverride{}, "want priority.clock"},
		{"P5.response", "1h", aftercare.SLAOverride{}, "want priority.clock"},
		{"P1.onsite", "1h", aftercare.SLAOverride{}, "want priority.clock"},
		{"P1.response", "soon", aftercare.SLAOverride{}, `SLA override P1.response: target "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			got, err := aftercare.ParseSLAOverride(tt.key, tt.value)
			if tt.err != "" {
				require.Error(t, err)
				assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
				assert.Contains(t, aftercare.ErrorMessage(err), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "ParseSLAOverride(%q, %q) = %+v, want %+v", tt.key, tt.value, got, tt.want)
			assert.Equal(t, tt.key, got.Key())
		})
	}
}

func TestSLATermsValidate(t *testing.T) {
	tests := []struct {
		name  string
		terms aftercare.SLATerms
		want  string
	}{
		{"business days on 9x5", aftercare.SLATerms{Target: aftercare.BusinessDaysTarget(3), Coverage: aftercare.Coverage9x5}, ""},
		{"wall on 24x7", aftercare.SLATerms{Target: aftercare.WallTarget(time.Hour), Coverage: aftercare.Coverage24x7}, ""},
		{"does not apply", aftercare.SLATerms{Coverage: aftercare.Coverage9x5}, "does not apply"},
		{"wall on 9x5", aftercare.SLATerms{Target: aftercare.WallTarget(time.Hour), Coverage: aftercare.Coverage9x5}, "needs 24x7 coverage"},
		{"no coverage", aftercare.SLATerms{Target: aftercare.NextBusinessDayTarget()}, "unknown coverage"},
		{"bad target", aftercare.SLATerms{Target: aftercare.BusinessHoursTarget(0), Coverage: aftercare.Coverage9x5}, "business-hours target"},
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

func TestEffectiveSLAPolicy(t *testing.T) {
	custom, err := aftercare.DefaultSLAPolicy(aftercare.TierPremium)
	require.NoError(t, err)
	custom.Cells[0].Target = aftercare.WallTarget(20 * time.Minute)
	tests := []struct {
		name      string
		tier      aftercare.Tier
		custom    *aftercare.SLAPolicy
		overrides map[string]string
		want      []string // the rows P1 to P4 as tableRow writes them (with the restore cell's coverage)
		err       string
	}{
		{"defaults", aftercare.TierStandard, nil, nil,
			[]string{"9x5 4BH/NBD/3BD", "9x5 4BH/NBD/5BD", "9x5 1BD/—/5BD", "9x5 2BD/—/10BD"}, ""},
		{"custom tier policy", aftercare.TierPremium, &custom, nil,
			[]string{"24x7 20m/4h/24h", "24x7 2h/NBD/2BD", "9x5 4BH/NBD/3BD", "9x5 1BD/—/10BD"}, ""},
		{"overrides on the defaults", aftercare.TierStandard, nil,
			map[string]string{"P1.restore": "24h", "P4.on_site": "3BD"},
			[]string{"24x7 4BH/NBD/24h", "9x5 4BH/NBD/5BD", "9x5 1BD/—/5BD", "9x5 2BD/3BD/10BD"}, ""},
		{"overrides on a custom policy", aftercare.TierPremium, &custom,
			map[string]string{"P2.restore": "3BD"},
			[]string{"24x7 20m/4h/24h", "24x7 2h/NBD/3BD", "9x5 4BH/NBD/3BD", "9x5 1BD/—/10BD"}, ""},
		{"unknown tier", "gold", nil, nil, nil, `unknown tier "gold"`},
		{"malformed key", aftercare.TierStandard, nil, map[string]string{"P1-response": "1h"}, nil, "want priority.clock"},
		{"malformed target", aftercare.TierStandard, nil, map[string]string{"P1.response": "soon"}, nil,
			`SLA override P1.response: target "soon"`},
		{"first bad override in key order", aftercare.TierStandard, nil,
			map[string]string{"P2.response": "soon", "P1.response": "later"}, nil, `SLA override P1.response: target "later"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := aftercare.EffectiveSLAPolicy(tt.tier, tt.custom, tt.overrides)
			if tt.err != "" {
				require.Error(t, err)
				assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
				assert.Contains(t, aftercare.ErrorMessage(err), tt.err)
				return
			}
			require.NoError(t, err)
			for i, pri := range aftercare.Priorities {
				row := tableRow(t, got, pri)
				assert.Equal(t, tt.want[i], row, "EffectiveSLAPolicy(%q, …) %s = %q, want %q", tt.tier, pri, row, tt.want[i])
			}
		})
	}
	assert.Equal(t, aftercare.WallTarget(20*time.Minute), custom.Cells[0].Target, "EffectiveSLAPolicy must not modify the custom policy")
}
