package main

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stockKey names a stock row by where it is ("depot:<id>" or
// "van:<engineer id>") and the part's FRU number.
type stockKey struct{ location, fru string }

// stockEntry is what the service day did to one stock row's units on
// hand, by the kind of movement.
type stockEntry struct {
	receipts, consumed, transfers, adjustments, returns int
}

// stockBook is the test's own account of the day's stock movements.
type stockBook map[stockKey]*stockEntry

func (b stockBook) add(key stockKey) *stockEntry {
	if b[key] == nil {
		b[key] = &stockEntry{}
	}
	return b[key]
}

// stockRow is a stock row's units as the database holds them.
type stockRow struct {
	id               int64
	onHand, reserved int
}

// readStock reads every stock row.
func readStock(t *testing.T, env *testEnv) map[stockKey]stockRow {
	t.Helper()
	out := map[stockKey]stockRow{}
	var key stockKey
	var row stockRow
	require.NoError(t, env.db.Query(context.Background(), `
		SELECT coalesce('depot:' || st.depot_id, 'van:' || st.engineer_id), p.fru, st.id, st.on_hand, st.reserved
		FROM stock st JOIN parts p ON p.id = st.part_id`, nil,
		[]any{&key.location, &key.fru, &row.id, &row.onHand, &row.reserved}, func() error {
			out[key] = row
			return nil
		}))
	return out
}

// depotIn returns the ID of a depot of the region.
func (d *serviceDay) depotIn(t *testing.T, region string) string {
	t.Helper()
	for _, e := range dig(d.do(t, d.admin, `{ depots(first: 500) { edges { node { id region } } } }`, nil), "depots", "edges").([]any) {
		if dig(e, "node", "region") == region {
			return dig(e, "node", "id").(string)
		}
	}
	t.Fatalf("no depot in region %s", region)
	return ""
}

// receive has the region's dispatcher receive a delivery at a depot.
func (d *serviceDay) receive(t *testing.T, region, depot, fru string, n int) {
	t.Helper()
	got := d.do(t, d.dispatcher(t, region), `mutation($d: ID!, $f: String!, $n: Int!) { receiveStock(input: {depotId: $d, fru: $f,
		quantity: $n, reference: "DN-DAY"}) { kind onHandDelta } }`, map[string]any{"d": depot, "f": fru, "n": n})
	assert.Equal(t, float64(n), dig(got, "receiveStock", "onHandDelta"))
	d.book.add(stockKey{"depot:" + depot, fru}).receipts += n
}

// transfer has the region's dispatcher move units between a depot and an
// engineer's van.
func (d *serviceDay) transfer(t *testing.T, region, depot, engineer, fru string, n int, direction string) {
	t.Helper()
	d.do(t, d.dispatcher(t, region), `mutation($d: ID!, $e: ID!, $f: String!, $n: Int!, $dir: TransferDirection!) {
		transferStock(input: {depotId: $d, engineerId: $e, fru: $f, quantity: $n, direction: $dir, reason: "van stock"}) {
		out { id } in { id } } }`, map[string]any{"d": depot, "e": engineer, "f": fru, "n": n, "dir": direction})
	from, to := "depot:"+depot, "van:"+engineer
	if direction == "VAN_TO_DEPOT" {
		from, to = to, from
	}
	d.book.add(stockKey{from, fru}).transfers -= n
	d.book.add(stockKey{to, fru}).transfers += n
}

// stockDepots receives two units of each of the day's parts at a depot of
// the region of the first incident needing it, and tops up the van of an
// engineer of that region with one of them.
func (d *serviceDay) stockDepots(t *testing.T, incidents []*dayIncident) {
	t.Helper()
	engineers := dig(d.do(t, d.admin, `{ engineers(first: 500) { edges { node { id region } } } }`, nil), "engineers", "edges").([]any)
	done := map[string]bool{}
	for _, inc := range incidents {
		if inc.fru == "" || done[inc.fru] {
			continue
		}
		done[inc.fru] = true
		depot := d.depotIn(t, inc.region)
		d.receive(t, inc.region, depot, inc.fru, 2)
		for _, e := range engineers {
			if dig(e, "node", "region") == inc.region {
				d.transfer(t, inc.region, depot, dig(e, "node", "id").(string), inc.fru, 1, "DEPOT_TO_VAN")
				break
			}
		}
	}
}

// receiveReturns has the administrator receive every failed part sent back
// to a depot, alternately as good stock and as defective for the vendor.
func (d *serviceDay) receiveReturns(t *testing.T) {
	t.Helper()
	edges := dig(d.do(t, d.admin, `{ returnsAwaitingReceipt(first: 200) { edges { node { id serialNumber fru depot { id } } } } }`, nil),
		"returnsAwaitingReceipt", "edges").([]any)
	require.NotEmpty(t, edges, "failed parts came back from the day's repairs")
	for i, e := range edges {
		condition, state := "GOOD", "RECEIVED_GOOD"
		if i%2 == 1 {
			condition, state = "DEFECTIVE", "RECEIVED_DEFECTIVE"
		}
		assert.Regexp(t, `^OLD\d{6}$`, dig(e, "node", "serialNumber"), "a part the day's engineers took out")
		got := d.do(t, d.admin, `mutation($r: Int!, $c: ReturnCondition!) { receivePartReturn(id: $r, condition: $c) { state } }`,
			map[string]any{"r": dig(e, "node", "id"), "c": condition})
		assert.Equal(t, state, dig(got, "receivePartReturn", "state"))
		if condition == "GOOD" {
			d.book.add(stockKey{"depot:" + dig(e, "node", "depot", "id").(string), dig(e, "node", "fru").(string)}).returns++
		}
	}
	left := dig(d.do(t, d.admin, `{ returnsAwaitingReceipt(first: 10) { edges { node { id } } } }`, nil), "returnsAwaitingReceipt", "edges")
	assert.Empty(t, left, "every return is received")
}

// restock ends the day at the depots: a van's unit goes back to its
// depot, and a depot's count is corrected both ways.
func (d *serviceDay) restock(t *testing.T) {
	t.Helper()
	rows := readStock(t, d.env)
	var van, depot stockKey
	for key := range d.book {
		if d.book[key].transfers > 0 && key.location[:4] == "van:" && rows[key].onHand-rows[key].reserved > 0 && van.fru == "" {
			van = key
		}
		if d.book[key].receipts > 0 && depot.fru == "" {
			depot = key
		}
	}
	require.NotEmpty(t, van.fru, "a van holds a unit the day moved into it")
	for key := range d.book {
		if key.fru == van.fru && key.location[:6] == "depot:" && d.book[key].transfers < 0 {
			region := dig(d.do(t, d.admin, `query($e: ID!) { engineer(id: $e) { region } }`, map[string]any{"e": van.location[4:]}),
				"engineer", "region").(string)
			d.transfer(t, region, key.location[6:], van.location[4:], van.fru, 1, "VAN_TO_DEPOT")
			break
		}
	}
	for _, delta := range []int{2, -1} {
		got := d.do(t, d.admin, `mutation($s: Int!, $n: Int!) { adjustStock(input: {stockId: $s, delta: $n, reason: "cycle count"}) {
			onHandDelta } }`, map[string]any{"s": rows[depot].id, "n": delta})
		assert.Equal(t, float64(delta), dig(got, "adjustStock", "onHandDelta"))
		d.book.add(depot).adjustments += delta
	}
}

// assertDayEnded checks that every incident ended as planned, every
// engineer is free, and no part is held for anyone.
func (d *serviceDay) assertDayEnded(t *testing.T, incidents []*dayIncident) {
	t.Helper()
	for _, inc := range incidents {
		want := "RESOLVED"
		switch inc.plan {
		case planCancelProposed, planCancelEnRoute, planCancelOnSite:
			want = "CANCELLED"
		}
		got := d.do(t, d.admin, `query($id: ID!) { incident(id: $id) { status } }`, map[string]any{"id": inc.id})
		assert.Equal(t, want, dig(got, "incident", "status"), "incident %s (%s, %s)", inc.id, inc.tier, inc.plan)
		assert.Empty(t, inc.job, "incident %s holds no job", inc.id)
	}
	d.assertLoads(t, incidents)
	assert.Zero(t, postgrestest.MustQueryInt(t, d.env.db, `SELECT count(*) FROM part_reservations WHERE state = 'reserved'`),
		"every reservation is consumed or released")
	assert.Positive(t, postgrestest.MustQueryInt(t, d.env.db, `SELECT count(*) FROM part_reservations WHERE state = 'consumed'`))
	assert.Positive(t, postgrestest.MustQueryInt(t, d.env.db, `SELECT count(*) FROM part_reservations WHERE state = 'released'`))
}

// assertBalances checks every stock row: the units on hand at the end are
// those at the start plus what the test's book says the day did, and
// nothing is held.
func (b stockBook) assertBalances(t *testing.T, start, end map[stockKey]stockRow) {
	t.Helper()
	keys := map[stockKey]bool{}
	for k := range start {
		keys[k] = true
	}
	for k := range end {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for k := range keys {
		e := b.add(k)
		want := start[k].onHand + e.receipts - e.consumed + e.transfers + e.adjustments + e.returns
		assert.Equal(t, want, end[k].onHand, "%s of %s: %d at the start, %+v", k.location, k.fru, start[k].onHand, *e)
		assert.Zero(t, end[k].reserved, "%s of %s holds nothing at the end", k.location, k.fru)
	}
}

// assertLedger checks that the ledger's movements since mark tell the
// day as the test's book does, kind by kind and row by row.
func (b stockBook) assertLedger(t *testing.T, env *testEnv, mark int64) {
	t.Helper()
	ledger := stockBook{}
	var key stockKey
	var kind string
	var sum int
	require.NoError(t, env.db.Query(context.Background(), `
		SELECT coalesce('depot:' || st.depot_id, 'van:' || st.engineer_id), p.fru, m.kind, sum(m.on_hand_delta)::int
		FROM stock_movements m JOIN stock st ON st.id = m.stock_id JOIN parts p ON p.id = st.part_id
		WHERE m.id > $1 GROUP BY 1, 2, 3`, []any{mark}, []any{&key.location, &key.fru, &kind, &sum}, func() error {
		e := ledger.add(key)
		switch kind {
		case "receipt":
			e.receipts += sum
		case "consumption":
			e.consumed -= sum
		case "transfer_in", "transfer_out":
			e.transfers += sum
		case "adjustment":
			e.adjustments += sum
		case "return":
			e.returns += sum
		case "reservation", "release":
			assert.Zero(t, sum, "a %s changes what is reserved, not what is on hand", kind)
		default:
			t.Errorf("the day moved no stock as %s, yet the ledger has %d at %s of %s", kind, sum, key.location, key.fru)
		}
		return nil
	}))
	for k, e := range b {
		if *e != (stockEntry{}) {
			assert.Equal(t, *e, *ledger.add(k), "the ledger of %s of %s", k.location, k.fru)
		}
	}
	for k, e := range ledger {
		if *e != (stockEntry{}) {
			assert.Equal(t, *e, *b.add(k), "the ledger of %s of %s", k.location, k.fru)
		}
	}
}
