package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// TestDigestMetrics: the runs gauge counts every status and the last-success
// gauge follows the newest posted or empty run, so "no digest today" can be
// alerted on; a digest that never succeeded has no last success.
func TestDigestMetrics(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		day := func(d int) time.Time { return time.Date(2026, 12, d, 9, 0, 0, 0, time.UTC) }
		posted := day(1).Add(5 * time.Second)
		seed := []struct {
			id, date, status string
			due              time.Time
			sent             *time.Time
		}{
			{"daily", "2026-12-01", "sent", day(1), &posted},
			{"daily", "2026-12-02", "empty", day(2), nil},
			{"daily", "2026-12-03", "failed", day(3), nil},
			{"weekly", "2026-12-01", "failed", day(1), nil},
		}
		for _, s := range seed {
			if err := storage.SeedDigestRun(ctx, db, s.id, s.date, s.status, s.due, s.sent); err != nil {
				t.Fatal(err)
			}
		}
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(db.Collectors()...)
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range families {
			if !strings.HasPrefix(f.GetName(), "vocbot_digest_") {
				continue
			}
			for _, m := range f.GetMetric() {
				var labels []string
				for _, l := range m.GetLabel() {
					labels = append(labels, l.GetName()+"="+l.GetValue())
				}
				got[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = m.GetGauge().GetValue()
			}
		}
		want := map[string]float64{
			"vocbot_digest_runs{digest=daily,status=sent}":               1,
			"vocbot_digest_runs{digest=daily,status=empty}":              1,
			"vocbot_digest_runs{digest=daily,status=failed}":             1,
			"vocbot_digest_runs{digest=weekly,status=failed}":            1,
			"vocbot_digest_last_success_timestamp_seconds{digest=daily}": float64(day(2).Unix()),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("digest metrics (-want +got):\n%s", diff)
		}
	})
}
