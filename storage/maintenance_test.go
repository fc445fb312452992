package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// Idempotency keys answer retries for 48 hours, then go; the touchpoint's
// own id keeps recognizing the event forever.
func TestPruneRecords(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := touchpoint("evt_keep", "cus_prune", 808)
		in.IdempotencyKey = "key-old"
		first, err := f.engine.Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.PruneRecords(ctx, time.Now().UTC().Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("prune of fresh rows: deleted %d, %v; want 0", n, err)
		}
		if n, err := db.PruneRecords(ctx, time.Now().UTC().Add(49*time.Hour)); err != nil || n != 1 {
			t.Fatalf("prune after 49 h: deleted %d, %v; want the key", n, err)
		}
		again, err := f.engine.Ingest(ctx, in)
		if err != nil || !again.Replayed || again.Invitation.ID != first.Invitation.ID {
			t.Fatalf("retry after the key expired: %+v, %v; want the event's replay by its id", again, err)
		}
		if again.Invitation.Status != surveys.Scheduled {
			t.Fatalf("status %s", again.Invitation.Status)
		}
	})
}
