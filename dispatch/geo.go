package dispatch

import (
	"math"
	"time"
)

// EarthRadiusKm is the mean Earth radius H3 uses; distances and the H3
// cell bounds share it so they are in the same units.
const EarthRadiusKm = 6371.007180918475

const degree = math.Pi / 180

// Point is a place on the sphere as a unit vector, which makes the
// great-circle distance one square root and one arcsine. Dispatch measures
// every distance between Points; code that must agree with it to the bit
// (the benchmarks' baselines, demo data placed by distance) does the same.
type Point struct {
	x, y, z float64
}

// NewPoint returns the point at lat, lng in degrees.
func NewPoint(lat, lng float64) Point {
	sinLat, cosLat := math.Sincos(lat * degree)
	sinLng, cosLng := math.Sincos(lng * degree)
	return Point{x: cosLat * cosLng, y: cosLat * sinLng, z: sinLat}
}

// DistanceKm returns the great-circle distance from p to q by the
// haversine of their central angle θ, hav θ = sin²(θ/2) = (chord/2)², which
// is the haversine formula evaluated on unit vectors: accurate at short range
// and indifferent to the antimeridian. Callers measure a pair in the same
// order every time, so equal inputs give equal bits.
func (p Point) DistanceKm(q Point) float64 {
	return chordKm(chord2(p, q))
}

// chord2 returns the squared chord between a and b on the unit sphere, the
// first half of DistanceKm: the chord grows with the distance, so comparing
// it with a threshold spares the arcsine (see search.farChord2).
func chord2(a, b Point) float64 {
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	return dx*dx + dy*dy + dz*dz
}

// chordKm returns the great-circle distance of a squared chord, the second
// half of DistanceKm.
func chordKm(c2 float64) float64 {
	return 2 * EarthRadiusKm * math.Asin(min(math.Sqrt(c2)/2, 1))
}

// chordOfKm returns the chord on the unit sphere of a great-circle distance
// of km, or +Inf when the distance reaches halfway round the globe.
func chordOfKm(km float64) float64 {
	half := km / (2 * EarthRadiusKm)
	if half >= math.Pi/2 {
		return math.Inf(1)
	}
	return 2 * math.Sin(half)
}

// TravelTime returns how long km take at speed km/h. It is monotone in km,
// which the search relies on to compare lower bounds with travel times.
func TravelTime(km, speed float64) time.Duration {
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
