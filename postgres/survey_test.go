package postgres

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSurveySentOnceAndSuppressedForAWeek(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustFixture(t, db, "SURVEY", "platinum")
	s := NewSurveyService(db)
	s.PublicURL = "https://service.example.com/aftercare/"
	s.Webhooks = []string{"https://mailer.example.com/hook", "https://crm.example.com/hook"}
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)

	first := mustIncident(t, db, f.coveredSerial, "s-1", "Wang.Fang@example.com", aftercare.StatusResolved)
	out, err := s.CreateSurvey(ctx, first.ID, now)
	require.NoError(t, err)
	require.NotNil(t, out.Survey)
	assert.Nil(t, out.Suppressed)
	assert.Regexp(t, `^sv_[A-Za-z0-9_-]{43}$`, out.Survey.Token, "a random token of 32 bytes")
	assert.Equal(t, now.Add(14*24*time.Hour), out.Survey.ExpiresAt.UTC())
	var stored string
	require.NoError(t, db.pool.QueryRow(ctx, `SELECT token FROM surveys WHERE incident_id = $1`, first.ID).Scan(&stored))
	assert.NotContains(t, stored, out.Survey.Token, "only the token's hash is kept")
	rows, err := db.pool.Query(ctx, `SELECT payload FROM outbox WHERE topic = $1 AND key LIKE $2 ORDER BY payload->>'url'`,
		aftercare.OutboxTopicWebhook, aftercare.SurveyInvitationKind+":"+first.ID+":%")
	require.NoError(t, err)
	deliveries, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	require.NoError(t, err)
	require.Len(t, deliveries, 2, "one invitation per webhook, in the webhook outbox")
	for i, url := range []string{"https://crm.example.com/hook", "https://mailer.example.com/hook"} {
		var d aftercare.WebhookDelivery
		require.NoError(t, json.Unmarshal(deliveries[i], &d))
		assert.Equal(t, url, d.URL)
		var invitation map[string]any
		require.NoError(t, json.Unmarshal(d.Body, &invitation))
		assert.Equal(t, "https://service.example.com/aftercare/survey/"+out.Survey.Token, invitation["link"],
			"the invitation carries the link to the survey page")
		assert.Equal(t, aftercare.SurveyInvitationKind, invitation["kind"])
		assert.Equal(t, "Wang.Fang@example.com", invitation["to"])
		assert.Equal(t, float64(first.Number), invitation["number"])
		assert.NotContains(t, d.Key, out.Survey.Token, "the key, which relays log, holds no token")
	}

	again, err := s.CreateSurvey(ctx, first.ID, now.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, out.Survey.SentAt, again.Survey.SentAt, "a retried activity sends nothing more")
	assert.Empty(t, again.Survey.Token)

	second := mustIncident(t, db, f.coveredSerial, "s-2", "wang.fang@EXAMPLE.com", aftercare.StatusResolved)
	out2, err := s.CreateSurvey(ctx, second.ID, now.Add(3*24*time.Hour))
	require.NoError(t, err)
	assert.Nil(t, out2.Survey, "the same contact three days later")
	require.NotNil(t, out2.Suppressed)
	assert.Equal(t, first.ID, out2.Suppressed.BecauseOf)
	found, err := s.FindSurvey(ctx, second.ID)
	require.NoError(t, err)
	assert.Equal(t, first.ID, found.Suppressed.BecauseOf, "the suppression is recorded")

	third := mustIncident(t, db, f.coveredSerial, "s-3", "wang.fang@example.com", aftercare.StatusResolved)
	out3, err := s.CreateSurvey(ctx, third.ID, now.Add(8*24*time.Hour))
	require.NoError(t, err)
	assert.NotNil(t, out3.Survey, "a week and a day after the last survey")

	other := mustIncident(t, db, f.coveredSerial, "s-4", "li.na@example.com", aftercare.StatusResolved)
	out4, err := s.CreateSurvey(ctx, other.ID, now.Add(time.Hour))
	require.NoError(t, err)
	assert.NotNil(t, out4.Survey, "another contact is not suppressed")
}

