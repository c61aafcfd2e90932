package aftercare_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aftercare/aftercare"
)

func TestDecidePartReturn(t *testing.T) {
	kyd := &aftercare.Coverage{Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementKeepYourDrive}}
	other := &aftercare.Coverage{Entitlements: []aftercare.EntitlementKind{aftercare.EntitlementOnSite}}
	const depot, home, serial = "depot-1", "home-1", "SN-OLD-1"
	tests := []struct {
		name  string
		facts aftercare.PartReturnFacts
		want  *aftercare.PartReturn
	}{
		{"nothing removed", aftercare.PartReturnFacts{Drive: true, Coverage: kyd, StockDepotID: depot, HomeDepotID: home}, nil},
		{"a part from a depot goes back to that depot",
			aftercare.PartReturnFacts{RemovedSerialNumber: serial, StockDepotID: depot, HomeDepotID: home},
			&aftercare.PartReturn{SerialNumber: serial, Disposition: aftercare.ReturnToDepot, DepotID: depot}},
		{"a part from a van goes to the engineer's home depot",
			aftercare.PartReturnFacts{RemovedSerialNumber: serial, HomeDepotID: home},
			&aftercare.PartReturn{SerialNumber: serial, Disposition: aftercare.ReturnToDepot, DepotID: home}},
		{"a drive under keep-your-drive stays with the customer",
			aftercare.PartReturnFacts{RemovedSerialNumber: serial, Drive: true, Coverage: kyd, StockDepotID: depot, HomeDepotID: home},
			&aftercare.PartReturn{SerialNumber: serial, Disposition: aftercare.KeptByCustomer}},
		{"a drive from a van under keep-your-drive stays with the customer",
			aftercare.PartReturnFacts{RemovedSerialNumber: serial, Drive: true, Coverage: kyd, HomeDepotID: home},
			&aftercare.PartReturn{SerialNumber: serial, Disposition: aftercare.KeptByCustomer}},
		{"a drive without keep-your-drive goes back",
			aftercare.PartReturnFacts{RemovedSerialNumber: serial, Drive: true, Coverage: other, StockDepotID: depot, HomeDepotID: home},
			&aftercare.PartReturn{SerialNumber: serial, Disposition: aftercare.ReturnToDepot, DepotID: depot}},
		{"a drive of an incident without recorded coverage goes back",
			aftercare.PartReturnFacts{RemovedSerialNumber: serial, Drive: true, HomeDepotID: home},
			&aftercare.PartReturn{SerialNumber: serial, Disposition: aftercare.ReturnToDepot, DepotID: home}},
		{"keep-your-drive keeps drives only",
			aftercare.PartReturnFacts{RemovedSerialNumber: serial, Coverage: kyd, StockDepotID: depot, HomeDepotID: home},
			&aftercare.PartReturn{SerialNumber: serial, Disposition: aftercare.ReturnToDepot, DepotID: depot}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := aftercare.DecidePartReturn(tt.facts)
			assert.Equal(t, tt.want, got, "DecidePartReturn(%+v) = %+v, want %+v", tt.facts, got, tt.want)
		})
	}
}

func TestRepairWorkCheckRecordable(t *testing.T) {
	tests := []struct {
		work   aftercare.RepairWork
		status aftercare.IncidentStatus
		want   string
	}{
		{aftercare.WorkDiagnosis, aftercare.StatusNew,
			"cannot record a diagnosis for incident 7 while it is new; it must be triaged, quoted, approved, dispatched, en_route, on_site, repaired, awaiting_customer"},
		{aftercare.WorkDiagnosis, aftercare.StatusTriaged, ""},
		{aftercare.WorkDiagnosis, aftercare.StatusAwaitingCustomer, ""},
		{aftercare.WorkDiagnosis, aftercare.StatusRepaired, ""},
		{aftercare.WorkDiagnosis, aftercare.StatusVerified,
			"cannot record a diagnosis for incident 7 while it is verified; it must be triaged, quoted, approved, dispatched, en_route, on_site, repaired, awaiting_customer"},
		{aftercare.WorkPartUsed, aftercare.StatusOnSite, ""},
		{aftercare.WorkPartUsed, aftercare.StatusRepaired, ""},
		{aftercare.WorkPartUsed, aftercare.StatusEnRoute,
			"cannot record a part used for incident 7 while it is en_route; it must be on_site, repaired"},
		{aftercare.WorkTestResult, aftercare.StatusOnSite, ""},
		{aftercare.WorkTestResult, aftercare.StatusResolved,
			"cannot record a test result for incident 7 while it is resolved; it must be on_site, repaired"},
	}
	for _, tt := range tests {
		t.Run(string(tt.work)+"/"+string(tt.status), func(t *testing.T) {
			err := tt.work.CheckRecordable(&aftercare.Incident{Number: 7, Status: tt.status})
			if tt.want == "" {
				assert.NoError(t, err, "%q.CheckRecordable(%s)", tt.work, tt.status)
				return
			}
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "%q.CheckRecordable(%s) = %v, want ECONFLICT", tt.work, tt.status, err)
			got := aftercare.ErrorMessage(err)
			assert.Equal(t, tt.want, got, "%q.CheckRecordable(%s) = %q, want %q", tt.work, tt.status, got, tt.want)
		})
	}
}
