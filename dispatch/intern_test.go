package dispatch

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireSharedAsHeld checks that the calendars and skills the index
// shares are those of the engineers it holds, each counted once per
// engineer, and that it keeps expiries for those with some only: what a
// replaced or removed engineer used is let go.
func requireSharedAsHeld(t *testing.T, x *Index, engineers []Engineer) {
	t.Helper()
	calendars, skills, expiring := map[string]int{}, map[string]int{}, 0
	for _, e := range engineers {
		calendars[e.Calendar.Location.String()+fmt.Sprint(e.Calendar.Week, e.Calendar.Exceptions)]++
		skills[fmt.Sprint(e.Skills)]++
		if len(e.Expires) > 0 {
			expiring++
		}
	}
	require.Equal(t, len(calendars), x.calendars.len(), "calendars in use")
	require.Equal(t, len(skills), x.skills.len(), "skill sets in use")
	require.Equal(t, expiring, len(x.expires), "engineers with expiries")
	require.Equal(t, len(engineers), sumRefs(&x.calendars), "calendar users")
	require.Equal(t, len(engineers), sumRefs(&x.skills), "skill set users")
}

func sumRefs[T any](t *interned[T]) int {
	n := 0
	for _, r := range t.refs {
		n += int(r)
	}
	return n
}

// TestInternedReusesWhatIsLetGo checks the counting of users: a value
// stays while one engineer uses it, is dropped with the last, and its slot
// is reused.
func TestInternedReusesWhatIsLetGo(t *testing.T) {
	var in interned[string]
	made := 0
	value := func(v string) func() string { return func() string { made++; return v } }
	a := in.acquire([]byte("a"), value("a"))
	assert.Equal(t, a, in.acquire([]byte("a"), value("a")))
	b := in.acquire([]byte("b"), value("b"))
	assert.Equal(t, 2, made, "a value is made once")
	in.release(a)
	assert.Equal(t, 2, in.len(), "a has a user left")
	in.release(a)
	assert.Equal(t, 1, in.len())
	assert.Equal(t, "", in.values[a], "the dropped value is not kept")
	c := in.acquire([]byte("c"), value("c"))
	assert.Equal(t, a, c, "the free slot is reused")
	assert.Equal(t, "c", in.values[c])
	assert.Equal(t, "b", in.values[b])
	assert.Equal(t, 2, in.len())
}

// TestSharedCalendarsAreEqualOnesOnly checks that engineers share a
// calendar exactly when their calendars are equal: the same zone, shifts
// and exceptions, whatever order the exceptions were written in.
func TestSharedCalendarsAreEqualOnesOnly(t *testing.T) {
	shanghai := mustZone(t, "Asia/Shanghai")
	week := func(start time.Duration) (w [7][]Shift) {
		for d := range w {
			w[d] = []Shift{{Start: start, End: start + 8*time.Hour}}
		}
		return w
	}
	base := Engineer{ID: "a", Lat: 31.2, Lng: 121.5, Skills: map[string]int{"L": 1}, Clearance: "standard", Capacity: 1,
		Calendar: Calendar{Location: shanghai, Week: week(9 * time.Hour), Exceptions: map[Date][]Shift{
			{2026, time.March, 4}: nil, {2026, time.March, 5}: {{Start: 0, End: time.Hour}}}}}
	same := base
	same.ID = "same"
	same.Calendar.Exceptions = map[Date][]Shift{{2026, time.March, 5}: {{Start: 0, End: time.Hour}}, {2026, time.March, 4}: nil}
	zone, shifted, nanos, exception := base, base, base, base
	zone.ID, zone.Calendar.Location = "zone", time.UTC
	shifted.ID, shifted.Calendar.Week = "shifted", week(10*time.Hour)
	nanos.ID, nanos.Calendar.Week = "nanos", week(9*time.Hour+time.Nanosecond)
	exception.ID, exception.Calendar.Exceptions = "exception", map[Date][]Shift{{2026, time.March, 4}: nil}
	x := mustIndex(t, defaultLayout(), []Engineer{base, same, zone, shifted, nanos, exception}, nil)
	assert.Equal(t, 5, x.calendars.len())
	assert.Equal(t, x.engineers[x.slotOf["a"]].calendar, x.engineers[x.slotOf["same"]].calendar)
	for _, id := range []string{"a", "same", "zone", "shifted", "nanos", "exception"} {
		require.NoError(t, x.Remove(id))
	}
	assert.Zero(t, x.calendars.len())
	assert.Zero(t, x.skills.len())
}

// TestVanPointIsWithinItsSlack checks the rounding the trees of vans keep
// locations at: the chord from any site to a rounded point differs from
// the exact chord by less than vanChordSlack, so widenChord2 rules out only
// the points beyond the chord it widens.
func TestVanPointIsWithinItsSlack(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	worst := 0.0
	for _, ll := range samplePoints(rng, 20000) {
		p := NewPoint(ll.Lat, ll.Lng)
		for range 5 {
			site := NewPoint(ll.Lat+rng.NormFloat64()*0.5, ll.Lng+rng.NormFloat64()*0.5)
			exact := math.Sqrt(chord2(p, site))
			rounded := math.Sqrt(newVanPoint(p).chord2(site))
			worst = max(worst, math.Abs(rounded-exact))
			assert.LessOrEqual(t, newVanPoint(p).chord2(site), widenChord2(chord2(p, site)))
		}
	}
	assert.Less(t, worst, vanChordSlack)
	assert.Greater(t, worst, vanChordSlack/4, "the slack is not far above the rounding")
	assert.Equal(t, math.Inf(1), widenChord2(math.Inf(1)))
}
