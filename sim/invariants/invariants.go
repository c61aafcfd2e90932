// Package invariants checks what must hold after a simulated service day
// (`aftercare simulate`, package sim): every accepted incident kept with
// exactly one workflow and its clocks, no engineer over capacity or
// incident double-booked, stock equal to its ledger, every reservation
// settled, every escalation fired exactly when due, every notification
// delivered or pending, KPIs equal to their recomputation, and no server
// error or panic. Check reads the database through package postgres (never
// pgx) and Temporal through the Workflows interface its caller implements
// (never the Temporal SDK); WriteTable prints the results.
//
// It imports the root package, postgres and sla, and the standard library.
package invariants

import (
	"context"
	"fmt"
	"time"

	"github.com/aftercare/aftercare/postgres"
)

// Record is what the simulator's clients saw during the day.
type Record struct {
	// Accepted maps the client request ID of every createIncident that
	// returned success to the incident ID it returned.
	Accepted map[string]string
	// HTTP500 counts the responses with HTTP status 500.
	HTTP500 int
	// LogFiles are the process logs to scan for panics.
	LogFiles []string
	// Since is the day's start: only incidents filed since then count as
	// the day's (the demo seed has history before it).
	Since time.Time
}

// Result is the outcome of one invariant.
type Result struct {
	// Name names the invariant.
	Name string
	// Rule says, in a sentence or two, exactly what was checked.
	Rule string
	// Pass reports whether the invariant held.
	Pass bool
	// Counts sums up what was checked, such as "30 accepted, 30 incidents".
	Counts string
	// Problems are the first violations found, readable, with a last line
	// saying how many more there were.
	Problems []string
}

// Workflows counts the workflows of an ID. The simulator's command
// implements it with a Temporal client; this package does not import the
// Temporal SDK (DESIGN.md §2).
type Workflows interface {
	// CountWorkflows returns how many workflows with the ID exist, open or
	// closed, counting a chain of runs linked by continue-as-new once:
	// the executions with the ID whose status is not ContinuedAsNew (each
	// chain has exactly one such run, its latest), in Temporal's list
	// filter `WorkflowId = '<id>' AND ExecutionStatus != 'ContinuedAsNew'`.
	// Two starts of one ID make two chains, and count two.
	CountWorkflows(ctx context.Context, workflowID string) (int64, error)
}

// Tolerances of the checks that compare instants written by different
// processes.
const (
	// TimerGrace is how long after its instant an escalation level may
	// still be in flight at the check (a timer about to fire, a worker
	// restarting): a level due later than the check time less TimerGrace
	// is not yet required to have fired.
	TimerGrace = time.Minute
	// FireTolerance is how far a level's recorded instants may differ from
	// those its clock's events give (rounding of stored timestamps).
	FireTolerance = time.Second
	// OverlapTolerance is how long a job may seem to overlap another
	// before it counts: a job's start and end are the start times of the
	// transactions that wrote them (PostgreSQL's now()), and a dispatch
	// that waited for the engineer's lock while another transaction ended
	// a job starts, on paper, before that job ended.
	OverlapTolerance = 5 * time.Second
	// maxProblems is how many problems a result lists before it counts the
	// rest.
	maxProblems = 10
)

// Check checks every invariant of a simulated day against the database,
// the workflows and what the clients saw, in order, and returns one Result
// each. A check that cannot read what it needs fails with the error as its
// problem.
func Check(ctx context.Context, db *postgres.DB, wf Workflows, rec Record) []Result {
	c := &checker{db: db, wf: wf, rec: rec, now: time.Now(), workflows: map[string]int64{}}
	checks := []func(context.Context) Result{
		c.checkAccepted, c.checkIncidents, c.checkJobs, c.checkStock, c.checkReservations,
		c.checkEscalations, c.checkNotifications, c.checkKPIs, c.checkHealth,
	}
	out := make([]Result, len(checks))
	for i, check := range checks {
		out[i] = check(ctx)
	}
	return out
}

// AllPass reports whether every result passed.
func AllPass(results []Result) bool {
	for _, r := range results {
		if !r.Pass {
			return false
		}
	}
	return true
}

// checker holds what the checks share: the check's instant, and the
// workflow counts read so far, by workflow ID.
type checker struct {
	db        *postgres.DB
	wf        Workflows
	rec       Record
	now       time.Time
	workflows map[string]int64
}

// workflowCount returns how many workflows have the ID, asking once.
func (c *checker) workflowCount(ctx context.Context, id string) (int64, error) {
	if n, ok := c.workflows[id]; ok {
		return n, nil
	}
	n, err := c.wf.CountWorkflows(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("count workflows %s: %w", id, err)
	}
	c.workflows[id] = n
	return n, nil
}

// problems collects a result's violations, keeping the first maxProblems
// and counting the rest.
type problems struct {
	list []string
	more int
}

// add records one violation.
func (p *problems) add(format string, args ...any) {
	if len(p.list) < maxProblems {
		p.list = append(p.list, fmt.Sprintf(format, args...))
		return
	}
	p.more++
}

// count returns how many violations were recorded.
func (p *problems) count() int { return len(p.list) + p.more }

// result returns the Result of an invariant with these problems: it passes
// when there are none.
func (p *problems) result(name, rule, counts string) Result {
	out := Result{Name: name, Rule: rule, Pass: p.count() == 0, Counts: counts, Problems: p.list}
	if p.more > 0 {
		out.Problems = append(out.Problems, fmt.Sprintf("… and %d more", p.more))
	}
	return out
}

// failed returns the Result of an invariant that could not be checked.
func failed(name, rule string, err error) Result {
	return Result{Name: name, Rule: rule, Counts: "not checked", Problems: []string{"cannot check: " + err.Error()}}
}
