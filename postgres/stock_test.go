package postgres

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stockWorld is a repair fixture (depot and engineer in region east) with
// a depot in region north and a dispatcher in each region.
type stockWorld struct {
	repairFixture
	db                     *DB
	s                      *StockService
	northDepot             string
	dispEastCtx, northCtx  context.Context
	admin                  context.Context
	engineerCtx, otherVanC context.Context
}

const (
	stockDispEast  = "00000000-0000-4000-8000-0000000005e1"
	stockDispEast2 = "00000000-0000-4000-8000-0000000005e2"
	stockDispNorth = "00000000-0000-4000-8000-0000000005a1"
	stockNorth     = "00000000-0000-4000-8000-0000000005d1"
)

func mustStockWorld(t *testing.T, code string) *stockWorld {
	t.Helper()
	db := mustTestDB(t, nil)
	w := &stockWorld{repairFixture: mustRepairFixture(t, db, code, "platinum", false), db: db, s: NewStockService(db),
		northDepot: stockNorth}
	require.NoError(t, db.ExecScript(context.Background(), `
		INSERT INTO regions VALUES ('north', 'North China') ON CONFLICT DO NOTHING;
		INSERT INTO depots (id, code, name, city, region, lat, lng, time_zone)
			VALUES ('`+stockNorth+`', 'D-NORTH', 'Beijing depot', 'Beijing', 'north', 39.9, 116.4, 'Asia/Shanghai');
		INSERT INTO users (id, username, display_name, email, role) VALUES
			('`+stockDispEast+`', 'dispatcher.east', 'Zhou Min', 'zhou@aftercare.example', 'dispatcher'),
			('`+stockDispEast2+`', 'dispatcher.east2', 'Qian Yu', 'qian@aftercare.example', 'dispatcher'),
			('`+stockDispNorth+`', 'dispatcher.north', 'Sun Lei', 'sun@aftercare.example', 'dispatcher');
		INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
			('g', 'user:`+stockDispEast+`', 'dispatcher', 'region:east'),
			('g', 'user:`+stockDispEast2+`', 'dispatcher', 'region:east'),
			('g', 'user:`+stockDispNorth+`', 'dispatcher', 'region:north');`))
	w.dispEastCtx = asDispatcher(stockDispEast, "east")
	w.northCtx = asDispatcher(stockDispNorth, "north")
	w.admin = aftercare.NewContextWithUser(context.Background(), &aftercare.User{ID: w.userID, Role: aftercare.RoleAdmin})
	w.engineerCtx = asEngineer(w.repairFixture)
	w.otherVanC = aftercare.NewContextWithScope(context.Background(), &aftercare.Scope{EngineerID: newID()})
	return w
}

// asDispatcher returns a context of a dispatcher of one region.
func asDispatcher(userID, region string) context.Context {
	ctx := aftercare.NewContextWithUser(context.Background(), &aftercare.User{ID: userID, Role: aftercare.RoleDispatcher})
	return aftercare.NewContextWithScope(ctx, &aftercare.Scope{UserID: userID, Regions: []string{region}})
}

// ledgerKinds returns the kinds of a stock row's movements, oldest first.
func ledgerKinds(t *testing.T, db *DB, stockID int64) []aftercare.StockMovementKind {
	t.Helper()
	ms, _, err := NewStockService(db).FindStockMovements(context.Background(),
		aftercare.StockMovementFilter{StockID: stockID, Page: aftercare.PageRequest{First: 500}})
	require.NoError(t, err)
	out := make([]aftercare.StockMovementKind, len(ms))
	for i, m := range ms {
		out[len(ms)-1-i] = m.Kind
	}
	return out
}

