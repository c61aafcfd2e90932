package metrics

import (
	"context"

	"github.com/aftercare/aftercare"
	"github.com/prometheus/client_golang/prometheus"
)

// OutboxReader reads what waits undelivered in the outbox.
type OutboxReader interface {
	OutboxBacklog(ctx context.Context) ([]aftercare.OutboxBacklog, error)
}

// OutboxCollector reports, at each scrape, how many outbox messages wait
// undelivered in each topic and how long the oldest has waited. Every
// topic of aftercare.OutboxTopics is reported, as zero when nothing waits,
// so that a topic's series never disappear. The outbox is shared by every
// process of an installation, so each reports the same numbers.
type OutboxCollector struct {
	outbox       OutboxReader
	pending, age *prometheus.Desc
}

// NewOutboxCollector returns a collector reading the outbox through r.
func NewOutboxCollector(r OutboxReader) *OutboxCollector {
	return &OutboxCollector{
		outbox: r,
		pending: prometheus.NewDesc(prometheus.BuildFQName(namespace, "outbox", "pending_messages"),
			"Outbox messages not delivered yet, due now or later, by topic.", []string{"topic"}, nil),
		age: prometheus.NewDesc(prometheus.BuildFQName(namespace, "outbox", "oldest_pending_age_seconds"),
			"How long ago the oldest undelivered outbox message of a topic was written; 0 when none waits.",
			[]string{"topic"}, nil),
	}
}

// Describe sends the descriptions of the outbox series.
func (c *OutboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.age
}

// Collect reads the outbox backlog, within scrapeTimeout.
func (c *OutboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	backlog, err := c.outbox.OutboxBacklog(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.pending, err)
		return
	}
	byTopic := make(map[string]aftercare.OutboxBacklog, len(aftercare.OutboxTopics))
	for _, topic := range aftercare.OutboxTopics {
		byTopic[topic] = aftercare.OutboxBacklog{Topic: topic}
	}
	for _, b := range backlog {
		byTopic[b.Topic] = b
	}
	for topic, b := range byTopic {
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(b.Pending), topic)
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, b.OldestAge.Seconds(), topic)
	}
}
