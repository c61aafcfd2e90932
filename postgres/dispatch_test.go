package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fleet fixture IDs: engineers X and Y, each with a van holding the part,
// and depots P and Q, each holding it too.
const (
	fleetEngineerX = "e1000000-0000-4000-8000-000000000001"
	fleetEngineerY = "e1000000-0000-4000-8000-000000000002"
	fleetDepotP    = "d1000000-0000-4000-8000-000000000001"
	fleetDepotQ    = "d1000000-0000-4000-8000-000000000002"
	fleetPart      = "b1000000-0000-4000-8000-000000000001"
)

// mustFleetFixture inserts two depots and two engineers around Shanghai,
// every van and depot holding 5 units of one part, received through the
// ledger.
func mustFleetFixture(tb testing.TB, db *DB) {
	tb.Helper()
	require.NoError(tb, db.ExecScript(context.Background(), `
		INSERT INTO regions VALUES ('east', 'East China') ON CONFLICT DO NOTHING;
		INSERT INTO product_lines VALUES ('thinksystem_sr', 'ThinkSystem SR', 'server') ON CONFLICT DO NOTHING;
		INSERT INTO parts (id, fru, description, unit_price, currency)
			VALUES ('`+fleetPart+`', '01FLEET1', 'PSU 1100W', 1200, 'CNY');
		INSERT INTO depots (id, code, name, city, region, lat, lng, time_zone) VALUES
			('`+fleetDepotP+`', 'DEP-P', 'Pudong', 'Shanghai', 'east', 31.22, 121.54, 'Asia/Shanghai'),
			('`+fleetDepotQ+`', 'DEP-Q', 'Qingpu', 'Shanghai', 'east', 31.15, 121.12, 'Asia/Shanghai');
		INSERT INTO engineers (id, code, name, region, home_depot_id, tier_clearance, capacity, time_zone, lat, lng) VALUES
			('`+fleetEngineerX+`', 'ENG-X', 'Engineer X', 'east', '`+fleetDepotP+`', 'platinum', 3, 'Asia/Shanghai', 31.10, 121.40),
			('`+fleetEngineerY+`', 'ENG-Y', 'Engineer Y', 'east', '`+fleetDepotQ+`', 'platinum', 3, 'Asia/Shanghai', 31.12, 121.40);
		INSERT INTO engineer_skills VALUES ('`+fleetEngineerX+`', 'thinksystem_sr', 2), ('`+fleetEngineerY+`', 'thinksystem_sr', 2);
		INSERT INTO stock (part_id, engineer_id) VALUES
			('`+fleetPart+`', '`+fleetEngineerX+`'), ('`+fleetPart+`', '`+fleetEngineerY+`');
		INSERT INTO stock (part_id, depot_id) VALUES
			('`+fleetPart+`', '`+fleetDepotP+`'), ('`+fleetPart+`', '`+fleetDepotQ+`');
		INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reason)
			SELECT id, 'receipt', 5, 'fleet fixture' FROM stock WHERE part_id = '`+fleetPart+`' ORDER BY id;`))
}

// setStockSQL is a statement that brings the fixture part's units on hand
// at a van or depot to n, as a ledger adjustment.
func setStockSQL(column, placeID string, n int) string {
	return fmt.Sprintf(`INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reason)
		SELECT id, 'adjustment', %d - on_hand, 'fleet fixture' FROM stock WHERE %s = '%s' AND part_id = '%s'`,
		n, column, placeID, fleetPart)
}

// fleetEngineer returns the engineer of a read of the feed, or nil.
func fleetEngineer(ch *aftercare.FleetChanges, id string) *aftercare.FleetEngineer {
	for i := range ch.Engineers {
		if ch.Engineers[i].ID == id {
			return &ch.Engineers[i]
		}
	}
	return nil
}

// fleetDepot returns the depot of a read of the feed, or nil.
func fleetDepot(ch *aftercare.FleetChanges, id string) *aftercare.FleetDepot {
	for i := range ch.Depots {
		if ch.Depots[i].ID == id {
			return &ch.Depots[i]
		}
	}
	return nil
}

