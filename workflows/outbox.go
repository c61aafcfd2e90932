package workflows

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aftercare/aftercare"
)

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
