package graph

import (
	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
)

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
