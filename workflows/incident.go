package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// IncidentInput starts an incident's workflow.
type IncidentInput struct {
	IncidentID string
}

// IncidentWorkflow owns one incident for its whole life. It records that it
// started and then waits until the incident is closed.
func IncidentWorkflow(ctx workflow.Context, in IncidentInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
	var a *Activities
	if err := workflow.ExecuteActivity(ctx, a.MarkWorkflowStarted, MarkWorkflowStartedInput(in)).Get(ctx, nil); err != nil {
		return err
	}
	workflow.GetSignalChannel(ctx, SignalClose).Receive(ctx, nil)
	return nil
}
