package storage_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

func BenchmarkIngest(b *testing.B) {
	for _, e := range storagetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storagetest.Open(b, e)
			jobs, err := storage.NewJobs(db, storage.JobsConfig{})
			if err != nil {
				b.Fatal(err)
			}
			f := fixture{db: db, store: storage.NewStore(db, jobs)}
			f.engine = newEngine(f.store)
			var n atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, err := f.engine.Ingest(context.Background(), touchpoint(fmt.Sprint("b", i), fmt.Sprint("cus_b", i), 1000+i)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