// TestFleetFeedKeepsLateCommits interleaves two writers with the feed:
// transaction A changes X and stays open, so what it draws comes first;
// B changes Y and commits; the feed is read and returns Y; then A commits.
// The next read must return X as A left it, whatever A changed: the
// engineer's row, their van's stock, or a depot's stock.
func TestFleetFeedKeepsLateCommits(t *testing.T) {
	for _, tt := range []struct {
		name       string
		a, b       string // the changes of A (to X or P) and of B (to Y or Q)
		lateChange func(*aftercare.FleetChanges) bool
		seenChange func(*aftercare.FleetChanges) bool
	}{
		{
			name: "engineer moved",
			a:    `UPDATE engineers SET lat = 39.90, lng = 116.40 WHERE id = '` + fleetEngineerX + `'`,
			b:    `UPDATE engineers SET lat = 31.30, lng = 121.50 WHERE id = '` + fleetEngineerY + `'`,
			lateChange: func(ch *aftercare.FleetChanges) bool {
				e := fleetEngineer(ch, fleetEngineerX)
				return e != nil && e.Lat == 39.90 && e.Lng == 116.40
			},
			seenChange: func(ch *aftercare.FleetChanges) bool {
				e := fleetEngineer(ch, fleetEngineerY)
				return e != nil && e.Lat == 31.30
			},
		},
		{
			name: "van stock",
			a:    setStockSQL("engineer_id", fleetEngineerX, 1),
			b:    setStockSQL("engineer_id", fleetEngineerY, 2),
			lateChange: func(ch *aftercare.FleetChanges) bool {
				e := fleetEngineer(ch, fleetEngineerX)
				return e != nil && e.VanStock[fleetPart] == 1
			},
			seenChange: func(ch *aftercare.FleetChanges) bool {
				e := fleetEngineer(ch, fleetEngineerY)
				return e != nil && e.VanStock[fleetPart] == 2
			},
		},
		{
			name: "depot stock",
			a:    setStockSQL("depot_id", fleetDepotP, 1),
			b:    setStockSQL("depot_id", fleetDepotQ, 2),
			lateChange: func(ch *aftercare.FleetChanges) bool {
				d := fleetDepot(ch, fleetDepotP)
				return d != nil && d.Stock[fleetPart] == 1
			},
			seenChange: func(ch *aftercare.FleetChanges) bool {
				d := fleetDepot(ch, fleetDepotQ)
				return d != nil && d.Stock[fleetPart] == 2
			},
		},
		{
			name: "skills",
			a:    `UPDATE engineer_skills SET level = 3 WHERE engineer_id = '` + fleetEngineerX + `'`,
			b:    `UPDATE engineer_skills SET level = 1 WHERE engineer_id = '` + fleetEngineerY + `'`,
			lateChange: func(ch *aftercare.FleetChanges) bool {
				e := fleetEngineer(ch, fleetEngineerX)
				return e != nil && len(e.Skills) == 1 && e.Skills[0].Level == 3
			},
			seenChange: func(ch *aftercare.FleetChanges) bool {
				e := fleetEngineer(ch, fleetEngineerY)
				return e != nil && len(e.Skills) == 1 && e.Skills[0].Level == 1
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := mustTestDB(t, nil)
			mustFleetFixture(t, db)
			feed := NewDispatchService(db)
			ctx := context.Background()
			start, err := feed.FleetChangesSince(ctx, "")
			require.NoError(t, err)

			a, err := db.pool.Begin(ctx)
			require.NoError(t, err)
			defer func() { _ = a.Rollback(ctx) }()
			_, err = a.Exec(ctx, tt.a)
			require.NoError(t, err)
			_, err = db.pool.Exec(ctx, tt.b)
			require.NoError(t, err)

			seen, err := feed.FleetChangesSince(ctx, start.Cursor)
			require.NoError(t, err)
			require.True(t, tt.seenChange(seen), "B's committed change is read: %+v", seen)
			assert.False(t, tt.lateChange(seen), "A's change is not read before A commits")
			idle, err := feed.FleetChangesSince(ctx, seen.Cursor)
			require.NoError(t, err)
			assert.Empty(t, idle.Engineers, "nothing committed since: A's open transaction makes nothing read again")
			assert.Empty(t, idle.Depots)

			require.NoError(t, a.Commit(ctx))
			late, err := feed.FleetChangesSince(ctx, idle.Cursor)
			require.NoError(t, err)
			assert.True(t, tt.lateChange(late), "A's change, committed after B's was read, is read next: %+v", late)
		})
	}
}

