package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"errors"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ledgerWorld is the property test's fleet: depots in two regions, vans,
// parts, and covered incidents that jobs reserve, release and consume for.
type ledgerWorld struct {
	*stockWorld
	depots    []string
	engineers []string
	parts     []string // part IDs
	frus      []string
	incidents []string
}

func mustLedgerWorld(t *testing.T) *ledgerWorld {
	t.Helper()
	w := &ledgerWorld{stockWorld: mustStockWorld(t, "PROP")}
	ctx := context.Background()
	// Commits need not wait for the disk: the test database is thrown
	// away, and what is checked is what concurrent transactions leave.
	_, err := w.db.pool.Exec(ctx, `DO $$ BEGIN
		EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database()); END $$`)
	require.NoError(t, err)
	w.db.pool.Reset()
	exec := func(sql string, args ...any) {
		t.Helper()
		_, err := w.db.pool.Exec(ctx, sql, args...)
		require.NoError(t, err, sql)
	}
	w.depots = []string{w.depotID, w.northDepot}
	for i, region := range []string{"east", "east", "north"} {
		id := newID()
		exec(`INSERT INTO depots (id, code, name, city, region, lat, lng, time_zone)
			VALUES ($1, $2, 'Depot', 'Hangzhou', $3, 30.3, 120.2, 'Asia/Shanghai')`, id, fmt.Sprintf("D-PROP%d", i), region)
		w.depots = append(w.depots, id)
	}
	w.engineers = []string{w.engineerID}
	for i, region := range []string{"east", "east", "east", "east", "north", "north", "north"} {
		id := newID()
		exec(`INSERT INTO engineers (id, code, name, region, home_depot_id, tier_clearance, capacity, time_zone, lat, lng)
			VALUES ($1, $2, 'Engineer', $3, $4, 'platinum', 20, 'Asia/Shanghai', 31.2, 121.4)`,
			id, fmt.Sprintf("E-PROP%d", i), region, w.depotID)
		w.engineers = append(w.engineers, id)
	}
	exec(`UPDATE engineers SET capacity = 20 WHERE id = $1`, w.engineerID)
	w.parts, w.frus = []string{w.driveID, w.psuID}, []string{w.driveFRU, w.psuFRU}
	for i := range 2 {
		id, fru := newID(), fmt.Sprintf("01PROP%d", i)
		exec(`INSERT INTO parts (id, fru, description, unit_price, currency) VALUES ($1, $2, 'Memory 32GB', 900, 'CNY')`, id, fru)
		w.parts, w.frus = append(w.parts, id), append(w.frus, fru)
	}
	for i := range 8 {
		inc := mustIncident(t, w.db, w.coveredSerial, fmt.Sprintf("prop-%d", i), "wang@example.com", aftercare.StatusDispatched)
		w.incidents = append(w.incidents, inc.ID)
	}
	return w
}

// ledgerOp is one random movement: it returns how many ledger rows it
// wrote, or the error that refused it.
type ledgerOp func(ctx context.Context, r *rand.Rand) (int, error)

