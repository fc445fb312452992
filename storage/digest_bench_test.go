package storage_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// BenchmarkDigestPostgres computes a digest over 1 million responses in its
// 28-day window (VOCBOT_BENCH_RESPONSES overrides the count): the GROUP BY
// in Postgres, then scoring in Go. Time and allocations are per digest.
func BenchmarkDigestPostgres(b *testing.B) {
	if os.Getenv(storagetest.PostgresEnv) == "" {
		b.Skipf("%s not set", storagetest.PostgresEnv)
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("VOCBOT_BENCH_RESPONSES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	db := storagetest.Open(b, storage.Postgres)
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	start := time.Now()
	if err := storage.SeedManyResponses(ctx, db, n, now.AddDate(0, 0, -28), now.AddDate(0, 0, -1)); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d responses in %s", n, time.Since(start).Round(time.Millisecond))
	st := storage.NewStore(db, nil)
	s := &surveys.Settings{DefaultLocale: "en", Timezone: time.UTC, Surveys: []surveys.Survey{{ID: "nps", Metric: surveys.NPS}}}
	spec := surveys.DigestSpec{ID: "bench", Timezone: time.UTC, Quotes: 5, Locale: "en"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d, err := surveys.ComposeDigest(ctx, st, spec, s, surveys.DigestThresholds{}, now)
		if err != nil {
			b.Fatal(err)
		}
		if d.Surveys[0].Current.N != n {
			b.Fatalf("n = %d, want %d", d.Surveys[0].Current.N, n)
		}
	}
	b.ReportMetric(float64(n), "responses")
}
