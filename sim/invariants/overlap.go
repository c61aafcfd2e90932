package invariants

import (
	"cmp"
	"slices"
	"time"
)

// span is one job's active time, [from, to); to is zero for a job still
// active.
type span struct {
	id       string
	from, to time.Time
}

// excess is a stretch of time during which more spans were active than
// allowed, at most at the peak, with the spans active at its start.
type excess struct {
	from, to time.Time // to is zero while it lasts to the end
	peak     int
	spans    []string
}

// excesses returns the stretches during which more than limit of spans
// were active at once and that lasted longer than tolerance (or last
// still). Spans are half-open: one ending at the instant another starts
// does not overlap it.
func excesses(spans []span, limit int, tolerance time.Duration) []excess {
	type edge struct {
		at    time.Time
		delta int
		id    string
	}
	edges := make([]edge, 0, 2*len(spans))
	for _, s := range spans {
		edges = append(edges, edge{at: s.from, delta: 1, id: s.id})
		if !s.to.IsZero() {
			edges = append(edges, edge{at: s.to, delta: -1, id: s.id})
		}
	}
	// Ends before starts at one instant; then by ID, for a stable answer.
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if a.delta != b.delta {
			return a.delta - b.delta
		}
		return cmp.Compare(a.id, b.id)
	})
	var out []excess
	active := map[string]bool{}
	var cur *excess
	for i, e := range edges {
		if e.delta > 0 {
			active[e.id] = true
		} else {
			delete(active, e.id)
		}
		if i+1 < len(edges) && edges[i+1].at.Equal(e.at) {
			continue // settle every edge of the instant first
		}
		switch {
		case len(active) > limit && cur == nil:
			cur = &excess{from: e.at, peak: len(active), spans: sortedKeys(active)}
		case len(active) > limit:
			cur.peak = max(cur.peak, len(active))
		case cur != nil:
			cur.to = e.at
			if cur.to.Sub(cur.from) > tolerance {
				out = append(out, *cur)
			}
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
