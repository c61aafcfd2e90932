package dispatch

import (
	"math"
	"time"
)

// earthRadiusKm is the mean Earth radius H3 uses; distances and the H3 cell
// bounds share it so they are in the same units.
const earthRadiusKm = 6371.007180918475

const degree = math.Pi / 180

// point is a place on the sphere with the cosine of its latitude cached,
// because every great-circle distance needs it.
type point struct {
	lat, lng, cosLat float64
}

// newPoint returns the point at lat, lng in degrees.
func newPoint(lat, lng float64) point {
	return point{lat: lat, lng: lng, cosLat: math.Cos(lat * degree)}
}

// distanceKm returns the great-circle (haversine) distance between a and b.
// It is symmetric only up to rounding, so callers always pass the same
// argument order for the same pair.
func distanceKm(a, b point) float64 {
	sinLat := math.Sin((b.lat - a.lat) * degree / 2)
	sinLng := math.Sin((b.lng - a.lng) * degree / 2)
	h := sinLat*sinLat + a.cosLat*b.cosLat*sinLng*sinLng
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(h, 1)))
}

// travelTime returns how long km take at speed km/h. It is monotone in km,
// which the search relies on to compare lower bounds with travel times.
func travelTime(km, speed float64) time.Duration {
	return time.Duration(km / speed * float64(time.Hour))
}

// routeKm is the length of the trip engineer → depot → site, given the two
// legs and the straight distance engineer → site. The triangle inequality
// makes it at least the straight distance; max keeps that true after
// rounding, so a detour never looks shorter than the lower bound of the search.
func routeKm(toDepot, depotToSite, straight float64) float64 {
	return max(toDepot+depotToSite, straight)
}

// validLatLng reports whether lat, lng are finite degrees on the globe.
func validLatLng(lat, lng float64) bool {
	return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180
}