// TestStockMovesThroughTheLedger receives stock at a depot, moves it to a
// van and back, adjusts it, and reads every step back from the ledger
// with its actor, its balance and its audit event.
func TestStockMovesThroughTheLedger(t *testing.T) {
	w := mustStockWorld(t, "LEDGER")
	ctx := w.dispEastCtx

	in, err := w.s.ReceiveStock(ctx, aftercare.StockReceipt{DepotID: w.depotID, FRU: " " + w.psuFRU, Quantity: 5,
		Reference: "DN-2026-0042"})
	require.NoError(t, err)
	assert.Equal(t, w.depotPSU, in.StockID)
	assert.Equal(t, aftercare.MovementReceipt, in.Kind)
	assert.Equal(t, [3]int{5, 8, 0}, [3]int{in.OnHandDelta, in.OnHandAfter, in.ReservedAfter})
	assert.Equal(t, stockDispEast, in.ActorID)
	assert.Equal(t, "DN-2026-0042", in.Reason)

	tr, err := w.s.TransferStock(ctx, aftercare.StockTransfer{DepotID: w.depotID, EngineerID: w.engineerID, FRU: w.psuFRU,
		Quantity: 3, ToVan: true, Reason: "van top-up"})
	require.NoError(t, err)
	assert.Equal(t, [2]int{-3, 5}, [2]int{tr.Out.OnHandDelta, tr.Out.OnHandAfter}, "out of the depot")
	assert.Equal(t, [2]int{3, 3}, [2]int{tr.In.OnHandDelta, tr.In.OnHandAfter}, "into a van row made for it")
	assert.Equal(t, tr.Out.TransferID, tr.In.TransferID, "the halves share the transfer")
	van, err := w.s.FindStockLevel(w.admin, tr.In.StockID)
	require.NoError(t, err)
	assert.Equal(t, w.engineerID, van.EngineerID)

	back, err := w.s.TransferStock(ctx, aftercare.StockTransfer{DepotID: w.depotID, EngineerID: w.engineerID, FRU: w.psuFRU,
		Quantity: 1})
	require.NoError(t, err)
	assert.Equal(t, van.ID, back.Out.StockID, "van → depot")
	assert.Equal(t, 6, back.In.OnHandAfter)

	adj, err := w.s.AdjustStock(ctx, aftercare.StockAdjustment{StockID: w.depotPSU, Delta: -2, Reason: "cycle count: 2 missing"})
	require.NoError(t, err)
	assert.Equal(t, 4, adj.OnHandAfter)

	assert.Equal(t, []aftercare.StockMovementKind{aftercare.MovementReceipt, aftercare.MovementReceipt,
		aftercare.MovementTransferOut, aftercare.MovementTransferIn, aftercare.MovementAdjustment}, ledgerKinds(t, w.db, w.depotPSU),
		"the fixture's receipt, then every movement of the depot's row")
	assert.Equal(t, []aftercare.StockMovementKind{aftercare.MovementTransferIn, aftercare.MovementTransferOut},
		ledgerKinds(t, w.db, van.ID))
	page, info, err := w.s.FindStockMovements(ctx, aftercare.StockMovementFilter{StockID: w.depotPSU,
		Page: aftercare.PageRequest{First: 2}})
	require.NoError(t, err)
	require.Len(t, page, 2)
	assert.Equal(t, adj.ID, page[0].ID, "newest first")
	rest, _, err := w.s.FindStockMovements(ctx, aftercare.StockMovementFilter{StockID: w.depotPSU,
		Page: aftercare.PageRequest{First: 10, After: info.EndCursor}})
	require.NoError(t, err)
	assert.Len(t, rest, 3)
	assert.Equal(t, int64(4), queryInt(t, w.db,
		`SELECT count(*) FROM audit_events WHERE object_type = 'stock' AND action LIKE 'stock.%'`), "each action is audited")
	assertStockLedger(t, w.db)
}

