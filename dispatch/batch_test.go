package dispatch

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bestByPermutation returns the least total over all assignments of rows
// to distinct columns, by trying every one.
func bestByPermutation(a [][]cost) cost {
	best := infiniteCost()
	used := make([]bool, len(a[0]))
	var walk func(row int, sum cost)
	walk = func(row int, sum cost) {
		if row == len(a) {
			if sum.less(best) {
				best = sum
			}
			return
		}
		for j := range used {
			if !used[j] {
				used[j] = true
				walk(row+1, sum.add(a[row][j]))
				used[j] = false
			}
		}
	}
	walk(0, cost{})
	return best
}

func TestHungarianMatchesPermutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := range 500 {
		n := 1 + rng.IntN(6)
		m := n + rng.IntN(3)
		a := make([][]cost, n)
		for i := range a {
			a[i] = make([]cost, m)
			for j := range a[i] {
				a[i][j] = cost{travel: rng.Int64N(50)}
				if rng.IntN(4) == 0 {
					a[i][j] = unassignedCost()
				}
			}
		}
		rows := hungarian(a)
		got, seen := cost{}, map[int]bool{}
		for i, j := range rows {
			require.False(t, seen[j], "trial %d: column %d twice", trial, j)
			seen[j] = true
			got = got.add(a[i][j])
		}
		require.Equal(t, bestByPermutation(a), got, "trial %d: %v", trial, a)
	}
}

// bruteForceBatch returns the least (unassigned, total travel) over every
// way to give each request one engineer with a free slot or none, with the
// travel times BruteForce finds.
func bruteForceBatch(t *testing.T, engineers []Engineer, depots []Depot, queue []Request) cost {
	travel := make([]map[string]time.Duration, len(queue))
	for i, req := range queue {
		req.Deadline, req.Shortlist = time.Time{}, len(engineers)
		res, err := BruteForce(engineers, depots, req)
		require.NoError(t, err)
		travel[i] = map[string]time.Duration{}
		for _, c := range res.Candidates {
			travel[i][c.EngineerID] = c.Travel
		}
	}
	free := make([]int, len(engineers))
	for i, e := range engineers {
		free[i] = max(e.Capacity-e.Load, 0)
	}
	best := infiniteCost()
	var walk func(r int, sum cost)
	walk = func(r int, sum cost) {
		if r == len(queue) {
			if sum.less(best) {
				best = sum
			}
			return
		}
		walk(r+1, sum.add(unassignedCost()))
		for i, e := range engineers {
			if d, ok := travel[r][e.ID]; ok && free[i] > 0 {
				free[i]--
				walk(r+1, sum.add(cost{travel: int64(d)}))
				free[i]++
			}
		}
	}
	walk(0, cost{})
	return best
}

func planCost(p Plan) cost {
	return cost{unassigned: int64(len(p.Unassigned)), travel: int64(p.Total)}
}

// checkPlan checks that a plan covers the queue once, respects free
// capacity and only uses qualified engineers.
func checkPlan(t *testing.T, engineers []Engineer, depots []Depot, queue []Request, p Plan) {
	t.Helper()
	covered := map[int]bool{}
	for _, i := range p.Unassigned {
		covered[i] = true
	}
	taken := map[string]int{}
	var total time.Duration
	for _, a := range p.Assignments {
		require.False(t, covered[a.Request], "request %d twice", a.Request)
		covered[a.Request] = true
		taken[a.EngineerID]++
		total += a.Travel
		req := queue[a.Request]
		req.Shortlist = len(engineers)
		res, err := BruteForce(engineers, depots, req)
		require.NoError(t, err)
		found := false
		for _, c := range res.Candidates {
			found = found || c.EngineerID == a.EngineerID && c.Travel == a.Travel
		}
		assert.True(t, found, "request %d: %s is not a candidate with that trip", a.Request, a.EngineerID)
	}
	assert.Len(t, covered, len(queue))
	assert.Equal(t, total, p.Total)
	for _, e := range engineers {
		assert.LessOrEqual(t, taken[e.ID], max(e.Capacity-e.Load, 0), "engineer %s overbooked", e.ID)
	}
}

