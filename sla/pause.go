package sla

import (
	"slices"
	"time"

	"github.com/aftercare/aftercare"
)

// Pause is an interval [From, To) during which a clock does not run, with
// why and who for the record. A zero To means the clock is still paused. The
// maths reads only From and To: pauses may overlap and come in any order, and
// a pause whose To is not after its From is empty.
type Pause struct {
	From      time.Time
	To        time.Time
	Reason    aftercare.PauseReason
	PausedBy  string
	ResumedBy string
}

// open reports whether the pause has not ended.
func (p Pause) open() bool { return p.To.IsZero() }

// span is a merged stretch of paused time; a zero to means it never ends.
type span struct{ from, to time.Time }

// mergePauses returns the pauses from start on as disjoint spans in time
// order, clipped to start; a span that never ends swallows any after it. The
// caller's slice is left as it is.
func mergePauses(start time.Time, pauses []Pause) []span {
	spans := make([]span, 0, len(pauses))
	for _, p := range pauses {
		if !p.open() && (!p.From.Before(p.To) || !p.To.After(start)) {
			continue
		}
		spans = append(spans, span{from: later(p.From, start), to: p.To})
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	merged := spans[:0]
	for _, s := range spans {
		n := len(merged)
		switch {
		case n > 0 && merged[n-1].to.IsZero():
			return merged
		case n == 0 || s.from.After(merged[n-1].to):
			merged = append(merged, s)
		case s.to.IsZero() || s.to.After(merged[n-1].to):
			merged[n-1].to = s.to
		}
	}
	return merged
}
