package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// The NOTIFY channels this package listens on: writers of outbox messages
// announce the topic they wrote to, writers of access rules announce that
// the policy changed, triggers announce that the fleet's change feed moved
// (019_fleet_notify.sql) and every incident event.
const (
	outboxChannel = "aftercare_outbox"
	policyChannel = "aftercare_policy"
	fleetChannel  = "aftercare_fleet"
	eventsChannel = "aftercare_events"
)

var _ aftercare.OutboxService = (*DB)(nil)

// ClaimOutbox leases up to limit due, undelivered messages of a topic, oldest
// first. Claimers in other processes skip the rows it locks and, once it
// returns, do not see them again until the lease ends.
func (db *DB) ClaimOutbox(ctx context.Context, topic string, limit int, lease time.Duration) (_ []*aftercare.OutboxMessage, err error) {
	defer wrap(&err, "DB.ClaimOutbox")
	rows, err := db.pool.Query(ctx, `
		UPDATE outbox SET available_at = now() + $3 * interval '1 microsecond', attempts = attempts + 1
		WHERE id IN (
			SELECT id FROM outbox
			WHERE topic = $1 AND delivered_at IS NULL AND available_at <= now()
			ORDER BY available_at, id
			LIMIT $2
			FOR UPDATE SKIP LOCKED)
		RETURNING id, topic, key, payload, attempts, trace_context`,
		topic, limit, lease.Microseconds())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*aftercare.OutboxMessage, error) {
		var m aftercare.OutboxMessage
		var traceContext []byte
		err := row.Scan(&m.ID, &m.Topic, &m.Key, &m.Payload, &m.Attempts, &traceContext)
		m.TraceContext = readOutboxTrace(traceContext)
		return &m, err
	})
}

// CompleteOutbox marks a message delivered.
func (db *DB) CompleteOutbox(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "DB.CompleteOutbox")
	_, err = db.pool.Exec(ctx, `UPDATE outbox SET delivered_at = now(), last_error = NULL WHERE id = $1`, id)
	return err
}

// RetryOutbox records why a delivery failed and makes the message due again
// after delay.
func (db *DB) RetryOutbox(ctx context.Context, id int64, cause string, delay time.Duration) (err error) {
	defer wrap(&err, "DB.RetryOutbox")
	_, err = db.pool.Exec(ctx, `
		UPDATE outbox SET last_error = $2, available_at = now() + $3 * interval '1 microsecond'
		WHERE id = $1 AND delivered_at IS NULL`, id, cause, delay.Microseconds())
	return err
}

// FanOutOutbox writes one notification.webhook message per delivery
// (keyed; one written already stays as it is) and marks the broadcast
// message id delivered, in one transaction, and wakes the webhook relays.
func (db *DB) FanOutOutbox(ctx context.Context, id int64, deliveries []aftercare.WebhookDelivery) (err error) {
	defer wrap(&err, fmt.Sprintf("DB.FanOutOutbox(ctx, %d)", id))
	return db.inTx(ctx, func(tx pgx.Tx) error {
		for _, d := range deliveries {
			payload, err := json.Marshal(d)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, $3) ON CONFLICT (topic, key) DO NOTHING`,
				aftercare.OutboxTopicWebhook, d.Key, payload); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE outbox SET delivered_at = now(), last_error = NULL WHERE id = $1`, id); err != nil {
			return err
		}
		return notifyOutbox(ctx, tx, aftercare.OutboxTopicWebhook)
	})
}

// OutboxBacklog returns, for every topic with undelivered messages, how
// many wait and how long ago the oldest was written. It reads only the
// undelivered rows, through the outbox's partial index.
func (db *DB) OutboxBacklog(ctx context.Context) (_ []aftercare.OutboxBacklog, err error) {
	defer wrap(&err, "DB.OutboxBacklog")
	rows, err := db.pool.Query(ctx, `
		SELECT topic, count(*), extract(epoch FROM now() - min(created_at))::float8
		FROM outbox WHERE delivered_at IS NULL
		GROUP BY topic ORDER BY topic`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (aftercare.OutboxBacklog, error) {
		var b aftercare.OutboxBacklog
		var age float64
		err := row.Scan(&b.Topic, &b.Pending, &age)
		b.OldestAge = time.Duration(max(age, 0) * float64(time.Second))
		return b, err
	})
}

// WaitOutbox blocks until a message of the topic may have been written since
// the previous WaitOutbox for the topic returned, until timeout passes, or
// until ctx ends. Notifications are kept for one waiter per topic and
// process; other waiters fall back to the timeout, so callers must treat it
// as a poll interval.
func (db *DB) WaitOutbox(ctx context.Context, topic string, timeout time.Duration) error {
	return db.wait(ctx, outboxChannel, topic, timeout)
}

// wait blocks until a notification on channel with payload arrives (or one
// arrived since the previous wait returned), until timeout passes, or until
// ctx ends.
func (db *DB) wait(ctx context.Context, channel, payload string, timeout time.Duration) error {
	db.listenOnce.Do(func() {
		db.listener = newListener(db.url)
	})
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-db.listener.signal(channel + ":" + payload):
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// notifyOutbox announces, at commit, that tx wrote a message of topic.
func notifyOutbox(ctx context.Context, tx execer, topic string) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, outboxChannel, topic)
	return err
}

// listener holds one connection that listens on this package's channels and
// turns each notification into a pending signal for its channel and payload.
type listener struct {
	url    string
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	signals map[string]chan struct{}
	// subs are the subscribers to incident events, by "incident:<id>" and
	// "account:<id>" (see subscribe).
	subs map[string]map[chan struct{}]struct{}
}

func newListener(url string) *listener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{url: url, cancel: cancel, done: make(chan struct{}), signals: map[string]chan struct{}{}}
	go l.run(ctx)
	return l
}

// signal returns the channel that holds a pending signal for a key
// "channel:payload".
func (l *listener) signal(key string) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch, ok := l.signals[key]
	if !ok {
		ch = make(chan struct{}, 1)
		l.signals[key] = ch
	}
	return ch
}

// wakeAll signals every channel and payload someone waits or waited on.
func (l *listener) wakeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ch := range l.signals {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := l.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		slog.Warn("outbox listener lost its connection; waiters poll until it is back", "err", err, "retry_in", backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (l *listener) listen(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, l.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, channel := range []string{outboxChannel, policyChannel, fleetChannel, eventsChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
			return err
		}
	}
	// A change committed before LISTEN took effect sent its notification to
	// nobody: wake every waiter once, so that each looks for itself.
	l.wakeAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == eventsChannel {
			l.broadcast(n.Payload)
			continue
		}
		if n.Channel == fleetChannel {
			l.notify(fleetSubscribers)
		}
		select {
		case l.signal(n.Channel + ":" + n.Payload) <- struct{}{}:
		default:
		}
	}
}

func (l *listener) close() {
	l.cancel()
	<-l.done
}
