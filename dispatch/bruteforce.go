package dispatch

import (
	"math"
	"slices"
)

// BruteForce answers the request by checking every engineer against every
// rule and every depot for every engineer whose van lacks a part. It is the
// reference Index.Candidates is tested against, and its result is the same.
func BruteForce(engineers []Engineer, depots []Depot, req Request) (Result, error) {
	if err := req.validate(); err != nil {
		return Result{}, err
	}
	seen := make(map[string]bool, len(engineers))
	for i := range engineers {
		if err := engineers[i].validate(); err != nil {
			return Result{}, err
		}
		if seen[engineers[i].ID] {
			return Result{}, invalidf("engineer %s appears twice", engineers[i].ID)
		}
		seen[engineers[i].ID] = true
	}
	seenDepot := make(map[string]bool, len(depots))
	for i := range depots {
		if err := depots[i].validate(); err != nil {
			return Result{}, err
		}
		if seenDepot[depots[i].ID] {
			return Result{}, invalidf("depot %s appears twice", depots[i].ID)
		}
		seenDepot[depots[i].ID] = true
	}
	return scan(engineers, depots, &req), nil
}

// scan is BruteForce after validation.
func scan(engineers []Engineer, depots []Depot, req *Request) Result {
	site := NewPoint(req.Lat, req.Lng)
	var (
		qualified []Candidate
		rejected  []Rejection
		tally     [reasonCount]int
		unskilled int
	)
	for i := range engineers {
		e := &engineers[i]
		level, ok := e.Skills[req.ProductLine]
		if !ok {
			unskilled++
			continue
		}
		at := NewPoint(e.Lat, e.Lng)
		straight := at.DistanceKm(site)
		reason := Reason("")
		switch {
		case e.lapsed(req.ProductLine, req.Now):
			reason = ReasonCertificationExpired
		case level < req.MinLevel:
			reason = ReasonLevelTooLow
		case e.Clearance.Rank() < req.Tier.Rank():
			reason = ReasonNoClearance
		case !e.Calendar.OnShift(req.Now):
			reason = ReasonOffShift
		case e.Load >= e.Capacity:
			reason = ReasonAtCapacity
		}
		var plan PartsPlan
		route := straight
		if reason == "" {
			plan = planParts(req.Parts, func(i int) int { return e.Van[req.Parts[i].PartID] })
			if len(plan.FromDepot) > 0 {
				route, plan.DepotID = nearestDetour(at, site, straight, plan.FromDepot, depots)
				if plan.DepotID == "" {
					reason = ReasonNoPart
				}
			}
			if reason == "" && slices.Contains(req.Declined, e.ID) {
				reason = ReasonDeclined
			}
		}
		if reason != "" {
			rejected = append(rejected, Rejection{EngineerID: e.ID, Reason: reason, DistanceKm: straight})
			tally[reason.order()]++
			continue
		}
		travel := TravelTime(route, req.SpeedKmh)
		qualified = append(qualified, Candidate{
			EngineerID:    e.ID,
			DistanceKm:    straight,
			RouteKm:       route,
			Travel:        travel,
			ETA:           req.Now.Add(travel),
			MakesDeadline: req.makesDeadline(travel),
			Load:          e.Load,
			Plan:          plan,
		})
	}
	slices.SortFunc(qualified, func(a, b Candidate) int {
		switch {
		case a.before(&b):
			return -1
		case b.before(&a):
			return 1
		}
		return 0
	})
	return newResult(req, qualified[:min(len(qualified), req.Shortlist)], rejected, tally, unskilled)
}

// nearestDetour returns the shortest trip from an engineer at `at` through a
// depot holding all of missing to the site, and the depot's ID (ties go to
// the smaller ID), or "" when no depot holds it all.
func nearestDetour(at, site Point, straight float64, missing []PartNeed, depots []Depot) (float64, string) {
	best, bestID := math.Inf(1), ""
	for i := range depots {
		d := &depots[i]
		holds := true
		for _, p := range missing {
			holds = holds && d.Stock[p.PartID] >= p.Quantity
		}
		if !holds {
			continue
		}
		dp := NewPoint(d.Lat, d.Lng)
		route := routeKm(at.DistanceKm(dp), dp.DistanceKm(site), straight)
		if route < best || route == best && d.ID < bestID {
			best, bestID = route, d.ID
		}
	}
	return best, bestID
}
