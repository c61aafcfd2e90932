package postgres

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReturnedPartsComeBackThroughTheLedger installs two drives on site,
// each replacing a failed one, and follows the failed drives back: they
// await receipt at the engineer's home depot (for that region's
// dispatchers), one comes back good and goes on hand, the other defective
// and is held for the vendor until shipped; each is received once, and
// the consumption, the returns and the shipment are ledger movements.
func TestReturnedPartsComeBackThroughTheLedger(t *testing.T) {
	w := mustStockWorld(t, "RETURN")
	rs := NewRepairService(w.db)
	inc := mustIncident(t, w.db, w.coveredSerial, "ret-1", "wang@example.com", aftercare.StatusOnSite)
	mustAssignment(t, w.db, w.repairFixture, inc.ID)
	used, err := rs.RecordPartUsed(w.engineerCtx, aftercare.PartUse{IncidentID: inc.ID, FRU: w.driveFRU, SerialNumber: "WX5001",
		RemovedSerialNumber: "WX0001"})
	require.NoError(t, err)
	_, err = rs.RecordPartUsed(w.engineerCtx, aftercare.PartUse{IncidentID: inc.ID, FRU: w.driveFRU, SerialNumber: "WX5002",
		StockID: w.vanDrive, RemovedSerialNumber: "WX0002"})
	require.NoError(t, err)
	assert.Equal(t, []aftercare.StockMovementKind{aftercare.MovementReceipt, aftercare.MovementReservation,
		aftercare.MovementConsumption, aftercare.MovementConsumption}, ledgerKinds(t, w.db, w.vanDrive))
	ms, _, err := w.s.FindStockMovements(w.admin, aftercare.StockMovementFilter{StockID: w.vanDrive})
	require.NoError(t, err)
	assert.Equal(t, [3]int{-1, -1, 0}, [3]int{ms[1].OnHandDelta, ms[1].ReservedDelta, ms[1].OnHandAfter - 1},
		"the reserved unit: on hand and reserved down by one")
	assert.Equal(t, used.ReservationID, ms[1].ReservationID)
	assert.Equal(t, inc.ID, ms[1].IncidentID, "the job's incident")
	assert.Equal(t, w.engineerUserID, ms[1].ActorID)
	assert.Equal(t, [2]int{-1, 0}, [2]int{ms[0].OnHandDelta, ms[0].ReservedDelta}, "an unreserved unit")

	awaiting, _, err := w.s.FindStockReturns(w.dispEastCtx, aftercare.StockReturnFilter{DepotID: w.depotID})
	require.NoError(t, err)
	require.Len(t, awaiting, 2)
	good, bad := awaiting[0], awaiting[1]
	assert.Equal(t, "WX0001", good.SerialNumber)
	assert.Equal(t, aftercare.ReturnAwaitingReceipt, good.State)
	assert.Equal(t, w.depotID, good.DepotID, "a van's failed part goes to the engineer's home depot")
	assert.Equal(t, inc.Number, good.IncidentNumber)
	for name, ctx := range map[string]context.Context{"north": w.northCtx, "engineer": w.engineerCtx} {
		none, _, err := w.s.FindStockReturns(ctx, aftercare.StockReturnFilter{})
		require.NoError(t, err)
		assert.Empty(t, none, "%s sees no return bound for an east depot", name)
	}
	_, err = w.s.ReceivePartReturn(w.northCtx, aftercare.PartReturnReceipt{ReturnID: good.ID, Condition: aftercare.ReturnGood})
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "another region's dispatcher does not see it")
	_, err = w.s.ReceivePartReturn(w.dispEastCtx, aftercare.PartReturnReceipt{ReturnID: 999999, Condition: aftercare.ReturnGood})
	assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
	_, err = w.s.ReceivePartReturn(w.dispEastCtx, aftercare.PartReturnReceipt{ReturnID: good.ID, Condition: "broken"})
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))

	before := stockOf(t, w.db, w.depotDrive)
	got, err := w.s.ReceivePartReturn(w.dispEastCtx, aftercare.PartReturnReceipt{ReturnID: good.ID, Condition: aftercare.ReturnGood,
		Note: "no fault found"})
	require.NoError(t, err)
	assert.Equal(t, aftercare.ReturnReceivedGood, got.State)
	assert.Equal(t, stockDispEast, got.ReceivedBy)
	assert.Equal(t, [2]int{before[0] + 1, before[1]}, stockOf(t, w.db, w.depotDrive), "good stock goes on hand")
	ms, _, err = w.s.FindStockMovements(w.dispEastCtx, aftercare.StockMovementFilter{StockID: w.depotDrive})
	require.NoError(t, err)
	assert.Equal(t, aftercare.MovementReturn, ms[0].Kind)
	assert.Equal(t, "WX0001", ms[0].SerialNumber)
	assert.Equal(t, good.ID, ms[0].PartReturnID)
	assert.Equal(t, got.MovementID, ms[0].ID)
	_, err = w.s.ReceivePartReturn(w.dispEastCtx, aftercare.PartReturnReceipt{ReturnID: good.ID, Condition: aftercare.ReturnGood})
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "received once")

	got, err = w.s.ReceivePartReturn(w.dispEastCtx, aftercare.PartReturnReceipt{ReturnID: bad.ID, Condition: aftercare.ReturnDefective})
	require.NoError(t, err)
	assert.Equal(t, aftercare.ReturnReceivedDefective, got.State)
	level, err := w.s.FindStockLevel(w.dispEastCtx, w.depotDrive)
	require.NoError(t, err)
	assert.Equal(t, [2]int{before[0] + 1, 1}, [2]int{level.OnHand, level.HeldForVendor}, "defective: held, not on hand")
	left, _, err := w.s.FindStockReturns(w.dispEastCtx, aftercare.StockReturnFilter{})
	require.NoError(t, err)
	assert.Empty(t, left, "nothing awaits receipt")

	shipped, err := w.s.ShipToVendor(w.dispEastCtx, aftercare.VendorShipment{DepotID: w.depotID, FRU: w.driveFRU, Quantity: 1,
		Reference: "RMA-77"})
	require.NoError(t, err)
	assert.Equal(t, [2]int{-1, 0}, [2]int{shipped.HeldDelta, shipped.HeldAfter}, "the held unit leaves for the vendor")
	assertStockLedger(t, w.db)
}

// TestAKeptDriveIsNotReceived checks that a drive the customer keeps
// never awaits receipt and cannot be received.
func TestAKeptDriveIsNotReceived(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustRepairFixture(t, db, "KEPT", "platinum", true)
	inc := mustIncident(t, db, f.coveredSerial, "kept-1", "wang@example.com", aftercare.StatusOnSite)
	mustAssignment(t, db, f, inc.ID)
	used, err := NewRepairService(db).RecordPartUsed(asEngineer(f), aftercare.PartUse{IncidentID: inc.ID, FRU: f.driveFRU,
		SerialNumber: "WX6001", RemovedSerialNumber: "WX0006"})
	require.NoError(t, err)
	require.Equal(t, aftercare.KeptByCustomer, used.Return.Disposition)
	s := NewStockService(db)
	awaiting, _, err := s.FindStockReturns(context.Background(), aftercare.StockReturnFilter{})
	require.NoError(t, err)
	assert.Empty(t, awaiting)
	_, err = s.ReceivePartReturn(context.Background(), aftercare.PartReturnReceipt{ReturnID: used.Return.ID, Condition: aftercare.ReturnGood})
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "the customer keeps it")
}
