package workflows

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// NewWorker returns a worker on the task queue with every Aftercare workflow and
// activity registered; the caller starts and stops it.
func NewWorker(c client.Client, taskQueue string, acts *Activities) worker.Worker {
	w := worker.New(c, taskQueue, worker.Options{})
	Register(w, acts)
	return w
}

// Register registers every Aftercare workflow and activity, under their
// stable names, with a worker or a test environment.
func Register(r worker.Registry, acts *Activities) {
	r.RegisterWorkflowWithOptions(IncidentWorkflow, workflow.RegisterOptions{Name: IncidentWorkflowName})
	r.RegisterActivityWithOptions(acts.MarkWorkflowStarted, activity.RegisterOptions{Name: MarkWorkflowStartedActivityName})
	r.RegisterActivityWithOptions(acts.LoadSLAInputs, activity.RegisterOptions{Name: LoadSLAInputsActivityName})
	r.RegisterActivityWithOptions(acts.RecordIncidentChange, activity.RegisterOptions{Name: RecordIncidentChangeActivityName})
	r.RegisterActivityWithOptions(acts.RecordEscalation, activity.RegisterOptions{Name: RecordEscalationActivityName})
	r.RegisterActivityWithOptions(acts.DispatchIncident, activity.RegisterOptions{Name: DispatchIncidentActivityName})
	r.RegisterWorkflowWithOptions(ContractWorkflow, workflow.RegisterOptions{Name: ContractWorkflowName})
	r.RegisterActivityWithOptions(acts.LoadContract, activity.RegisterOptions{Name: LoadContractActivityName})
	r.RegisterActivityWithOptions(acts.RecordContractChange, activity.RegisterOptions{Name: RecordContractChangeActivityName})
	r.RegisterActivityWithOptions(acts.CreateSurvey, activity.RegisterOptions{Name: CreateSurveyActivityName})
	r.RegisterActivityWithOptions(acts.ExpireQuote, activity.RegisterOptions{Name: ExpireQuoteActivityName})
}
