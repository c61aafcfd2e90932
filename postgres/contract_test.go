package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContractChangesAreMirroredOnce: a reminder is recorded once, with one
// webhook per URL, however often the workflow's activity repeats it; a
// renewal creates one successor, signed, starting the day after the end,
// with the same assets and entitlements, and a repeat returns it again.
func TestContractChangesAreMirroredOnce(t *testing.T) {
	db := postgrestest.MustOpen(t)
	f := postgres.MustFixture(t, db, "MIRROR", "premium")
	ctx := context.Background()
	s := postgres.NewContractService(db)
	k, err := s.FindContractByID(ctx, f.ContractID)
	require.NoError(t, err)
	webhooks := []string{"http://a.example/hook", "http://b.example/hook"}
	// The contract names no account manager: the reminder goes to the
	// managers assigned to its account.
	assigned, named := "8f3c2a10-0000-4000-8000-00000000a001", "8f3c2a10-0000-4000-8000-00000000a002"
	postgres.MustExecSQL(t, db, `INSERT INTO users (id, username, display_name, email, role) VALUES
		($1, 'am.assigned', 'Assigned AM', 'assigned@example.com', 'account_manager'),
		($2, 'am.named', 'Named AM', 'named@example.com', 'account_manager')`, assigned, named)
	postgres.MustExecSQL(t, db, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', 'user:' || $1, 'account_manager', 'account:' || $2)`,
		assigned, f.AccountID)

	reminder := aftercare.ContractChange{ContractID: k.ID, Key: k.WorkflowID + ":reminder:60", Kind: "reminder",
		FromStatus: aftercare.ContractActive, ToStatus: aftercare.ContractExpiring, At: time.Now(),
		Reminder: &aftercare.ContractReminder{DaysBefore: 60, DueOn: k.EndsOn.AddDate(0, 0, -60), EndsOn: k.EndsOn}}
	for range 2 {
		_, err := s.RecordContractChange(ctx, reminder, webhooks)
		require.NoError(t, err)
	}
	var reminders int
	postgres.MustScan(t, db, `SELECT count(*) FROM contract_reminders WHERE contract_id = $1`, []any{k.ID}, &reminders)
	assert.Equal(t, 1, reminders)
	msgs, err := db.ClaimOutbox(ctx, aftercare.OutboxTopicWebhook, 10, time.Minute)
	require.NoError(t, err)
	assert.Len(t, msgs, 2, "one notification per webhook")
	assert.Equal(t, []string{assigned}, reminderRecipientIDs(t, msgs[0].Payload), "the account's assigned manager")
	facts, err := s.LoadContractFacts(ctx, k.ID)
	require.NoError(t, err)
	assert.Equal(t, []int{60}, facts.RemindersSent)
	assert.Equal(t, aftercare.ContractExpiring, facts.Contract.Status)

	postgres.MustExecSQL(t, db, `UPDATE contracts SET account_manager_id = $1 WHERE id = $2`, named, k.ID)
	last := reminder
	last.Key, last.FromStatus, last.Reminder = k.WorkflowID+":reminder:30", aftercare.ContractExpiring,
		&aftercare.ContractReminder{DaysBefore: 30, DueOn: k.EndsOn.AddDate(0, 0, -30), EndsOn: k.EndsOn}
	_, err = s.RecordContractChange(ctx, last, webhooks[:1])
	require.NoError(t, err)
	msgs, err = db.ClaimOutbox(ctx, aftercare.OutboxTopicWebhook, 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, []string{named}, reminderRecipientIDs(t, msgs[0].Payload), "the contract's own manager alone")

	renewal := aftercare.ContractChange{ContractID: k.ID, Key: k.WorkflowID + ":renew", Kind: "renewed",
		FromStatus: aftercare.ContractExpiring, ToStatus: aftercare.ContractRenewed, At: time.Now(),
		Renewal: &aftercare.ContractRenewal{ContractID: k.ID, Years: 2}}
	first, err := s.RecordContractChange(ctx, renewal, nil)
	require.NoError(t, err)
	again, err := s.RecordContractChange(ctx, renewal, nil)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	next, err := s.FindContractByID(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, aftercare.ContractDraft, next.Status)
	assert.NotNil(t, next.ActivatedAt, "signed by the renewal")
	assert.Equal(t, k.ID, next.RenewalOf)
	assert.Equal(t, k.EndsOn.AddDate(0, 0, 1), next.StartsOn)
	assert.Equal(t, k.EndsOn.AddDate(2, 0, 0), next.EndsOn)
	assert.Equal(t, k.Entitlements, next.Entitlements)
	var assets int
	postgres.MustScan(t, db, `SELECT count(*) FROM contract_assets WHERE contract_id = $1`, []any{first}, &assets)
	assert.Equal(t, 1, assets)
	starts, err := db.ClaimOutbox(ctx, aftercare.OutboxTopicContractWorkflow, 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, starts, 1)
	assert.Equal(t, first, starts[0].Key, "the successor's workflow is queued")
}

// reminderRecipientIDs returns the user IDs of a reminder webhook's
// recipients, in order.
func reminderRecipientIDs(t *testing.T, payload []byte) []string {
	t.Helper()
	var delivery aftercare.WebhookDelivery
	require.NoError(t, json.Unmarshal(payload, &delivery))
	var body struct {
		Recipients []struct {
			UserID string `json:"user_id"`
			Email  string `json:"email"`
		} `json:"recipients"`
	}
	require.NoError(t, json.Unmarshal(delivery.Body, &body))
	var ids []string
	for _, r := range body.Recipients {
		require.NotEmpty(t, r.Email)
		ids = append(ids, r.UserID)
	}
	return ids
}
