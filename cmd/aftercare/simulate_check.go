package main

import (
	"context"
	"fmt"
	"io"

	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/sim"
	"github.com/aftercare/aftercare/sim/invariants"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// workflowCounter counts workflow executions in Temporal's visibility
// store: a chain of runs continued as new counts once (only its last run
// did not end as continued).
type workflowCounter struct {
	c         client.Client
	namespace string
}

// CountWorkflows counts the chains of runs with a workflow ID.
func (w workflowCounter) CountWorkflows(ctx context.Context, workflowID string) (int64, error) {
	resp, err := w.c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: w.namespace,
		Query: fmt.Sprintf("WorkflowId = '%s' AND ExecutionStatus != 'ContinuedAsNew'", workflowID)})
	if err != nil {
		return 0, err
	}
	return resp.GetCount(), nil
}

// checkDay prints the day's report and the table of what must hold, and
// returns an error when something does not.
func checkDay(ctx context.Context, w io.Writer, db *postgres.DB, wf invariants.Workflows, day *sim.Day, logs []string) error {
	day.WriteReport(w)
	if err := sim.WriteSLAReport(ctx, w, db, day.Start); err != nil {
		return err
	}
	results := invariants.Check(ctx, db, wf, invariants.Record{Accepted: day.Accepted, HTTP500: day.ServerErrors,
		LogFiles: logs, Since: day.Start})
	fmt.Fprintf(w, "\n## What must hold\n\n")
	invariants.WriteTable(w, results)
	if !invariants.AllPass(results) {
		return fmt.Errorf("an invariant failed")
	}
	return nil
}
