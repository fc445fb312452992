package storage_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// BenchmarkIngest is the single-event path: touchpoint, customer, decision,
// invitation and job in one transaction per event, 8 callers at once.
func BenchmarkIngest(b *testing.B) {
	for _, e := range storagetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storagetest.Open(b, e)
			jobs, err := storage.NewJobs(db, storage.JobsConfig{})
			if err != nil {
				b.Fatal(err)
			}
			engine := newEngine(storage.NewStore(db, jobs))
			var n atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, err := engine.Ingest(context.Background(), touchpoint(fmt.Sprint("b", i), fmt.Sprint("cus_b", i), 1000+i)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

const benchBatch = 500

// BenchmarkIngestBatch compares batch ingestion (everything the product
// does per event, set-based, 500 per transaction) with plain INSERTs of the
// same touchpoint rows on the same database in the same run: one INSERT per
// row in autocommit (what a straightforward integration does), and one
// multi-row INSERT per batch (the ceiling for writing those rows alone).
// One op is one batch of 500.
func BenchmarkIngestBatch(b *testing.B) {
	for _, e := range storagetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storagetest.Open(b, e)
			jobs, err := storage.NewJobs(db, storage.JobsConfig{})
			if err != nil {
				b.Fatal(err)
			}
			engine := newEngine(storage.NewStore(db, jobs))
			batch := func(round int) []surveys.Ingestion {
				ins := make([]surveys.Ingestion, benchBatch)
				for k := range ins {
					id := round*benchBatch + k
					ins[k] = touchpoint(fmt.Sprint("bb", id), fmt.Sprint("cus_bb", id), int64(1_000_000+id))
				}
				return ins
			}
			b.Run("ingest", func(b *testing.B) {
				round := 0
				for b.Loop() {
					round++
					_, errs, err := engine.IngestBatch(context.Background(), batch(round))
					if err != nil {
						b.Fatal(err)
					}
					for _, err := range errs {
						if err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
			})
			// A signed batch whose items carry no id: each item takes the
			// webhook-id's item key, the one-by-one keyed path.
			b.Run("ingest-signed-without-ids", func(b *testing.B) {
				round := 1 << 20
				for b.Loop() {
					round++
					ins := batch(round)
					for k := range ins {
						ins[k].Touchpoint.ExternalID = ""
					}
					key := surveys.BatchKey{Key: fmt.Sprint("msg_", round), RequestHash: fmt.Sprint("h", round)}
					_, errs, err := engine.IngestKeyedBatch(context.Background(), key, ins)
					if err != nil {
						b.Fatal(err)
					}
					for _, err := range errs {
						if err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
			})
			b.Run("plain-insert-per-row", func(b *testing.B) {
				customer, err := storage.PlainCustomer(context.Background(), db, "cus_plain_rows")
				if err != nil {
					b.Fatal(err)
				}
				round := 1 << 21
				for b.Loop() {
					round++
					for _, in := range batch(round) {
						if err := storage.PlainInsertTouchpoints(context.Background(), db, customer, []surveys.Ingestion{in}); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
			})
			b.Run("plain-insert-multirow", func(b *testing.B) {
				customer, err := storage.PlainCustomer(context.Background(), db, "cus_plain")
				if err != nil {
					b.Fatal(err)
				}
				round := 1 << 20
				for b.Loop() {
					round++
					if err := storage.PlainInsertTouchpoints(context.Background(), db, customer, batch(round)); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
			})
		})
	}
}
