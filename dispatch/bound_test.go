package dispatch

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/uber/h3-go/v4"
)

// boundary returns a cell's boundary as unit vectors; its edges are great-
// circle arcs between consecutive vertices.
func boundary(c h3.Cell) []Point {
	var out []Point
	for _, v := range c.Boundary() {
		out = append(out, NewPoint(v.Lat, v.Lng))
	}
	return out
}

func dot(a, b Point) float64 { return a.x*b.x + a.y*b.y + a.z*b.z }

func cross(a, b Point) Point {
	return Point{a.y*b.z - a.z*b.y, a.z*b.x - a.x*b.z, a.x*b.y - a.y*b.x}
}

func normalize(a Point) Point {
	l := math.Sqrt(dot(a, a))
	return Point{a.x / l, a.y / l, a.z / l}
}

// arcDistanceKm returns the great-circle distance from p to the arc a–b.
func arcDistanceKm(p, a, b Point) float64 {
	n := normalize(cross(a, b))
	s := dot(p, n)
	foot := normalize(Point{p.x - s*n.x, p.y - s*n.y, p.z - s*n.z})
	if dot(cross(a, foot), n) >= 0 && dot(cross(foot, b), n) >= 0 {
		return p.DistanceKm(foot)
	}
	return min(p.DistanceKm(a), p.DistanceKm(b))
}

// polygonDistanceKm returns the distance between two disjoint cells.
func polygonDistanceKm(a, b []Point) float64 {
	d := math.Inf(1)
	for _, pair := range [][2][]Point{{a, b}, {b, a}} {
		for _, p := range pair[0] {
			for i := range pair[1] {
				d = min(d, arcDistanceKm(p, pair[1][i], pair[1][(i+1)%len(pair[1])]))
			}
		}
	}
	return d
}

// outsideDistanceKm returns the distance from p to a cell that does not
// contain it.
func outsideDistanceKm(p Point, cell []Point) float64 {
	d := math.Inf(1)
	for i := range cell {
		d = min(d, arcDistanceKm(p, cell[i], cell[(i+1)%len(cell)]))
	}
	return d
}

func allCells(res int) []h3.Cell {
	var out []h3.Cell
	for _, c := range h3.Res0Cells() {
		out = append(out, c.Children(res)...)
	}
	return out
}

// samplePoints returns sites anywhere, at the pentagons and across the
// antimeridian.
func samplePoints(rng *rand.Rand, n int) []h3.LatLng {
	var out []h3.LatLng
	places := []place{
		func(rng *rand.Rand) (float64, float64) { return -85 + rng.Float64()*170, -180 + rng.Float64()*360 },
		around(-17, 180, 50),
	}
	for _, c := range pentagonCentres() {
		places = append(places, around(c.Lat, c.Lng, 20))
	}
	at := anyOf(places...)
	for range n {
		lat, lng := at(rng)
		out = append(out, h3.NewLatLng(lat, lng))
	}
	return out
}

// TestRingGapIsALowerBound checks the bound the ring walk stops on: every
// pair of cells at grid distance 2 at resolutions 0–2 (all of them) lies at
// least ringGapKm apart, and from sampled sites every cell in ring k at the
// fine resolutions lies at least (k−1)·ringGapKm away.
func TestRingGapIsALowerBound(t *testing.T) {
	for res := 0; res <= 2; res++ {
		closest := math.Inf(1)
		for _, c := range allCells(res) {
			a := boundary(c)
			for _, far := range h3.GridDiskDistances(c, 2)[2] {
				closest = min(closest, polygonDistanceKm(a, boundary(far)))
			}
		}
		assert.GreaterOrEqual(t, closest, ringGapKm(res), "resolution %d", res)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, res := range []int{4, 5, 6} {
		worst := math.Inf(1) // least distance / ((k−1)·ringGapKm)
		for _, site := range samplePoints(rng, 60) {
			p := NewPoint(site.Lat, site.Lng)
			for k, ring := range h3.GridDiskDistances(h3.LatLngToCell(site, res), 5) {
				if k < 2 {
					continue
				}
				for _, c := range ring {
					worst = min(worst, outsideDistanceKm(p, boundary(c))/(float64(k-1)*ringGapKm(res)))
				}
			}
		}
		assert.GreaterOrEqual(t, worst, 1.0, "resolution %d", res)
	}
}

// TestCellRadiusIsAnUpperBound checks the bound of the best-first search
// and the depot stream: no vertex of any cell at resolutions 0–3 (all of
// them), or of sampled cells at the finer ones, lies farther than
// cellRadiusKm from the cell's centre.
func TestCellRadiusIsAnUpperBound(t *testing.T) {
	check := func(res int, cells []h3.Cell) {
		farthest := 0.0
		for _, c := range cells {
			ll := c.LatLng()
			centre := NewPoint(ll.Lat, ll.Lng)
			for _, v := range boundary(c) {
				farthest = max(farthest, centre.DistanceKm(v))
			}
		}
		assert.LessOrEqual(t, farthest, cellRadiusKm(res), "resolution %d", res)
	}
	for res := 0; res <= 3; res++ {
		check(res, allCells(res))
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, res := range []int{4, 5, 6} {
		var cells []h3.Cell
		for _, site := range samplePoints(rng, 200) {
			cells = append(cells, h3.GridDisk(h3.LatLngToCell(site, res), 2)...)
		}
		cells = append(cells, h3.Pentagons(res)...)
		check(res, cells)
	}
}

// TestDescendantRadiusIsAnUpperBound checks the bound of the interior nodes
// of a cell tree: no vertex of a descendant lies farther from an ancestor's
// centre than descendantRadiusKm. Every resolution-2 and -3 descendant of
// every cell at resolutions 0 and 1 is checked, and sampled resolution-4
// and -5 descendants of cells at 2 and 3, pentagons included; a cell's own
// bound, cellRadiusKm, is exceeded.
func TestDescendantRadiusIsAnUpperBound(t *testing.T) {
	check := func(res, fine int, ancestors []h3.Cell) float64 {
		farthest := 0.0
		for _, a := range ancestors {
			ll := a.LatLng()
			centre := NewPoint(ll.Lat, ll.Lng)
			for _, c := range a.Children(fine) {
				for _, v := range boundary(c) {
					farthest = max(farthest, centre.DistanceKm(v))
				}
			}
		}
		assert.LessOrEqual(t, farthest, descendantRadiusKm(res, fine), "resolution %d under %d", fine, res)
		return farthest
	}
	for res := 0; res <= 1; res++ {
		for _, fine := range []int{res + 2, res + 3} {
			farthest := check(res, fine, allCells(res))
			assert.Greater(t, farthest, cellRadiusKm(res), "resolution %d under %d sticks out of the outline", fine, res)
		}
	}
	rng := rand.New(rand.NewPCG(11, 11))
	for _, res := range []int{2, 3} {
		var cells []h3.Cell
		for _, site := range samplePoints(rng, 100) {
			cells = append(cells, h3.GridDisk(h3.LatLngToCell(site, res), 1)...)
		}
		cells = append(cells, h3.Pentagons(res)...)
		check(res, res+2, cells)
	}
	assert.Equal(t, cellRadiusKm(4), descendantRadiusKm(4, 4))
}
