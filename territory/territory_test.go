package territory_test

import (
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/aftercare/aftercare/territory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegionAt(t *testing.T) {
	l := territory.Default()
	for _, tt := range []struct {
		place    string
		country  string
		lat, lng float64
		want     string
	}{
		{"Shanghai's Pudong", "CN", 31.22, 121.54, "east"},
		{"Beijing Capital Airport", "CN", 40.08, 116.58, "north"},
		{"Sanya, far from any listed city", "CN", 18.25, 109.51, "south"},
		{"Hohhot", "CN", 40.84, 111.75, "north"},
		{"Kashgar, nearest Urumqi", "CN", 39.47, 75.99, "northwest"},
		{"Dongguan, between Guangzhou and Shenzhen", "cn", 23.02, 113.75, "south"},
		{"Raleigh", "US", 35.78, -78.64, "intl"},
		{"Nadi, across Fiji", "FJ", -17.80, 177.42, "intl"},
	} {
		got, err := l.RegionAt(tt.country, tt.lat, tt.lng)
		require.NoError(t, err, tt.place)
		assert.Equal(t, tt.want, got, "RegionAt(%q, %v, %v): %s", tt.country, tt.lat, tt.lng, tt.place)
	}
}

// TestRegionAtKeepsToTheCountry checks that a place is never placed by a
// city of another country: Tokyo is nearer Shanghai than any foreign city
// of the list, but no listed city is Japanese, so the caller must say.
func TestRegionAtKeepsToTheCountry(t *testing.T) {
	l := territory.Default()
	_, err := l.RegionAt("JP", 35.68, 139.69)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
	assert.Equal(t, "region", aftercare.ErrorField(err))
	got, err := l.RegionAt("CN", 35.68, 139.69)
	require.NoError(t, err)
	assert.Equal(t, "northeast", got, "the same point, said to be in China, is placed by the nearest Chinese city, Dalian")
	_, err = l.RegionAt("CN", 91, 0)
	assert.Equal(t, "lat", aftercare.ErrorField(err))
}

// TestEveryListedCityIsInItsOwnRegion checks the list against itself:
// each city is placed in the region it names.
func TestEveryListedCityIsInItsOwnRegion(t *testing.T) {
	l := territory.Default()
	for _, c := range data.Cities() {
		got, err := l.RegionAt(c.Country, c.Lat, c.Lng)
		require.NoError(t, err, c.Name)
		assert.Equal(t, c.Region, got, c.Name)
	}
	assert.NotPanics(t, func() { _ = territory.New(nil).String() })
	near, ok := l.NearestCity("CN", 31.3, 121.5)
	assert.True(t, ok)
	assert.Equal(t, "Shanghai", near.Name)
}
