package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// IntakeRelay starts incident workflows from the outbox messages that
// CreateIncident commits with each incident. Because the message is written
// in the incident's own transaction and the workflow ID is derived from the
// incident ID, every accepted incident gets exactly one workflow, however
// often delivery is retried and whichever process dies in between.
type IntakeRelay struct {
	Client    client.Client
	TaskQueue string
	Outbox    aftercare.OutboxService
	Logger    *slog.Logger

	// Lease is how long a claimed message stays hidden from other relays;
	// a relay that dies holding it lets another take it after this long.
	Lease time.Duration
	// PollInterval bounds how long the relay sleeps when no notification
	// wakes it.
	PollInterval time.Duration
	// BatchSize is how many messages one claim takes.
	BatchSize int
	// Parallel is how many of a batch's workflows are started at once (at
	// least one): a burst of incidents, a site-wide outage, waits for
	// Temporal's round trips in parallel rather than in line.
	Parallel int
	// BeforeStart, when set, runs after a message is claimed and before its
	// workflow is started. Fault-injection tests use it to kill the process
	// at exactly that point.
	BeforeStart func(incidentID string)
}

// Run delivers outbox messages until ctx ends.
func (r *IntakeRelay) Run(ctx context.Context) error {
	for {
		n, err := r.DeliverOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			r.Logger.Error("intake relay", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		if err := r.Outbox.WaitOutbox(ctx, aftercare.OutboxTopicIncidentWorkflow, r.PollInterval); err != nil {
			return nil
		}
	}
}

// DeliverOnce claims one batch of due messages and starts their workflows,
// returning how many it claimed.
func (r *IntakeRelay) DeliverOnce(ctx context.Context) (int, error) {
	return deliverOutbox(ctx, r.Outbox, aftercare.OutboxTopicIncidentWorkflow, r.BatchSize, r.Parallel, r.Lease, r.Logger, r.deliver)
}

func (r *IntakeRelay) deliver(ctx context.Context, m *aftercare.OutboxMessage) error {
	var payload aftercare.IncidentIntake
	if err := json.Unmarshal(m.Payload, &payload); err != nil || payload.IncidentID == "" {
		return fmt.Errorf("outbox message %d has no incident ID: %s", m.ID, m.Payload)
	}
	if r.BeforeStart != nil {
		r.BeforeStart(payload.IncidentID)
	}
	return StartIncidentWorkflow(ctx, r.Client, r.TaskQueue, &aftercare.Incident{ID: payload.IncidentID,
		Number: payload.Number, AccountID: payload.AccountID, Tier: payload.Tier, Priority: payload.Priority,
		Status: payload.Status}, payload.Region)
}

// StartIncidentWorkflow starts the workflow of incident inc unless one
// with its ID has ever run; starting it twice is not an error. The starter
// passes what it knows of inc, its ID at least, and of its site's region,
// which the workflow starts with as search attributes; the workflow sets
// the others once it has loaded the incident.
func StartIncidentWorkflow(ctx context.Context, c client.Client, taskQueue string, inc *aftercare.Incident, region string) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       aftercare.IncidentWorkflowID(inc.ID),
		TaskQueue:                                taskQueue,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes:                    startSearchAttributes(inc.Number, incidentKeywords(inc, region)),
	}, IncidentWorkflowName, IncidentInput{IncidentID: inc.ID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
