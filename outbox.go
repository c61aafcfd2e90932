package aftercare

import (
	"context"
	"time"
)

// OutboxTopicIncidentWorkflow is the outbox topic of messages that start an
// incident's workflow; the key is the incident ID.
const OutboxTopicIncidentWorkflow = "incident.workflow"

// OutboxTopics lists every topic of the outbox.
var OutboxTopics = []string{OutboxTopicIncidentWorkflow, OutboxTopicContractWorkflow, OutboxTopicEntitlementClaim,
	OutboxTopicWebhook, OutboxTopicWebhookBroadcast}

// OutboxBacklog is what waits undelivered in one topic of the outbox.
type OutboxBacklog struct {
	Topic string
	// Pending counts the messages not delivered yet, due now or later.
	Pending int
	// OldestAge is how long ago the oldest of them was written; zero when
	// none waits.
	OldestAge time.Duration
}

// IncidentIntake is the payload of an OutboxTopicIncidentWorkflow message:
// the incident whose workflow to start, and what the workflow starts with
// of it as search attributes. All but IncidentID may be zero; the workflow
// sets what it was not started with once it has loaded the incident.
type IncidentIntake struct {
	IncidentID string         `json:"incident_id"`
	Number     int64          `json:"number,omitempty"`
	AccountID  string         `json:"account_id,omitempty"`
	Tier       Tier           `json:"tier,omitempty"`
	Priority   Priority       `json:"priority,omitempty"`
	Status     IncidentStatus `json:"status,omitempty"`
	// Region is the region of the incident's site.
	Region string `json:"region,omitempty"`
}

// OutboxMessage is a message written in the same transaction as the change
// it announces, delivered afterwards at least once.
type OutboxMessage struct {
	ID       int64
	Topic    string
	Key      string
	Payload  []byte
	Attempts int
	// TraceContext is the W3C trace context (traceparent, and tracestate if
	// any) of the request that wrote the message, so that delivering it
	// continues the request's trace; nil when that request was not traced.
	TraceContext map[string]string
}

// OutboxService hands out outbox messages to deliver.
type OutboxService interface {
	// ClaimOutbox leases up to limit undelivered messages of a topic that are
	// due, hiding them from other claimers until the lease ends.
	ClaimOutbox(ctx context.Context, topic string, limit int, lease time.Duration) ([]*OutboxMessage, error)
	// CompleteOutbox marks a message delivered.
	CompleteOutbox(ctx context.Context, id int64) error
	// RetryOutbox records a failed delivery and makes the message due again
	// after the given delay.
	RetryOutbox(ctx context.Context, id int64, cause string, delay time.Duration) error
	// FanOutOutbox writes one webhook delivery message per delivery (a
	// delivery whose key is written already is left as it is) and marks
	// the broadcast message id delivered, in one transaction.
	FanOutOutbox(ctx context.Context, id int64, deliveries []WebhookDelivery) error
	// WaitOutbox blocks until a message of the topic may have been written,
	// or until the timeout passes or ctx ends.
	WaitOutbox(ctx context.Context, topic string, timeout time.Duration) error
}
