package aftercare_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aftercare/aftercare"
)

func TestEscalationLadderValidate(t *testing.T) {
	breach := []aftercare.EscalationAction{aftercare.EscalationBreach}
	tests := []struct {
		name   string
		ladder aftercare.EscalationLadder
		want   string
	}{
		{"default", aftercare.DefaultEscalationLadder(), ""},
		{"breach only", aftercare.EscalationLadder{{Percent: 100, Actions: breach}}, ""},
		{"empty", nil, "must end with a 100 % level"},
		{"not ascending", aftercare.EscalationLadder{{75, []aftercare.EscalationAction{aftercare.EscalationWarnEngineer}}, {50, []aftercare.EscalationAction{aftercare.EscalationWarnDispatcher}},
			{100, breach}}, "level 2: 50 % must be above 75 %"},
		{"zero percent", aftercare.EscalationLadder{{0, []aftercare.EscalationAction{aftercare.EscalationWarnEngineer}}, {100, breach}}, "level 1: 0 % must be above 0 %"},
		{"no actions", aftercare.EscalationLadder{{50, nil}, {100, breach}}, "level 1 (50 %) has no actions"},
		{"unknown action", aftercare.EscalationLadder{{50, []aftercare.EscalationAction{"page_ceo"}}, {100, breach}}, `unknown action "page_ceo"`},
		{"repeated action", aftercare.EscalationLadder{{50, []aftercare.EscalationAction{aftercare.EscalationWarnEngineer, aftercare.EscalationWarnEngineer}}, {100, breach}},
			`action "warn_engineer" twice`},
		{"early breach", aftercare.EscalationLadder{{90, breach}, {100, breach}}, "only the 100 % level may breach"},
		{"no breach", aftercare.EscalationLadder{{100, []aftercare.EscalationAction{aftercare.EscalationNotifyAccountManager}}}, "the 100 % escalation level must breach"},
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
