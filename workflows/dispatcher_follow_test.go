package workflows_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feedStore is a DispatchStore whose change feed replays scripted reads and
// records the cursors it is read from; of the rest it answers only
// FindDispatchInput.
type feedStore struct {
	aftercare.DispatchStore
	input *aftercare.DispatchInput
	reads []*aftercare.FleetChanges
	asked []aftercare.FleetCursor
	// pending is what CountFleetChangesSince answers, by cursor.
	pending map[aftercare.FleetCursor]int
}

func (s *feedStore) CountFleetChangesSince(_ context.Context, cursor aftercare.FleetCursor) (int, error) {
	return s.pending[cursor], nil
}

func (s *feedStore) FleetChangesSince(_ context.Context, cursor aftercare.FleetCursor) (*aftercare.FleetChanges, error) {
	s.asked = append(s.asked, cursor)
	if len(s.reads) == 0 {
		return &aftercare.FleetChanges{Cursor: cursor}, nil
	}
	read := s.reads[0]
	s.reads = s.reads[1:]
	return read, nil
}

func (s *feedStore) FindDispatchInput(context.Context, string) (*aftercare.DispatchInput, error) {
	return s.input, nil
}

// feedEngineer is an engineer on shift around the clock at a place, as
// the feed gives them at a version.
func feedEngineer(id string, lat, lng float64, version int64) aftercare.FleetEngineer {
	var shifts []aftercare.ShiftWindow
	for day := time.Sunday; day <= time.Saturday; day++ {
		shifts = append(shifts, aftercare.ShiftWindow{Day: day, Start: 0, End: 24 * time.Hour})
	}
	return aftercare.FleetEngineer{Engineer: aftercare.Engineer{ID: id, Code: id, Region: "east",
		TierClearance: aftercare.TierPlatinum, Capacity: 3, TimeZone: "Asia/Shanghai", Shifts: shifts,
		Skills: []aftercare.Skill{{ProductLine: "thinksystem_sr", Level: 3}}, Lat: lat, Lng: lng},
		VanStock: map[string]int{}, Version: version, InService: true}
}

// TestDispatcherFollowsTheFeed: each refresh (Follow's, here called by
// hand) continues from the cursor of
// the read before, and an engineer read again in an older state (a lower
// version) keeps the newer one in the index.
func TestDispatcherFollowsTheFeed(t *testing.T) {
	const x, y = "engineer-x", "engineer-y"
	store := &feedStore{
		input: &aftercare.DispatchInput{IncidentID: "incident", Lat: 31.23, Lng: 121.47, ProductLine: "thinksystem_sr",
			MinLevel: 1, Tier: aftercare.TierStandard},
		reads: []*aftercare.FleetChanges{
			{Engineers: []aftercare.FleetEngineer{feedEngineer(x, 31.24, 121.47, 5), feedEngineer(y, 31.60, 121.47, 6)}, Cursor: "s1"},
			{Engineers: []aftercare.FleetEngineer{feedEngineer(x, 39.90, 116.40, 3), feedEngineer(y, 31.25, 121.47, 8)}, Cursor: "s2"},
			{Engineers: []aftercare.FleetEngineer{feedEngineer(x, 31.30, 121.47, 9)}, Cursor: "s3"},
		},
	}
	now := time.Date(2025, 6, 4, 10, 0, 0, 0, time.UTC)
	d, err := workflows.NewDispatcher(context.Background(), store,
		slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		workflows.DispatcherConfig{SpeedKmh: 40, Shortlist: 5, Now: func() time.Time { return now }})
	require.NoError(t, err)

	distances := func() map[string]float64 {
		t.Helper()
		require.NoError(t, d.Refresh(context.Background()))
		dec, err := d.Candidates(context.Background(), "incident", 0)
		require.NoError(t, err)
		out := map[string]float64{}
		for _, c := range dec.Candidates {
			out[c.EngineerID] = c.DistanceKm
		}
		return out
	}
	near := distances()
	require.Contains(t, near, x)
	require.Contains(t, near, y)
	assert.Less(t, near[x], 2.0, "version 3 of X is older than the 5 the index holds")
	assert.Less(t, near[y], 3.0, "version 8 of Y is applied")

	moved := distances()
	require.Contains(t, moved, x)
	assert.InDelta(t, 7.8, moved[x], 0.5, "version 9 of X is applied")
	assert.Equal(t, []aftercare.FleetCursor{"", "s1", "s2"}, store.asked)
}

