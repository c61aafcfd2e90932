package sim

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aftercare/aftercare/postgres"
)

// WriteSLAReport prints the day's SLA attainment per tier and clock (of
// the incidents not cancelled at the end of the day, the share of stopped
// clocks that met their target) and its escalations by level, read from
// the database of record.
func WriteSLAReport(ctx context.Context, w io.Writer, db *postgres.DB, since time.Time) error {
	fmt.Fprintf(w, "\n## SLA attainment, per tier and clock\n\n| tier | clock | met | breached | still running | attainment |\n|---|---|---:|---:|---:|---:|\n")
	var tier, clock string
	var met, breached, running int
	err := db.Query(ctx, `
		SELECT i.tier, c.kind, count(*) FILTER (WHERE c.state = 'met'), count(*) FILTER (WHERE c.state = 'breached'),
			count(*) FILTER (WHERE c.state IN ('running', 'paused'))
		FROM incidents i JOIN sla_clocks c ON c.incident_id = i.id
		WHERE i.created_at >= $1 AND NOT EXISTS (SELECT 1 FROM incident_events e WHERE e.incident_id = i.id
			AND e.reason = 'the simulated day ended')
		GROUP BY 1, 2 ORDER BY 1, 2`, []any{since}, []any{&tier, &clock, &met, &breached, &running}, func() error {
		attainment := "—"
		if met+breached > 0 {
			attainment = fmt.Sprintf("%.1f %%", 100*float64(met)/float64(met+breached))
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %d | %s |\n", tier, clock, met, breached, running, attainment)
		return nil
	})
	if err != nil {
		return err
	}
	if err := writeIntakeLag(ctx, w, db, since); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## Escalations, by clock and level\n\n| clock | percent | fired | late p99 |\n|---|---:|---:|---:|\n")
	var percent, fired int
	var lateP99 float64
	return db.Query(ctx, `
		SELECT x.clock, x.percent, count(*), coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY
			extract(epoch FROM x.fired_at - x.due_at)), 0)
		FROM escalations x JOIN incidents i ON i.id = x.incident_id
		WHERE i.created_at >= $1 GROUP BY 1, 2 ORDER BY 1, 2`, []any{since}, []any{&clock, &percent, &fired, &lateP99}, func() error {
		fmt.Fprintf(w, "| %s | %d %% | %d | %.2f s |\n", clock, percent, fired, lateP99)
		return nil
	})
}

// writeIntakeLag prints, for each real ten minutes of the day, how long
// the filed incidents waited from filing until their workflow recorded its
// start: whether the system kept up with the day's arrivals, or its intake
// fell behind and queued.
func writeIntakeLag(ctx context.Context, w io.Writer, db *postgres.DB, since time.Time) error {
	fmt.Fprintf(w, "\n## Keeping up: filing to workflow start, per ten real minutes\n\n"+
		"| from | filed | started | p50 | p99 | longest |\n|---|---:|---:|---:|---:|---:|\n")
	var from time.Time
	var filed, started int
	var p50, p99, longest float64
	return db.Query(ctx, `
		SELECT date_bin('10 minutes', created_at, $1), count(*), count(workflow_started_at),
			coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM workflow_started_at - created_at)), 0),
			coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM workflow_started_at - created_at)), 0),
			coalesce(max(extract(epoch FROM workflow_started_at - created_at)), 0)
		FROM incidents WHERE created_at >= $1 GROUP BY 1 ORDER BY 1`, []any{since},
		[]any{&from, &filed, &started, &p50, &p99, &longest}, func() error {
			fmt.Fprintf(w, "| %s | %d | %d | %.2f s | %.2f s | %.2f s |\n", from.Format(time.TimeOnly), filed, started, p50, p99, longest)
			return nil
		})
}
