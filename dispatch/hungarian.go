package dispatch

// cost is the price of one cell of an assignment matrix: first the requests
// left unassigned, then the travel time in nanoseconds. Pairs compare
// lexicographically, which keeps "assign as many as possible, then the least
// total travel" exact without a big-M constant that could overflow.
type cost struct {
	unassigned int64
	travel     int64
}

func (a cost) add(b cost) cost { return cost{a.unassigned + b.unassigned, a.travel + b.travel} }
func (a cost) sub(b cost) cost { return cost{a.unassigned - b.unassigned, a.travel - b.travel} }

func (a cost) less(b cost) bool {
	if a.unassigned != b.unassigned {
		return a.unassigned < b.unassigned
	}
	return a.travel < b.travel
}

// unassignedCost is the price of leaving a request without an engineer.
func unassignedCost() cost { return cost{unassigned: 1} }

// infiniteCost is larger than any sum of matrix cells.
func infiniteCost() cost { return cost{unassigned: 1 << 40} }

// hungarian returns, for each row of the n×m matrix (n ≤ m), the column it is
// assigned so that the columns are distinct and the total cost is least. It
// is the Hungarian algorithm with potentials (Kuhn–Munkres, as Jonker and
// Volgenant arrange it), O(n²·m).
func hungarian(a [][]cost) []int {
	n := len(a)
	if n == 0 {
		return nil
	}
	m := len(a[0])
	// Rows and columns count from 1; column 0 is the free row's start.
	u := make([]cost, n+1)
	v := make([]cost, m+1)
	match := make([]int, m+1) // match[j]: the row in column j, 0 for none
	way := make([]int, m+1)
	minv := make([]cost, m+1)
	used := make([]bool, m+1)
	for i := 1; i <= n; i++ {
		match[0] = i
		j0 := 0
		for j := range minv {
			minv[j], used[j] = infiniteCost(), false
		}
		for match[j0] != 0 {
			used[j0] = true
			i0, delta, j1 := match[j0], infiniteCost(), 0
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				if cur := a[i0-1][j-1].sub(u[i0]).sub(v[j]); cur.less(minv[j]) {
					minv[j], way[j] = cur, j0
				}
				if minv[j].less(delta) {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[match[j]] = u[match[j]].add(delta)
					v[j] = v[j].sub(delta)
				} else {
					minv[j] = minv[j].sub(delta)
				}
			}
			j0 = j1
		}
		for j0 != 0 {
			j1 := way[j0]
			match[j0] = match[j1]
			j0 = j1
		}
	}
	rows := make([]int, n)
	for j := 1; j <= m; j++ {
		if match[j] != 0 {
			rows[match[j]-1] = j - 1
		}
	}
	return rows
}
