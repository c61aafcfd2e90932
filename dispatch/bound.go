package dispatch

import "math"

// The search is exact because of two bounds on H3 cells, proved here.
//
// How H3 draws cells. A point is projected gnomonically onto the plane
// tangent to the centre of the nearest icosahedron face, scaled by
// 7^(r/2)/u0 (u0 = RES0_U_GNOMONIC = 0.381966…), and falls in one hexagon
// of a regular lattice with unit centre spacing (class III resolutions only
// rotate the lattice). Measured on the tangent plane of the unit sphere, the
// lattice hexagons at resolution r have edge (= circumradius)
//
//	e_r = u0 / √3 · 7^(−r/2).
//
// Cells that cross a face edge continue in the neighbouring face's lattice,
// which H3 joins to this one by unfolding the two faces about their common
// edge (its "overage" step); the twelve pentagons sit on the icosahedron's
// vertices, where five faces meet.
//
// Fact 1, gnomonic scale. At angular distance θ from the tangent point the
// projection stretches lengths by sec θ across and sec² θ along the radius:
// never less than 1, never more than sec² θmax. θmax is the largest distance
// from a face centre to a point of its face, reached at a vertex, where
// tan θmax = 2·u0, so cos² θmax = 1/(1+4·u0²) ≈ 0.6315. Great circles project
// to straight lines.
//
// Lower bound for ring k (ringGapKm). In a regular hexagonal lattice two
// hexagons that are neither equal nor adjacent are at least e apart (the
// closest such pair flank one hexagon across two of its non-adjacent edges,
// which are e apart). Take two points of one face's region less than
// δ_r = e_r · cos² θmax · R apart (R the Earth radius). The arc between them
// projects to a segment shorter than δ_r·sec² θmax/R = e_r, so they lie in
// the same or adjacent cells. An arc that crosses face edges is split at the
// crossings; the two lattices agree on a shared edge, so each piece obeys the
// same rule, and no face region contains the deleted sector of a pentagon.
// Now walk the great-circle arc from the site p to any point q, sampling it at
// steps shorter than δ_r: consecutive samples lie in equal or adjacent cells,
// so the grid distance (hops between neighbouring cells, pentagons included,
// exactly what gridDisk enumerates — it falls back to a traversal when its
// fast spiral meets a pentagon) grows by at most one per step. With
// d = dist(p, q), ⌊d/δ_r⌋ + 1 steps suffice, so grid distance ≤ ⌊d/δ_r⌋ + 1:
//
//	every point of a cell at grid distance ≥ k from p's cell is ≥ (k−1)·δ_r from p.
//
// The bound is tight only where cells are smallest, radially at the vertices.
// Measured exhaustively over every pair of cells at grid distance 2, the
// closest pair is 1.35·δ_0 apart at resolution 0, 1.13·δ_1 at 1, 1.11·δ_2 at
// 2, 1.028·δ_3 at 3 and 1.077·δ_4 at 4 (TestRingGapIsALowerBound repeats
// this at 0–2 and samples finer resolutions); ringGapKm keeps a 1 % margin for
// the floating point in H3's own point-to-cell assignment.
//
// Upper bound for a cell's extent (cellRadiusKm). Every point of a cell lies
// within ρ_r = e_r · R of the cell's centre: on the tangent plane the hexagon
// (or the pentagon's wedge of it) lies within e_r of its centre, the great-
// circle arc to any of its points projects to the straight segment, and the
// projection never shrinks lengths (Fact 1); for the part of a cell across a
// face edge, the unfolded path through the edge is at most as long as the
// straight segment in the unfolded lattice. So an engineer filed in a cell
// with centre c is at least dist(p, c) − ρ_r from p. Measured exhaustively,
// the farthest vertex is 0.984·ρ_0, 0.998·ρ_1, 0.9997·ρ_2, 1.0000·ρ_3 and
// 1.0000·ρ_4 from its centre (tight at face centres, where the scale is 1);
// TestCellRadiusIsAnUpperBound checks every cell at resolutions 0–3 and
// samples 4–6, pentagons included, and cellRadiusKm keeps a 1 % margin.
//
// Upper bound for a cell's descendants (descendantRadiusKm). A tree of
// cells files an engineer under the ancestors of the fine cell it lies in,
// and those stick out of the ancestor's own outline: measured, a vertex of a
// resolution-4 descendant lies up to 1.03·ρ_2 from its resolution-2
// ancestor's centre, beyond cellRadiusKm. A child's centre is the parent's,
// or one of its six lattice neighbours at the child's resolution, √3·e_{r+1}
// = √(3/7)·e_r away on the plane, and no farther on the sphere (Fact 1); so
// every point of a resolution-f descendant of a resolution-r cell lies
// within R·(√(3/7)·(e_r + … + e_{f−1}) + e_f) of the cell's centre: 1.045·ρ_2
// for resolution 4 under 2, 1.051·ρ_0 for 4 under 0.
// TestDescendantRadiusIsAnUpperBound checks every resolution-2 and -3
// descendant of every cell at resolutions 0 and 1, and samples finer ones.
//
// Stopping rule. Suppose the search has examined every engineer in the cells
// within grid distance K of the site's cell. Any other engineer is at least
// K·δ_r away, and its trip is no shorter: a depot detour only adds
// (routeKm). The shortlist orders candidates by (makes the deadline, travel
// time, load, ID); whoever ranks before the k-th candidate travels no longer
// than it (a candidate that makes the deadline travels at most the deadline,
// less than any candidate that misses it). So once the shortlist is full and
// TravelTime(K·δ_r) exceeds the k-th candidate's travel time, no unexamined
// engineer can enter the shortlist, and it equals the one a scan of every
// engineer finds. Every engineer whose straight trip is no longer than the
// k-th candidate's has been examined too, which is what Result.Rejected
// needs. The same argument with dist(p, c) − ρ_r in place of K·δ_r lets the
// walk skip a cell within the rings, the best-first search stop, and the
// depot stream release a depot.

// res0UnitGnomonic is H3's RES0_U_GNOMONIC: the distance on the unit tangent
// plane from a face centre to the middle of its edge, the lattice unit at
// resolution 0.
const res0UnitGnomonic = 0.38196601125010500003

// latticeEdgeKm returns e_r scaled to the Earth: the edge of a resolution-r
// lattice hexagon on the face's tangent plane.
func latticeEdgeKm(res int) float64 {
	return EarthRadiusKm * res0UnitGnomonic / math.Sqrt(3) * math.Pow(7, -float64(res)/2)
}

// ringGapKm returns 99 % of δ_r: every point in a cell at grid distance
// k ≥ 1 from the site's cell is at least (k−1)·ringGapKm(res) from the site.
func ringGapKm(res int) float64 {
	const cos2ThetaMax = 1 / (1 + 4*res0UnitGnomonic*res0UnitGnomonic)
	return 0.99 * latticeEdgeKm(res) * cos2ThetaMax
}

// descendantRadiusKm returns 101 % of the bound on how far from the centre
// of a resolution-res cell a point of a resolution-fine cell under it lies;
// for fine = res it is cellRadiusKm.
func descendantRadiusKm(res, fine int) float64 {
	km := latticeEdgeKm(fine)
	for r := res; r < fine; r++ {
		km += math.Sqrt(3.0/7) * latticeEdgeKm(r)
	}
	return 1.01 * km
}

// cellRadiusKm returns 101 % of ρ_r: every point of a resolution-res cell is
// within cellRadiusKm(res) of the cell's centre.
func cellRadiusKm(res int) float64 {
	return 1.01 * latticeEdgeKm(res)
}
