package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SLAService stores what incident workflows mirror of their clocks and
// escalations, and reads it back for the API.
type SLAService struct {
	db *DB
}

var (
	_ aftercare.SLAService           = (*SLAService)(nil)
	_ aftercare.IncidentEventService = (*SLAService)(nil)
)

// NewSLAService returns an SLAService backed by db.
func NewSLAService(db *DB) *SLAService {
	return &SLAService{db: db}
}

// FindSLAFacts returns what an incident's clocks depend on: the incident,
// its site's time zone, country holidays and region, and its contract's SLA
// overrides and on-site entitlement. It reads as the system, unscoped.
func (s *SLAService) FindSLAFacts(ctx context.Context, incidentID string) (_ *aftercare.SLAFacts, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindSLAFacts(ctx, %q)", incidentID))
	ctx = aftercare.NewContextWithScope(ctx, &aftercare.Scope{All: true})
	inc, err := findIncidentByID(ctx, s.db.pool, incidentID)
	if err != nil {
		return nil, err
	}
	f := &aftercare.SLAFacts{Incident: inc, Overrides: map[string]string{}}
	var overrides []byte
	if err := s.db.pool.QueryRow(ctx, `
		SELECT s.time_zone, s.country, s.region, coalesce(c.sla_overrides, '{}'),
			EXISTS (SELECT 1 FROM entitlements e WHERE e.contract_id = c.id AND e.kind = 'on_site'),
			EXISTS (SELECT 1 FROM entitlements e WHERE e.contract_id = c.id AND e.kind = 'advance_parts_replacement')
		FROM incidents i
		JOIN sites s ON s.id = i.site_id
		LEFT JOIN contracts c ON c.id = i.contract_id
		WHERE i.id = $1`, incidentID).Scan(&f.TimeZone, &f.Country, &f.Region, &overrides, &f.OnSiteEntitled, &f.AdvanceParts); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(overrides, &f.Overrides); err != nil {
		return nil, aftercare.Errorf(aftercare.EINVALID, "contract SLA overrides are not an object of targets: %s", overrides)
	}
	if f.TierPolicy, err = findTierPolicy(ctx, s.db.pool, inc.Tier); err != nil {
		return nil, err
	}
	f.Holidays, err = findHolidays(ctx, s.db.pool, f.Country)
	return f, err
}

// findHolidays returns a country's holidays in date order.
func findHolidays(ctx context.Context, q querier, country string) ([]aftercare.Holiday, error) {
	rows, err := q.Query(ctx, `
		SELECT country, date, kind, name FROM holidays WHERE country = $1 ORDER BY date`, country)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanHoliday)
}

// findHolidaysOf returns the holidays of each of countries in date order,
// in one query.
func findHolidaysOf(ctx context.Context, q querier, countries []string) (map[string][]aftercare.Holiday, error) {
	rows, err := q.Query(ctx, `
		SELECT country, date, kind, name FROM holidays WHERE country = ANY($1) ORDER BY country, date`, countries)
	if err != nil {
		return nil, err
	}
	days, err := pgx.CollectRows(rows, scanHoliday)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]aftercare.Holiday, len(countries))
	for _, h := range days {
		out[h.Country] = append(out[h.Country], h)
	}
	return out, nil
}

func scanHoliday(row pgx.CollectableRow) (aftercare.Holiday, error) {
	var h aftercare.Holiday
	var date time.Time
	err := row.Scan(&h.Country, &date, &h.Kind, &h.Name)
	h.Date = aftercare.DateOf(date)
	return h, err
}

