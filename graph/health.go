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
