package storage

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Collectors are the database's metrics: database/sql pool statistics, the
// pgx pool on PostgreSQL, the job queue depth by queue and state, invitations
// by status and digest runs by status with each digest's last success.
func (db *DB) Collectors() []prometheus.Collector {
	cs := []prometheus.Collector{collectors.NewDBStatsCollector(db.sql, "vocbot"), &queueCollector{db: db}, &invitationCollector{db: db}, &digestCollector{db: db}}
	if db.pool != nil {
		cs = append(cs, &pgxPoolCollector{db: db})
	}
	return cs
}

var queueDepthDesc = prometheus.NewDesc("vocbot_queue_depth",
	"Jobs in the queue by queue and state, counted at scrape time.", []string{"queue", "state"}, nil)

// queueCollector counts river_job rows at scrape time: every replica reports
// the same shared truth, and nothing needs a periodic job to keep it fresh.
type queueCollector struct{ db *DB }

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDepthDesc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rows, err := c.db.sql.QueryContext(ctx,
		`SELECT queue, state, count(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded') GROUP BY queue, state`)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepthDesc, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var queue, state string
		var n float64
		if err := rows.Scan(&queue, &state, &n); err != nil {
			ch <- prometheus.NewInvalidMetric(queueDepthDesc, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, n, queue, state)
	}
	if err := rows.Err(); err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepthDesc, err)
	}
}

var invitationsDesc = prometheus.NewDesc("vocbot_invitations",
	"Invitations by status and skip reason, counted at scrape time.", []string{"status", "reason"}, nil)

// invitationCollector counts invitations by state from the shared database.
type invitationCollector struct{ db *DB }

func (c *invitationCollector) Describe(ch chan<- *prometheus.Desc) { ch <- invitationsDesc }

func (c *invitationCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rows, err := c.db.sql.QueryContext(ctx, `SELECT status, skip_reason, count(*) FROM invitations GROUP BY status, skip_reason`)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(invitationsDesc, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var status, reason string
		var n float64
		if err := rows.Scan(&status, &reason, &n); err != nil {
			ch <- prometheus.NewInvalidMetric(invitationsDesc, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(invitationsDesc, prometheus.GaugeValue, n, status, reason)
	}
	if err := rows.Err(); err != nil {
		ch <- prometheus.NewInvalidMetric(invitationsDesc, err)
	}
}

var (
	poolConnsDesc = prometheus.NewDesc("vocbot_db_pool_connections",
		"PostgreSQL pool connections by state.", []string{"state"}, nil)
	poolMaxDesc = prometheus.NewDesc("vocbot_db_pool_max_connections",
		"PostgreSQL pool size limit.", nil, nil)
	poolAcquireDesc = prometheus.NewDesc("vocbot_db_pool_acquires_total",
		"Connections handed out by the PostgreSQL pool.", nil, nil)
	poolWaitDesc = prometheus.NewDesc("vocbot_db_pool_acquire_wait_seconds_total",
		"Time spent waiting for a free PostgreSQL connection.", nil, nil)
)

// pgxPoolCollector reports pgxpool.Stat(): leader-election deadline errors
// mean the pool is too small, and these gauges show it first.
type pgxPoolCollector struct{ db *DB }

func (c *pgxPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolConnsDesc
	ch <- poolMaxDesc
	ch <- poolAcquireDesc
	ch <- poolWaitDesc
}

func (c *pgxPoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.db.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquireDesc, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
