package postgres

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stockAlerts returns the stock alert notifications of a stock row by
// recipient user, and the broadcasts written for webhooks.
func stockAlerts(t *testing.T, db *DB, stockID int64) (byUser map[string][]int, broadcasts []aftercare.WebhookBroadcast) {
	t.Helper()
	ctx := context.Background()
	byUser = map[string][]int{}
	rows, err := db.pool.Query(ctx, `SELECT user_id::text, stock_crossing FROM notifications
		WHERE kind = 'stock_alert' AND stock_id = $1 ORDER BY id`, stockID)
	require.NoError(t, err)
	for rows.Next() {
		var user string
		var crossing int
		require.NoError(t, rows.Scan(&user, &crossing))
		byUser[user] = append(byUser[user], crossing)
	}
	require.NoError(t, rows.Err())
	rows, err = db.pool.Query(ctx, `SELECT payload FROM outbox WHERE topic = $1 ORDER BY id`, aftercare.OutboxTopicWebhookBroadcast)
	require.NoError(t, err)
	for rows.Next() {
		var b aftercare.WebhookBroadcast
		var raw []byte
		require.NoError(t, rows.Scan(&raw))
		require.NoError(t, json.Unmarshal(raw, &b))
		broadcasts = append(broadcasts, b)
	}
	require.NoError(t, rows.Err())
	return byUser, broadcasts
}

// TestReorderPointAlertsOncePerCrossing walks a depot's stock row across
// its reorder point: each time it falls below, the region's dispatchers
// (and no other) are told once, and the webhooks through one broadcast;
// movements that stay below tell nobody; coming back up re-arms it.
func TestReorderPointAlertsOncePerCrossing(t *testing.T) {
	w := mustStockWorld(t, "REORDER")
	ctx := w.dispEastCtx
	three := 3
	level, err := w.s.SetReorderPoint(ctx, aftercare.ReorderPointChange{DepotID: w.depotID, FRU: w.psuFRU, Point: &three})
	require.NoError(t, err)
	assert.Equal(t, w.depotPSU, level.ID)
	assert.False(t, level.BelowReorderPoint, "3 available, not below 3")

	move := func(toVan bool, n int) *aftercare.StockTransferResult {
		t.Helper()
		tr, err := w.s.TransferStock(ctx, aftercare.StockTransfer{DepotID: w.depotID, EngineerID: w.engineerID, FRU: w.psuFRU,
			Quantity: n, ToVan: toVan})
		require.NoError(t, err)
		return tr
	}
	first := move(true, 1)
	assert.True(t, first.Out.FellBelowReorderPoint, "3 → 2 falls below 3")
	byUser, broadcasts := stockAlerts(t, w.db, w.depotPSU)
	assert.Equal(t, map[string][]int{stockDispEast: {1}, stockDispEast2: {1}}, byUser,
		"each dispatcher of the depot's region, once; not the north's")
	require.Len(t, broadcasts, 1, "one broadcast for the webhooks")
	var body map[string]any
	require.NoError(t, json.Unmarshal(broadcasts[0].Body, &body))
	assert.Equal(t, "stock.below_reorder_point", body["kind"])
	assert.Equal(t, w.psuFRU, body["fru"])
	assert.EqualValues(t, 2, body["available"])
	assert.EqualValues(t, 3, body["reorder_point"])
	assert.EqualValues(t, first.Out.ID, body["movement_id"])
	assert.Len(t, body["recipients"], 2)

	second := move(true, 1)
	assert.False(t, second.Out.FellBelowReorderPoint, "still below: no second crossing")
	_, err = w.s.AdjustStock(ctx, aftercare.StockAdjustment{StockID: w.depotPSU, Delta: -1, Reason: "dropped"})
	require.NoError(t, err)
	byUser, broadcasts = stockAlerts(t, w.db, w.depotPSU)
	assert.Equal(t, map[string][]int{stockDispEast: {1}, stockDispEast2: {1}}, byUser, "movements below tell nobody")
	assert.Len(t, broadcasts, 1)

	_, err = w.s.ReceiveStock(ctx, aftercare.StockReceipt{DepotID: w.depotID, FRU: w.psuFRU, Quantity: 3})
	require.NoError(t, err)
	level, err = w.s.FindStockLevel(ctx, w.depotPSU)
	require.NoError(t, err)
	assert.False(t, level.BelowReorderPoint, "back at 3: re-armed")
	again := move(true, 1)
	assert.True(t, again.Out.FellBelowReorderPoint, "the second crossing")
	byUser, _ = stockAlerts(t, w.db, w.depotPSU)
	assert.Equal(t, map[string][]int{stockDispEast: {1, 2}, stockDispEast2: {1, 2}}, byUser)

	move(false, 1)
	five := 5
	level, err = w.s.SetReorderPoint(ctx, aftercare.ReorderPointChange{DepotID: w.depotID, FRU: w.psuFRU, Point: &five})
	require.NoError(t, err)
	assert.True(t, level.BelowReorderPoint, "raising the point above 3 available is a crossing too")
	byUser, broadcasts = stockAlerts(t, w.db, w.depotPSU)
	assert.Equal(t, []int{1, 2, 3}, byUser[stockDispEast])
	assert.Len(t, broadcasts, 3)
	level, err = w.s.SetReorderPoint(ctx, aftercare.ReorderPointChange{DepotID: w.depotID, FRU: w.psuFRU})
	require.NoError(t, err)
	assert.Nil(t, level.ReorderPoint, "cleared")
	assert.False(t, level.BelowReorderPoint)

	mine, _, err := NewNotificationService(w.db).FindMyNotifications(ctx, aftercare.PageRequest{First: 10})
	require.NoError(t, err)
	require.Len(t, mine, 3, "the dispatcher reads their alerts")
	n := mine[2]
	assert.Equal(t, aftercare.NotificationStockAlert, n.Kind)
	assert.Empty(t, n.IncidentID)
	require.NotNil(t, n.Stock)
	assert.Equal(t, aftercare.StockAlert{StockID: w.depotPSU, Crossing: 1, MovementID: first.Out.ID, PartID: w.psuID,
		FRU: w.psuFRU, DepotID: w.depotID, Available: 2, ReorderPoint: 3, At: n.Stock.At}, *n.Stock)
	assert.Zero(t, mine[0].Stock.MovementID, "the crossing the raised point made")
	north, _, err := NewNotificationService(w.db).FindMyNotifications(w.northCtx, aftercare.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, north, "another region's dispatcher is not told")
	_, err = w.s.SetReorderPoint(ctx, aftercare.ReorderPointChange{DepotID: w.depotID, FRU: w.psuFRU, Point: &five})
	require.NoError(t, err)
	assertStockLedger(t, w.db)
}

// TestReservationCrossesTheReorderPoint checks that dispatch's
// reservation, a movement of its own, alerts as well.
func TestReservationCrossesTheReorderPoint(t *testing.T) {
	w := mustStockWorld(t, "RESERVE")
	three := 3
	_, err := w.s.SetReorderPoint(w.dispEastCtx, aftercare.ReorderPointChange{DepotID: w.depotID, FRU: w.psuFRU, Point: &three})
	require.NoError(t, err)
	mustReserve(t, w, mustJob(t, w), "depot_id", w.depotID, w.psuID, 1)
	byUser, _ := stockAlerts(t, w.db, w.depotPSU)
	assert.Equal(t, map[string][]int{stockDispEast: {1}, stockDispEast2: {1}}, byUser)
	assert.Equal(t, []aftercare.StockMovementKind{aftercare.MovementReceipt, aftercare.MovementReservation},
		ledgerKinds(t, w.db, w.depotPSU))
}