// TestCountFleetChangesSince: the count at a cursor is the number of
// engineers and depots the feed returns there, a change still uncommitted
// included only once it commits.
func TestCountFleetChangesSince(t *testing.T) {
	db := mustTestDB(t, nil)
	mustFleetFixture(t, db)
	feed := NewDispatchService(db)
	ctx := context.Background()
	count := func(cursor aftercare.FleetCursor) int {
		t.Helper()
		n, err := feed.CountFleetChangesSince(ctx, cursor)
		require.NoError(t, err)
		return n
	}
	start, err := feed.FleetChangesSince(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, 4, count(""), "the whole fleet before the first read")
	assert.Equal(t, 0, count(start.Cursor), "nothing changed since the read")

	a, err := db.pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = a.Rollback(ctx) }()
	_, err = a.Exec(ctx, `UPDATE engineers SET lat = 39.90 WHERE id = '`+fleetEngineerX+`'`)
	require.NoError(t, err)
	require.NoError(t, db.ExecScript(ctx, setStockSQL("depot_id", fleetDepotQ, 2)))
	assert.Equal(t, 1, count(start.Cursor), "the depot's committed change, not the engineer's open one")

	require.NoError(t, a.Commit(ctx))
	changes, err := feed.FleetChangesSince(ctx, start.Cursor)
	require.NoError(t, err)
	assert.Equal(t, len(changes.Engineers)+len(changes.Depots), count(start.Cursor), "as many as the feed returns")
	assert.Equal(t, 2, count(start.Cursor))
	assert.Equal(t, 0, count(changes.Cursor))
}

// TestFleetFeedRejectsABadCursor: a cursor the store did not hand out is
// invalid input.
func TestFleetFeedRejectsABadCursor(t *testing.T) {
	db := mustTestDB(t, nil)
	_, err := NewDispatchService(db).FleetChangesSince(context.Background(), "12")
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "%v", err)
}

// TestFleetVersionsFollowCommitOrder: B changes X's van, which draws a
// version for X and then waits for X, locked by A; A moves X, drawing a
// later version, and commits; B then commits. B's state of X is the
// newer, so its version must be the higher, or a follower holding A's
// would keep A's and never show B's van.
func TestFleetVersionsFollowCommitOrder(t *testing.T) {
	db := mustTestDB(t, nil)
	mustFleetFixture(t, db)
	feed := NewDispatchService(db)
	ctx := context.Background()

	a, err := db.pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = a.Rollback(ctx) }()
	_, err = a.Exec(ctx, `SELECT 1 FROM engineers WHERE id = $1 FOR UPDATE`, fleetEngineerX)
	require.NoError(t, err)

	b, err := db.pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = b.Rollback(ctx) }()
	var bPID uint32
	require.NoError(t, b.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&bPID))
	bDone := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, setStockSQL("engineer_id", fleetEngineerX, 1))
		bDone <- err
	}()
	require.Eventually(t, func() bool {
		var waiting bool
		err := db.pool.QueryRow(ctx, `SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1`, bPID).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 10*time.Millisecond, "B waits for X")

	_, err = a.Exec(ctx, `UPDATE engineers SET lat = 39.90, lng = 116.40 WHERE id = $1`, fleetEngineerX)
	require.NoError(t, err)
	require.NoError(t, a.Commit(ctx))
	require.NoError(t, <-bDone)
	moved, err := feed.FleetChangesSince(ctx, "")
	require.NoError(t, err)
	require.NoError(t, b.Commit(ctx))
	both, err := feed.FleetChangesSince(ctx, "")
	require.NoError(t, err)

	atA, atB := fleetEngineer(moved, fleetEngineerX), fleetEngineer(both, fleetEngineerX)
	require.NotNil(t, atA)
	require.NotNil(t, atB)
	require.Equal(t, 39.90, atB.Lat, "B's update kept A's move")
	require.Equal(t, 1, atB.VanStock[fleetPart])
	assert.Greater(t, atB.Version, atA.Version, "the state committed last has the higher version")
}
