package storage_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// TestBatchLookupOddIDs replays a batch whose ids hold the characters an
// array literal must escape: the second run finds every earlier event.
func TestBatchLookupOddIDs(t *testing.T) {
	ids := []string{`a"b`, `c\d`, `e,f`, `{g}`, `NULL`, ` h `}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		jobs, err := storage.NewJobs(db, storage.JobsConfig{})
		if err != nil {
			t.Fatal(err)
		}
		st := storage.NewStore(db, jobs)
		decide := decideAt(testSettings(), nil)
		ins := make([]surveys.Ingestion, len(ids))
		for i, id := range ids {
			ins[i] = touchpoint(id, fmt.Sprint("cus_odd_", i), 9000+int64(i))
		}
		for run, wantReplayed := range []bool{false, true} {
			out, errs, err := st.IngestBatch(context.Background(), surveys.BatchKey{}, ins, decide)
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			for i := range ids {
				if errs[i] != nil || out[i].Replayed != wantReplayed {
					t.Errorf("run %d, id %q: replayed %v, err %v; want replayed %v", run, ids[i], out[i].Replayed, errs[i], wantReplayed)
				}
			}
		}
	})
}
