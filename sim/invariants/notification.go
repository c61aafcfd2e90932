package invariants

import (
	"context"
	"fmt"
	"strings"
)

const (
	notificationsName = "every notification delivered or pending"
	notificationsRule = "every escalation of the day's incidents has its escalation event (what subscribers see) " +
		"and, for each webhook URL it was recorded with, a notification.webhook message in the outbox, delivered " +
		"or pending, whose recipients include each of its notifications; every stock alert since the day's " +
		"start has its notification.broadcast message listing each of its notifications, and once fanned out a " +
		"delivery to each webhook URL the day's escalations went to"
)

// escalationHooks are the webhook messages of escalations written since
// $1, with what identifies their escalation; dayEscalations are the
// escalations of incidents filed since $1.
const escalationHooks = `
	WITH hooks AS (
		SELECT o.payload->>'url' AS url, o.payload->'body'->>'incident_id' AS incident_id,
			o.payload->'body'->>'clock' AS clock, (o.payload->'body'->>'level')::int AS level,
			o.payload->'body'->'recipients' AS recipients
		FROM outbox o
		WHERE o.topic = 'notification.webhook' AND o.created_at >= $1 AND o.payload->'body'->>'kind' = 'escalation'),
	esc AS (
		SELECT x.incident_id, x.clock, x.level, x.notified,
			'incident #' || i.number || '''s ' || x.clock || ' clock level ' || x.level AS name
		FROM escalations x JOIN incidents i ON i.id = x.incident_id WHERE i.created_at >= $1)`

// broadcastHooks are the stock alerts' broadcasts written since $1, and
// the webhook URLs the day's escalations were recorded with.
const broadcastHooks = `
	WITH casts AS (
		SELECT o.key, o.delivered_at, (o.payload->'body'->>'stock_id')::bigint AS stock_id,
			(o.payload->'body'->>'crossing')::int AS crossing, o.payload->'body'->'recipients' AS recipients
		FROM outbox o WHERE o.topic = 'notification.broadcast' AND o.created_at >= $1),
	urls AS (
		SELECT DISTINCT u.url FROM escalations x JOIN incidents i ON i.id = x.incident_id,
			unnest(x.notified) u(url) WHERE i.created_at >= $1)`

// checkNotifications checks invariant 7: every notification reached the
// outbox, and stays there until delivered.
func (c *checker) checkNotifications(ctx context.Context) Result {
	var p problems
	err := c.lines(ctx, &p, escalationHooks+`
		SELECT e.name || ' has no webhook message for ' || u.url
		FROM esc e, unnest(e.notified) u(url)
		WHERE NOT EXISTS (SELECT 1 FROM hooks h WHERE h.url = u.url AND h.incident_id = e.incident_id::text
			AND h.clock = e.clock AND h.level = e.level)
		UNION ALL
		SELECT 'notification ' || n.id || ' (' || n.reason || ') of ' || e.name || ' is missing from its message to ' || h.url
		FROM esc e JOIN notifications n ON (n.incident_id, n.clock, n.level) = (e.incident_id, e.clock, e.level)
		JOIN hooks h ON h.incident_id = e.incident_id::text AND h.clock = e.clock AND h.level = e.level
		WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(h.recipients) r WHERE (r->>'notification_id')::bigint = n.id)
		UNION ALL
		SELECT e.name || ' has no escalation event'
		FROM esc e WHERE NOT EXISTS (SELECT 1 FROM incident_events ev WHERE ev.incident_id = e.incident_id
			AND ev.kind = 'escalation' AND ev.data->>'clock' = e.clock AND (ev.data->>'level')::int = e.level)`,
		c.rec.Since)
	if err == nil {
		err = c.lines(ctx, &p, broadcastHooks+`
			SELECT 'stock alert ' || a.crossing || ' of stock row ' || a.stock_id || ' has no webhook broadcast'
			FROM stock_alerts a WHERE a.at >= $1
				AND NOT EXISTS (SELECT 1 FROM casts b WHERE (b.stock_id, b.crossing) = (a.stock_id, a.crossing))
			UNION ALL
			SELECT 'notification ' || n.id || ' of stock alert ' || b.crossing || ' of stock row ' || b.stock_id
				|| ' is missing from its broadcast'
			FROM casts b JOIN notifications n ON (n.stock_id, n.stock_crossing) = (b.stock_id, b.crossing)
			WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(b.recipients) r WHERE (r->>'notification_id')::bigint = n.id)
			UNION ALL
			SELECT 'broadcast ' || b.key || ' was fanned out without a delivery to ' || u.url
			FROM casts b, urls u
			WHERE b.delivered_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.topic = 'notification.webhook'
				AND o.key LIKE replace(replace(b.key, '\', '\\'), '%', '\%') || ':%' AND o.payload->>'url' = u.url)`,
			c.rec.Since)
	}
	if err != nil {
		return failed(notificationsName, notificationsRule, err)
	}
	counts, err := c.outboxCounts(ctx)
	if err != nil {
		return failed(notificationsName, notificationsRule, err)
	}
	return p.result(notificationsName, notificationsRule, counts)
}

// outboxCounts sums up the day's notifications and outbox messages.
func (c *checker) outboxCounts(ctx context.Context) (string, error) {
	var escalated, alerted int64
	if err := c.db.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE n.kind = 'escalation'), count(*) FILTER (WHERE n.kind = 'stock_alert')
		FROM notifications n WHERE n.created_at >= $1`, []any{c.rec.Since}, &escalated, &alerted); err != nil {
		return "", fmt.Errorf("count notifications: %w", err)
	}
	parts := []string{fmt.Sprintf("%d escalation and %d stock notifications", escalated, alerted)}
	var topic string
	var delivered, pending, failing int64
	if err := c.db.Query(ctx, `
		SELECT topic, count(*) FILTER (WHERE delivered_at IS NOT NULL), count(*) FILTER (WHERE delivered_at IS NULL),
			count(*) FILTER (WHERE delivered_at IS NULL AND last_error IS NOT NULL)
		FROM outbox WHERE created_at >= $1 GROUP BY topic ORDER BY topic`, []any{c.rec.Since},
		[]any{&topic, &delivered, &pending, &failing}, func() error {
			parts = append(parts, fmt.Sprintf("%s %d delivered, %d pending (%d retrying)", topic, delivered, pending, failing))
			return nil
		}); err != nil {
		return "", fmt.Errorf("count outbox messages: %w", err)
	}
	return strings.Join(parts, "; "), nil
}
