package bench

import (
	"testing"
	_ "time/tzdata" // the tests resolve zones without the host's database

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewWorkload(t *testing.T) {
	cities := data.Cities()
	a, err := NewWorkload(42, 20000, 200, 2000, cities)
	require.NoError(t, err)
	b, err := NewWorkload(42, 20000, 200, 2000, cities)
	require.NoError(t, err)
	require.Equal(t, a, b, "the same seed gives the same workload")
	c, err := NewWorkload(43, 20000, 200, 2000, cities)
	require.NoError(t, err)
	assert.NotEqual(t, a.Engineers[0], c.Engineers[0])

	share := func(n, of int) float64 { return float64(n) / float64(of) }
	platinum, onShift, busy := 0, 0, 0
	for i, e := range a.Engineers {
		if e.Clearance == aftercare.TierPlatinum {
			platinum++
		}
		if e.Calendar.OnShift(a.Requests[i%len(a.Requests)].Now) {
			onShift++
		}
		if e.Load >= e.Capacity {
			busy++
		}
		assert.Len(t, e.Van, 10)
		assert.NotEmpty(t, e.Skills)
		assert.LessOrEqual(t, len(e.Skills), 3)
	}
	assert.InDelta(t, 0.30, share(platinum, len(a.Engineers)), 0.02, "platinum clearance")
	assert.InDelta(t, 0.60, share(onShift, len(a.Engineers)), 0.03, "on shift")
	assert.InDelta(t, 0.25, share(busy, len(a.Engineers)), 0.02, "at capacity")
	platinumRequests := 0
	for _, r := range a.Requests {
		if r.Tier == aftercare.TierPlatinum {
			platinumRequests++
		}
		assert.Len(t, r.Parts, 1)
	}
	assert.InDelta(t, 0.30, share(platinumRequests, len(a.Requests)), 0.03, "platinum incidents")
	assert.Len(t, a.Depots, 200)

	for _, tt := range []struct {
		name   string
		cities []data.City
	}{
		{"no cities", nil},
		{"unknown zone", []data.City{{Name: "X", Country: "CN", Lat: 39.9, Lng: 116.4, TimeZone: "Mars/Olympus"}}},
	} {
		_, err = NewWorkload(1, 10, 1, 1, tt.cities)
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "NewWorkload over %s: %v", tt.name, err)
	}
}
