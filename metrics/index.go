package metrics

import (
	"context"

	"github.com/aftercare/aftercare"
	"github.com/prometheus/client_golang/prometheus"
)

// IndexLagger tells how far a dispatch index is behind the database; the
// age comes with an error counting the pending changes too.
type IndexLagger interface {
	Lag(ctx context.Context) (aftercare.FleetIndexLag, error)
}

// IndexCollector reports, at each scrape, how far one dispatch index is
// behind PostgreSQL. An index is named by the part of the process that
// holds it ("api" or "worker"), since a process running both holds two.
type IndexCollector struct {
	index        IndexLagger
	age, pending *prometheus.Desc
}

// NewIndexCollector returns a collector of the lag of the index called
// name.
func NewIndexCollector(name string, index IndexLagger) *IndexCollector {
	labels := prometheus.Labels{"index": name}
	return &IndexCollector{
		index: index,
		age: prometheus.NewDesc(prometheus.BuildFQName(namespace, "dispatch", "index_lag_seconds"),
			"How long ago the dispatch index last caught up with the fleet in the database.", nil, labels),
		pending: prometheus.NewDesc(prometheus.BuildFQName(namespace, "dispatch", "index_pending_changes"),
			"Engineers and depots changed in the database since the dispatch index last caught up.", nil, labels),
	}
}

// Describe sends the descriptions of the index series.
func (c *IndexCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.age
	ch <- c.pending
}

// Collect reads the index's lag, within scrapeTimeout.
func (c *IndexCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	lag, err := c.index.Lag(ctx)
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, lag.Age.Seconds())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.pending, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(lag.Pending))
}
