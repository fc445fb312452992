package storage_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// BenchmarkIngestConcurrent compares single-event ingestion from 16
// concurrent callers (everything the product does per event; concurrent
// calls share a group commit) with the physical reference on the same
// database in the same run: the same touchpoint rows, one INSERT and one
// durable COMMIT each, from 16 callers. vocbot's events/s divided by the
// reference's is the ratio docs/benchmarks.md reports.
func BenchmarkIngestConcurrent(b *testing.B) {
	const callers = 16
	for _, e := range storagetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storagetest.Open(b, e)
			jobs, err := storage.NewJobs(db, storage.JobsConfig{})
			if err != nil {
				b.Fatal(err)
			}
			engine := newEngine(storage.NewStore(db, jobs))
			customer, err := storage.PlainCustomer(context.Background(), db, "cus_plain_commit")
			if err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64 // across runs: every event is new
			parallel := func(b *testing.B, one func(i int64) error) {
				b.SetParallelism(max(1, callers/parallelismUnit()))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := one(n.Add(1)); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			}
			b.Run("ingest", func(b *testing.B) {
				parallel(b, func(i int64) error {
					res, err := engine.Ingest(context.Background(), touchpoint(fmt.Sprint("c", i), fmt.Sprint("cus_c", i), 3_000_000+i))
					if err == nil && res.Invitation.ID == 0 {
						err = fmt.Errorf("event %d: no invitation", i)
					}
					return err
				})
			})
			b.Run("plain-insert-commit", func(b *testing.B) {
				parallel(b, func(i int64) error {
					return storage.PlainInsertTouchpoints(context.Background(), db, customer,
						[]surveys.Ingestion{touchpoint(fmt.Sprint("p", i), "cus_plain_commit", 4_000_000+i)})
				})
			})
		})
	}
}

// parallelismUnit is what RunParallel multiplies SetParallelism by.
func parallelismUnit() int { return runtime.GOMAXPROCS(0) }
