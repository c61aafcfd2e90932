// Package workflows runs Aftercare's durable processes on Temporal and the
// services around them. It is the only product package besides cmd that
// imports the Temporal SDK (the SLA benchmark, in package bench, runs a
// worker of its own), and it reaches the database only through interfaces
// of package aftercare.
//
// Each file holds one role:
//
//   - names.go: the task queue and every workflow, activity, update and
//     query name (workflow IDs derive from aftercare.IncidentWorkflowID and
//     aftercare.ContractWorkflowID, which the store records too), and the
//     change IDs of workflow.GetVersion gates (see the README on
//     `make reset`);
//   - searchattributes.go: the workflows' search attributes, how each
//     workflow and its starter set them, and the check that a namespace
//     has them registered;
//   - worker.go: the worker and the registration of everything it runs;
//   - activities.go: the Activities struct, the store interfaces its
//     methods need, and how their errors reach Temporal;
//   - the incident's flow: incidentworkflow.go (the workflow: start, main
//     loop, transition update, records), incidentstate.go (its state and
//     the clocks rebuilt from it), transition.go (what each lifecycle action
//     does to the state), escalation.go (the ladder), incidentdispatch.go,
//     incidentquote.go and incidentsurvey.go (the workflow's own dispatching,
//     its wait on a quote, the survey on resolution), incidentactivities.go
//     (its activities);
//   - the contract's flow: contractworkflow.go, contractstate.go,
//     contractactivities.go;
//   - the services the API calls: incidentlifecycle.go (Lifecycle),
//     jobs.go (Jobs, the engineer's actions on their jobs, each a lifecycle
//     action of the job's incident), contractlifecycle.go (Contracts),
//     quotes.go (Quotes), dispatcher.go (Dispatcher), and
//     contractclient.go, how callers start and update a contract's
//     workflow;
//   - the relays that deliver the PostgreSQL outbox: intakerelay.go
//     (incident workflows), contractrelay.go (contract workflows and
//     entitlement claims), webhookrelay.go (webhook notifications, and
//     broadcasts such as stock alerts fanned out to every webhook), and
//     outbox.go, the claim-and-deliver loop they share, which delivers
//     each message under the trace of the request that wrote it (the
//     OpenTelemetry API's W3C propagator is all it takes of tracing).
package workflows
