package dispatch

import (
	"slices"
	"time"
)

// Batch is a queue of requests assigned two ways: optimally, by the least
// total travel time, and greedily, in queue order, for comparison.
type Batch struct {
	Optimal Plan
	Greedy  Plan
	// Gain is Greedy.Total − Optimal.Total: the travel time the optimal
	// plan saves. Both plans assign as many requests as can be assigned at
	// all when that is possible; if Greedy assigns fewer, its total covers
	// fewer trips.
	Gain time.Duration
}

// Plan assigns requests of a queue to engineers, each engineer taking no
// more requests than their free capacity.
type Plan struct {
	// Assignments is in queue order; requests nobody can take are absent.
	Assignments []Assignment
	// Unassigned lists the queue positions of the requests without an
	// engineer.
	Unassigned []int
	// Total is the sum of the assignments' travel times.
	Total time.Duration
}

// Assignment gives one request of a queue to a candidate.
type Assignment struct {
	Request int // position in the queue
	Candidate
}

// Assign assigns the queue to the indexed engineers by the least total
// travel time, first assigning as many requests as possible (the Hungarian
// algorithm on requests × free engineer slots, infeasible pairs excluded),
// and reports the greedy plan — each request in queue order takes the
// engineer with the least travel time who has a free slot — and the gain.
// Ties go to the engineer with the least load, then the smaller ID. No
// request goes to an engineer in its Declined. The assignments ignore
// deadlines when choosing but report MakesDeadline.
//
// Each request only needs its len(queue) best engineers by travel time: in
// any plan the other requests occupy fewer than len(queue) of them, so a
// request given someone farther could swap to one of them at no loss. The
// search therefore runs once per request with a shortlist of len(queue).
func (x *Index) Assign(queue []Request) (Batch, error) {
	for i := range queue {
		if err := queue[i].validate(); err != nil {
			return Batch{}, err
		}
	}
	options := make([][]pick, len(queue))
	for i := range queue {
		byTravel := queue[i]
		byTravel.Deadline = time.Time{}
		s := x.newSearch(&byTravel, len(queue))
		s.find()
		options[i] = slices.Clone(s.short.picks)
		for k, c := range s.candidates() {
			options[i][k].Candidate = c
		}
		x.release(s)
	}
	optimal := x.optimalPlan(options)
	greedy := x.greedyPlan(options)
	for _, p := range []*Plan{&optimal, &greedy} {
		for k := range p.Assignments {
			a := &p.Assignments[k]
			a.MakesDeadline = queue[a.Request].makesDeadline(a.Travel)
		}
	}
	return Batch{Optimal: optimal, Greedy: greedy, Gain: greedy.Total - optimal.Total}, nil
}

// optimalPlan solves the assignment of requests to free slots.
func (x *Index) optimalPlan(options [][]pick) Plan {
	// One column per free slot of every engineer on some request's list,
	// at most len(options) per engineer.
	var columns []int32
	seen := make(map[int32]bool)
	for _, picks := range options {
		for _, p := range picks {
			if seen[p.slot] {
				continue
			}
			seen[p.slot] = true
			e := &x.engineers[p.slot]
			for range min(int(e.capacity-e.load), len(options)) {
				columns = append(columns, p.slot)
			}
		}
	}
	width := max(len(columns), len(options))
	matrix := make([][]cost, len(options))
	for i, picks := range options {
		matrix[i] = make([]cost, width)
		for j := range matrix[i] {
			matrix[i][j] = unassignedCost()
		}
		for j, slot := range columns {
			if k := slices.IndexFunc(picks, func(p pick) bool { return p.slot == slot }); k >= 0 {
				matrix[i][j] = cost{travel: int64(picks[k].Travel)}
			}
		}
	}
	var plan Plan
	for i, j := range hungarian(matrix) {
		if j >= len(columns) || matrix[i][j] == unassignedCost() {
			plan.Unassigned = append(plan.Unassigned, i)
			continue
		}
		k := slices.IndexFunc(options[i], func(p pick) bool { return p.slot == columns[j] })
		plan.add(i, options[i][k].Candidate)
	}
	return plan
}

// greedyPlan lets each request in queue order take the first engineer on
// its list with a free slot.
func (x *Index) greedyPlan(options [][]pick) Plan {
	taken := make(map[int32]int)
	var plan Plan
	for i, picks := range options {
		k := slices.IndexFunc(picks, func(p pick) bool {
			e := &x.engineers[p.slot]
			return int(e.load)+taken[p.slot] < int(e.capacity)
		})
		if k < 0 {
			plan.Unassigned = append(plan.Unassigned, i)
			continue
		}
		taken[picks[k].slot]++
		plan.add(i, picks[k].Candidate)
	}
	return plan
}

func (p *Plan) add(request int, c Candidate) {
	p.Assignments = append(p.Assignments, Assignment{Request: request, Candidate: c})
	p.Total += c.Travel
}
