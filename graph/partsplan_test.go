package graph

import (
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPartsPlanInputRefusesAnExplicitZero(t *testing.T) {
	zero, zeroF := 0, 0.0
	for name, in := range map[string]model.PartsPlanInput{
		"targetFillRate": {Region: "east", TargetFillRate: &zeroF},
		"leadTimeDays":   {Region: "east", LeadTimeDays: &zero},
		"historyWeeks":   {Region: "east", HistoryWeeks: &zero},
		"fetchHours":     {Region: "east", FetchHours: &zeroF},
	} {
		_, err := partsPlanRequest(in)
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), name)
		assert.Equal(t, name, aftercare.ErrorField(err))
	}
	req, err := partsPlanRequest(model.PartsPlanInput{Region: "east"})
	require.NoError(t, err)
	req.Normalize()
	assert.Equal(t, 0.95, req.TargetFillRate, "left out, the default")
}
