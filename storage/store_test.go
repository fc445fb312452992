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

// testSettings: one rule, Telegram and Slack enabled, a 30-day gap.
func testSettings() *surveys.Settings {
	return &surveys.Settings{
		Product:       "Acme",
		DefaultLocale: "en",
		Timezone:      time.UTC,
		Surveys:       []surveys.Survey{{ID: "nps", Metric: surveys.NPS, FollowUp: true, ExpiresAfter: 72 * time.Hour}},
		Rules:         []surveys.Rule{{Type: "order_delivered", SurveyID: "nps", Delay: 2 * time.Hour, Sample: 1}},
		MinGap:        720 * time.Hour,
		Enabled:       []surveys.Platform{surveys.Telegram, surveys.Slack},
	}
}

// decideAt decides with settings at the time now gives for the touchpoint,
// or at the wall clock when now is nil.
func decideAt(settings *surveys.Settings, now func(surveys.Touchpoint) time.Time) surveys.DecideFunc {
	return func(tp surveys.Touchpoint, cs surveys.CustomerState) surveys.Decision {
		at := time.Now()
		if now != nil {
			at = now(tp)
		}
		return settings.Decide(tp, cs, at)
	}
}

type fixture struct {
	db     *storage.DB
	jobs   *storage.Jobs
	store  *storage.Store
	engine *surveys.Engine
}

func newFixture(t *testing.T, db *storage.DB) fixture {
	t.Helper()
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	st := storage.NewStore(db, jobs)
	return fixture{db: db, jobs: jobs, store: st, engine: surveys.NewEngine(testSettings(), st, nil)}
}

func touchpoint(id, customer string, chat int64) surveys.Ingestion {
	return surveys.Ingestion{
		Touchpoint: surveys.Touchpoint{
			Source:     "api",
			ExternalID: id,
			Type:       "order_delivered",
			Customer: surveys.Customer{
				ExternalID: customer,
				Identities: []surveys.Address{{Platform: surveys.Telegram, ChatID: fmt.Sprint(chat), UserID: fmt.Sprint(chat)}},
			},
		},
		RequestHash: "hash-" + id,
	}
}

func (f fixture) count(t *testing.T, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := f.db.Gorm().Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// sendJobs makes the jobs of every invitation awaiting one, as the
// queue_surveys tick does by their due times, and counts the send_survey
// jobs.
func (f fixture) sendJobs(t *testing.T) int64 {
	t.Helper()
	if _, err := f.jobs.QueueDueSurveys(context.Background(), time.Now().Add(365*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return f.count(t, "river_job", "kind = ?", "send_survey")
}

// jobOf selects the river_job rows of one invitation (its id the argument).
func jobOf(db *storage.DB) string {
	if db.Engine() == storage.SQLite {
		return `kind = 'send_survey' AND json_extract(args, '$.invitation_id') = ?`
	}
	return `kind = 'send_survey' AND cast(args ->> 'invitation_id' AS bigint) = ?`
}

func TestIngestSchedulesOnceAndReplays(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		in := touchpoint("evt_1", "cus_1", 1001)
		first, err := f.engine.Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		inv := first.Invitation
		if inv.Status != surveys.Scheduled || first.Replayed || inv.To.Platform != surveys.Telegram || inv.CustomerID != "cus_1" {
			t.Fatalf("got %+v, want a scheduled Telegram invitation for cus_1", first)
		}
		if f.sendJobs(t) != 1 {
			t.Fatal("want one send_survey job")
		}

		again, err := f.engine.Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Replayed || again.Invitation.ID != inv.ID {
			t.Fatalf("replay: got %+v, want invitation %d replayed", again, inv.ID)
		}
		changed := in
		changed.RequestHash = "other"
		if _, err := f.engine.Ingest(ctx, changed); !errors.Is(err, surveys.ErrIdempotencyKeyReused) {
			t.Fatalf("same id, other body: got %v, want ErrIdempotencyKeyReused", err)
		}
		if n := f.count(t, "touchpoints", ""); n != 1 {
			t.Fatalf("touchpoints: got %d, want 1", n)
		}
		if n := f.sendJobs(t); n != 1 {
			t.Fatalf("jobs: got %d, want 1", n)
		}
		got, err := f.store.Invitation(ctx, inv.ID)
		if err != nil || got.ID != inv.ID || got.Status != surveys.Scheduled {
			t.Fatalf("Invitation(%d): got %+v, %v", inv.ID, got, err)
		}
		if _, err := f.store.Invitation(ctx, inv.ID+100); !errors.Is(err, surveys.ErrNotFound) {
			t.Fatalf("unknown invitation: got %v, want ErrNotFound", err)
		}
	})
}

func TestIngestIdempotencyKey(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		in := touchpoint("", "cus_2", 1002) // no event id: only the key identifies a retry
		in.IdempotencyKey = "key-1"
		first, err := f.engine.Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := f.engine.Ingest(ctx, in)
		if err != nil || !again.Replayed || again.Invitation.ID != first.Invitation.ID {
			t.Fatalf("replay with key: got %+v, %v", again, err)
		}
		in.RequestHash = "different"
		if _, err := f.engine.Ingest(ctx, in); !errors.Is(err, surveys.ErrIdempotencyKeyReused) {
			t.Fatalf("key reused: got %v, want ErrIdempotencyKeyReused", err)
		}
		if n := f.count(t, "touchpoints", ""); n != 1 {
			t.Fatalf("touchpoints: got %d, want 1", n)
		}
	})
}

