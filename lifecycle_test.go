package aftercare_test

import (
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
)

func TestNextStatus(t *testing.T) {
	tests := []struct {
		from, held aftercare.IncidentStatus
		action     aftercare.LifecycleAction
		want       aftercare.IncidentStatus
		code       string
	}{
		{aftercare.StatusNew, "", aftercare.ActionAcknowledge, aftercare.StatusTriaged, ""},
		{aftercare.StatusTriaged, "", aftercare.ActionQuote, aftercare.StatusQuoted, ""},
		{aftercare.StatusQuoted, "", aftercare.ActionApprove, aftercare.StatusApproved, ""},
		{aftercare.StatusApproved, "", aftercare.ActionDispatch, aftercare.StatusDispatched, ""},
		{aftercare.StatusEnRoute, "", aftercare.ActionDispatch, aftercare.StatusDispatched, ""},
		{aftercare.StatusDispatched, "", aftercare.ActionDepart, aftercare.StatusEnRoute, ""},
		{aftercare.StatusNew, "", aftercare.ActionAccept, aftercare.StatusDispatched, ""},
		{aftercare.StatusTriaged, "", aftercare.ActionAccept, aftercare.StatusDispatched, ""},
		{aftercare.StatusDispatched, "", aftercare.ActionAccept, aftercare.StatusDispatched, ""},
		{aftercare.StatusEnRoute, "", aftercare.ActionAccept, "", aftercare.ECONFLICT},
		{aftercare.StatusDispatched, "", aftercare.ActionDecline, aftercare.StatusDispatched, ""},
		{aftercare.StatusNew, "", aftercare.ActionDecline, aftercare.StatusNew, ""},
		{aftercare.StatusOnSite, "", aftercare.ActionDecline, "", aftercare.ECONFLICT},
		{aftercare.StatusEnRoute, "", aftercare.ActionArrive, aftercare.StatusOnSite, ""},
		{aftercare.StatusOnSite, "", aftercare.ActionAwaitCustomer, aftercare.StatusAwaitingCustomer, ""},
		{aftercare.StatusAwaitingCustomer, aftercare.StatusOnSite, aftercare.ActionCustomerResponded, aftercare.StatusOnSite, ""},
		{aftercare.StatusOnSite, "", aftercare.ActionRepair, aftercare.StatusRepaired, ""},
		{aftercare.StatusRepaired, "", aftercare.ActionVerify, aftercare.StatusVerified, ""},
		{aftercare.StatusVerified, "", aftercare.ActionResolve, aftercare.StatusResolved, ""},
		{aftercare.StatusTriaged, "", aftercare.ActionResolve, aftercare.StatusResolved, ""},
		{aftercare.StatusResolved, "", aftercare.ActionClose, aftercare.StatusClosed, ""},
		{aftercare.StatusDispatched, "", aftercare.ActionCancel, aftercare.StatusCancelled, ""},
		{aftercare.StatusEnRoute, "", aftercare.ActionChangePriority, aftercare.StatusEnRoute, ""},
		{aftercare.StatusNew, "", aftercare.ActionArrive, "", aftercare.ECONFLICT},
		{aftercare.StatusAwaitingCustomer, aftercare.StatusTriaged, aftercare.ActionAwaitCustomer, "", aftercare.ECONFLICT},
		{aftercare.StatusTriaged, "", aftercare.ActionCustomerResponded, "", aftercare.ECONFLICT},
		{aftercare.StatusClosed, "", aftercare.ActionCancel, "", aftercare.ECONFLICT},
		{aftercare.StatusVerified, "", aftercare.ActionCancel, "", aftercare.ECONFLICT},
		{aftercare.StatusCancelled, "", aftercare.ActionChangePriority, "", aftercare.ECONFLICT},
		{aftercare.StatusResolved, "", aftercare.ActionChangePriority, "", aftercare.ECONFLICT},
		{aftercare.StatusNew, "", "teleport", "", aftercare.EINVALID},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+string(tt.action), func(t *testing.T) {
			got, err := aftercare.NextStatus(tt.from, tt.held, tt.action)
			assert.Equal(t, tt.code, aftercare.ErrorCode(err), "NextStatus(%q, %q, %q) error = %v", tt.from, tt.held, tt.action, err)
			assert.Equal(t, tt.want, got, "NextStatus(%q, %q, %q) = %q, want %q", tt.from, tt.held, tt.action, got, tt.want)
		})
	}
}

func TestNextStatusNamesTheStatusesThatAllowAnAction(t *testing.T) {
	_, err := aftercare.NextStatus(aftercare.StatusNew, "", aftercare.ActionDepart)
	assert.Equal(t, "cannot depart an incident that is new; it must be dispatched", aftercare.ErrorMessage(err))
}

func TestEveryStatusCanEndOrMove(t *testing.T) {
	for _, s := range aftercare.IncidentStatuses {
		if s.Terminal() {
			continue
		}
		moves := 0
		for _, a := range aftercare.LifecycleActions {
			if to, err := aftercare.NextStatus(s, aftercare.StatusTriaged, a); err == nil && to != s {
				moves++
			}
		}
		assert.Positive(t, moves, "an incident that is %s can move on", s)
	}
}
