package stocking_test

import (
	"math"
	"testing"

	"github.com/aftercare/aftercare/stocking"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Lead-time demand Poisson with mean 1 (0.5 a week over 2 weeks), orders
// of Q = 2 (a 4-week review). By hand, E[(D − s)⁺] is 1 at s = 0,
// e⁻¹ at 1, 3e⁻¹ − 1 at 2 and 5.5e⁻¹ − 2 at 3, so the fill rates are
// 0.5, 0.816, 0.948 and 0.988.
func TestRecommendByHand(t *testing.T) {
	e := math.Exp(-1)
	for _, c := range []struct {
		target float64
		s      int
		fill   float64
	}{
		{0.5, 0, 0.5},
		{0.8, 1, 1 - e/2},
		{0.9, 2, 1 - (3*e-1)/2},
		{0.95, 3, 1 - (5.5*e-2)/2},
	} {
		l, err := stocking.Recommend(0.5, 2, 4, c.target)
		require.NoError(t, err)
		assert.Equal(t, c.s, l.ReorderPoint, "target %v", c.target)
		assert.Equal(t, c.s+2, l.OrderUpTo, "target %v", c.target)
		assert.InDelta(t, c.fill, l.FillRate, 1e-12, "target %v", c.target)
	}
}

func TestRecommendEdges(t *testing.T) {
	l, err := stocking.Recommend(0, 2, 4, 0.95)
	require.NoError(t, err)
	assert.Equal(t, stocking.Level{FillRate: 1}, l, "no demand, no stock")

	high, err := stocking.Recommend(20, 2, 1, 0.99)
	require.NoError(t, err)
	low, err := stocking.Recommend(20, 2, 1, 0.9)
	require.NoError(t, err)
	assert.Greater(t, high.ReorderPoint, low.ReorderPoint, "a higher target holds more")
	assert.GreaterOrEqual(t, high.FillRate, 0.99)
	longer, err := stocking.Recommend(20, 4, 1, 0.9)
	require.NoError(t, err)
	assert.Greater(t, longer.ReorderPoint, low.ReorderPoint, "a longer lead time holds more")

	for _, bad := range [][4]float64{{-1, 2, 4, 0.9}, {1, -1, 4, 0.9}, {1, 2, 0, 0.9}, {1, 2, 4, 1}, {1, 2, 4, 0}, {math.Inf(1), 2, 4, 0.9}, {math.NaN(), 2, 4, 0.9}} {
		_, err := stocking.Recommend(bad[0], bad[1], bad[2], bad[3])
		assert.ErrorIs(t, err, stocking.ErrInput, "%v", bad)
	}
}

func TestRecommendWithALargeLeadTimeDemand(t *testing.T) {
	// 100 a week over 10 weeks: Poisson mean 1,000, σ ≈ 31.6, Q = 100. A
	// 95 % fill allows 5 units short a cycle: σ·L(z) ≤ 5 gives L(z) ≤ 0.158,
	// z ≈ 0.64, s ≈ 1,020. Were e^−1000 taken as 0, the short would be
	// mean − s and s would fall to 995, below the mean.
	level, err := stocking.Recommend(100, 10, 1, 0.95)
	require.NoError(t, err)
	assert.InDelta(t, 1020, level.ReorderPoint, 8)
	assert.GreaterOrEqual(t, level.FillRate, 0.95)
}