func TestIngestSkipsAreRecordedWithReasons(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		// fatigue: a second touchpoint for the same customer
		if _, err := f.engine.Ingest(ctx, touchpoint("a1", "cus_3", 1003)); err != nil {
			t.Fatal(err)
		}
		res, err := f.engine.Ingest(ctx, touchpoint("a2", "cus_3", 1003))
		if err != nil {
			t.Fatal(err)
		}
		if res.Invitation.Status != surveys.Skipped || res.Invitation.SkipReason != surveys.SkipFatigue {
			t.Fatalf("second touchpoint: got %+v, want skipped for fatigue", res.Invitation)
		}
		// unreachable: no identity given or linked
		in := touchpoint("a3", "cus_4", 0)
		in.Touchpoint.Customer.Identities = nil
		res, err = f.engine.Ingest(ctx, in)
		if err != nil || res.Invitation.SkipReason != surveys.SkipUnreachable {
			t.Fatalf("no identity: got %+v, %v; want unreachable", res.Invitation, err)
		}
		// no rule
		in = touchpoint("a4", "cus_5", 1005)
		in.Touchpoint.Type = "ticket_closed"
		res, err = f.engine.Ingest(ctx, in)
		if err != nil || res.Invitation.SkipReason != surveys.SkipNoRule {
			t.Fatalf("no rule: got %+v, %v; want no_rule", res.Invitation, err)
		}
		// opted out
		if err := db.Gorm().Exec("UPDATE customers SET opted_out_at = ? WHERE external_id = ?", time.Now().UTC(), "cus_5").Error; err != nil {
			t.Fatal(err)
		}
		res, err = f.engine.Ingest(ctx, touchpoint("a5", "cus_5", 1005))
		if err != nil || res.Invitation.SkipReason != surveys.SkipOptedOut {
			t.Fatalf("opted out: got %+v, %v; want opted_out", res.Invitation, err)
		}
		if n := f.sendJobs(t); n != 1 {
			t.Fatalf("jobs: got %d, want only the first touchpoint's", n)
		}
		if n := f.count(t, "invitations", "status = ?", "skipped"); n != 4 {
			t.Fatalf("skip records: got %d, want 4", n)
		}
	})
}

// Many copies of the same event at once: one touchpoint, one invitation,
// one job, and every caller gets the same invitation back.
func TestIngestConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		const callers = 16
		ids := make([]int64, callers)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				res, err := f.engine.Ingest(ctx, touchpoint("dup", "cus_9", 1009))
				ids[i], errs[i] = res.Invitation.ID, err
			})
		}
		wg.Wait()
		for i := range callers {
			if errs[i] != nil {
				t.Fatalf("caller %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("caller %d got invitation %d, caller 0 got %d", i, ids[i], ids[0])
			}
		}
		if n := f.count(t, "invitations", ""); n != 1 {
			t.Fatalf("invitations: got %d, want 1", n)
		}
		if n := f.sendJobs(t); n != 1 {
			t.Fatalf("jobs: got %d, want 1", n)
		}
	})
}

// Different events for one customer at once: fatigue still lets only one through.
func TestIngestConcurrentFatigue(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				if _, err := f.engine.Ingest(ctx, touchpoint(fmt.Sprintf("e%d", i), "cus_10", 1010)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := f.count(t, "invitations", "status = ?", "scheduled"); n != 1 {
			t.Fatalf("scheduled: got %d, want 1", n)
		}
		if n := f.count(t, "invitations", "skip_reason = ?", "fatigue"); n != 11 {
			t.Fatalf("fatigue skips: got %d, want 11", n)
		}
	})
}

