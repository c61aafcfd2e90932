package aftercare_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/aftercare/aftercare"
)

func TestSurveyCheckAnswerable(t *testing.T) {
	expires := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	answered := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		survey aftercare.Survey
		now    time.Time
		want   string
	}{
		{"open", aftercare.Survey{ExpiresAt: expires}, expires.Add(-time.Second), ""},
		{"expired", aftercare.Survey{ExpiresAt: expires}, expires, "this survey link expired on 2026-03-16"},
		{"answered", aftercare.Survey{ExpiresAt: expires, AnsweredAt: &answered}, answered.Add(time.Hour),
			"this survey was already answered on 2026-03-10; it takes one answer"},
		{"answered and expired", aftercare.Survey{ExpiresAt: expires, AnsweredAt: &answered}, expires.Add(time.Hour),
			"this survey was already answered on 2026-03-10; it takes one answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.survey.CheckAnswerable(tt.now)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "CheckAnswerable(%s) = %v, want ECONFLICT", tt.now, err)
			got := aftercare.ErrorMessage(err)
			assert.Equal(t, tt.want, got, "CheckAnswerable(%s) = %q, want %q", tt.now, got, tt.want)
		})
	}
}