// TestSurveySuppressionBelongsToOneAccount sends surveys to one address
// from two accounts' incidents: neither suppresses the other, so neither
// account learns of the other's incident, and each customer gets its survey.
func TestSurveySuppressionBelongsToOneAccount(t *testing.T) {
	db := mustTestDB(t, nil)
	a := mustFixture(t, db, "SUPA", "platinum")
	b := mustFixture(t, db, "SUPB", "platinum")
	s := NewSurveyService(db)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)

	first := mustIncident(t, db, a.coveredSerial, "sa-1", "shared.contact@example.com", aftercare.StatusResolved)
	out, err := s.CreateSurvey(ctx, first.ID, now)
	require.NoError(t, err)
	require.NotNil(t, out.Survey)

	other := mustIncident(t, db, b.coveredSerial, "sb-1", "Shared.Contact@example.com", aftercare.StatusResolved)
	out, err = s.CreateSurvey(ctx, other.ID, now.Add(time.Hour))
	require.NoError(t, err)
	assert.Nil(t, out.Suppressed, "another account's survey to the same address suppresses nothing")
	assert.NotNil(t, out.Survey, "the second account's customer gets its survey")

	again := mustIncident(t, db, a.coveredSerial, "sa-2", "shared.contact@example.com", aftercare.StatusResolved)
	out, err = s.CreateSurvey(ctx, again.ID, now.Add(2*time.Hour))
	require.NoError(t, err)
	require.NotNil(t, out.Suppressed, "the same account's contact within a week")
	assert.Equal(t, first.ID, out.Suppressed.BecauseOf, "the account's own incident, never the other account's")
}

func TestAnswerSurvey(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustFixture(t, db, "ANSWER", "platinum")
	s := NewSurveyService(db)
	respondent := aftercare.NewContextWithUser(context.Background(), aftercare.SurveyRespondent())
	now := time.Now().UTC()

	inc := mustIncident(t, db, f.coveredSerial, "a-1", "wang@example.com", aftercare.StatusResolved)
	out, err := s.CreateSurvey(context.Background(), inc.ID, now.Add(-time.Hour))
	require.NoError(t, err)
	old := mustIncident(t, db, f.coveredSerial, "a-2", "old@example.com", aftercare.StatusResolved)
	expired, err := s.CreateSurvey(context.Background(), old.ID, now.Add(-15*24*time.Hour))
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		answer aftercare.SurveyAnswer
		code   string
	}{
		{"score above 5", aftercare.SurveyAnswer{Token: out.Survey.Token, Score: 6}, aftercare.EINVALID},
		{"score below 1", aftercare.SurveyAnswer{Token: out.Survey.Token, Score: 0}, aftercare.EINVALID},
		{"no token", aftercare.SurveyAnswer{Score: 4}, aftercare.EINVALID},
		{"unknown token", aftercare.SurveyAnswer{Token: "sv_madeup", Score: 4}, aftercare.ENOTFOUND},
		{"expired link", aftercare.SurveyAnswer{Token: expired.Survey.Token, Score: 4}, aftercare.ECONFLICT},
	} {
		_, err := s.AnswerSurvey(respondent, tc.answer)
		assert.Equal(t, tc.code, aftercare.ErrorCode(err), "%s: %v", tc.name, err)
	}

	v, err := s.AnswerSurvey(respondent, aftercare.SurveyAnswer{Token: out.Survey.Token, Score: 5, Comment: " Fixed within the hour "})
	require.NoError(t, err)
	assert.Equal(t, 5, v.Score)
	assert.Equal(t, "Fixed within the hour", v.Comment)
	require.NotNil(t, v.AnsweredAt)
	_, err = s.AnswerSurvey(respondent, aftercare.SurveyAnswer{Token: out.Survey.Token, Score: 1})
	assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "one answer per incident")
	assert.Contains(t, aftercare.ErrorMessage(err), "already answered")

	found, err := s.FindSurvey(context.Background(), inc.ID)
	require.NoError(t, err)
	assert.Equal(t, 5, found.Survey.Score, "the reused token changed nothing")
	var actorRole string
	var actor *string
	require.NoError(t, db.pool.QueryRow(context.Background(), `
		SELECT actor_role, actor_id FROM audit_events WHERE action = 'survey.answer' AND object_id = $1`, inc.ID).Scan(&actorRole, &actor))
	assert.Equal(t, string(aftercare.RoleSurveyRespondent), actorRole)
	assert.Nil(t, actor, "the respondent is no user")
}
