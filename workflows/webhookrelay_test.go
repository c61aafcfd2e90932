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
	"sync/atomic"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/aftercare/aftercare/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memOutbox is an in-memory outbox with the lease and retry semantics of
// the PostgreSQL one.
type memOutbox struct {
	mu   sync.Mutex
	now  func() time.Time
	msgs []*memMessage
}

type memMessage struct {
	aftercare.OutboxMessage
	due       time.Time
	delivered bool
	lastError string
}

func (o *memOutbox) add(d aftercare.WebhookDelivery) {
	b, _ := json.Marshal(d)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, &memMessage{OutboxMessage: aftercare.OutboxMessage{
		ID: int64(len(o.msgs) + 1), Topic: aftercare.OutboxTopicWebhook, Key: d.Key, Payload: b}})
}

func (o *memOutbox) ClaimOutbox(_ context.Context, topic string, limit int, lease time.Duration) ([]*aftercare.OutboxMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*aftercare.OutboxMessage
	for _, m := range o.msgs {
		if len(out) < limit && m.Topic == topic && !m.delivered && !m.due.After(o.now()) {
			m.Attempts++
			m.due = o.now().Add(lease)
			cp := m.OutboxMessage
			out = append(out, &cp)
		}
	}
	return out, nil
}

func (o *memOutbox) CompleteOutbox(_ context.Context, id int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs[id-1].delivered = true
	return nil
}

func (o *memOutbox) RetryOutbox(_ context.Context, id int64, cause string, delay time.Duration) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs[id-1].lastError, o.msgs[id-1].due = cause, o.now().Add(delay)
	return nil
}

func (o *memOutbox) FanOutOutbox(_ context.Context, id int64, deliveries []aftercare.WebhookDelivery) error {
	for _, d := range deliveries {
		o.add(d)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs[id-1].delivered = true
	return nil
}

func (o *memOutbox) WaitOutbox(ctx context.Context, _ string, timeout time.Duration) error {
	select {
	case <-time.After(timeout):
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func (o *memOutbox) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, m := range o.msgs {
		if !m.delivered {
			n++
		}
	}
	return n
}

// deliveryOutcomes counts the delivery attempts a relay observes.
type deliveryOutcomes struct {
	delivered, failed atomic.Int32
}

func (d *deliveryOutcomes) ObserveWebhookDelivery(delivered bool) {
	if delivered {
		d.delivered.Add(1)
	} else {
		d.failed.Add(1)
	}
}

func newRelay(o *memOutbox) *workflows.WebhookRelay {
	return &workflows.WebhookRelay{
		Outbox: o, Client: &http.Client{Timeout: time.Second},
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Lease:        5 * time.Second,
		PollInterval: 10 * time.Millisecond,
		BatchSize:    10,
		MinBackoff:   20 * time.Millisecond,
		MaxBackoff:   80 * time.Millisecond,
	}
}

func TestWebhookRelayRetriesWithBackoffUntilDelivered(t *testing.T) {
	var calls atomic.Int32
	var mu sync.Mutex
	var keys, attempts []string
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get(workflows.WebhookHeaderKey))
		attempts = append(attempts, r.Header.Get(workflows.WebhookHeaderAttempt))
		mu.Unlock()
		if calls.Add(1) <= 3 {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		body, _ := io.ReadAll(r.Body)
		assert.JSONEq(t, `{"level":4}`, string(body))
	}))
	defer failing.Close()
	var healthy atomic.Int32
	ok := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { healthy.Add(1) }))
	defer ok.Close()

	o := &memOutbox{now: time.Now}
	o.add(aftercare.WebhookDelivery{URL: failing.URL, Key: "k-failing", Body: json.RawMessage(`{"level":4}`)})
	o.add(aftercare.WebhookDelivery{URL: ok.URL, Key: "k-ok", Body: json.RawMessage(`{"level":4}`)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newRelay(o)
	outcomes := &deliveryOutcomes{}
	r.Deliveries = outcomes
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()

	require.Eventually(t, func() bool { return o.pending() == 0 }, 5*time.Second, 10*time.Millisecond)
	cancel()
	<-done
	assert.Equal(t, int32(4), calls.Load(), "three failures, then delivered, then never again")
	assert.Equal(t, int32(2), outcomes.delivered.Load(), "each URL's delivery observed once delivered")
	assert.Equal(t, int32(3), outcomes.failed.Load(), "every failed attempt observed")
	assert.Equal(t, int32(1), healthy.Load(), "a failing webhook does not hold up another")
	assert.Equal(t, []string{"k-failing", "k-failing", "k-failing", "k-failing"}, keys, "the same key on every retry")
	assert.Equal(t, []string{"1", "2", "3", "4"}, attempts)
}

func TestWebhookRelayBackoffDoublesUpToTheCap(t *testing.T) {
	var mu sync.Mutex
	var at []time.Time
	attempts := func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), at...)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	o := &memOutbox{now: time.Now}
	o.add(aftercare.WebhookDelivery{URL: srv.URL, Key: "k", Body: json.RawMessage(`{}`)})
	r := newRelay(o)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = r.Run(ctx) }()
	require.Eventually(t, func() bool { return len(attempts()) >= 5 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	got := attempts()
	// Delays of 20, 40, 80 and 80 ms (capped) between attempts.
	for i, min := range []time.Duration{20, 40, 80, 80} {
		gap := got[i+1].Sub(got[i])
		assert.GreaterOrEqual(t, gap, min*time.Millisecond, "gap before attempt %d", i+2)
	}
}

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
