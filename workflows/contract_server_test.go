package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/workflows"
	"github.com/aftercare/aftercare/workflows/workflowstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContractWorkflowOnTheRealServer runs a contract's workflow on the
// real Temporal server: claims start it (update-with-start), count once
// per incident, and the claim past the limit is refused with its reason;
// the contract query answers how the entitlement stands; the contract relay
// records a refusal of a filed claim on the incident.
func TestContractWorkflowOnTheRealServer(t *testing.T) {
	c := workflowstest.MustDial(t)
	queue := workflowstest.TaskQueue(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	id := fmt.Sprintf("0000c0c0-0000-4000-8000-%012d", time.Now().UnixNano()%1e12)
	adp := aftercare.EntitlementAccidentalDamageProtection
	store := &fakeContracts{refused: map[string]string{}, contract: aftercare.Contract{ID: id, Number: "CT-TEST-1",
		Tier: aftercare.TierPlatinum, Status: aftercare.ContractActive, StartsOn: today.AddDate(0, -1, 0),
		EndsOn: today.AddDate(2, 0, 0), Entitlements: []aftercare.Entitlement{{Kind: adp, AnnualLimit: 2}}}}
	w := workflows.NewWorker(c, queue, &workflows.Activities{Contracts: store})
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx := context.Background()

	claim := func(incident string) (workflows.ClaimResult, error) {
		return workflows.ClaimEntitlement(ctx, c, queue, aftercare.EntitlementClaim{ContractID: id, IncidentID: incident, Kind: adp})
	}
	for _, inc := range []string{"inc-1", "inc-2", "inc-1"} {
		res, err := claim(inc)
		require.NoError(t, err, inc)
		assert.Equal(t, 2, res.AnnualLimit)
	}
	_, err := claim("inc-3")
	require.Error(t, err)
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
	resets := today.AddDate(0, -1, 0).AddDate(1, 0, 0).Format(time.DateOnly)
	reason := "accidental damage protection: 2 of 2 claims used this contract year (resets " + resets + ")"
	assert.Equal(t, reason, aftercare.ErrorMessage(err))

	v, err := c.QueryWorkflow(ctx, aftercare.ContractWorkflowID(id), "", workflows.QueryContract)
	require.NoError(t, err)
	var usage aftercare.ContractUsage
	require.NoError(t, v.Get(&usage))
	assert.Equal(t, []aftercare.EntitlementUsage{{Kind: adp, AnnualLimit: 2, Used: 2}}, usage.Entitlements)
	store.mu.Lock()
	assert.Len(t, store.changes, 2, "each counted claim mirrored once")
	store.mu.Unlock()

	// The relay takes filed claims to the workflow: a refusal is recorded on
	// the incident with its reason, and both messages are done.
	outbox := &memOutbox{now: time.Now}
	for i, inc := range []string{"inc-1", "inc-4"} {
		payload, err := json.Marshal(aftercare.EntitlementClaim{ContractID: id, IncidentID: inc, Kind: adp})
		require.NoError(t, err)
		outbox.msgs = append(outbox.msgs, &memMessage{OutboxMessage: aftercare.OutboxMessage{ID: int64(i + 1),
			Topic: aftercare.OutboxTopicEntitlementClaim, Key: inc, Payload: payload}})
	}
	relay := &workflows.ContractRelay{Client: c, TaskQueue: queue, Outbox: outbox, Contracts: store,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Lease: time.Minute, PollInterval: time.Second, BatchSize: 10}
	n, err := relay.DeliverOnce(ctx, aftercare.OutboxTopicEntitlementClaim)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Zero(t, outbox.pending())
	store.mu.Lock()
	assert.Equal(t, map[string]string{"inc-4": reason}, store.refused)
	store.mu.Unlock()
	require.NoError(t, c.TerminateWorkflow(ctx, aftercare.ContractWorkflowID(id), "", "test done"))
}
