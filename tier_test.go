package aftercare_test

import (
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
)

func TestTierRank(t *testing.T) {
	for _, tt := range []struct {
		tier aftercare.Tier
		want int
	}{
		{aftercare.TierStandard, 1},
		{aftercare.TierPremium, 2},
		{aftercare.TierPlatinum, 3},
		{"gold", 0},
		{"", 0},
	} {
		assert.Equal(t, tt.want, tt.tier.Rank(), "Tier(%q).Rank()", tt.tier)
	}
	for i, tier := range aftercare.Tiers {
		assert.Equal(t, len(aftercare.Tiers)-i, tier.Rank(), "Tiers lists %s most demanding first", tier)
	}
}
