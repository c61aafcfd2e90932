package workflows

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
	"go.opentelemetry.io/otel/propagation"
)

// deliverOutbox claims one batch of a topic's due messages and hands each
// to deliver, up to parallel at once (at least one), under the trace of the
// request that wrote it if it carries one: a message delivered is
// completed, one that failed is due again after a backoff that grows with
// its attempts, up to a minute. It returns how many messages it claimed.
func deliverOutbox(ctx context.Context, outbox aftercare.OutboxService, topic string, batch, parallel int, lease time.Duration,
	log *slog.Logger, deliver func(context.Context, *aftercare.OutboxMessage) error) (int, error) {
	msgs, err := outbox.ClaimOutbox(ctx, topic, batch, lease)
	if err != nil {
		return 0, fmt.Errorf("claim outbox: %w", err)
	}
	one := func(m *aftercare.OutboxMessage) error {
		if err := deliver(continueTrace(ctx, m), m); err != nil {
			delay := min(time.Duration(m.Attempts)*time.Second, time.Minute)
			log.Warn("deliver outbox message", "topic", topic, "key", m.Key, "attempt", m.Attempts, "retry_in", delay, "err", err)
			if err := outbox.RetryOutbox(ctx, m.ID, err.Error(), delay); err != nil {
				return fmt.Errorf("retry outbox message %d: %w", m.ID, err)
			}
			return nil
		}
		if err := outbox.CompleteOutbox(ctx, m.ID); err != nil {
			return fmt.Errorf("complete outbox message %d: %w", m.ID, err)
		}
		return nil
	}
	if parallel <= 1 {
		for _, m := range msgs {
			if err := one(m); err != nil {
				return len(msgs), err
			}
		}
		return len(msgs), nil
	}
	// A message whose completion failed is delivered again once its lease
	// ends; the first such error is reported.
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		slots = make(chan struct{}, parallel)
	)
	for _, m := range msgs {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := one(m); err != nil {
				mu.Lock()
				first = cmp.Or(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(msgs), first
}

// continueTrace returns ctx with the request that wrote m as its remote
// parent span, if m carries a trace context, so that what delivering m
// starts (a workflow) joins the request's trace.
func continueTrace(ctx context.Context, m *aftercare.OutboxMessage) context.Context {
	if len(m.TraceContext) == 0 {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier(m.TraceContext))
}
