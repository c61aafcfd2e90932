package invariants

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aftercare/aftercare/postgres"
)

// activeStates is the SQL list of the job states that hold an engineer
// (aftercare.AssignmentState.Active).
const activeStates = `('proposed', 'accepted', 'en_route', 'on_site')`

// job is one assignment as the capacity check reads it.
type job struct {
	id, incidentID, engineerID, engineer string
	number                               int64
	capacity                             int
	state                                string
	from                                 time.Time
	to                                   *time.Time
}

const (
	jobsName = "no engineer over capacity or incident double-booked"
	jobsRule = "from the jobs' history (a job is active from its created_at until the updated_at of the change " +
		"that ended it: completed, declined, cancelled or overridden, the last change it gets), no engineer ever " +
		"held more active jobs at once than their capacity and no incident ever had two active jobs at once, " +
		"overlaps of up to " + "%s" + " aside (both instants are transaction start times); and now each " +
		"engineer's load is their active jobs and within their capacity, no incident holds two active jobs and " +
		"no resolved, closed or cancelled incident holds one"
)

// checkJobs checks invariant 3: engineers' capacity and incidents' single
// active job, over the day and at its end.
func (c *checker) checkJobs(ctx context.Context) Result {
	rule := fmt.Sprintf(jobsRule, OverlapTolerance)
	var p problems
	jobs, err := c.dayJobs(ctx)
	if err != nil {
		return failed(jobsName, rule, err)
	}
	byEngineer := map[string][]span{}
	byIncident := map[string][]span{}
	label := map[string]string{}
	engineers := map[string]job{}
	for _, j := range jobs {
		s := span{id: j.id, from: j.from}
		if j.to != nil {
			s.to = *j.to
		}
		byEngineer[j.engineerID] = append(byEngineer[j.engineerID], s)
		byIncident[j.incidentID] = append(byIncident[j.incidentID], s)
		label[j.id] = fmt.Sprintf("job %s of #%d (%s)", j.id, j.number, j.state)
		engineers[j.engineerID] = j
	}
	for _, id := range slices.Sorted(maps.Keys(byEngineer)) {
		e := engineers[id]
		for _, x := range excesses(byEngineer[id], e.capacity, OverlapTolerance) {
			p.add("engineer %s (capacity %d) held %d jobs at once %s: %s", e.engineer, e.capacity, x.peak,
				during(x), labels(x.spans, label))
		}
	}
	numbers := map[string]int64{}
	for _, j := range jobs {
		numbers[j.incidentID] = j.number
	}
	for _, id := range slices.Sorted(maps.Keys(byIncident)) {
		for _, x := range excesses(byIncident[id], 1, OverlapTolerance) {
			p.add("incident #%d had %d active jobs at once %s: %s", numbers[id], x.peak, during(x), labels(x.spans, label))
		}
	}
	if err := c.checkLoads(ctx, &p); err != nil {
		return failed(jobsName, rule, err)
	}
	return p.result(jobsName, rule, fmt.Sprintf("%d jobs of %d engineers on %d incidents", len(jobs), len(byEngineer),
		len(byIncident)))
}

// dayJobs reads the jobs active at some time since the day's start.
func (c *checker) dayJobs(ctx context.Context) ([]job, error) {
	var out []job
	var j job
	err := c.db.Query(ctx, `
		SELECT x.id::text, x.incident_id::text, i.number, x.engineer_id::text, e.code, e.capacity, x.state,
			x.created_at, CASE WHEN x.state IN `+activeStates+` THEN NULL ELSE x.updated_at END
		FROM assignments x JOIN engineers e ON e.id = x.engineer_id JOIN incidents i ON i.id = x.incident_id
		WHERE x.state IN `+activeStates+` OR x.updated_at >= $1`,
		[]any{c.rec.Since}, []any{&j.id, &j.incidentID, &j.number, &j.engineerID, &j.engineer, &j.capacity, &j.state,
			&j.from, &j.to}, func() error {
			out = append(out, j)
			j.to = nil
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read the day's jobs: %w", err)
	}
	return out, nil
}

// checkLoads checks the jobs as they stand now: each engineer's load as
// the fleet's change feed reads it is their active jobs and within their
// capacity, an incident holds at most one active job, and an incident
// that has ended holds none.
func (c *checker) checkLoads(ctx context.Context, p *problems) error {
	active := map[string]int{}
	var engineer string
	var n int
	if err := c.db.Query(ctx, `SELECT engineer_id::text, count(*) FROM assignments WHERE state IN `+activeStates+`
		GROUP BY engineer_id`, nil, []any{&engineer, &n}, func() error { active[engineer] = n; return nil }); err != nil {
		return fmt.Errorf("count active jobs: %w", err)
	}
	fleet, err := postgres.NewDispatchService(c.db).FleetChangesSince(ctx, "")
	if err != nil {
		return fmt.Errorf("read the fleet: %w", err)
	}
	for _, e := range fleet.Engineers {
		if e.Load != active[e.ID] {
			p.add("engineer %s's load is %d, their active jobs %d", e.Code, e.Load, active[e.ID])
		}
		if active[e.ID] > e.Capacity {
			p.add("engineer %s holds %d active jobs, over their capacity of %d", e.Code, active[e.ID], e.Capacity)
		}
	}
	return c.lines(ctx, p, `
		SELECT 'incident #' || i.number || ' holds ' || count(*) || ' active jobs'
		FROM assignments x JOIN incidents i ON i.id = x.incident_id
		WHERE x.state IN `+activeStates+` GROUP BY i.number HAVING count(*) > 1
		UNION ALL
		SELECT 'incident #' || i.number || ' is ' || i.status || ' and holds job ' || x.id || ', which is ' || x.state
		FROM incidents i JOIN assignments x ON x.incident_id = i.id
		WHERE i.status IN ('resolved', 'closed', 'cancelled') AND x.state IN `+activeStates)
}

// lines runs a query that returns one line of text per violation and adds
// each to p.
func (c *checker) lines(ctx context.Context, p *problems, sql string, args ...any) error {
	var line string
	if err := c.db.Query(ctx, sql, args, []any{&line}, func() error {
		p.add("%s", line)
		return nil
	}); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	return nil
}

// during says when an excess happened.
func during(x excess) string {
	const layout = "2006-01-02 15:04:05.000Z07:00"
	if x.to.IsZero() {
		return "from " + x.from.UTC().Format(layout) + " until now"
	}
	return fmt.Sprintf("from %s for %s", x.from.UTC().Format(layout), x.to.Sub(x.from).Round(time.Millisecond))
}

// labels names spans by their labels.
func labels(ids []string, label map[string]string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = label[id]
	}
	return strings.Join(out, ", ")
}
