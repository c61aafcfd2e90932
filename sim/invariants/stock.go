package invariants

import (
	"context"
	"fmt"
)

const (
	stockName = "stock equals its ledger"
	stockRule = "for every stock row (one part at one depot or in one van) the units on hand, reserved and held " +
		"for the vendor are the sums of its stock_movements and the balance its latest movement left, none is " +
		"negative or reserves more than is on hand, and its reserved units are its reservations still reserved " +
		"(DB.CheckStockLedger)"
	reservationsName = "every reservation consumed or released"
	reservationsRule = "no reservation outlives its job's active state (none still reserved for a job that is " +
		"completed, declined, cancelled or overridden), and, the day wound down, none of an incident filed " +
		"since the day's start is still reserved"
)

// checkStock checks invariant 4: the stock rows are their ledger.
func (c *checker) checkStock(ctx context.Context) Result {
	var rows, movements, places int64
	if err := c.db.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM stock), (SELECT count(*) FROM stock_movements),
			(SELECT count(DISTINCT coalesce(depot_id, engineer_id)) FROM stock)`, nil,
		&rows, &movements, &places); err != nil {
		return failed(stockName, stockRule, fmt.Errorf("count stock: %w", err))
	}
	found, err := c.db.CheckStockLedger(ctx)
	if err != nil {
		return failed(stockName, stockRule, err)
	}
	var p problems
	for _, line := range found {
		p.add("%s", line)
	}
	return p.result(stockName, stockRule, fmt.Sprintf("%d stock rows at %d depots and vans, %d movements",
		rows, places, movements))
}

// checkReservations checks invariant 5: every reservation is settled.
func (c *checker) checkReservations(ctx context.Context) Result {
	var reserved, consumed, released int64
	if err := c.db.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE r.state = 'reserved'), count(*) FILTER (WHERE r.state = 'consumed'),
			count(*) FILTER (WHERE r.state = 'released')
		FROM part_reservations r JOIN assignments x ON x.id = r.assignment_id JOIN incidents i ON i.id = x.incident_id
		WHERE i.created_at >= $1`, []any{c.rec.Since}, &reserved, &consumed, &released); err != nil {
		return failed(reservationsName, reservationsRule, fmt.Errorf("count reservations: %w", err))
	}
	var p problems
	if err := c.lines(ctx, &p, `
		SELECT 'reservation ' || r.id || ' of ' || r.quantity || ' unit(s) from stock row ' || r.stock_id
			|| ' for job ' || x.id || ' of incident #' || i.number || ', which is ' || x.state
			|| CASE WHEN x.state IN `+activeStates+` THEN ' (the day is over)' ELSE '' END || ', is still reserved'
		FROM part_reservations r JOIN assignments x ON x.id = r.assignment_id JOIN incidents i ON i.id = x.incident_id
		WHERE r.state = 'reserved' AND (x.state NOT IN `+activeStates+` OR i.created_at >= $1)
		ORDER BY r.id`, c.rec.Since); err != nil {
		return failed(reservationsName, reservationsRule, err)
	}
	return p.result(reservationsName, reservationsRule, fmt.Sprintf("of the day's: %d consumed, %d released, %d reserved",
		consumed, released, reserved))
}
