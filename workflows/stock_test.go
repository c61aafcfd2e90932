package workflows_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The race fixture's depot, and a part of its catalogue nobody stocks.
const (
	raceDepot     = "d0000000-0000-4000-8000-000000000001"
	unstockedPart = "b0000000-0000-4000-8000-0000000000f1"
	unstockedFRU  = "01RACEF1"
)

// TestAReceiptMakesThePartDispatchable needs a part nobody stocks: the
// dispatcher finds nobody, for want of the part. Once the part is received
// at the depot, the dispatcher's index follows the fleet feed and the
// incident goes to an engineer by way of the depot, whose stock the
// reservation then takes.
func TestAReceiptMakesThePartDispatchable(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, _ := raceFixture(t, db)
	ctx := context.Background()
	require.NoError(t, db.ExecScript(ctx, `
		INSERT INTO parts (id, fru, description, unit_price, currency)
			VALUES ('`+unstockedPart+`', '`+unstockedFRU+`', 'Fan module', 300, 'CNY');
		UPDATE incident_parts SET part_id = '`+unstockedPart+`' WHERE incident_id = '`+incidents[0]+`'`))
	d := newDispatcher(t, db)

	before, err := d.Candidates(ctx, incidents[0], 25)
	require.NoError(t, err)
	assert.Empty(t, before.Candidates, "nobody has the part, no depot holds it")
	assert.Positive(t, before.RejectionCounts["no_part"])

	_, err = postgres.NewStockService(db).ReceiveStock(ctx, aftercare.StockReceipt{DepotID: raceDepot, FRU: unstockedFRU,
		Quantity: 2, Reference: "DN-1"})
	require.NoError(t, err)
	require.NoError(t, d.Refresh(ctx), "the index follows the feed")
	after, err := d.Candidates(ctx, incidents[0], 25)
	require.NoError(t, err)
	require.NotEmpty(t, after.Candidates, "the part is in a depot now")
	assert.Equal(t, raceDepot, after.Candidates[0].DepotID, "by way of the depot")

	a, err := d.Assign(ctx, incidents[0], "", "")
	require.NoError(t, err)
	require.Len(t, a.Parts, 1)
	assert.Equal(t, raceDepot, a.Parts[0].DepotID)
	fleet, err := postgres.NewDispatchService(db).FleetChangesSince(ctx, "")
	require.NoError(t, err)
	for _, dep := range fleet.Depots {
		if dep.ID == raceDepot {
			assert.Equal(t, 1, dep.Stock[unstockedPart], "one received unit is reserved, one is left")
		}
	}
	postgrestest.AssertStockLedger(t, db)
}

// TestStockAlertReachesTheWebhooks lets a depot's stock fall below its
// reorder point and runs the webhook relay on the real outbox: the
// broadcast the crossing wrote becomes one delivery per configured
// webhook, each delivered once, with the alert and its recipients.
func TestStockAlertReachesTheWebhooks(t *testing.T) {
	db := postgrestest.MustOpen(t)
	_, partID := raceFixture(t, db)
	ctx := context.Background()
	require.NoError(t, db.ExecScript(ctx, `
		INSERT INTO users (id, username, display_name, email, role)
			VALUES ('00000000-0000-4000-8000-0000000000a1', 'dispatcher.east', 'Zhou Min', 'zhou@aftercare.example', 'dispatcher');
		INSERT INTO casbin_rule (ptype, v0, v1, v2)
			VALUES ('g', 'user:00000000-0000-4000-8000-0000000000a1', 'dispatcher', 'region:east')`))
	var mu sync.Mutex
	got := map[string][]map[string]any{}
	hook := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			var body map[string]any
			raw, _ := io.ReadAll(r.Body)
			assert.NoError(t, json.Unmarshal(raw, &body))
			body["_key"] = r.Header.Get(workflows.WebhookHeaderKey)
			mu.Lock()
			defer mu.Unlock()
			got[name] = append(got[name], body)
		}))
	}
	a, b := hook("a"), hook("b")
	defer a.Close()
	defer b.Close()

	stock := postgres.NewStockService(db)
	twelve := 12
	_, err := stock.SetReorderPoint(ctx, aftercare.ReorderPointChange{DepotID: raceDepot, FRU: "01RACE1", Point: &twelve})
	require.NoError(t, err, "10 available is below 12: a crossing")
	relay := &workflows.WebhookRelay{Outbox: db, Client: &http.Client{Timeout: time.Second},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Webhooks: []string{a.URL, b.URL},
		Lease: 5 * time.Second, PollInterval: 20 * time.Millisecond, BatchSize: 10,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = relay.Run(runCtx); close(done) }()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got["a"]) > 0 && len(got["b"]) > 0
	}, 10*time.Second, 20*time.Millisecond, "each webhook receives the alert")
	time.Sleep(300 * time.Millisecond) // long enough for a wrong second delivery
	cancel()
	<-done

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got["a"], 1, "delivered once")
	require.Len(t, got["b"], 1)
	alert := got["a"][0]
	assert.Equal(t, "stock.below_reorder_point", alert["kind"])
	assert.Equal(t, partID, alert["part_id"])
	assert.EqualValues(t, 10, alert["available"])
	assert.EqualValues(t, 12, alert["reorder_point"])
	assert.Nil(t, alert["movement_id"], "raising the reorder point made the crossing")
	require.Len(t, alert["recipients"], 1)
	assert.Equal(t, "zhou@aftercare.example", alert["recipients"].([]any)[0].(map[string]any)["email"])
	key := "stock-alert:" + jsonNumber(alert["stock_id"]) + ":1"
	assert.Equal(t, aftercare.WebhookDeliveryKey(key, a.URL), alert["_key"], "each URL's delivery has a key of its own")
	assert.Equal(t, aftercare.WebhookDeliveryKey(key, b.URL), got["b"][0]["_key"])
	assert.Equal(t, int64(0), postgrestest.MustQueryInt(t, db,
		`SELECT count(*) FROM outbox WHERE delivered_at IS NULL`), "the broadcast and its deliveries are done")
}

// jsonNumber formats a whole JSON number.
func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