// TestRefusedMovementsWriteNothing tries what the ledger must refuse, and
// checks that each is refused with its code and leaves the ledger, the
// stock rows and the audit log as they were.
func TestRefusedMovementsWriteNothing(t *testing.T) {
	w := mustStockWorld(t, "REFUSE")
	ctx := w.dispEastCtx
	mustReserve(t, w, mustJob(t, w), "depot_id", w.depotID, w.psuID, 1)
	point := -1
	for _, tt := range []struct {
		name string
		code string
		do   func() error
	}{
		{"unknown part", aftercare.EINVALID, func() error {
			_, err := w.s.ReceiveStock(ctx, aftercare.StockReceipt{DepotID: w.depotID, FRU: "99NOPART9", Quantity: 1})
			return err
		}},
		{"no quantity", aftercare.EINVALID, func() error {
			_, err := w.s.ReceiveStock(ctx, aftercare.StockReceipt{DepotID: w.depotID, FRU: w.psuFRU})
			return err
		}},
		{"unknown depot", aftercare.ENOTFOUND, func() error {
			_, err := w.s.ReceiveStock(ctx, aftercare.StockReceipt{DepotID: newID(), FRU: w.psuFRU, Quantity: 1})
			return err
		}},
		{"another region's depot", aftercare.ENOTFOUND, func() error {
			_, err := w.s.ReceiveStock(w.northCtx, aftercare.StockReceipt{DepotID: w.depotID, FRU: w.psuFRU, Quantity: 1})
			return err
		}},
		{"more than is available (3 on hand, 1 reserved)", aftercare.ECONFLICT, func() error {
			_, err := w.s.TransferStock(ctx, aftercare.StockTransfer{DepotID: w.depotID, EngineerID: w.engineerID,
				FRU: w.psuFRU, Quantity: 3, ToVan: true})
			return err
		}},
		{"an empty van", aftercare.ECONFLICT, func() error {
			_, err := w.s.TransferStock(ctx, aftercare.StockTransfer{DepotID: w.depotID, EngineerID: w.engineerID,
				FRU: w.psuFRU, Quantity: 1})
			return err
		}},
		{"adjusting away reserved units", aftercare.ECONFLICT, func() error {
			_, err := w.s.AdjustStock(ctx, aftercare.StockAdjustment{StockID: w.depotPSU, Delta: -3, Reason: "lost"})
			return err
		}},
		{"an adjustment without a reason", aftercare.EINVALID, func() error {
			_, err := w.s.AdjustStock(ctx, aftercare.StockAdjustment{StockID: w.depotPSU, Delta: 1})
			return err
		}},
		{"another region's stock row", aftercare.ENOTFOUND, func() error {
			_, err := w.s.AdjustStock(w.northCtx, aftercare.StockAdjustment{StockID: w.depotPSU, Delta: 1, Reason: "found"})
			return err
		}},
		{"shipping what is not held", aftercare.ECONFLICT, func() error {
			_, err := w.s.ShipToVendor(ctx, aftercare.VendorShipment{DepotID: w.depotID, FRU: w.psuFRU, Quantity: 1,
				Reference: "RMA-1"})
			return err
		}},
		{"a negative reorder point", aftercare.EINVALID, func() error {
			_, err := w.s.SetReorderPoint(ctx, aftercare.ReorderPointChange{DepotID: w.depotID, FRU: w.psuFRU, Point: &point})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := ledgerState(t, w.db)
			err := tt.do()
			assert.Equal(t, tt.code, aftercare.ErrorCode(err), "%v", err)
			assert.Equal(t, before, ledgerState(t, w.db), "nothing written")
		})
	}
	assertStockLedger(t, w.db)
}

// ledgerState sums up the ledger, the stock rows and the audit log, to
// compare before and after something that must write nothing.
func ledgerState(t *testing.T, db *DB) [4]int64 {
	t.Helper()
	return [4]int64{
		queryInt(t, db, `SELECT count(*) FROM stock_movements`),
		queryInt(t, db, `SELECT count(*) FROM stock`),
		queryInt(t, db, `SELECT coalesce(sum(on_hand * 1000 + reserved * 10 + held_for_vendor), 0) FROM stock`),
		queryInt(t, db, `SELECT count(*) FROM audit_events`),
	}
}

// mustJob files an incident of the fixture and gives it to the fixture's
// engineer with nothing reserved, and returns the job's ID.
func mustJob(t *testing.T, w *stockWorld) string {
	t.Helper()
	inc := mustIncident(t, w.db, w.coveredSerial, "job-"+newID(), "wang@example.com", aftercare.StatusDispatched)
	id := newID()
	_, err := w.db.pool.Exec(context.Background(), `
		INSERT INTO assignments (id, incident_id, engineer_id, state, eta, distance_km) VALUES ($1, $2, $3, 'accepted', now(), 3)`,
		id, inc.ID, w.engineerID)
	require.NoError(t, err)
	return id
}