// RecordIncidentChange records a change of an incident once per key: its
// event, the incident's new status and priority, its clock snapshots (an
// older snapshot never overwrites a newer one), and what the change does
// to the incident's job (followIncident), all in one transaction.
func (s *SLAService) RecordIncidentChange(ctx context.Context, c aftercare.IncidentChange) (err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.RecordIncidentChange(ctx, %q)", c.Key))
	if !validID(c.IncidentID) {
		return aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", c.IncidentID)
	}
	data := c.Data
	if data == nil {
		data = map[string]any{}
	}
	// Two round trips: the clocks and the event, then, for a change not
	// recorded before, the incident and the audit event; then the job
	// follows the incident, under the lock the incident's update took.
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, snap := range c.Clocks {
			if err := queueClock(b, c.IncidentID, c.Version, snap); err != nil {
				return err
			}
		}
		var first bool
		b.Queue(`
			INSERT INTO incident_events (incident_id, kind, from_status, to_status, reason, actor_id, at, data, idempotency_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (idempotency_key) DO NOTHING`,
			c.IncidentID, c.Kind, nullIfEmpty(string(c.FromStatus)), nullIfEmpty(string(c.ToStatus)), c.Reason,
			actorID(c.ActorID), c.At, data, c.Key).Exec(func(ct pgconn.CommandTag) error {
			first = ct.RowsAffected() > 0
			return nil
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil || !first {
			return err
		}
		b = &pgx.Batch{}
		// A change older than the one the row shows (recorded late) leaves
		// the status and priority to the newer one.
		b.Queue(`
			UPDATE incidents SET
				status = CASE WHEN change_version < $5 THEN coalesce(nullif($2, ''), status) ELSE status END,
				priority = CASE WHEN change_version < $5 THEN coalesce(nullif($3, ''), priority) ELSE priority END,
				updated_at = greatest(updated_at, $4), change_version = greatest(change_version, $5)
			WHERE id = $1`, c.IncidentID, c.ToStatus, c.Priority, c.At, c.Version)
		if a := c.Audit; a != nil {
			b.Queue(`
				INSERT INTO audit_events (at, actor_id, actor_role, action, object_type, object_id, before, after, request_id)
				VALUES ($1, $2, $3, $4, 'incident', $5, $6, $7, $8)`,
				c.At, actorID(c.ActorID), a.ActorRole, a.Action, c.IncidentID, a.Before, a.After, a.RequestID)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return followIncident(ctx, tx, c)
	})
}

// queueClock queues the write of a clock snapshot, which leaves a newer
// stored one as it is.
func queueClock(b *pgx.Batch, incidentID string, version int64, c aftercare.ClockSnapshot) error {
	events, err := json.Marshal(c.Events)
	if err != nil {
		return fmt.Errorf("%s clock events: %w", c.Kind, err)
	}
	b.Queue(`
		INSERT INTO sla_clocks (incident_id, kind, target, coverage, time_zone, started_at, deadline, stopped_at,
			budget_seconds, paused_seconds, state, events, version, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())
		ON CONFLICT (incident_id, kind) DO UPDATE SET target = EXCLUDED.target, coverage = EXCLUDED.coverage,
			time_zone = EXCLUDED.time_zone, started_at = EXCLUDED.started_at, deadline = EXCLUDED.deadline,
			stopped_at = EXCLUDED.stopped_at, budget_seconds = EXCLUDED.budget_seconds,
			paused_seconds = EXCLUDED.paused_seconds, state = EXCLUDED.state, events = EXCLUDED.events,
			version = EXCLUDED.version, updated_at = now()
		WHERE sla_clocks.version < EXCLUDED.version`,
		incidentID, c.Kind, c.Target.String(), c.Coverage, c.TimeZone, c.StartedAt, c.Deadline, c.StoppedAt,
		int64(c.Budget.Seconds()), int64(c.Paused.Seconds()), c.State, json.RawMessage(events), version)
	return nil
}

// nullIfEmpty returns nil for "", so that an optional column stays NULL.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// actorID returns a user ID for an actor column, or nil for the system.
func actorID(id string) *string {
	if !validID(id) {
		return nil
	}
	return &id
}

// RecordEscalation records a fired escalation level once per clock and
// level. The first time, in the same transaction, it writes the clock's
// snapshot, one notification per recipient the level's actions route it to,
// an escalation event naming them, and one webhook message per URL to the
// outbox with the recipients in its body; a repeat changes nothing.
func (s *SLAService) RecordEscalation(ctx context.Context, e aftercare.EscalationFired, webhooks []string) (err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.RecordEscalation(ctx, %q)", e.Key))
	if !validID(e.IncidentID) {
		return aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", e.IncidentID)
	}
	// Three round trips inside the transaction: the clock and the
	// escalation; for a level not recorded before, its recipients and a
	// breach's credit; then the event and the outbox messages.
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		if err := queueClock(b, e.IncidentID, e.Version, e.Clock); err != nil {
			return err
		}
		var first bool
		b.Queue(`
			INSERT INTO escalations (incident_id, clock, level, percent, due_at, fired_at, actions, notified)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (incident_id, clock, level) DO NOTHING`,
			e.IncidentID, e.Clock.Kind, e.Level, e.Percent, e.DueAt, e.FiredAt, actionNames(e.Actions),
			append([]string{}, webhooks...)).Exec(func(ct pgconn.CommandTag) error {
			first = ct.RowsAffected() > 0
			return nil
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil || !first {
			return err
		}
		b = &pgx.Batch{}
		var sent []*aftercare.Notification
		queueRecipients(b, e.Escalation, &sent)
		var credit *float64
		if e.Percent >= 100 {
			queueCredit(b, e.Escalation, &credit)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		data := map[string]any{"clock": e.Clock.Kind, "level": e.Level, "percent": e.Percent, "actions": e.Actions,
			"due_at": e.DueAt, "breach": e.Percent >= 100, "recipients": eventRecipients(sent)}
		if credit != nil {
			data["service_credit_percent"] = *credit
		}
		body, err := withRecipients(e.Notification, sent)
		if err != nil {
			return err
		}
		b = &pgx.Batch{}
		b.Queue(`
			INSERT INTO incident_events (incident_id, kind, reason, at, data, idempotency_key)
			VALUES ($1, 'escalation', $2, $3, $4, $5)
			ON CONFLICT (idempotency_key) DO NOTHING`,
			e.IncidentID, fmt.Sprintf("%s %d%%", e.Clock.Kind, e.Percent), e.FiredAt, data, e.Key)
		for _, url := range webhooks {
			key := aftercare.WebhookDeliveryKey(e.Key, url)
			payload, err := json.Marshal(aftercare.WebhookDelivery{URL: url, Key: key, Body: body})
			if err != nil {
				return err
			}
			b.Queue(`INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, $3) ON CONFLICT (topic, key) DO NOTHING`,
				aftercare.OutboxTopicWebhook, key, payload)
		}
		if len(webhooks) > 0 {
			b.Queue(`SELECT pg_notify($1, $2)`, outboxChannel, aftercare.OutboxTopicWebhook)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// queueCredit queues the computation and record of the service credit a
// breach earns: the contract's percentage per breach, within what its
// monthly cap leaves after the breaches already credited that month. It
// leaves *out nil for a contract without credits.
func queueCredit(b *pgx.Batch, e aftercare.Escalation, out **float64) {
	b.Queue(`
		WITH terms AS (
			SELECT c.id, c.credit_percent_per_breach AS per, c.credit_cap_percent AS cap
			FROM incidents i JOIN contracts c ON c.id = i.contract_id
			WHERE i.id = $1 AND c.credit_percent_per_breach IS NOT NULL),
		used AS (
			SELECT coalesce(sum(x.service_credit_percent), 0) AS credited
			FROM escalations x JOIN incidents xi ON xi.id = x.incident_id, terms
			WHERE xi.contract_id = terms.id AND x.service_credit_percent IS NOT NULL
			  AND date_trunc('month', x.fired_at AT TIME ZONE 'UTC') = date_trunc('month', $4::timestamptz AT TIME ZONE 'UTC'))
		UPDATE escalations SET service_credit_percent =
			(SELECT least(per, greatest(coalesce(cap, 100) - credited, 0)) FROM terms, used)
		WHERE incident_id = $1 AND clock = $2 AND level = $3 AND EXISTS (SELECT 1 FROM terms)
		RETURNING service_credit_percent::float8`,
		e.IncidentID, e.Clock, e.Level, e.FiredAt).QueryRow(func(row pgx.Row) error {
		err := row.Scan(out)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
}

// eventRecipients is who an escalation notified, as its event (pushed to
// subscribers, customers among them) shows them: no email addresses.
func eventRecipients(sent []*aftercare.Notification) []map[string]any {
	out := make([]map[string]any, len(sent))
	for i, n := range sent {
		out[i] = map[string]any{"reason": n.Reason, "name": n.Name, "user_id": nullID(n.UserID)}
	}
	return out
}

// webhookRecipient is one recipient in a webhook body, for the gateway
// that passes the notification on.
type webhookRecipient struct {
	NotificationID int64                        `json:"notification_id"`
	Reason         aftercare.NotificationReason `json:"reason"`
	UserID         *string                      `json:"user_id"`
	Name           string                       `json:"name"`
	Email          string                       `json:"email"`
}

// withRecipients returns the webhook body of an escalation notice with its
// recipients added, a JSON object with its keys in order.
func withRecipients(notice aftercare.EscalationNotice, sent []*aftercare.Notification) ([]byte, error) {
	body, err := json.Marshal(notice)
	if err != nil {
		return nil, err
	}
	obj := map[string]json.RawMessage{}
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, err
	}
	rs := make([]webhookRecipient, len(sent))
	for i, n := range sent {
		rs[i] = webhookRecipient{NotificationID: n.ID, Reason: n.Reason, UserID: nullID(n.UserID), Name: n.Name, Email: n.Email}
	}
	b, err := json.Marshal(rs)
	if err != nil {
		return nil, err
	}
	obj["recipients"] = b
	return json.Marshal(obj)
}
