package storage_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// TestEachResponseConstantMemory walks 20,000 responses with 300-byte
// comments (about 10 MB as Go values) and checks that the live heap never
// grows by more than half the comment bytes alone: rows are read a
// page at a time and dropped. Not parallel: it reads the process's heap,
// which other tests would disturb.
func TestEachResponseConstantMemory(t *testing.T) {
	const n = exportRows
	if testing.Short() || os.Getenv("VOCBOT_LONG_TESTS") != "1" {
		t.Skip("seeds 20,000 rows on each engine (over 10 s on two cores); set VOCBOT_LONG_TESTS=1 to run it")
	}
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			db := storagetest.Open(t, e)
			f := newFixture(t, db)
			ctx := context.Background()
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			comment := strings.Repeat("ש", 150) // 300 bytes
			batch := make([]surveys.Response, 0, 2000)
			for i := range n {
				batch = append(batch, surveys.Response{CustomerID: fmt.Sprint("cus_", i%500), SurveyID: "nps", Metric: surveys.NPS, Score: i % 11,
					Comment: comment, CommentState: surveys.CommentGiven, Locale: "he", Platform: surveys.Telegram,
					TouchpointType: "order_delivered", Attributes: map[string]string{"agent": fmt.Sprint("agent_", i%40)},
					AnsweredAt: start.Add(time.Duration(i) * time.Second)})
				if len(batch) == cap(batch) {
					if err := storage.InsertResponses(ctx, db, batch); err != nil {
						t.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			batch = nil

			heap := func() uint64 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return m.HeapAlloc
			}
			base := heap()
			var peak uint64
			seen, bytes := 0, 0
			err := f.store.EachResponse(ctx, storage.ResponseFilter{}, func(r surveys.Response) error {
				seen++
				bytes += len(r.Comment)
				if seen%1000 == 0 {
					peak = max(peak, heap())
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if seen != n || bytes != n*len(comment) {
				t.Fatalf("walked %d responses (%d comment bytes), want %d", seen, bytes, n)
			}
			growth := int64(peak) - int64(base)
			t.Logf("%s: live heap grew by at most %d KiB while walking %d responses (%d KiB of comments)", e, growth>>10, n, bytes>>10)
			if limit := int64(bytes / 2); growth > limit {
				t.Fatalf("live heap grew by %d KiB while walking %d responses, want under %d KiB: rows are being kept", growth>>10, n, limit>>10)
			}
		})
	}
}
