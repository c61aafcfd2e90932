package aftercare_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aftercare/aftercare"
)

func TestPausedBy(t *testing.T) {
	tests := []struct {
		kind       aftercare.ClockKind
		reason     aftercare.PauseReason
		partsPause bool
		want       bool
	}{
		{aftercare.ClockResponse, aftercare.PauseQuoteApproval, true, false},
		{aftercare.ClockResponse, aftercare.PauseAwaitingParts, true, false},
		{aftercare.ClockOnSite, aftercare.PauseQuoteApproval, false, true},
		{aftercare.ClockOnSite, aftercare.PauseSiteAccess, false, true},
		{aftercare.ClockRestore, aftercare.PauseCustomerUnreachable, false, true},
		{aftercare.ClockOnSite, aftercare.PauseAwaitingParts, false, false},
		{aftercare.ClockOnSite, aftercare.PauseAwaitingParts, true, true},
		{aftercare.ClockRestore, aftercare.PauseAwaitingParts, false, false},
		{aftercare.ClockRestore, aftercare.PauseAwaitingParts, true, true},
		{aftercare.ClockRestore, "lunch", true, false},
	}
	for _, tt := range tests {
		got := tt.kind.PausedBy(tt.reason, tt.partsPause)
		assert.Equal(t, tt.want, got, "%q.PausedBy(%q, %v) = %v, want %v", tt.kind, tt.reason, tt.partsPause, got, tt.want)
	}
}
