package metrics

import (
	"github.com/aftercare/aftercare/postgres"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolStater reports a connection pool's state.
type PoolStater interface {
	PoolStats() postgres.PoolStats
}

// PoolCollector reports, at each scrape, the database connection pool's
// connections and the totals of its acquisitions.
type PoolCollector struct {
	pool PoolStater

	acquired, idle, constructing, total, max  *prometheus.Desc
	acquires, emptyAcquires, canceledAcquires *prometheus.Desc
	acquireDuration, emptyAcquireWait         *prometheus.Desc
}

// NewPoolCollector returns a collector of p's state.
func NewPoolCollector(p PoolStater) *PoolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "db_pool", name), help, nil, nil)
	}
	return &PoolCollector{
		pool:             p,
		acquired:         desc("acquired_connections", "Database connections in use."),
		idle:             desc("idle_connections", "Database connections idle in the pool."),
		constructing:     desc("constructing_connections", "Database connections being opened."),
		total:            desc("total_connections", "Database connections open or being opened."),
		max:              desc("max_connections", "The most database connections the pool opens."),
		acquires:         desc("acquires_total", "Database connections handed out by the pool."),
		emptyAcquires:    desc("empty_acquires_total", "Database connections a caller waited for because none was idle."),
		canceledAcquires: desc("canceled_acquires_total", "Waits for a database connection given up."),
		acquireDuration:  desc("acquire_duration_seconds_total", "Time spent acquiring database connections."),
		emptyAcquireWait: desc("empty_acquire_wait_seconds_total",
			"Time spent waiting for a database connection because none was idle."),
	}
}

// Describe sends the descriptions of the pool series.
func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.constructing, c.total, c.max,
		c.acquires, c.emptyAcquires, c.canceledAcquires, c.acquireDuration, c.emptyAcquireWait} {
		ch <- d
	}
}

// Collect reads the pool's state, which costs no query.
func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.PoolStats()
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(c.acquired, float64(s.Acquired))
	gauge(c.idle, float64(s.Idle))
	gauge(c.constructing, float64(s.Constructing))
	gauge(c.total, float64(s.Total))
	gauge(c.max, float64(s.Max))
	counter(c.acquires, float64(s.Acquires))
	counter(c.emptyAcquires, float64(s.EmptyAcquires))
	counter(c.canceledAcquires, float64(s.CanceledAcquires))
	counter(c.acquireDuration, s.AcquireDuration.Seconds())
	counter(c.emptyAcquireWait, s.EmptyAcquireWait.Seconds())
}
