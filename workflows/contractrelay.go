package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/client"
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

// DeliverOnce claims one batch of a topic's due messages and delivers them
// one after another, in the order they were filed: when two claims compete
// for the last use of an entitlement, the earlier one gets it. It returns
// how many it claimed.
func (r *ContractRelay) DeliverOnce(ctx context.Context, topic string) (int, error) {
	return deliverOutbox(ctx, r.Outbox, topic, r.BatchSize, 1, r.Lease, r.Logger, r.deliver)
}

// deliverTimeout bounds one delivery, so that a workflow that does not
// answer (its workers gone) delays only its own message, which is retried.
const deliverTimeout = 30 * time.Second

func (r *ContractRelay) deliver(ctx context.Context, m *aftercare.OutboxMessage) error {
	ctx, cancel := context.WithTimeout(ctx, deliverTimeout)
	defer cancel()
	if m.Topic == aftercare.OutboxTopicContractWorkflow {
		return StartContractWorkflow(ctx, r.Client, r.TaskQueue, &aftercare.Contract{ID: m.Key})
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
