package dispatch

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Result answers a Request: the shortlist and why the engineers around it
// were not on it.
type Result struct {
	// Candidates is the shortlist, best first: those who make the deadline,
	// then the least travel time, then the least load, then engineer ID.
	// Whoever makes the deadline travels less than whoever misses it, so
	// the list is in order of travel time too.
	Candidates []Candidate
	// Rejected lists, nearest first (then by engineer ID) whatever the
	// reason, the Request.Rejections nearest engineers who hold the product
	// line but failed a rule, declining the incident included, and are no
	// farther from the site than the farthest candidate: the engineers
	// nearer than someone on the shortlist whom a dispatcher asks about
	// first. When the shortlist is not full the farthest candidate sets no
	// bound. Request.Rejections 0 lists nobody.
	Rejected []Rejection
	// Counts tallies Rejected by reason when the shortlist is full. When it
	// is not (fewer than Request.Shortlist candidates, none included),
	// Counts tallies every engineer who failed a rule, listed or not, and
	// counts under ReasonNoSkill every engineer without the product line,
	// so that the candidates and Counts together account for every
	// engineer: the answer to "why nobody?" and "why so few?". Engineers
	// without the line are never listed.
	Counts map[Reason]int
}

// Candidate is an engineer who can take the incident, with the trip.
type Candidate struct {
	EngineerID string
	// DistanceKm is the great-circle distance from the engineer to the site.
	DistanceKm float64
	// RouteKm is the trip: DistanceKm, or through the depot of Plan.
	RouteKm float64
	// Travel is RouteKm at the request's speed.
	Travel time.Duration
	// ETA is the request's Now plus Travel.
	ETA time.Time
	// MakesDeadline reports whether ETA is no later than the request's
	// deadline; it is true when there is none.
	MakesDeadline bool
	// Load is the number of jobs the engineer holds.
	Load int
	Plan PartsPlan
}

// PartsPlan says where the needed parts come from: the van, and for what the
// van lacks, one depot on the way that holds all of it.
type PartsPlan struct {
	FromVan []PartNeed
	// DepotID is empty when the van holds everything.
	DepotID   string
	FromDepot []PartNeed
}

// Rejection says why an engineer is not a candidate.
type Rejection struct {
	EngineerID string
	Reason     Reason
	DistanceKm float64
}

// Reason names the rule that rejected an engineer. The rules are checked in
// the order of the constants and the first failed one is reported.
type Reason string

// The rejection reasons.
const (
	ReasonNoSkill              Reason = "no_skill"              // not certified on the product line
	ReasonCertificationExpired Reason = "certification_expired" // the certification on the line lapsed by Now
	ReasonLevelTooLow          Reason = "level_too_low"         // certified below the minimum level
	ReasonNoClearance          Reason = "no_clearance"          // not cleared for the tier
	ReasonOffShift             Reason = "off_shift"             // not on shift at the request's Now
	ReasonAtCapacity           Reason = "at_capacity"           // holds as many jobs as allowed
	ReasonNoPart               Reason = "no_part"               // the van lacks a part no single depot holds
	ReasonDeclined             Reason = "declined"              // in Request.Declined
)

// reasonCount is the number of reasons.
const reasonCount = 8

// reasons returns the reasons in the order the rules are checked.
func reasons() [reasonCount]Reason {
	return [...]Reason{ReasonNoSkill, ReasonCertificationExpired, ReasonLevelTooLow, ReasonNoClearance, ReasonOffShift,
		ReasonAtCapacity, ReasonNoPart, ReasonDeclined}
}

// order returns the reason's position in reasons().
func (r Reason) order() int {
	switch r {
	case ReasonCertificationExpired:
		return 1
	case ReasonLevelTooLow:
		return 2
	case ReasonNoClearance:
		return 3
	case ReasonOffShift:
		return 4
	case ReasonAtCapacity:
		return 5
	case ReasonNoPart:
		return 6
	case ReasonDeclined:
		return 7
	}
	return 0
}

// before reports whether a ranks ahead of b in a shortlist.
func (a *Candidate) before(b *Candidate) bool {
	if a.MakesDeadline != b.MakesDeadline {
		return a.MakesDeadline
	}
	if a.Travel != b.Travel {
		return a.Travel < b.Travel
	}
	if a.Load != b.Load {
		return a.Load < b.Load
	}
	return a.EngineerID < b.EngineerID
}

// newResult assembles the result of a search from its shortlist (ranked, at
// most req.Shortlist long), rejections that include the nearest
// req.Rejections of those that may be listed, the tally by reason of every
// rejection, and the number of engineers without the product line. Both
// searches call it, so they list the same rejections. When the shortlist is
// not full, the tally must be of every engineer on the line; when it is,
// it is not read.
func newResult(req *Request, shortlist []Candidate, rejected []Rejection, all [reasonCount]int, unskilled int) Result {
	full := len(shortlist) == req.Shortlist
	farthest := 0.0
	for _, c := range shortlist {
		farthest = max(farthest, c.DistanceKm)
	}
	kept := sortedRejections(rejected, func(r *Rejection) bool { return !full || r.DistanceKm <= farthest })
	kept = kept[:min(len(kept), req.Rejections)]
	var tally [reasonCount]int
	if full {
		for _, r := range kept {
			tally[r.Reason.order()]++
		}
	} else {
		tally = all
		tally[ReasonNoSkill.order()] += unskilled
	}
	if len(kept) == 0 {
		kept = nil
	}
	counts := make(map[Reason]int)
	for i, r := range reasons() {
		if tally[i] > 0 {
			counts[r] = tally[i]
		}
	}
	if len(shortlist) == 0 {
		shortlist = nil
	}
	return Result{Candidates: shortlist, Rejected: kept, Counts: counts}
}

// posBits is how many low bits of a sort key in sortedRejections hold the
// rejection's position.
const posBits = 16

// sortedRejections returns the rejections that keep accepts, nearest first,
// then by engineer ID. It sorts 8-byte keys rather than the 40-byte
// rejections, and ordered keys rather than through a comparison function
// (together 4 times faster on a tail query's few hundred rejections): a key
// is the distance's bits, which order like the distance (it is never
// negative), with the rejection's position in the low posBits bits of the
// mantissa. Distances that differ in those bits alone (a relative 10⁻¹¹)
// may come out of order; the insertion that copies the rejections out puts
// them back by distance and ID. A list too long for the positions sorts the
// rejections themselves.
func sortedRejections(rejected []Rejection, keep func(*Rejection) bool) []Rejection {
	compare := func(a, b *Rejection) int {
		switch {
		case a.DistanceKm < b.DistanceKm:
			return -1
		case a.DistanceKm > b.DistanceKm:
			return 1
		}
		return strings.Compare(a.EngineerID, b.EngineerID)
	}
	if len(rejected) > 1<<posBits {
		var kept []Rejection
		for i := range rejected {
			if keep(&rejected[i]) {
				kept = append(kept, rejected[i])
			}
		}
		slices.SortFunc(kept, func(a, b Rejection) int { return compare(&a, &b) })
		return kept
	}
	const posMask = 1<<posBits - 1
	keys := make([]uint64, 0, len(rejected))
	for i := range rejected {
		if keep(&rejected[i]) {
			keys = append(keys, math.Float64bits(rejected[i].DistanceKm)&^posMask|uint64(i))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	kept := make([]Rejection, len(keys))
	for j, k := range keys {
		kept[j] = rejected[k&posMask]
		for m := j; m > 0 && compare(&kept[m], &kept[m-1]) < 0; m-- {
			kept[m], kept[m-1] = kept[m-1], kept[m]
		}
	}
	return kept
}
