package aftercare_test

import (
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
)

func TestJobStateAfter(t *testing.T) {
	const (
		proposed  = aftercare.AssignmentProposed
		accepted  = aftercare.AssignmentAccepted
		enRoute   = aftercare.AssignmentEnRoute
		onSite    = aftercare.AssignmentOnSite
		completed = aftercare.AssignmentCompleted
		declined  = aftercare.AssignmentDeclined
		cancelled = aftercare.AssignmentCancelled
	)
	tests := []struct {
		action aftercare.LifecycleAction
		from   aftercare.IncidentStatus
		job    aftercare.AssignmentState
		want   aftercare.AssignmentState
		moves  bool
	}{
		{aftercare.ActionAccept, aftercare.StatusNew, proposed, accepted, true},
		{aftercare.ActionAccept, aftercare.StatusDispatched, accepted, accepted, false},
		{aftercare.ActionDepart, aftercare.StatusDispatched, proposed, enRoute, true},
		{aftercare.ActionDepart, aftercare.StatusDispatched, accepted, enRoute, true},
		{aftercare.ActionArrive, aftercare.StatusEnRoute, enRoute, onSite, true},
		{aftercare.ActionArrive, aftercare.StatusDispatched, accepted, onSite, true},
		{aftercare.ActionDecline, aftercare.StatusDispatched, accepted, declined, true},
		{aftercare.ActionDecline, aftercare.StatusDispatched, enRoute, enRoute, false},
		{aftercare.ActionResolve, aftercare.StatusVerified, onSite, completed, true},
		{aftercare.ActionResolve, aftercare.StatusTriaged, proposed, cancelled, true},
		{aftercare.ActionClose, aftercare.StatusResolved, onSite, completed, true},
		{aftercare.ActionQuote, aftercare.StatusOnSite, onSite, completed, true},
		{aftercare.ActionCancel, aftercare.StatusAwaitingCustomer, onSite, cancelled, true},
		{aftercare.ActionCancel, aftercare.StatusNew, proposed, cancelled, true},
		{aftercare.ActionDispatch, aftercare.StatusEnRoute, enRoute, cancelled, true},
		{aftercare.ActionDispatch, aftercare.StatusDispatched, proposed, cancelled, true},
		{aftercare.ActionDispatch, aftercare.StatusTriaged, proposed, proposed, false},
		{aftercare.ActionRepair, aftercare.StatusOnSite, onSite, onSite, false},
		{aftercare.ActionAwaitCustomer, aftercare.StatusOnSite, onSite, onSite, false},
		{aftercare.ActionChangePriority, aftercare.StatusDispatched, proposed, proposed, false},
		{aftercare.ActionCancel, aftercare.StatusDispatched, declined, declined, false},
		{aftercare.ActionArrive, aftercare.StatusEnRoute, completed, completed, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.action)+"/"+string(tt.from)+"/"+string(tt.job), func(t *testing.T) {
			got, moves := aftercare.JobStateAfter(tt.action, tt.from, tt.job)
			assert.Equal(t, [2]any{tt.want, tt.moves}, [2]any{got, moves},
				"JobStateAfter(%q, %q, %q) = %q, %v, want %q, %v", tt.action, tt.from, tt.job, got, moves, tt.want, tt.moves)
		})
	}
}

// TestEveryEndOfAnIncidentEndsItsJob checks, for every action that leads
// to a final status and every active job state, that the job ends: no
// final incident keeps an active job.
func TestEveryEndOfAnIncidentEndsItsJob(t *testing.T) {
	for _, a := range aftercare.LifecycleActions {
		for _, from := range aftercare.IncidentStatuses {
			to, err := aftercare.NextStatus(from, aftercare.StatusTriaged, a)
			if err != nil || !(to.Terminal() || to == aftercare.StatusResolved) {
				continue
			}
			for _, job := range []aftercare.AssignmentState{aftercare.AssignmentProposed, aftercare.AssignmentAccepted,
				aftercare.AssignmentEnRoute, aftercare.AssignmentOnSite} {
				got, moves := aftercare.JobStateAfter(a, from, job)
				assert.True(t, moves && !got.Active(), "%s from %s leaves a %s job %s", a, from, job, got)
			}
		}
	}
}

func TestCheckCompletable(t *testing.T) {
	passed := &aftercare.RepairTest{Passed: true}
	failed := &aftercare.RepairTest{Passed: false}
	part := &aftercare.InstalledPart{FRU: "01PSU", SerialNumber: "SN-1"}
	tests := []struct {
		name       string
		job        aftercare.AssignmentState
		rec        *aftercare.RepairRecord
		needsParts bool
		want       string
	}{
		{"complete", aftercare.AssignmentOnSite, &aftercare.RepairRecord{Diagnosis: "PSU", Parts: []*aftercare.InstalledPart{part},
			Tests: []*aftercare.RepairTest{passed}}, true, ""},
		{"no parts needed", aftercare.AssignmentOnSite, &aftercare.RepairRecord{Diagnosis: "cable",
			Tests: []*aftercare.RepairTest{passed}}, false, ""},
		{"not on site", aftercare.AssignmentEnRoute, &aftercare.RepairRecord{}, false,
			"cannot complete the job of incident 7 while it is en_route; arrive on site first (arriveForJob)"},
		{"nothing recorded", aftercare.AssignmentOnSite, &aftercare.RepairRecord{}, true,
			"cannot complete the job of incident 7: no diagnosis is recorded (recordDiagnosis); no part used is recorded " +
				"with its serial number (recordPartUsed); no test result is recorded (recordTestResult)"},
		{"failed test", aftercare.AssignmentOnSite, &aftercare.RepairRecord{Diagnosis: "PSU", Parts: []*aftercare.InstalledPart{part},
			Tests: []*aftercare.RepairTest{passed, failed}}, true,
			"cannot complete the job of incident 7: the latest test failed (record a passing one with recordTestResult)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := aftercare.CheckCompletable(7, tt.job, tt.rec, tt.needsParts)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
			assert.Equal(t, tt.want, aftercare.ErrorMessage(err))
		})
	}
}

func TestLocationValidate(t *testing.T) {
	for _, l := range []aftercare.Location{{Lat: 31.2, Lng: 121.4}, {Lat: -90, Lng: 180}} {
		assert.NoError(t, l.Validate(), "%v", l)
	}
	for _, l := range []aftercare.Location{{Lat: 91, Lng: 0}, {Lat: 0, Lng: -181}} {
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(l.Validate()), "%v", l)
	}
}