func TestAssignIsOptimal(t *testing.T) {
	g := newFleetGen(t, 31)
	g.lines, g.parts = 2, 3
	city := around(31.23, 121.47, 20)
	assigned, better := 0, 0
	for trial := range 60 {
		engineers := g.engineers(5, city)
		for i := range engineers {
			engineers[i].Calendar = Calendar{Location: time.UTC}
			for d := range engineers[i].Calendar.Week {
				engineers[i].Calendar.Week[d] = []Shift{{0, 24 * time.Hour}}
			}
		}
		depots := g.depots(3, city)
		queue := make([]Request, 1+trial%7)
		for i := range queue {
			queue[i] = g.request(city)
			queue[i].ProductLine, queue[i].MinLevel, queue[i].Tier = "L0", 1, aftercare.TierStandard
			if i%2 == 0 {
				queue[i].Parts = nil
			}
		}
		batch, err := mustIndex(t, defaultLayout(), engineers, depots).Assign(queue)
		require.NoError(t, err)
		checkPlan(t, engineers, depots, queue, batch.Optimal)
		checkPlan(t, engineers, depots, queue, batch.Greedy)
		require.Equal(t, bruteForceBatch(t, engineers, depots, queue), planCost(batch.Optimal), "trial %d", trial)
		assert.False(t, planCost(batch.Greedy).less(planCost(batch.Optimal)), "trial %d: greedy beat the optimum", trial)
		assert.Equal(t, batch.Greedy.Total-batch.Optimal.Total, batch.Gain)
		assigned += len(batch.Optimal.Assignments)
		if planCost(batch.Optimal).less(planCost(batch.Greedy)) {
			better++
		}
	}
	t.Logf("%d assignments, optimum better than greedy in %d of 60 queues", assigned, better)
	assert.Greater(t, assigned, 60)
	assert.Positive(t, better)
}

func TestAssignNeverWorseThanGreedy(t *testing.T) {
	w := mustWorkload(t, 17, 3000, 40, 400)
	x := mustIndex(t, defaultLayout(), w.Engineers, w.Depots)
	gained := 0
	for start := 0; start < len(w.Requests); start += 40 {
		// Forty incidents around one city compete for the same engineers.
		queue := w.Requests[start : start+40]
		for i := range queue {
			queue[i].Lat, queue[i].Lng = around(w.Requests[start].Lat, w.Requests[start].Lng, 10)(rand.New(rand.NewPCG(uint64(start), uint64(i))))
		}
		batch, err := x.Assign(queue)
		require.NoError(t, err)
		assert.False(t, planCost(batch.Greedy).less(planCost(batch.Optimal)), "queue at %d", start)
		if batch.Gain > 0 {
			gained++
		}
		for _, a := range batch.Optimal.Assignments {
			assert.Equal(t, queue[a.Request].makesDeadline(a.Travel), a.MakesDeadline)
		}
	}
	assert.Positive(t, gained, "the optimum beats greedy somewhere")
}

// TestAssignSkipsDeclines gives no request to an engineer who declined it:
// near declined the first incident, so both plans send far, who has one
// free slot, there, though far is nearer the second incident.
func TestAssignSkipsDeclines(t *testing.T) {
	near, far := engineerAt(t, "near", 1), engineerAt(t, "far", 5)
	far.Load = 2
	first, second := serverRequest(t), serverRequest(t)
	first.Declined = []string{"near"}
	second.Lng += 4 / kmPerLngDegree
	batch, err := mustIndex(t, defaultLayout(), []Engineer{near, far}, nil).Assign([]Request{first, second})
	require.NoError(t, err)
	for _, p := range []Plan{batch.Optimal, batch.Greedy} {
		require.Len(t, p.Assignments, 2)
		assert.Equal(t, "far", p.Assignments[0].EngineerID)
		assert.Equal(t, "near", p.Assignments[1].EngineerID)
	}
}
