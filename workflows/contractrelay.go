package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// ContractRelay delivers the contract messages of the outbox: it starts
// the workflow of each contract created, seeded or renewed, and takes each
// claim filing made against a limited entitlement to the contract's
// workflow, recording a refusal on the incident (its work then needs a
// quote). Workflow IDs derive from contract IDs and claims count once per
// incident, so delivering a message twice is harmless.
type ContractRelay struct {
	Client    client.Client
	TaskQueue string
	Outbox    aftercare.OutboxService
	Contracts ContractStore
	Logger    *slog.Logger
	// Lease, PollInterval and BatchSize are as for the IntakeRelay.
	Lease        time.Duration
	PollInterval time.Duration
	BatchSize    int
}

// Run delivers both topics until ctx ends.
func (r *ContractRelay) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, topic := range []string{aftercare.OutboxTopicContractWorkflow, aftercare.OutboxTopicEntitlementClaim} {
		wg.Go(func() {
			for ctx.Err() == nil {
				n, err := r.DeliverOnce(ctx, topic)
				if err != nil && ctx.Err() == nil {
					r.Logger.Error("contract relay", "topic", topic, "err", err)
				}
				if n > 0 && err == nil {
					continue
				}
				if err := r.Outbox.WaitOutbox(ctx, topic, r.PollInterval); err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
}

// DeliverOnce claims one batch of a topic's due messages and delivers them,
// returning how many it claimed.
func (r *ContractRelay) DeliverOnce(ctx context.Context, topic string) (int, error) {
	return deliverOutbox(ctx, r.Outbox, topic, r.BatchSize, r.Lease, r.Logger, r.deliver)
}

// deliverOutbox claims one batch of a topic's due messages and hands each
// to deliver: a message delivered is completed, one that failed is due
// again after a backoff that grows with its attempts, up to a minute. It
// returns how many messages it claimed.
func deliverOutbox(ctx context.Context, outbox aftercare.OutboxService, topic string, batch int, lease time.Duration,
	log *slog.Logger, deliver func(context.Context, *aftercare.OutboxMessage) error) (int, error) {
	msgs, err := outbox.ClaimOutbox(ctx, topic, batch, lease)
	if err != nil {
		return 0, fmt.Errorf("claim outbox: %w", err)
	}
	for _, m := range msgs {
		if err := deliver(ctx, m); err != nil {
			delay := min(time.Duration(m.Attempts)*time.Second, time.Minute)
			log.Warn("deliver outbox message", "topic", topic, "key", m.Key, "attempt", m.Attempts, "retry_in", delay, "err", err)
			if err := outbox.RetryOutbox(ctx, m.ID, err.Error(), delay); err != nil {
				return len(msgs), fmt.Errorf("retry outbox message %d: %w", m.ID, err)
			}
			continue
		}
		if err := outbox.CompleteOutbox(ctx, m.ID); err != nil {
			return len(msgs), fmt.Errorf("complete outbox message %d: %w", m.ID, err)
		}
	}
	return len(msgs), nil
}

// deliverTimeout bounds one delivery, so that a workflow that does not
// answer (its workers gone) delays only its own message, which is retried.
const deliverTimeout = 30 * time.Second

func (r *ContractRelay) deliver(ctx context.Context, m *aftercare.OutboxMessage) error {
	ctx, cancel := context.WithTimeout(ctx, deliverTimeout)
	defer cancel()
	if m.Topic == aftercare.OutboxTopicContractWorkflow {
		return StartContractWorkflow(ctx, r.Client, r.TaskQueue, m.Key)
	}
	var claim aftercare.EntitlementClaim
	if err := json.Unmarshal(m.Payload, &claim); err != nil || claim.ContractID == "" || claim.IncidentID == "" {
		return fmt.Errorf("outbox message %d is not a claim: %s", m.ID, m.Payload)
	}
	_, err := ClaimEntitlement(ctx, r.Client, r.TaskQueue, claim)
	if aftercare.ErrorCode(err) == aftercare.ECONFLICT {
		return r.Contracts.RefuseClaim(ctx, claim, aftercare.ErrorMessage(err))
	}
	return err
}

// contractStart returns the options that start a contract's workflow
// unless one with its ID has ever run.
func contractStart(taskQueue, contractID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       aftercare.ContractWorkflowID(contractID),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
}

// StartContractWorkflow starts the contract's workflow unless one with its
// ID has ever run; starting it twice is not an error.
func StartContractWorkflow(ctx context.Context, c client.Client, taskQueue, contractID string) error {
	_, err := c.ExecuteWorkflow(ctx, contractStart(taskQueue, contractID), ContractWorkflowName,
		ContractInput{ContractID: contractID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// ClaimEntitlement sends a claim to the contract's workflow, starting it if
// it does not run yet, and returns how the entitlement stands after it. A
// claim the workflow refuses (past the annual limit, an entitlement the
// contract lacks, a contract not in force) is ECONFLICT with the reason.
func ClaimEntitlement(ctx context.Context, c client.Client, taskQueue string, claim aftercare.EntitlementClaim) (ClaimResult, error) {
	var res ClaimResult
	err := updateContract(ctx, c, taskQueue, claim.ContractID, UpdateClaimEntitlement, claim, &res)
	return res, err
}

// updateContract sends an update to a contract's workflow, starting the
// workflow with it when it does not run yet, waits for the result, and maps
// what the workflow answered to a domain error.
func updateContract(ctx context.Context, c client.Client, taskQueue, contractID, name string, arg, out any) error {
	start := c.NewWithStartWorkflowOperation(contractStart(taskQueue, contractID), ContractWorkflowName,
		ContractInput{ContractID: contractID})
	handle, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID: aftercare.ContractWorkflowID(contractID), UpdateName: name, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err == nil {
		err = handle.Get(ctx, out)
	}
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch code := app.Type(); code {
		case aftercare.EINVALID, aftercare.ECONFLICT, aftercare.ENOTFOUND:
			return aftercare.Errorf(code, "%s", app.Message())
		}
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return aftercare.Errorf(aftercare.ECONFLICT, "the contract's workflow has ended: the contract is no longer in force")
	}
	return fmt.Errorf("update contract workflow %s (%s): %w", contractID, name, err)
}