// ops are the random movements, each with its weight: receipts (some of
// parts the catalogue lacks), transfers both ways, adjustments either
// way, reservations by dispatch (some overriding a job, which releases
// its parts), releases by a job's end, and consumption of reserved and
// unreserved units.
func (w *ledgerWorld) ops() []struct {
	weight int
	op     ledgerOp
} {
	pick := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	return []struct {
		weight int
		op     ledgerOp
	}{
		{20, func(ctx context.Context, r *rand.Rand) (int, error) {
			fru := pick(r, w.frus)
			if r.IntN(20) == 0 {
				fru = "09NOSUCH9"
			}
			_, err := w.s.ReceiveStock(ctx, aftercare.StockReceipt{DepotID: pick(r, w.depots), FRU: fru, Quantity: 1 + r.IntN(4)})
			return 1, err
		}},
		{35, func(ctx context.Context, r *rand.Rand) (int, error) {
			_, err := w.s.TransferStock(ctx, aftercare.StockTransfer{DepotID: pick(r, w.depots), EngineerID: pick(r, w.engineers),
				FRU: pick(r, w.frus), Quantity: 1 + r.IntN(3), ToVan: r.IntN(2) == 0})
			return 2, err
		}},
		{20, func(ctx context.Context, r *rand.Rand) (int, error) {
			var id int64
			if err := w.db.pool.QueryRow(ctx, `SELECT id FROM stock ORDER BY random() LIMIT 1`).Scan(&id); err != nil {
				return 0, err
			}
			delta := 1 + r.IntN(4)
			if r.IntN(2) == 0 {
				delta = -delta
			}
			_, err := w.s.AdjustStock(ctx, aftercare.StockAdjustment{StockID: id, Delta: delta, Reason: "cycle count"})
			return 1, err
		}},
		{10, func(ctx context.Context, r *rand.Rand) (int, error) { return w.reserve(ctx, r) }},
		{7, func(ctx context.Context, r *rand.Rand) (int, error) { return w.release(ctx) }},
		{8, func(ctx context.Context, r *rand.Rand) (int, error) { return w.consume(ctx, r) }},
	}
}

// counted runs fn in a transaction and returns how many ledger rows it
// wrote there, counted before it commits.
func (w *ledgerWorld) counted(ctx context.Context, fn func(tx pgx.Tx) error) (int, error) {
	var n int
	err := w.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM stock_movements WHERE xmin = pg_current_xact_id()::xid`).Scan(&n)
	})
	return n, mapError(err)
}

// reserve gives an incident to an engineer as dispatch does, overriding
// its job if it has one, with a part from the van or from a depot.
func (w *ledgerWorld) reserve(ctx context.Context, r *rand.Rand) (int, error) {
	c := aftercare.AssignmentCreate{IncidentID: w.incidents[r.IntN(len(w.incidents))],
		EngineerID: w.engineers[r.IntN(len(w.engineers))], ETA: time.Now().Add(time.Hour), DistanceKm: 3,
		OverrideReason: "property test"}
	need := []aftercare.PartNeed{{PartID: w.parts[r.IntN(len(w.parts))], Quantity: 1 + r.IntN(2)}}
	if r.IntN(2) == 0 {
		c.FromVan = need
	} else {
		c.DepotID, c.FromDepot = w.depots[r.IntN(len(w.depots))], need
	}
	return w.counted(ctx, func(tx pgx.Tx) error {
		_, err := createAssignment(ctx, tx, c)
		return err
	})
}

// release ends a random active job, which releases what it reserved. It
// locks the job's incident first, as every change of an incident does.
func (w *ledgerWorld) release(ctx context.Context) (int, error) {
	return w.counted(ctx, func(tx pgx.Tx) error {
		var id, incident string
		err := tx.QueryRow(ctx, `SELECT id, incident_id FROM assignments WHERE state IN `+activeStates+`
			ORDER BY random() LIMIT 1`).Scan(&id, &incident)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE`, incident); err != nil {
			return err
		}
		return endAssignment(ctx, tx, id, aftercare.AssignmentCancelled)
	})
}

