package dispatch

import (
	"math"
	"time"

	"github.com/aftercare/aftercare"
)

// Engineer is what dispatch needs to know about a field engineer: where they
// are, what they may work on, when they work, how busy they are and what
// their van carries.
type Engineer struct {
	ID       string
	Lat, Lng float64
	// Skills maps each product line the engineer is certified on to the
	// certification level, 1 to 3.
	Skills map[string]int
	// Expires maps a product line of Skills to the instant its
	// certification lapses: from that instant on, the engineer no longer
	// qualifies on the line (ReasonCertificationExpired). A line without an
	// entry does not lapse.
	Expires map[string]time.Time
	// Clearance is the most demanding tier the engineer may serve; it
	// includes every less demanding tier.
	Clearance aftercare.Tier
	Calendar  Calendar
	// Capacity is how many jobs the engineer may hold at once, Load how
	// many they hold now.
	Capacity int
	Load     int
	// Van maps part IDs to the units in the engineer's van that no job has
	// reserved.
	Van map[string]int
}

// validate checks the engineer's fields.
func (e *Engineer) validate() error {
	if e.ID == "" {
		return invalidf("engineer has no ID")
	}
	if !validLatLng(e.Lat, e.Lng) {
		return invalidf("engineer %s: location %v, %v is not on the globe", e.ID, e.Lat, e.Lng)
	}
	if line, bad := firstBad(e.Skills, func(line string, level int) bool {
		return line == "" || level < 1 || level > MaxLevel
	}); bad {
		return invalidf("engineer %s: skill %q at level %d", e.ID, line, e.Skills[line])
	}
	for line := range e.Expires {
		if _, ok := e.Skills[line]; !ok {
			return invalidf("engineer %s: an expiry for %q, a line without a skill", e.ID, line)
		}
	}
	if !e.Clearance.Valid() {
		return invalidf("engineer %s: unknown clearance %q", e.ID, e.Clearance)
	}
	if e.Capacity < 0 || e.Load < 0 || e.Capacity > math.MaxInt32 || e.Load > math.MaxInt32 {
		return invalidf("engineer %s: capacity %d and load %d", e.ID, e.Capacity, e.Load)
	}
	if part, bad := firstBad(e.Van, badStock); bad {
		return invalidf("engineer %s: van holds %d of part %q", e.ID, e.Van[part], part)
	}
	if err := e.Calendar.validate(); err != nil {
		return invalidf("engineer %s: %v", e.ID, err)
	}
	return nil
}

// MaxLevel is the highest certification level; levels run from 1.
const MaxLevel = 3

// lapsed reports whether the engineer's certification on line has lapsed
// at now.
func (e *Engineer) lapsed(line string, now time.Time) bool {
	at, ok := e.Expires[line]
	return ok && !now.Before(at)
}
