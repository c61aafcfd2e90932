package aftercare

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// SLAFacts is what an incident's workflow needs to know to run its clocks:
// the incident, its site's time zone, country holidays and service region,
// and its contract's SLA overrides and entitlements.
type SLAFacts struct {
	Incident *Incident
	TimeZone string
	Country  string
	Region   string
	// Overrides are the contract's per-cell SLA overrides, keyed
	// "P1.response", with targets as policies write them.
	Overrides map[string]string
	// OnSiteEntitled says whether the contract carries the on_site
	// entitlement.
	OnSiteEntitled bool
	// TierPolicy is the policy an admin set for the incident's tier; nil
	// when the tier follows the defaults.
	TierPolicy *SLAPolicy
	// AdvanceParts says whether the contract carries advance parts
	// replacement: parts leave the depot when the incident is filed.
	AdvanceParts bool
	Holidays     []Holiday
}

// ClockSnapshot is one SLA clock as an incident's workflow saw it at its
// latest event, written to the database so that reads come from SQL.
type ClockSnapshot struct {
	Kind      ClockKind
	Target    SLATarget
	Coverage  SLACoverage
	TimeZone  string
	StartedAt time.Time
	// Deadline is nil while the clock is paused with budget left.
	Deadline  *time.Time
	StoppedAt *time.Time
	Budget    time.Duration
	// Paused is the wall time the clock has spent paused.
	Paused time.Duration
	State  ClockState
	// Events are the clock's events, from which readers recompute the
	// clock at any instant.
	Events []ClockEvent
}

// IncidentChange is one change an incident's workflow records: a lifecycle
// transition or the start of its clocks, with the clocks as they stand after
// it. Key makes recording idempotent; Version orders the snapshots, so an
// older one never overwrites a newer one.
type IncidentChange struct {
	IncidentID string
	Key        string
	Version    int64
	Kind       string
	FromStatus IncidentStatus
	ToStatus   IncidentStatus
	// Priority is the new priority after a priority change, "" otherwise.
	Priority Priority
	Reason   string
	// ActorID is the user who caused the change, "" for the system.
	ActorID string
	At      time.Time
	// Data are details for the event, as a JSON object.
	Data   map[string]any
	Clocks []ClockSnapshot
	// Audit, for a change a user asked for, is the audit event written in
	// the same transaction as the change's mirror; nil for the system's own.
	Audit *ChangeAudit
	// AssignmentID names the job the change is about: the one accepted,
	// declined, set out on or arrived at (NamesOneJob), or the one a
	// dispatch created; "" for the incident's active job, if any. The
	// store moves the job as JobStateAfter says, in the same transaction.
	AssignmentID string
	// Location is where the engineer reported being at the change (an
	// arrival), nil when they reported nothing.
	Location *Location
}

// ChangeAudit is the audit event of a user's change to an incident.
type ChangeAudit struct {
	Action    string
	ActorRole string
	RequestID string
	Before    map[string]any
	After     map[string]any
}

// EscalationFired is one escalation level that fired, for the database to
// record once and announce.
type EscalationFired struct {
	Escalation
	AccountID string
	Key       string
	Version   int64
	Clock     ClockSnapshot
	// Notification is what each webhook receives of the escalation.
	Notification EscalationNotice
}

// EscalationNotice is the body a webhook receives for a fired escalation
// level, in its JSON encoding; the store adds the recipients the level's
// actions reached.
type EscalationNotice struct {
	Kind           string             `json:"kind"`
	IncidentID     string             `json:"incident_id"`
	IncidentNumber int64              `json:"incident_number"`
	AccountID      string             `json:"account_id"`
	Tier           Tier               `json:"tier"`
	Priority       Priority           `json:"priority"`
	Status         IncidentStatus     `json:"status"`
	Clock          ClockKind          `json:"clock"`
	Level          int                `json:"level"`
	Percent        int                `json:"percent"`
	Actions        []EscalationAction `json:"actions"`
	Breach         bool               `json:"breach"`
	// Target is the clock's target as policies write it.
	Target   string     `json:"target"`
	Deadline *time.Time `json:"deadline,omitempty"`
	DueAt    time.Time  `json:"due_at"`
	FiredAt  time.Time  `json:"fired_at"`
}

// OutboxTopicWebhook is the outbox topic of notifications to deliver to a
// webhook; each message's payload is a WebhookDelivery.
const OutboxTopicWebhook = "notification.webhook"

// OutboxTopicWebhookBroadcast is the outbox topic of notifications bound
// for every webhook the worker that takes them is configured with (stock
// alerts, written where stock moves, with no webhook list at hand): the
// webhook relay turns each into one OutboxTopicWebhook message per URL.
// Each payload is a WebhookBroadcast.
const OutboxTopicWebhookBroadcast = "notification.broadcast"

// WebhookBroadcast is one notification bound for every configured webhook.
type WebhookBroadcast struct {
	// Key identifies the notification; each URL's delivery is keyed by it
	// and the URL.
	Key  string          `json:"key"`
	Body json.RawMessage `json:"body"`
}

// Deliveries returns the broadcast's delivery to each URL.
func (b WebhookBroadcast) Deliveries(urls []string) []WebhookDelivery {
	out := make([]WebhookDelivery, len(urls))
	for i, url := range urls {
		out[i] = WebhookDelivery{URL: url, Key: WebhookDeliveryKey(b.Key, url), Body: b.Body}
	}
	return out
}

// WebhookDeliveryKey returns the key of a notification's delivery to one
// URL: the notification's key and a digest of the URL, so that each URL's
// delivery is written once and retried on its own.
func WebhookDeliveryKey(key, url string) string {
	sum := sha256.Sum256([]byte(url))
	return key + ":" + hex.EncodeToString(sum[:6])
}

// WebhookDelivery is one notification bound for one webhook URL.
type WebhookDelivery struct {
	URL string `json:"url"`
	// Key identifies the notification across retries; receivers use it to
	// drop duplicates.
	Key  string          `json:"key"`
	Body json.RawMessage `json:"body"`
}
