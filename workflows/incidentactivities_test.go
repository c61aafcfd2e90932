package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
)

// lateness records the escalations an Activities observes.
type lateness struct {
	seen []string
}

func (l *lateness) ObserveEscalation(clock aftercare.ClockKind, level int, late time.Duration) {
	l.seen = append(l.seen, fmt.Sprintf("%s:%d:%s", clock, level, late))
}

// refusingSLA is an SLA store that fails to record escalations.
type refusingSLA struct {
	fakeSLA
}

func (*refusingSLA) RecordEscalation(context.Context, aftercare.EscalationFired, []string) error {
	return errors.New("database down")
}

func TestRecordEscalationObservesLateness(t *testing.T) {
	due := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	esc := aftercare.EscalationFired{Escalation: aftercare.Escalation{IncidentID: "incident", Clock: aftercare.ClockOnSite,
		Level: 2, Percent: 75, DueAt: due, FiredAt: due.Add(1500 * time.Millisecond)}}
	tests := []struct {
		name  string
		store workflows.SLAStore
		want  []string
	}{
		{"recorded", &fakeSLA{}, []string{"on_site:2:1.5s"}},
		{"not recorded", &refusingSLA{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := &lateness{}
			err := (&workflows.Activities{SLA: tt.store, Escalations: seen}).RecordEscalation(context.Background(), esc)
			assert.Equal(t, tt.want == nil, err != nil, "err = %v", err)
			assert.Equal(t, tt.want, seen.seen)
		})
	}
}