// consume installs a unit for a random active job: one it reserved, or
// an unreserved one of a random van row. It locks the job's incident
// first, as recording a part used does.
func (w *ledgerWorld) consume(ctx context.Context, r *rand.Rand) (int, error) {
	return w.counted(ctx, func(tx pgx.Tx) error {
		var job, incident string
		var stockID, reservation, qty int64
		err := tx.QueryRow(ctx, `
			SELECT x.id, x.incident_id,
				coalesce(p.stock_id, (SELECT id FROM stock WHERE engineer_id IS NOT NULL ORDER BY random() LIMIT 1)),
				coalesce(p.id, 0), coalesce(p.quantity, 0)
			FROM assignments x LEFT JOIN part_reservations p ON p.assignment_id = x.id AND p.state = 'reserved' AND $1
			WHERE x.state IN `+activeStates+` ORDER BY random() LIMIT 1`, r.IntN(3) > 0).
			Scan(&job, &incident, &stockID, &reservation, &qty)
		if err != nil {
			return err
		}
		var state string
		if err := tx.QueryRow(ctx, `SELECT x.state FROM incidents i JOIN assignments x ON x.incident_id = i.id
			WHERE i.id = $1 AND x.id = $2 FOR UPDATE OF i`, incident, job).Scan(&state); err != nil {
			return err
		}
		if !aftercare.AssignmentState(state).Active() {
			return aftercare.Errorf(aftercare.ECONFLICT, "the job ended meanwhile")
		}
		if reservation != 0 {
			if err := tx.QueryRow(ctx, `SELECT quantity FROM part_reservations WHERE id = $1 AND state = 'reserved' FOR UPDATE`,
				reservation).Scan(&qty); err != nil {
				return err
			}
		}
		rows, err := lockStockRows(ctx, tx, stockID)
		if err != nil {
			return err
		}
		l := rows[stockID]
		_, err = consumeUnit(ctx, tx, stockSource{id: l.ID, partID: l.PartID, onHand: l.OnHand, reservedUnits: l.Reserved},
			job, reservation, qty)
		return err
	})
}

