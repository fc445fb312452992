package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// Single events with their own Idempotency-Key, gathered into one group
// commit, keep what each would get alone: a key seen twice in the group
// replays (same body) or conflicts (other body), a key recorded before
// replays, a key another transaction holds is in progress (PostgreSQL), and
// a key whose event id was stored before is recorded for that event.
func TestIngestGroupedIdempotencyKeys(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		decide := decideAt(testSettings(), func(tp surveys.Touchpoint) time.Time { return tp.OccurredAt })
		keyed := func(id, key, hash, customer string, chat int64) surveys.Ingestion {
			in := touchpoint(id, customer, chat)
			in.IdempotencyKey, in.RequestHash = key, hash
			return in
		}
		old, err := f.store.Ingest(ctx, keyed("", "k-old", "h-old", "cus_old", 2001), decide)
		if err != nil {
			t.Fatal(err)
		}
		oldEvent, err := f.store.Ingest(ctx, keyed("e-old", "", "h-e-old", "cus_eold", 2002), decide)
		if err != nil {
			t.Fatal(err)
		}

		ins := []surveys.Ingestion{
			0: keyed("", "k-a", "h-a", "cus_a", 2010),
			1: keyed("", "k-a", "h-a", "cus_a", 2010),       // same request again
			2: keyed("", "k-a", "h-other", "cus_a", 2010),   // same key, other body
			3: keyed("e-1", "k-d", "h-e1", "cus_d", 2011),   // new event
			4: keyed("e-1", "k-e", "h-e1", "cus_d", 2011),   // the same event under another key
			5: keyed("", "k-old", "h-old", "cus_old", 2001), // recorded before
			6: keyed("e-old", "k-h", "h-e-old", "cus_eold", 2002),
			7: keyed("", "k-held", "h-held", "cus_held", 2013),
		}
		var release func()
		if db.Engine() == storage.Postgres {
			// Another request with the key is mid-transaction.
			tx := db.Gorm().Begin()
			if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('idempotency/api/k-held', 0))`).Error; err != nil {
				t.Fatal(err)
			}
			release = func() { tx.Rollback() }
		}
		out, errs := f.store.IngestTogether(ctx, ins, decide)
		if release != nil {
			release()
		}

		for _, i := range []int{0, 3} {
			if errs[i] != nil || out[i].Replayed || out[i].Invitation.Status != surveys.Scheduled {
				t.Fatalf("item %d: got %+v, %v; want a new scheduled invitation", i, out[i], errs[i])
			}
		}
		for i, want := range map[int]int64{1: out[0].Invitation.ID, 4: out[3].Invitation.ID, 5: old.Invitation.ID, 6: oldEvent.Invitation.ID} {
			if errs[i] != nil || !out[i].Replayed || out[i].Invitation.ID != want {
				t.Fatalf("item %d: got %+v, %v; want invitation %d replayed", i, out[i], errs[i], want)
			}
		}
		if !errors.Is(errs[2], surveys.ErrIdempotencyKeyReused) {
			t.Fatalf("item 2: got %v, want ErrIdempotencyKeyReused", errs[2])
		}
		if db.Engine() == storage.Postgres {
			if !errors.Is(errs[7], surveys.ErrInProgress) {
				t.Fatalf("item 7: got %v, want ErrInProgress", errs[7])
			}
		} else if errs[7] != nil || out[7].Replayed {
			t.Fatalf("item 7: got %+v, %v; want a new invitation", out[7], errs[7])
		}

		// The keys of items 4 and 6 now name their events: another body is refused.
		for _, in := range []surveys.Ingestion{keyed("", "k-e", "h-x", "cus_d", 2011), keyed("", "k-h", "h-y", "cus_eold", 2002)} {
			if _, err := f.store.Ingest(ctx, in, decide); !errors.Is(err, surveys.ErrIdempotencyKeyReused) {
				t.Fatalf("key %s with another body: got %v, want ErrIdempotencyKeyReused", in.IdempotencyKey, err)
			}
		}
		// Once the holder is gone, the in-progress key goes through.
		if db.Engine() == storage.Postgres {
			res, err := f.store.Ingest(ctx, ins[7], decide)
			if err != nil || res.Replayed {
				t.Fatalf("k-held after release: got %+v, %v", res, err)
			}
		}
		if n := f.count(t, "touchpoints", ""); n != 5 {
			t.Fatalf("touchpoints: got %d, want 5 (2 before, a, e-1, k-held)", n)
		}
		if n := f.count(t, "idempotency_keys", ""); n != 6 {
			t.Fatalf("keys: got %d, want 6 (k-old, k-a, k-d, k-e, k-h, k-held)", n)
		}
		if n := f.count(t, "river_job", "kind = ?", "send_survey"); n != 5 {
			t.Fatalf("jobs: got %d, want 5", n)
		}
	})
}

// Lone events racing each other (no group to share): on PostgreSQL the
// short path reads the customer's state in the statement that locks the
// customer, so this holds that fatigue, one event id and one key still
// decide once each.
func TestIngestAloneConcurrent(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		decide := decideAt(testSettings(), func(tp surveys.Touchpoint) time.Time { return tp.OccurredAt })
		const callers = 12
		var wg sync.WaitGroup
		// Different events of one customer: fatigue lets one through.
		for i := range callers {
			wg.Go(func() {
				if _, err := f.store.IngestAlone(ctx, touchpoint(fmt.Sprint("fa", i), "cus_fa", 3001), decide); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := f.count(t, "invitations", "status = ?", "scheduled"); n != 1 {
			t.Fatalf("scheduled: got %d, want 1", n)
		}
		if n := f.count(t, "invitations", "skip_reason = ?", "fatigue"); n != callers-1 {
			t.Fatalf("fatigue skips: got %d, want %d", n, callers-1)
		}

		// One event many times: one touchpoint, every caller its invitation.
		ids := make([]int64, callers)
		for i := range callers {
			wg.Go(func() {
				res, err := f.store.IngestAlone(ctx, touchpoint("same", "cus_same", 3002), decide)
				if err != nil {
					t.Error(err)
				}
				ids[i] = res.Invitation.ID
			})
		}
		wg.Wait()
		for i := range callers {
			if ids[i] != ids[0] || ids[0] == 0 {
				t.Fatalf("caller %d got invitation %d, caller 0 got %d", i, ids[i], ids[0])
			}
		}

		// One Idempotency-Key many times (no event id): stored once; each
		// caller gets the invitation or, while another holds the key, 409.
		got := make([]int64, callers)
		for i := range callers {
			wg.Go(func() {
				in := touchpoint("", "cus_key", 3003)
				in.IdempotencyKey, in.RequestHash = "k-same", "h-same"
				res, err := f.store.IngestAlone(ctx, in, decide)
				if err != nil && !errors.Is(err, surveys.ErrInProgress) {
					t.Error(err)
				}
				got[i] = res.Invitation.ID
			})
		}
		wg.Wait()
		var first int64
		for i := range callers {
			if got[i] == 0 {
				continue
			}
			if first == 0 {
				first = got[i]
			}
			if got[i] != first {
				t.Fatalf("caller %d got invitation %d, another %d", i, got[i], first)
			}
		}
		if first == 0 {
			t.Fatal("no caller stored the keyed event")
		}
		if n := f.count(t, "touchpoints", "customer_id = (SELECT id FROM customers WHERE external_id = ?)", "cus_key"); n != 1 {
			t.Fatalf("keyed touchpoints: got %d, want 1", n)
		}
	})
}
