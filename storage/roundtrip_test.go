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

// openCounting opens a migrated database whose statements are counted.
func openCounting(t *testing.T, e storage.Engine) (*storage.DB, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	db, err := storage.Open(context.Background(), storagetest.URL(t, e), storage.Options{OnStatement: func() { n.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, &n
}

// TestIngestRoundTrips holds the statements (BEGIN and COMMIT included)
// that an accepted single event costs: alone, and when concurrent requests
// share a group commit. Each is a round trip on PostgreSQL and a call into
// the engine on SQLite.
func TestIngestRoundTrips(t *testing.T) {
	const group = 16
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			db, n := openCounting(t, e)
			jobs, err := storage.NewJobs(db, storage.JobsConfig{})
			if err != nil {
				t.Fatal(err)
			}
			st := storage.NewStore(db, jobs)
			decide := decideAt(testSettings(), nil)
			ctx := context.Background()

			// River asks PostgreSQL for its version on its first insert
			// and keeps the answer: warm it up so that is not counted.
			if _, err := st.Ingest(ctx, touchpoint("rt_warm", "cus_rt_warm", 7000), decide); err != nil {
				t.Fatal(err)
			}
			before := n.Load()
			res, err := st.Ingest(ctx, touchpoint("rt_alone", "cus_rt_alone", 7001), decide)
			if err != nil || res.Invitation.Status != surveys.Scheduled {
				t.Fatalf("alone: %+v, %v", res.Invitation, err)
			}
			alone := n.Load() - before
			// The same with an Idempotency-Key, as the API's callers send.
			keyed := touchpoint("rt_keyed", "cus_rt_keyed", 7002)
			keyed.IdempotencyKey = "rt-key"
			before = n.Load()
			res, err = st.Ingest(ctx, keyed, decide)
			if err != nil || res.Invitation.Status != surveys.Scheduled {
				t.Fatalf("alone with a key: %+v, %v", res.Invitation, err)
			}
			aloneKeyed := n.Load() - before

			ins := make([]surveys.Ingestion, group)
			for i := range ins {
				ins[i] = touchpoint(fmt.Sprint("rt_", i), fmt.Sprint("cus_rt_", i), 7100+int64(i))
			}
			before = n.Load()
			out, errs := st.IngestTogether(ctx, ins, decide)
			grouped := n.Load() - before
			for i := range out {
				if errs[i] != nil || out[i].Invitation.Status != surveys.Scheduled || out[i].Invitation.ID == 0 {
					t.Fatalf("grouped item %d: %+v, %v", i, out[i].Invitation, errs[i])
				}
			}
			perEvent := float64(grouped) / group
			// The same, each with its own Idempotency-Key (as POST
			// /v1/touchpoints callers send): the keys' locks, lookup and rows
			// are two statements per group, not per event.
			for i := range ins {
				ins[i] = touchpoint(fmt.Sprint("rtk_", i), fmt.Sprint("cus_rtk_", i), 7200+int64(i))
				ins[i].IdempotencyKey = fmt.Sprint("rtk-", i)
			}
			before = n.Load()
			out, errs = st.IngestTogether(ctx, ins, decide)
			groupedKeyed := n.Load() - before
			for i := range out {
				if errs[i] != nil || out[i].Invitation.Status != surveys.Scheduled || out[i].Invitation.ID == 0 {
					t.Fatalf("grouped keyed item %d: %+v, %v", i, out[i].Invitation, errs[i])
				}
			}
			perKeyed := float64(groupedKeyed) / group
			t.Logf("%s: %d statements for an event alone (%d with an Idempotency-Key); %d for %d grouped events (%.2f per event; %.2f with keys)",
				e, alone, aloneKeyed, grouped, group, perEvent, perKeyed)
			// PostgreSQL: BEGIN, one statement up to the touchpoint and the
			// customer's state, one for the invitation and its job, COMMIT.
			// SQLite has no INSERT in a WITH: the general path, one call
			// into the engine per step (no network between them).
			most, mostKeyed := int64(4), int64(4)
			if e == storage.SQLite {
				most, mostKeyed = 9, 11
			}
			if alone > most || aloneKeyed > mostKeyed {
				t.Errorf("an event alone took %d statements (%d with a key), want at most %d (%d)", alone, aloneKeyed, most, mostKeyed)
			}
			if perEvent > 4 || perKeyed > 4 {
				t.Errorf("grouped events took %.2f statements each (%.2f with keys), want at most 4", perEvent, perKeyed)
			}
		})
	}
}
