// Package territory places a location in a service region. The regions
// have no geometry of their own: each city of the city list (data,
// cities.csv) names the region that serves it, and a place is served by
// the region of the nearest listed city of its own country, by great-circle
// distance (dispatch.Point, the one distance of Aftercare). Keeping to the
// country stops a site near a border from going to the neighbour's region;
// a country the list does not hold places nothing, and whoever enters the
// site names its region.
//
// It is pure: no I/O and no clock. It may import the standard library, the
// root package, data and dispatch.
package territory

import (
	"fmt"
	"strings"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/aftercare/aftercare/dispatch"
)

// Locator places locations by a city list. It is safe for concurrent use.
type Locator struct {
	byCountry map[string][]city
}

var _ aftercare.RegionLocator = (*Locator)(nil)

// city is a listed city with its point.
type city struct {
	data.City
	at dispatch.Point
}

// New returns a Locator over the cities that name their region; those that
// do not are left out.
func New(cities []data.City) *Locator {
	l := &Locator{byCountry: map[string][]city{}}
	for _, c := range cities {
		if c.Region != "" {
			l.byCountry[c.Country] = append(l.byCountry[c.Country], city{City: c, at: dispatch.NewPoint(c.Lat, c.Lng)})
		}
	}
	return l
}

// Default returns a Locator over the embedded city list.
func Default() *Locator { return New(data.Cities()) }

// NearestCity returns the listed city of the country nearest to lat, lng
// (the first listed of those as near), and false when the list holds no
// city of the country.
func (l *Locator) NearestCity(country string, lat, lng float64) (data.City, bool) {
	at := dispatch.NewPoint(lat, lng)
	var best *city
	bestKm := 0.0
	cities := l.byCountry[strings.ToUpper(country)]
	for i := range cities {
		if km := at.DistanceKm(cities[i].at); best == nil || km < bestKm {
			best, bestKm = &cities[i], km
		}
	}
	if best == nil {
		return data.City{}, false
	}
	return best.City, true
}

// RegionAt returns the region of the nearest listed city of the country, or
// EINVALID naming "region" when the list holds no city of the country.
func (l *Locator) RegionAt(country string, lat, lng float64) (string, error) {
	if err := aftercare.CheckLocation(lat, lng); err != nil {
		return "", err
	}
	c, ok := l.NearestCity(country, lat, lng)
	if !ok {
		return "", aftercare.InvalidField("region", "the city list has no city in %q to place the location by; %s",
			country, "name the region that serves it")
	}
	return c.Region, nil
}

// String describes the locator, for logs.
func (l *Locator) String() string {
	n := 0
	for _, cs := range l.byCountry {
		n += len(cs)
	}
	return fmt.Sprintf("territory.Locator(%d cities in %d countries)", n, len(l.byCountry))
}
