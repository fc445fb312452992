package storage_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// BenchmarkEachResponse walks every stored response as vocbot export does:
// VOCBOT_BENCH_EXPORT_ROWS of them (default 100,000; 1000000 for the
// docs' figure), seeded once per engine. It reports rows per second and how
// far the live heap grew during the walk, which must not depend on the rows.
func BenchmarkEachResponse(b *testing.B) {
	rows := 100000
	if s := os.Getenv("VOCBOT_BENCH_EXPORT_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("VOCBOT_BENCH_EXPORT_ROWS=%q: want a positive number", s)
		}
		rows = n
	}
	for _, e := range storagetest.Engines() {
		b.Run(fmt.Sprintf("%s/rows=%d", e, rows), func(b *testing.B) {
			db := storagetest.Open(b, e)
			jobs, err := storage.NewJobs(db, storage.JobsConfig{})
			if err != nil {
				b.Fatal(err)
			}
			store := storage.NewStore(db, jobs)
			ctx := context.Background()
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			comment := strings.Repeat("a fine delivery ", 8)
			batch := make([]surveys.Response, 0, 5000)
			for i := range rows {
				batch = append(batch, surveys.Response{CustomerID: fmt.Sprint("cus_", i%5000), SurveyID: "nps", Metric: surveys.NPS, Score: i % 11,
					Comment: comment, CommentState: surveys.CommentGiven, Locale: "en", Platform: surveys.Telegram,
					TouchpointType: "order_delivered", Attributes: map[string]string{"agent": fmt.Sprint("agent_", i%40)},
					AnsweredAt: start.Add(time.Duration(i) * time.Second)})
				if len(batch) == cap(batch) || i == rows-1 {
					if err := storage.InsertResponses(ctx, db, batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			var peak uint64
			for range b.N {
				n := 0
				err := store.EachResponse(ctx, storage.ResponseFilter{}, func(surveys.Response) error {
					n++
					if n%50000 == 0 {
						runtime.GC() // live heap, not garbage: two collections per 100,000 rows
						var m runtime.MemStats
						runtime.ReadMemStats(&m)
						peak = max(peak, m.HeapAlloc)
					}
					return nil
				})
				if err != nil || n != rows {
					b.Fatalf("walked %d of %d: %v", n, rows, err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			if peak > before.HeapAlloc {
				b.ReportMetric(float64(peak-before.HeapAlloc)/(1<<20), "MiB-live-heap-growth")
			}
		})
	}
}