func TestIngestBatch(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if _, err := f.engine.Ingest(ctx, touchpoint("b0", "cus_b0", 2000)); err != nil {
			t.Fatal(err)
		}
		reused := touchpoint("b0", "cus_b0", 2000)
		reused.RequestHash = "changed"
		invalid := touchpoint("b5", "", 2005)
		batch := []surveys.Ingestion{
			touchpoint("b1", "cus_b1", 2001),
			touchpoint("b2", "cus_b1", 2001), // same customer: fatigue within the batch
			reused,
			touchpoint("b0", "cus_b0", 2000), // identical retry: replayed
			invalid,
			touchpoint("b3", "cus_b3", 2003),
		}
		res, errs, err := f.engine.IngestBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			status   surveys.Status
			reason   surveys.SkipReason
			replayed bool
		}{
			{surveys.Scheduled, "", false},
			{surveys.Skipped, surveys.SkipFatigue, false},
			{},
			{surveys.Scheduled, "", true},
			{},
			{surveys.Scheduled, "", false},
		}
		for i, w := range want {
			switch i {
			case 2:
				if !errors.Is(errs[i], surveys.ErrIdempotencyKeyReused) {
					t.Errorf("item %d: got %v, want ErrIdempotencyKeyReused", i, errs[i])
				}
				continue
			case 4:
				var ve *surveys.ValidationError
				if !errors.As(errs[i], &ve) {
					t.Errorf("item %d: got %v, want a validation error", i, errs[i])
				}
				continue
			}
			got := res[i]
			if errs[i] != nil || got.Invitation.Status != w.status || got.Invitation.SkipReason != w.reason || got.Replayed != w.replayed {
				t.Errorf("item %d: got %+v (err %v), want %+v", i, got, errs[i], w)
			}
		}
		if n := f.sendJobs(t); n != 3 {
			t.Fatalf("jobs: got %d, want 3", n)
		}
	})
}

func TestLinkTokens(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		token, expires, err := f.store.CreateLinkToken(ctx, "cus_link", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) < 20 || len(token) > 64 || expires.Before(time.Now()) {
			t.Fatalf("token %q expiring %s", token, expires)
		}
		chat := surveys.Address{Platform: surveys.Telegram, ChatID: "3003", UserID: "3003"}
		got, err := f.store.RedeemLinkToken(ctx, token, chat)
		if err != nil || got != "cus_link" {
			t.Fatalf("redeem: got %q, %v; want cus_link", got, err)
		}
		if _, err := f.store.RedeemLinkToken(ctx, token, chat); !errors.Is(err, surveys.ErrNotFound) {
			t.Fatalf("second redeem: got %v, want ErrNotFound", err)
		}
		if _, err := f.store.RedeemLinkToken(ctx, "nonsense", chat); !errors.Is(err, surveys.ErrNotFound) {
			t.Fatalf("unknown token: got %v, want ErrNotFound", err)
		}
		expired, _, err := f.store.CreateLinkToken(ctx, "cus_link", -time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.RedeemLinkToken(ctx, expired, chat); !errors.Is(err, surveys.ErrNotFound) {
			t.Fatalf("expired token: got %v, want ErrNotFound", err)
		}
		// The linked chat now makes the customer reachable without an identity in the request.
		in := touchpoint("after-link", "cus_link", 0)
		in.Touchpoint.Customer.Identities = nil
		res, err := f.engine.Ingest(ctx, in)
		if err != nil || res.Invitation.Status != surveys.Scheduled || res.Invitation.To.ChatID != "3003" {
			t.Fatalf("after link: got %+v, %v; want scheduled to chat 3003", res.Invitation, err)
		}
	})
}

func newEngine(st *storage.Store) *surveys.Engine { return surveys.NewEngine(testSettings(), st, nil) }

// A survey due now is queued available, for the workers' next fetch: River
// keeps a job given any scheduled time in its "scheduled" state until its
// scheduler's next pass (every 5 s), even when that time has passed. A
// survey due later waits as scheduled, from the tick that makes its job.
func TestDueNowJobsAreAvailable(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		settings := testSettings()
		settings.Rules = append(settings.Rules, surveys.Rule{Type: "ticket_closed", SurveyID: "nps", Sample: 1})
		engine := surveys.NewEngine(settings, f.store, nil)
		ctx := context.Background()
		now := touchpoint("evt_now", "cus_now", 2001)
		now.Touchpoint.Type = "ticket_closed"
		if _, err := engine.Ingest(ctx, now); err != nil {
			t.Fatal(err)
		}
		later := touchpoint("evt_later", "cus_later", 2002) // order_delivered: 2 h delay
		if _, err := engine.Ingest(ctx, later); err != nil {
			t.Fatal(err)
		}
		batchNow := touchpoint("evt_batch_now", "cus_batch", 2003)
		batchNow.Touchpoint.Type = "ticket_closed"
		if _, errs, err := engine.IngestBatch(ctx, []surveys.Ingestion{batchNow}); err != nil || errs[0] != nil {
			t.Fatal(err, errs)
		}
		if n := f.count(t, "river_job", "kind = ? AND state = ?", "send_survey", "available"); n != 2 {
			t.Errorf("available send_survey jobs: %d, want 2 (the two due now)", n)
		}
		if n := f.count(t, "river_job", "kind = ? AND state = ?", "send_survey", "scheduled"); n != 0 {
			t.Errorf("scheduled send_survey jobs: %d, want none (the one due in 2 h waits for the tick)", n)
		}
		if n := f.count(t, "invitations", "awaiting_job"); n != 1 {
			t.Errorf("invitations awaiting a job: %d, want 1 (the one due in 2 h)", n)
		}
		if f.sendJobs(t); f.count(t, "river_job", "kind = ? AND state = ?", "send_survey", "scheduled") != 1 {
			t.Errorf("after the tick: want the one due in 2 h scheduled")
		}
	})
}
