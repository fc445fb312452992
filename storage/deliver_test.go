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
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// sendsTo counts the send calls (failed ones included) to a chat.
func sendsTo(s *surveystest.Sender, chat string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Op == surveystest.OpSend && c.To.ChatID == chat {
			n++
		}
	}
	return n
}

type retrySafeSender struct{ *surveystest.Sender }

func (retrySafeSender) RetrySafe() bool { return true }

// startDelivery runs the job workers with sender on Telegram; configure
// may adjust the delivery settings (reminders, staleness) before start.
func startDelivery(t *testing.T, db *storage.DB, sender surveys.Sender, configure ...func(*storage.Delivery)) fixture {
	t.Helper()
	d := storage.Delivery{
		Senders: map[surveys.Platform]surveys.Sender{surveys.Telegram: sender},
		Prompt: func(inv surveys.Invitation) (surveys.Prompt, error) {
			return surveys.Prompt{Text: "How likely are you to recommend Acme?", Ref: fmt.Sprint("s", inv.ID)}, nil
		},
	}
	for _, c := range configure {
		c(&d)
	}
	jobs, err := storage.NewJobs(db, storage.JobsConfig{PollInterval: 100 * time.Millisecond, Delivery: d})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jobs.Stop(context.Background()) })
	st := storage.NewStore(db, jobs)
	settings := testSettings()
	settings.Rules[0].Delay = 0
	return fixture{db: db, jobs: jobs, store: st, engine: surveys.NewEngine(settings, st, nil)}
}

// waitStatus waits until the invitation reaches want (or fails after a generous deadline).
func waitStatus(t *testing.T, f fixture, id int64, want surveys.Status) surveys.Invitation {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		inv, err := f.store.Invitation(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Status == want {
			return inv
		}
		if time.Now().After(deadline) {
			t.Fatalf("invitation %d: status %s (%s), want %s", id, inv.Status, inv.Detail, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (f fixture) jobState(t *testing.T) string {
	t.Helper()
	var states []string
	if err := f.db.Gorm().Raw("SELECT state FROM river_job WHERE kind = 'send_survey'").Scan(&states).Error; err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 {
		t.Fatalf("send_survey jobs: got %v, want exactly one", states)
	}
	return states[0]
}

func ingestOne(t *testing.T, f fixture, chat int64) surveys.Invitation {
	t.Helper()
	res, err := f.engine.Ingest(context.Background(), touchpoint(fmt.Sprintf("evt_%d", chat), fmt.Sprintf("cus_%d", chat), chat))
	if err != nil {
		t.Fatal(err)
	}
	if res.Invitation.Status != surveys.Scheduled {
		t.Fatalf("got %+v, want scheduled", res.Invitation)
	}
	return res.Invitation
}

func TestDeliverySendsOnceAndCompletesTheJob(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := &surveystest.Sender{}
		f := startDelivery(t, db, s)
		inv := ingestOne(t, f, 501)
		got := waitStatus(t, f, inv.ID, surveys.Sent)
		if got.MessageRef != "m1" || got.SentAt.IsZero() {
			t.Fatalf("sent invitation: got %+v, want message ref m1 and a send time", got)
		}
		waitJob(t, f, "completed")
		if n := sendsTo(s, "501"); n != 1 {
			t.Fatalf("sends: got %d, want 1", n)
		}
	})
}

func waitJob(t *testing.T, f fixture, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for f.jobState(t) != want {
		if time.Now().After(deadline) {
			t.Fatalf("job state %s, want %s", f.jobState(t), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDeliveryOutcomes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		safe      bool
		firstErr  error // the first send's failure; later sends succeed
		want      surveys.Status
		wantCalls int
		wantJob   string
	}{
		{"blocked user is undeliverable, never retried", false,
			&surveys.SendError{Kind: surveys.Unreachable, Err: errors.New("Forbidden: bot was blocked by the user")},
			surveys.Undeliverable, 1, "cancelled"},
		{"ambiguous failure on Telegram is unknown, never resent", false,
			&surveys.SendError{Kind: surveys.Ambiguous, Err: context.DeadlineExceeded},
			surveys.Unknown, 1, "completed"},
		{"ambiguous failure on a platform that dedupes is retried", true,
			&surveys.SendError{Kind: surveys.Ambiguous, Err: context.DeadlineExceeded},
			surveys.Sent, 2, "completed"},
		{"429 waits for retry_after, then sends", false,
			&surveys.SendError{Kind: surveys.RateLimited, RetryAfter: 1500 * time.Millisecond, Err: errors.New("Too Many Requests")},
			surveys.Sent, 2, "completed"},
		{"definite failure is retried", false,
			&surveys.SendError{Kind: surveys.Failed, Err: errors.New("Bad Gateway")},
			surveys.Sent, 2, "completed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				s := &surveystest.Sender{}
				s.Fail(c.firstErr)
				var sender surveys.Sender = s
				if c.safe {
					sender = retrySafeSender{s}
				}
				f := startDelivery(t, db, sender)
				inv := ingestOne(t, f, 700)
				waitStatus(t, f, inv.ID, c.want)
				waitJob(t, f, c.wantJob)
				if n := sendsTo(s, "700"); n != c.wantCalls {
					t.Fatalf("sends: got %d, want %d", n, c.wantCalls)
				}
			})
		})
	}
}

// A process killed between the platform call and recording it leaves the
// invitation "sending". The rerun job must not send again on Telegram.
func TestDeliveryAfterCrashMidSendDoesNotResend(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		// First process: ingest, then "crash" mid-send (state as the worker leaves it).
		jobs, err := storage.NewJobs(db, storage.JobsConfig{})
		if err != nil {
			t.Fatal(err)
		}
		settings := testSettings()
		settings.Rules[0].Delay = 0
		engine := surveys.NewEngine(settings, storage.NewStore(db, jobs), nil)
		res, err := engine.Ingest(ctx, touchpoint("crash", "cus_crash", 808))
		if err != nil {
			t.Fatal(err)
		}
		id := res.Invitation.ID
		if err := db.Gorm().Exec("UPDATE invitations SET status = 'sending', attempts = 1, attempt_started_at = ? WHERE id = ?",
			time.Now().UTC().Add(-10*time.Minute), id).Error; err != nil {
			t.Fatal(err)
		}
		// Restarted process.
		s := &surveystest.Sender{}
		f := startDelivery(t, db, s)
		got := waitStatus(t, f, id, surveys.Unknown)
		waitJob(t, f, "completed")
		if n := sendsTo(s, "808"); n != 0 {
			t.Fatalf("sends after restart: got %d, want 0 (%+v)", n, got)
		}
	})
}