// TestDispatcherFollowsServiceAndExpiry: an engineer whose provider is not
// active leaves the index and comes back with it, and a certification
// valid through a date qualifies until midnight at its end in the
// engineer's zone, not a nanosecond longer.
func TestDispatcherFollowsServiceAndExpiry(t *testing.T) {
	const x = "engineer-x"
	lastDay := time.Date(2025, 6, 4, 0, 0, 0, 0, time.UTC) // a date, as the store reads expires_on
	certified := feedEngineer(x, 31.24, 121.47, 1)
	certified.Skills[0].ExpiresOn = &lastDay
	out := certified
	out.Version, out.InService = 2, false
	back := certified
	back.Version = 3
	store := &feedStore{
		input: &aftercare.DispatchInput{IncidentID: "incident", Lat: 31.23, Lng: 121.47, ProductLine: "thinksystem_sr",
			MinLevel: 1, Tier: aftercare.TierStandard},
		reads: []*aftercare.FleetChanges{
			nil, // the build's read, set below
			{Engineers: []aftercare.FleetEngineer{out}, Cursor: "s2"},
			{Engineers: []aftercare.FleetEngineer{back}, Cursor: "s3"},
		},
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	now := time.Date(2025, 6, 4, 23, 59, 59, 999999999, shanghai)
	d, err := workflows.NewDispatcher(context.Background(), &feedStore{input: store.input,
		reads: []*aftercare.FleetChanges{{Engineers: []aftercare.FleetEngineer{certified}, Cursor: "s0"}}},
		slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		workflows.DispatcherConfig{SpeedKmh: 40, Shortlist: 5, Now: func() time.Time { return now }})
	require.NoError(t, err)
	decide := func() *aftercare.DispatchDecision {
		t.Helper()
		require.NoError(t, d.Refresh(context.Background()))
		dec, err := d.Candidates(context.Background(), "incident", 5)
		require.NoError(t, err)
		return dec
	}
	require.Len(t, decide().Candidates, 1, "valid through the last second of its last day, local time")
	now = now.Add(time.Nanosecond)
	dec := decide()
	assert.Empty(t, dec.Candidates, "lapsed at midnight in Shanghai")
	require.Len(t, dec.Rejections, 1)
	assert.Equal(t, "certification_expired", dec.Rejections[0].Reason)

	now = now.Add(-time.Hour)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	config := workflows.DispatcherConfig{SpeedKmh: 40, Shortlist: 5, Now: func() time.Time { return now }}
	built, err := workflows.NewDispatcher(context.Background(), &feedStore{input: store.input,
		reads: []*aftercare.FleetChanges{{Engineers: []aftercare.FleetEngineer{out}, Cursor: "s1"}}}, logger, config)
	require.NoError(t, err)
	dec, err = built.Candidates(context.Background(), "incident", 5)
	require.NoError(t, err)
	assert.Empty(t, dec.Candidates, "not in service: left out when the index is built")

	store.reads[0] = &aftercare.FleetChanges{Engineers: []aftercare.FleetEngineer{certified}, Cursor: "s0"}
	if d, err = workflows.NewDispatcher(context.Background(), store, logger, config); err != nil {
		t.Fatal(err)
	}
	assert.Empty(t, decide().Candidates, "taken out when the feed says so")
	assert.Len(t, decide().Candidates, 1, "back in service")
}

// searchTimes records the searches a Dispatcher observes.
type searchTimes struct {
	kinds []string
}

func (s *searchTimes) ObserveDispatchSearch(kind string, elapsed time.Duration) {
	if elapsed >= 0 {
		s.kinds = append(s.kinds, kind)
	}
}

// TestDispatcherReportsLagAndSearches: the lag counts the changes since
// the cursor of the read last applied, and dates it by that read; every
// search of the index is observed.
func TestDispatcherReportsLagAndSearches(t *testing.T) {
	store := &feedStore{
		input: &aftercare.DispatchInput{IncidentID: "incident", Lat: 31.23, Lng: 121.47, ProductLine: "thinksystem_sr",
			MinLevel: 1, Tier: aftercare.TierStandard},
		reads: []*aftercare.FleetChanges{
			{Engineers: []aftercare.FleetEngineer{feedEngineer("engineer-x", 31.24, 121.47, 5)}, Cursor: "s1"},
			{Cursor: "s2"},
		},
		pending: map[aftercare.FleetCursor]int{"s1": 4, "s2": 1},
	}
	searches := &searchTimes{}
	d, err := workflows.NewDispatcher(context.Background(), store, slog.New(slog.DiscardHandler),
		workflows.DispatcherConfig{SpeedKmh: 40, Shortlist: 5, Searches: searches})
	require.NoError(t, err)
	time.Sleep(200 * time.Millisecond)

	lag, err := d.Lag(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 4, lag.Pending, "the changes since the first read")
	assert.GreaterOrEqual(t, lag.Age, 200*time.Millisecond, "dated by the first read")

	require.NoError(t, d.Refresh(context.Background())) // as Follow would
	_, err = d.Candidates(context.Background(), "incident", 0)
	require.NoError(t, err)
	lag, err = d.Lag(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, lag.Pending, "the changes since the refresh before the search")
	assert.Less(t, lag.Age, 200*time.Millisecond, "dated by that refresh")
	assert.Equal(t, []string{"candidates"}, searches.kinds)
}
