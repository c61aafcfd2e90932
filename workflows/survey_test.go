package workflows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a log sink tests read while the relay writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSurveyInvitationReachesTheWebhookWithItsLink sends a survey and runs
// the webhook relay on the real outbox against a receiver that fails once:
// the invitation arrives, retried with the same key, carrying the link,
// the contact's address and the incident's number; the delivery is
// recorded in the outbox, and the token appears in no log line.
func TestSurveyInvitationReachesTheWebhookWithItsLink(t *testing.T) {
	db := postgrestest.MustOpen(t)
	incidents, _ := raceFixture(t, db)
	ctx := context.Background()

	var mu sync.Mutex
	var attempts, keys []string
	var bodies []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, r.Header.Get(workflows.WebhookHeaderAttempt))
		keys = append(keys, r.Header.Get(workflows.WebhookHeaderKey))
		if len(attempts) == 1 {
			http.Error(w, "mailer restarting", http.StatusServiceUnavailable)
			return
		}
		var body map[string]any
		assert.NoError(t, json.Unmarshal(raw, &body))
		bodies = append(bodies, body)
	}))
	defer hook.Close()

	surveys := postgres.NewSurveyService(db)
	surveys.PublicURL = "https://service.example.com/"
	surveys.Webhooks = []string{hook.URL}
	out, err := surveys.CreateSurvey(ctx, incidents[0], time.Now())
	require.NoError(t, err)
	require.NotNil(t, out.Survey)

	var logs syncBuffer
	relay := &workflows.WebhookRelay{
		Outbox: db, Client: &http.Client{Timeout: time.Second},
		Logger:       slog.New(slog.NewTextHandler(&logs, nil)),
		Lease:        5 * time.Second,
		PollInterval: 20 * time.Millisecond,
		BatchSize:    10,
		MinBackoff:   50 * time.Millisecond,
		MaxBackoff:   200 * time.Millisecond,
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = relay.Run(runCtx); close(done) }()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) > 0
	}, 10*time.Second, 20*time.Millisecond, "the invitation is delivered after a failed attempt")
	time.Sleep(300 * time.Millisecond) // long enough for a wrong second delivery
	cancel()
	<-done

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"1", "2"}, attempts, "retried once, then delivered and never again")
	require.Len(t, keys, 2)
	assert.Equal(t, keys[0], keys[1], "the same idempotency key on the retry")
	inv := bodies[0]
	assert.Equal(t, aftercare.SurveyInvitationKind, inv["kind"])
	assert.Equal(t, "https://service.example.com/survey/"+out.Survey.Token, inv["link"])
	assert.Equal(t, "n@example.com", inv["to"])
	assert.Equal(t, incidents[0], inv["incident_id"])
	assert.NotZero(t, inv["number"])
	assert.Contains(t, logs.String(), "webhook delivery failed", "the failed attempt was logged")
	assert.NotContains(t, logs.String(), out.Survey.Token, "the token stays out of the logs")
	assert.NotContains(t, keys[0], out.Survey.Token)
	require.NoError(t, db.ExecScript(ctx, `
		DO $$ BEGIN
			IF NOT EXISTS (SELECT 1 FROM outbox WHERE topic = 'notification.webhook' AND key LIKE 'survey.invitation:%'
				AND delivered_at IS NOT NULL AND attempts = 2 AND last_error IS NULL) THEN
				RAISE EXCEPTION 'the delivery is not recorded in the outbox';
			END IF;
		END $$`), "the outbox records the delivery and its attempts")
}