// TestStockLedgerHoldsUnderRandomMovements applies 10,000 random
// movements from four connections at once and checks that every stock
// row is its ledger's sum with nothing negative, that every refused
// movement was refused with a code a client can act on, and that refused
// movements wrote nothing: the ledger holds exactly the rows the accepted
// ones wrote.
func TestStockLedgerHoldsUnderRandomMovements(t *testing.T) {
	w := mustLedgerWorld(t)
	const workers = 4
	total := 10000
	if testing.Short() {
		total = 1000
	}
	ops := w.ops()
	var weights []int
	for _, o := range ops {
		weights = append(weights, o.weight)
	}
	start := queryInt(t, w.db, `SELECT count(*) FROM stock_movements`)
	var mu sync.Mutex
	written, accepted := int64(0), 0
	refused := map[string]int{}
	var deadlocks []string
	var wg sync.WaitGroup
	for worker := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(42, uint64(worker)))
			for range total / workers {
				n, err := ops[weightedIndex(r, weights)].op(w.admin, r)
				mu.Lock()
				switch pe := (*pgconn.PgError)(nil); {
				case err == nil:
					written += int64(n)
					accepted++
				case errors.As(err, &pe) && pe.Code == "40P01":
					deadlocks = append(deadlocks, pe.Detail)
				default:
					refused[aftercare.ErrorCode(err)]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Logf("%d movements accepted, writing %d ledger rows; refused: %v", accepted, written, refused)
	assert.Empty(t, deadlocks, "writers of stock take their locks in one order")
	assert.Zero(t, refused[aftercare.EINTERNAL], "every refusal has a code a client can act on")
	assert.Greater(t, accepted, total/2, "most movements go through")
	assert.Positive(t, refused[aftercare.ECONFLICT], "some would go negative and are refused")
	assert.Positive(t, refused[aftercare.EINVALID], "unknown parts are refused")
	assert.Equal(t, start+written, queryInt(t, w.db, `SELECT count(*) FROM stock_movements`),
		"the ledger holds what accepted movements wrote, and nothing of the refused")
	assert.Equal(t, int64(3), queryInt(t, w.db, `SELECT count(DISTINCT kind) FROM stock_movements WHERE kind IN
		('reservation', 'release', 'consumption')`), "jobs moved stock")
	assertStockLedger(t, w.db)
}

// TestOverridesAcrossDepotsTakeLocksInOneOrder overrides two jobs at once
// that cross between two depots: the first releases its part at depot A
// and reserves one at depot B, the second releases at B and reserves at
// A. A transaction holding both depots' stock rows makes both overrides
// wait once they have started, so they go on together when it ends: both
// must get through, neither chosen as a deadlock's victim.
func TestOverridesAcrossDepotsTakeLocksInOneOrder(t *testing.T) {
	w := mustLedgerWorld(t)
	ctx := w.admin
	depotA, depotB := w.depots[2], w.depots[3]
	need := []aftercare.PartNeed{{PartID: w.parts[0], Quantity: 1}}
	var rows []int64
	for _, depot := range []string{depotA, depotB} {
		m, err := w.s.ReceiveStock(ctx, aftercare.StockReceipt{DepotID: depot, FRU: w.frus[0], Quantity: 4})
		require.NoError(t, err)
		rows = append(rows, m.StockID)
	}
	dispatch := func(incident, engineer, depot, reason string) error {
		return mapError(w.db.inTx(ctx, func(tx pgx.Tx) error {
			_, err := createAssignment(ctx, tx, aftercare.AssignmentCreate{IncidentID: incident, EngineerID: engineer,
				ETA: time.Now().Add(time.Hour), DistanceKm: 3, DepotID: depot, FromDepot: need, OverrideReason: reason})
			return err
		}))
	}
	require.NoError(t, dispatch(w.incidents[0], w.engineers[1], depotA, ""))
	require.NoError(t, dispatch(w.incidents[1], w.engineers[2], depotB, ""))

	holder, err := w.db.pool.Begin(context.Background())
	require.NoError(t, err)
	defer holder.Rollback(context.Background())
	_, err = holder.Exec(context.Background(), `SELECT 1 FROM stock WHERE id = ANY($1) FOR UPDATE`, rows)
	require.NoError(t, err)

	done := make(chan error, 2)
	go func() { done <- dispatch(w.incidents[0], w.engineers[3], depotB, "crossing to B") }()
	go func() { done <- dispatch(w.incidents[1], w.engineers[4], depotA, "crossing to A") }()
	require.Eventually(t, func() bool {
		return queryInt(t, w.db, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 2
	}, 10*time.Second, 10*time.Millisecond, "both overrides wait")
	require.NoError(t, holder.Commit(context.Background()))
	for range 2 {
		assert.NoError(t, <-done)
	}
	assertStockLedger(t, w.db)
}

// TestStockMovesPastALockOfTheHomeDepot moves stock into a van while
// another transaction holds the depot the van's engineer is based at, as
// an override does that reserves there: the transfer adds a row to the
// van and moves stock into it, updating the engineer's row twice, and
// PostgreSQL checks the engineer's home depot on the second update. The
// transfer must not wait for that depot, or the two would wait for each
// other once the override went on to the transfer's depot.
func TestStockMovesPastALockOfTheHomeDepot(t *testing.T) {
	w := mustLedgerWorld(t)
	depot, engineer := w.depots[2], w.engineers[5]
	_, err := w.s.ReceiveStock(w.admin, aftercare.StockReceipt{DepotID: depot, FRU: w.frus[2], Quantity: 4})
	require.NoError(t, err)
	holder, err := w.db.pool.Begin(context.Background())
	require.NoError(t, err)
	defer holder.Rollback(context.Background())
	require.NoError(t, lockPlaces(context.Background(), holder, nil, []string{w.depotID}))

	ctx, cancel := context.WithTimeout(w.admin, 5*time.Second)
	defer cancel()
	_, err = w.s.TransferStock(ctx, aftercare.StockTransfer{DepotID: depot, EngineerID: engineer, FRU: w.frus[2],
		Quantity: 2, ToVan: true})
	assert.NoError(t, err, "the transfer does not wait for the engineer's home depot")
}

// weightedIndex draws an index into weights in proportion to them.
func weightedIndex(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
