package workflows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
)

// Headers set on every webhook delivery.
const (
	// WebhookHeaderKey carries the notification's key, the same on every retry,
	// so receivers can drop duplicates.
	WebhookHeaderKey = "Idempotency-Key"
	// WebhookHeaderAttempt carries the delivery attempt, from 1.
	WebhookHeaderAttempt = "X-Aftercare-Attempt"
)

// WebhookRelay delivers Aftercare's webhook notifications (escalations of
// SLA clocks, contract reminders, survey invitations, stock alerts) to the
// webhooks operators configure: it reads the outbox rows the activities
// and the stores write, POSTs each to its URL, and retries failed
// deliveries with exponential backoff. A broadcast (a notification written
// where no webhook list is at hand) becomes one delivery per URL of
// Webhooks first. Delivery runs apart from the workflows, so a slow or
// failing webhook never holds up a clock.
type WebhookRelay struct {
	Outbox aftercare.OutboxService
	Client *http.Client
	Logger *slog.Logger
	// Webhooks are the URLs broadcasts go to.
	Webhooks []string
	// Lease is how long a claimed notification is hidden from other relays;
	// it must exceed the client's timeout.
	Lease time.Duration
	// PollInterval bounds the sleep between claims when no notification
	// wakes the relay.
	PollInterval time.Duration
	// BatchSize is how many notifications one claim takes; they are
	// delivered concurrently.
	BatchSize int
	// MinBackoff and MaxBackoff bound the delay before a failed delivery is
	// retried; it doubles with each attempt.
	MinBackoff, MaxBackoff time.Duration
	// Deliveries is told the outcome of every delivery attempt; nil tells
	// nobody.
	Deliveries DeliveryObserver
}

// DeliveryObserver is told the outcome of every webhook delivery attempt:
// delivered, or failed (the URL did not answer 2xx, or the message could
// not be read) and retried later.
type DeliveryObserver interface {
	ObserveWebhookDelivery(delivered bool)
}

// Run delivers notifications until ctx ends.
func (r *WebhookRelay) Run(ctx context.Context) error {
	for {
		n, err := r.DeliverOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			r.Logger.Error("webhook relay", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		if err := r.Outbox.WaitOutbox(ctx, aftercare.OutboxTopicWebhook, r.PollInterval); err != nil {
			return nil
		}
	}
}

// DeliverOnce turns one batch of due broadcasts into deliveries, then
// claims one batch of due deliveries and delivers them, returning how many
// messages it claimed.
func (r *WebhookRelay) DeliverOnce(ctx context.Context) (int, error) {
	fanned, err := r.fanOut(ctx)
	if err != nil {
		return fanned, err
	}
	msgs, err := r.Outbox.ClaimOutbox(ctx, aftercare.OutboxTopicWebhook, r.BatchSize, r.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim webhook outbox: %w", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		wg.Go(func() { errs[i] = r.settle(ctx, m) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fanned + len(msgs), err
		}
	}
	return fanned + len(msgs), nil
}

// fanOut claims one batch of due broadcasts and writes each one's
// delivery to every URL of r.Webhooks, returning how many it claimed. A
// broadcast that cannot be read is retried like a failed delivery.
func (r *WebhookRelay) fanOut(ctx context.Context) (int, error) {
	msgs, err := r.Outbox.ClaimOutbox(ctx, aftercare.OutboxTopicWebhookBroadcast, r.BatchSize, r.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim webhook broadcasts: %w", err)
	}
	for _, m := range msgs {
		var b aftercare.WebhookBroadcast
		if err := json.Unmarshal(m.Payload, &b); err != nil {
			if err := r.Outbox.RetryOutbox(ctx, m.ID, err.Error(), r.backoff(m.Attempts)); err != nil {
				return len(msgs), fmt.Errorf("retry webhook broadcast %d: %w", m.ID, err)
			}
			continue
		}
		if err := r.Outbox.FanOutOutbox(ctx, m.ID, b.Deliveries(r.Webhooks)); err != nil {
			return len(msgs), fmt.Errorf("fan out webhook broadcast %d: %w", m.ID, err)
		}
	}
	return len(msgs), nil
}

// settle delivers one message and records the outcome in the outbox.
func (r *WebhookRelay) settle(ctx context.Context, m *aftercare.OutboxMessage) error {
	var d aftercare.WebhookDelivery
	err := json.Unmarshal(m.Payload, &d)
	if err == nil {
		err = r.post(ctx, d, m.Attempts)
	}
	if r.Deliveries != nil {
		r.Deliveries.ObserveWebhookDelivery(err == nil)
	}
	if err == nil {
		if err := r.Outbox.CompleteOutbox(ctx, m.ID); err != nil {
			return fmt.Errorf("complete webhook message %d: %w", m.ID, err)
		}
		return nil
	}
	delay := r.backoff(m.Attempts)
	r.Logger.Warn("webhook delivery failed", "url", d.URL, "key", d.Key, "attempt", m.Attempts, "retry_in", delay, "err", err)
	if err := r.Outbox.RetryOutbox(ctx, m.ID, err.Error(), delay); err != nil {
		return fmt.Errorf("retry webhook message %d: %w", m.ID, err)
	}
	return nil
}

// backoff returns the delay before the attempt after the given one.
func (r *WebhookRelay) backoff(attempt int) time.Duration {
	d := r.MinBackoff
	for i := 1; i < attempt && d < r.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, r.MaxBackoff)
}

// post sends one notification; any answer but 2xx is a failure.
func (r *WebhookRelay) post(ctx context.Context, d aftercare.WebhookDelivery, attempt int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "aftercare-webhook/1")
	req.Header.Set(WebhookHeaderKey, d.Key)
	req.Header.Set(WebhookHeaderAttempt, fmt.Sprint(attempt))
	resp, err := r.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %s", d.URL, resp.Status)
	}
	return nil
}
