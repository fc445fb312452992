package storage

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	digestRunsDesc = prometheus.NewDesc("vocbot_digest_runs",
		"Digest runs by digest and status (pending, sending, sent, empty, unknown, failed), counted at scrape time.",
		[]string{"digest", "status"}, nil)
	digestLastSuccessDesc = prometheus.NewDesc("vocbot_digest_last_success_timestamp_seconds",
		"When each digest last ran to completion: posted (its post time) or empty with nothing new (its due time).",
		[]string{"digest"}, nil)
)

// digestCollector reads digest_runs at scrape time so that "no digest today"
// can be alerted on from any replica: the table is the shared truth, and a
// replica that never ran the digest still reports it.
type digestCollector struct{ db *DB }

func (c *digestCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- digestRunsDesc
	ch <- digestLastSuccessDesc
}

func (c *digestCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var counts []struct {
		DigestID string
		Status   string
		N        int64
	}
	if err := scan(c.db.gorm.WithContext(ctx).Model(&digestRunRow{}).
		Select("digest_id, status, count(*) AS n").Group("digest_id, status"), &counts); err != nil {
		ch <- prometheus.NewInvalidMetric(digestRunsDesc, err)
		return
	}
	seen := map[string]bool{}
	for _, r := range counts {
		ch <- prometheus.MustNewConstMetric(digestRunsDesc, prometheus.GaugeValue, float64(r.N), r.DigestID, r.Status)
		seen[r.DigestID] = true
	}
	for id := range seen {
		// The newest completed run by local date (the primary key's order); one
		// indexed row per configured digest, decoded by gorm on both engines.
		var rows []digestRunRow
		if err := c.db.gorm.WithContext(ctx).Where("digest_id = ? AND status IN ?", id, []string{runSent, runEmpty}).
			Order("local_date DESC").Limit(1).Find(&rows).Error; err != nil {
			ch <- prometheus.NewInvalidMetric(digestLastSuccessDesc, err)
			return
		}
		if len(rows) == 0 {
			continue // never succeeded: the runs gauge shows its failures
		}
		at := rows[0].DueAt
		if rows[0].SentAt != nil {
			at = *rows[0].SentAt
		}
		ch <- prometheus.MustNewConstMetric(digestLastSuccessDesc, prometheus.GaugeValue, float64(at.Unix()), id)
	}
}
