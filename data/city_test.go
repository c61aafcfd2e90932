package data_test

import (
	"strings"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCities(t *testing.T) {
	cities := data.Cities()
	require.Len(t, cities, 34)
	assert.Equal(t, data.City{Name: "Beijing", Country: "CN", Lat: 39.9042, Lng: 116.4074, TimeZone: "Asia/Shanghai", Region: "north"}, cities[0])
	assert.Equal(t, data.City{Name: "Suva", Country: "FJ", Lat: -18.1416, Lng: 178.4419, TimeZone: "Pacific/Fiji", Region: "intl"}, cities[33])
	seen := map[string]bool{}
	for _, c := range cities {
		assert.False(t, seen[c.Name], "%s is listed twice", c.Name)
		seen[c.Name] = true
		assert.Regexp(t, `^[A-Z]{2}$`, c.Country, c.Name)
		assert.NotEmpty(t, c.TimeZone, c.Name)
		assert.NotEmpty(t, c.Region, c.Name)
		if c.Country != "CN" {
			assert.Equal(t, "intl", c.Region, "%s is abroad", c.Name)
		}
	}
	cities[0].Name = "changed"
	assert.Equal(t, "Beijing", data.Cities()[0].Name, "each call returns a list of its own")
}

func TestParseCities(t *testing.T) {
	cities, err := data.ParseCities(strings.NewReader("# a comment\nCity,Country,Lat,Lng,TZ\nHangzhou, CN, 30.2741, 120.1551, Asia/Shanghai\n"))
	require.NoError(t, err)
	assert.Equal(t, []data.City{{Name: "Hangzhou", Country: "CN", Lat: 30.2741, Lng: 120.1551, TimeZone: "Asia/Shanghai"}}, cities)
	cities, err = data.ParseCities(strings.NewReader("city,country,lat,lng,tz,region\nHangzhou,CN,30.2741,120.1551,Asia/Shanghai,east\n"))
	require.NoError(t, err)
	assert.Equal(t, "east", cities[0].Region)

	for _, tt := range []struct {
		name, in string
	}{
		{"empty", ""},
		{"only comments", "# nothing here\n"},
		{"no header", "Beijing,CN,39.9,116.4,Asia/Shanghai\n"},
		{"wrong header", "name,country,lat,lng,tz\nBeijing,CN,39.9,116.4,Asia/Shanghai\n"},
		{"missing field", "city,country,lat,lng,tz\nBeijing,CN,39.9,116.4\n"},
		{"latitude not a number", "city,country,lat,lng,tz\nBeijing,CN,north,116.4,Asia/Shanghai\n"},
		{"off the globe", "city,country,lat,lng,tz\nX,CN,39.9,216.4,Asia/Shanghai\n"},
		{"region that is no code", "city,country,lat,lng,tz,region\nX,CN,39.9,116.4,Asia/Shanghai,North China\n"},
		{"region missing", "city,country,lat,lng,tz,region\nX,CN,39.9,116.4,Asia/Shanghai\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := data.ParseCities(strings.NewReader(tt.in))
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "ParseCities(%q) = %v, want EINVALID", tt.in, err)
		})
	}
}