// mustReserve reserves units of a part at a depot or van for a job, as
// dispatch does.
func mustReserve(t *testing.T, w *stockWorld, jobID, column, placeID, partID string, n int) {
	t.Helper()
	require.NoError(t, w.db.inTx(context.Background(), func(tx pgx.Tx) error {
		return reserveParts(context.Background(), tx, jobID, column, placeID, column, []aftercare.PartNeed{{PartID: partID, Quantity: n}})
	}))
}

// TestStockIsScopedByRegionAndVan checks who reads which ledger: a
// dispatcher their regions' depots and vans, an engineer their own van.
func TestStockIsScopedByRegionAndVan(t *testing.T) {
	w := mustStockWorld(t, "SCOPE")
	north, err := w.s.ReceiveStock(w.northCtx, aftercare.StockReceipt{DepotID: w.northDepot, FRU: w.psuFRU, Quantity: 2})
	require.NoError(t, err)
	for _, tt := range []struct {
		name  string
		ctx   context.Context
		stock int64
		sees  bool
	}{
		{"east dispatcher, east depot", w.dispEastCtx, w.depotPSU, true},
		{"east dispatcher, east van", w.dispEastCtx, w.vanDrive, true},
		{"east dispatcher, north depot", w.dispEastCtx, north.StockID, false},
		{"north dispatcher, north depot", w.northCtx, north.StockID, true},
		{"north dispatcher, east van", w.northCtx, w.vanDrive, false},
		{"engineer, own van", w.engineerCtx, w.vanDrive, true},
		{"engineer, a depot", w.engineerCtx, w.depotPSU, false},
		{"another engineer, the van", w.otherVanC, w.vanDrive, false},
		{"admin, anything", w.admin, north.StockID, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ms, _, err := w.s.FindStockMovements(tt.ctx, aftercare.StockMovementFilter{StockID: tt.stock})
			if tt.sees {
				require.NoError(t, err)
				assert.NotEmpty(t, ms)
				return
			}
			assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "exactly as a missing row")
		})
	}
	_, err = w.s.TransferStock(w.northCtx, aftercare.StockTransfer{DepotID: w.northDepot, EngineerID: w.engineerID,
		FRU: w.psuFRU, Quantity: 1, ToVan: true})
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "a van of another region's engineer")
}

// assertStockLedger checks that the ledger holds (DB.CheckStockLedger).
func assertStockLedger(t *testing.T, db *DB) {
	t.Helper()
	problems, err := db.CheckStockLedger(context.Background())
	require.NoError(t, err)
	assert.Empty(t, problems, "the stock ledger holds")
}

// queryInt runs a query that returns one integer.
func queryInt(t *testing.T, db *DB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.pool.QueryRow(context.Background(), sql, args...).Scan(&n), sql)
	return n
}

// TestStockChangesOnlyThroughTheLedger checks that the schema refuses
// every way around the ledger: a stock row created holding units, a
// quantity changed in place, a movement changed or deleted.
func TestStockChangesOnlyThroughTheLedger(t *testing.T) {
	w := mustStockWorld(t, "GUARD")
	ctx := context.Background()
	for _, sql := range []string{
		`UPDATE stock SET on_hand = on_hand + 1 WHERE id = $1`,
		`UPDATE stock SET reserved = 1 WHERE id = $1`,
		`UPDATE stock SET held_for_vendor = 1 WHERE id = $1`,
		`INSERT INTO stock (part_id, depot_id, on_hand) SELECT part_id, '` + stockNorth + `', 4 FROM stock WHERE id = $1`,
		`UPDATE stock_movements SET on_hand_delta = on_hand_delta + 1 WHERE stock_id = $1`,
		`DELETE FROM stock_movements WHERE stock_id = $1`,
	} {
		before := ledgerState(t, w.db)
		_, err := w.db.pool.Exec(ctx, sql, w.depotPSU)
		assert.Error(t, err, sql)
		assert.Equal(t, before, ledgerState(t, w.db), "%s changed nothing", sql)
	}
	_, err := w.db.pool.Exec(ctx, `UPDATE stock SET reorder_point = 2 WHERE id = $1`, w.depotPSU)
	assert.NoError(t, err, "what is not a quantity may change")
	assertStockLedger(t, w.db)
}