func TestDeliveryExpired(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		jobs, err := storage.NewJobs(db, storage.JobsConfig{})
		if err != nil {
			t.Fatal(err)
		}
		settings := testSettings()
		settings.Rules[0].Delay = 0
		engine := surveys.NewEngine(settings, storage.NewStore(db, jobs), nil)
		res, err := engine.Ingest(ctx, touchpoint("late", "cus_late", 909))
		if err != nil {
			t.Fatal(err)
		}
		// The workers were down past the survey's expiry.
		if err := db.Gorm().Exec("UPDATE invitations SET expires_at = ? WHERE id = ?", time.Now().UTC().Add(-time.Minute), res.Invitation.ID).Error; err != nil {
			t.Fatal(err)
		}
		s := &surveystest.Sender{}
		f := startDelivery(t, db, s)
		waitStatus(t, f, res.Invitation.ID, surveys.Expired)
		waitJob(t, f, "completed")
		if n := sendsTo(s, "909"); n != 0 {
			t.Fatalf("sends: got %d, want 0", n)
		}
	})
}

// checkingSender is a platform that can say whether a prompt arrived
// (Slack's delivery metadata): ambiguous failures are checked, not guessed.
type checkingSender struct {
	*surveystest.Sender
	firstArrives bool // whether the first (failing) send reached the chat anyway

	mu        sync.Mutex
	delivered map[string]surveys.MessageRef // by prompt Ref
}

func (c *checkingSender) Send(ctx context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	first := sendsTo(c.Sender, to.ChatID) == 0
	ref, err := c.Sender.Send(ctx, to, p)
	if err == nil || first && c.firstArrives {
		if ref == "" {
			ref = "arrived-despite-the-error"
		}
		c.mu.Lock()
		c.delivered[p.Ref] = ref
		c.mu.Unlock()
	}
	return ref, err
}

func (c *checkingSender) DeliveredTo(_ context.Context, _ surveys.Address, ref string) (surveys.MessageRef, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.delivered[ref]
	return m, ok, nil
}

func TestDeliveryAmbiguousIsCheckedWithThePlatform(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		arrived   bool
		wantCalls int
		wantRef   surveys.MessageRef
	}{
		{"it arrived: recorded as sent, not resent", true, 1, "arrived-despite-the-error"},
		{"it did not arrive: sent again once", false, 2, "m1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				s := &checkingSender{Sender: &surveystest.Sender{}, firstArrives: c.arrived, delivered: map[string]surveys.MessageRef{}}
				s.Fail(&surveys.SendError{Kind: surveys.Ambiguous, Err: context.DeadlineExceeded})
				f := startDelivery(t, db, s, func(d *storage.Delivery) { d.StaleAfter = 300 * time.Millisecond })
				inv := ingestOne(t, f, 750)
				got := waitStatus(t, f, inv.ID, surveys.Sent)
				waitJob(t, f, "completed")
				if n := sendsTo(s.Sender, "750"); n != c.wantCalls {
					t.Fatalf("sends: got %d, want %d", n, c.wantCalls)
				}
				if got.MessageRef != string(c.wantRef) {
					t.Fatalf("message ref: got %q, want %q", got.MessageRef, c.wantRef)
				}
			})
		})
	}
}
