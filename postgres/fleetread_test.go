package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadFleetHandsOverWhatTheFeedReturns: ReadFleet gives each engineer
// the whole-fleet read returns, one at a time, with the same depots and a
// cursor the feed continues from; an error from the callee ends the read
// and comes back.
func TestReadFleetHandsOverWhatTheFeedReturns(t *testing.T) {
	db := mustTestDB(t, nil)
	mustFleetFixture(t, db)
	feed := NewDispatchService(db)
	ctx := context.Background()
	whole, err := feed.FleetChangesSince(ctx, "")
	require.NoError(t, err)

	var handed []aftercare.FleetEngineer
	read, err := feed.ReadFleet(ctx, func(fe *aftercare.FleetEngineer) error {
		handed = append(handed, *fe)
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, read.Engineers, "the engineers went to the callee")
	assert.ElementsMatch(t, whole.Engineers, handed)
	assert.ElementsMatch(t, whole.Depots, read.Depots)
	require.Len(t, handed, 2)

	require.NoError(t, db.ExecScript(ctx, setStockSQL("engineer_id", fleetEngineerY, 1)))
	changes, err := feed.FleetChangesSince(ctx, read.Cursor)
	require.NoError(t, err)
	require.Len(t, changes.Engineers, 1, "the feed continues from ReadFleet's cursor")
	assert.Equal(t, fleetEngineerY, changes.Engineers[0].ID)

	stop := errors.New("stop")
	calls := 0
	_, err = feed.ReadFleet(ctx, func(*aftercare.FleetEngineer) error {
		calls++
		return stop
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, calls, "the read ends at the first error")
}
