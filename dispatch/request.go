package dispatch

import (
	"math"
	"time"

	"github.com/aftercare/aftercare"
)

// Request asks for the engineers who can take one incident.
type Request struct {
	// Lat, Lng is the incident's site.
	Lat, Lng    float64
	ProductLine string
	// MinLevel is the lowest certification level on ProductLine, 1 to 3,
	// that may take the incident.
	MinLevel int
	Tier     aftercare.Tier
	// Parts lists the parts the repair needs, each part once.
	Parts []PartNeed
	// Now is the dispatch time; shifts are read at this instant.
	Now time.Time
	// Deadline is the on-site deadline; the zero time means none.
	Deadline time.Time
	// SpeedKmh is the travel speed along great circles.
	SpeedKmh float64
	// Shortlist is how many candidates to return, at least 1.
	Shortlist int
	// Rejections is how many of the nearest rejected engineers to list with
	// their reasons (see Result.Rejected); 0 lists none.
	Rejections int
	// Declined lists the engineers who declined the incident. One whom no
	// other rule rejects is rejected with ReasonDeclined, and is listed and
	// counted like any other rejection.
	Declined []string
}

// DefaultRejections is how many rejections Aftercare lists with a
// dispatch decision: the nearest engineers a dispatcher might ask about.
const DefaultRejections = 25

// PartNeed is a quantity of one part.
type PartNeed struct {
	PartID   string
	Quantity int
}

// validate checks the request's fields.
func (r *Request) validate() error {
	switch {
	case !validLatLng(r.Lat, r.Lng):
		return invalidf("request: site %v, %v is not on the globe", r.Lat, r.Lng)
	case r.ProductLine == "":
		return invalidf("request: no product line")
	case r.MinLevel < 1 || r.MinLevel > MaxLevel:
		return invalidf("request: minimum level %d is not 1 to %d", r.MinLevel, MaxLevel)
	case !r.Tier.Valid():
		return invalidf("request: unknown tier %q", r.Tier)
	case r.Now.IsZero():
		return invalidf("request: no dispatch time")
	case !(r.SpeedKmh > 0) || math.IsInf(r.SpeedKmh, 0):
		return invalidf("request: speed %v km/h", r.SpeedKmh)
	case r.Shortlist < 1:
		return invalidf("request: shortlist of %d", r.Shortlist)
	case r.Rejections < 0:
		return invalidf("request: %d rejections to list", r.Rejections)
	}
	for _, id := range r.Declined {
		if id == "" {
			return invalidf("request: a declined engineer without an ID")
		}
	}
	for i, p := range r.Parts {
		if p.PartID == "" || p.Quantity < 1 || p.Quantity > math.MaxInt32 {
			return invalidf("request: %d units of part %q", p.Quantity, p.PartID)
		}
		for _, earlier := range r.Parts[:i] {
			if earlier.PartID == p.PartID {
				return invalidf("request: part %q listed twice", p.PartID)
			}
		}
	}
	return nil
}

// makesDeadline reports whether a trip of travel, leaving now, arrives by
// the deadline; every trip does when there is none.
func (r *Request) makesDeadline(travel time.Duration) bool {
	return r.Deadline.IsZero() || !r.Now.Add(travel).After(r.Deadline)
}
