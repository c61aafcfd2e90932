package graph

import (
	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
)

// healthReadings turns the readings of a report into the domain's.
func healthReadings(in []*model.HealthReadingInput) []aftercare.HealthReading {
	out := make([]aftercare.HealthReading, 0, len(in))
	for _, r := range in {
		if r == nil {
			continue
		}
		slot := 0
		if r.Slot != nil {
			slot = *r.Slot
		}
		out = append(out, aftercare.HealthReading{
			SerialNumber: r.SerialNumber, Kind: r.Component, Slot: slot, TakenAt: r.TakenAt, FRU: deref(r.Fru),
			Reallocated: r.ReallocatedSectors, ReportedUncorrectable: r.ReportedUncorrectable,
			CommandTimeouts: r.CommandTimeouts, Pending: r.PendingSectors, OfflineUncorrectable: r.OfflineUncorrectable,
			PowerOnHours: r.PowerOnHours, SMARTFailing: r.SmartFailing, ECCCorrected: r.EccCorrected,
			ECCUncorrected: r.EccUncorrected, Faulted: r.Faulted, TemperatureC: r.TemperatureC,
			Cycles: r.BatteryCycles, CapacityPercent: r.BatteryCapacityPercent,
		})
	}
	return out
}

// partsPlanRequest turns a plan's input into the domain's request; what is
// left out takes its default, and an explicit 0, which would read as left
// out, is refused.
func partsPlanRequest(in model.PartsPlanInput) (aftercare.PartsPlanRequest, error) {
	switch {
	case in.TargetFillRate != nil && *in.TargetFillRate == 0:
		return aftercare.PartsPlanRequest{}, aftercare.InvalidField("targetFillRate", "targetFillRate must be 0.5 to 0.999, not 0")
	case in.LeadTimeDays != nil && *in.LeadTimeDays == 0:
		return aftercare.PartsPlanRequest{}, aftercare.InvalidField("leadTimeDays", "leadTimeDays must be 1 to 120, not 0")
	case in.HistoryWeeks != nil && *in.HistoryWeeks == 0:
		return aftercare.PartsPlanRequest{}, aftercare.InvalidField("historyWeeks", "historyWeeks must be an even number of weeks from 8 to 104, not 0")
	case in.FetchHours != nil && *in.FetchHours == 0:
		return aftercare.PartsPlanRequest{}, aftercare.InvalidField("fetchHours", "fetchHours must be above 0 and at most 720, not 0")
	}
	return aftercare.PartsPlanRequest{Region: in.Region, TargetFillRate: deref(in.TargetFillRate),
		LeadTimeDays: deref(in.LeadTimeDays), HistoryWeeks: deref(in.HistoryWeeks), FetchHours: deref(in.FetchHours)}, nil
}
