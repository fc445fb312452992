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

// scriptedSender records sends; script decides the outcome of the n-th
// call (0-based) to a chat, nil meaning success.
type scriptedSender struct {
	mu     sync.Mutex
	calls  map[string]int
	script func(chat string, n int) error
}

func (s *scriptedSender) Send(_ context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	n := s.calls[to.ChatID]
	s.calls[to.ChatID]++
	if s.script != nil {
		if err := s.script(to.ChatID, n); err != nil {
			return "", err
		}
	}
	return surveys.MessageRef(fmt.Sprintf("%s:%d", to.ChatID, n+1)), nil
}

func (s *scriptedSender) callsTo(chat string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[chat]
}

type retrySafeSender struct{ *scriptedSender }

func (retrySafeSender) RetrySafe() bool { return true }

func startDelivery(t *testing.T, db *storage.DB, sender surveys.Sender) fixture {
	t.Helper()
	jobs, err := storage.NewJobs(db, storage.JobsConfig{
		PollInterval: 100 * time.Millisecond,
		Delivery: storage.Delivery{
			Senders: map[surveys.Platform]surveys.Sender{surveys.Telegram: sender},
			Prompt: func(inv surveys.Invitation) (surveys.Prompt, error) {
				return surveys.Prompt{Text: "How likely are you to recommend Acme?", Ref: fmt.Sprint(inv.ID)}, nil
			},
		},
	})
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
	return fixture{db: db, store: st, engine: surveys.NewEngine(settings, st, nil)}
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
		s := &scriptedSender{}
		f := startDelivery(t, db, s)
		inv := ingestOne(t, f, 501)
		got := waitStatus(t, f, inv.ID, surveys.Sent)
		if got.MessageRef != "501:1" || got.SentAt.IsZero() {
			t.Fatalf("sent invitation: got %+v, want message ref 501:1 and a send time", got)
		}
		waitJob(t, f, "completed")
		if n := s.callsTo("501"); n != 1 {
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
		script    func(n int) error
		want      surveys.Status
		wantCalls int
		wantJob   string
	}{
		{"blocked user is undeliverable, never retried",
			false, func(int) error {
				return &surveys.SendError{Kind: surveys.Unreachable, Err: errors.New("Forbidden: bot was blocked by the user")}
			}, surveys.Undeliverable, 1, "cancelled"},
		{"ambiguous failure on Telegram is unknown, never resent",
			false, func(int) error {
				return &surveys.SendError{Kind: surveys.Ambiguous, Err: context.DeadlineExceeded}
			}, surveys.Unknown, 1, "completed"},
		{"ambiguous failure on a platform that dedupes is retried",
			true, func(n int) error {
				if n == 0 {
					return &surveys.SendError{Kind: surveys.Ambiguous, Err: context.DeadlineExceeded}
				}
				return nil
			}, surveys.Sent, 2, "completed"},
		{"429 waits for retry_after, then sends",
			false, func(n int) error {
				if n == 0 {
					return &surveys.SendError{Kind: surveys.RateLimited, RetryAfter: 1500 * time.Millisecond, Err: errors.New("Too Many Requests")}
				}
				return nil
			}, surveys.Sent, 2, "completed"},
		{"definite failure is retried",
			false, func(n int) error {
				if n == 0 {
					return &surveys.SendError{Kind: surveys.Failed, Err: errors.New("Bad Gateway")}
				}
				return nil
			}, surveys.Sent, 2, "completed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				s := &scriptedSender{script: func(_ string, n int) error { return c.script(n) }}
				var sender surveys.Sender = s
				if c.safe {
					sender = retrySafeSender{s}
				}
				f := startDelivery(t, db, sender)
				inv := ingestOne(t, f, 700)
				waitStatus(t, f, inv.ID, c.want)
				waitJob(t, f, c.wantJob)
				if n := s.callsTo("700"); n != c.wantCalls {
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
		s := &scriptedSender{}
		f := startDelivery(t, db, s)
		got := waitStatus(t, f, id, surveys.Unknown)
		waitJob(t, f, "completed")
		if n := s.callsTo("808"); n != 0 {
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
		s := &scriptedSender{}
		f := startDelivery(t, db, s)
		waitStatus(t, f, res.Invitation.ID, surveys.Expired)
		waitJob(t, f, "completed")
		if n := s.callsTo("909"); n != 0 {
			t.Fatalf("sends: got %d, want 0", n)
		}
	})
}

// checkingSender is a platform that can say whether a prompt arrived
// (Slack's delivery metadata): ambiguous failures are checked, not guessed.
type checkingSender struct {
	*scriptedSender
	mu        sync.Mutex
	delivered map[string]surveys.MessageRef // by prompt Ref
	applied   func(n int) bool              // whether the n-th send reached the chat
}

func (c *checkingSender) Send(ctx context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	n := c.callsTo(to.ChatID)
	ref, err := c.scriptedSender.Send(ctx, to, p)
	if err == nil || c.applied(n) {
		c.mu.Lock()
		c.delivered[p.Ref] = surveys.MessageRef(fmt.Sprintf("%s:%d", to.ChatID, n+1))
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
	}{
		{"it arrived: recorded as sent, not resent", true, 1},
		{"it did not arrive: sent again once", false, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				s := &checkingSender{
					scriptedSender: &scriptedSender{script: func(_ string, n int) error {
						if n == 0 {
							return &surveys.SendError{Kind: surveys.Ambiguous, Err: context.DeadlineExceeded}
						}
						return nil
					}},
					delivered: map[string]surveys.MessageRef{},
					applied:   func(n int) bool { return n == 0 && c.arrived },
				}
				jobs, err := storage.NewJobs(db, storage.JobsConfig{
					PollInterval: 100 * time.Millisecond,
					Delivery: storage.Delivery{
						Senders:    map[surveys.Platform]surveys.Sender{surveys.Telegram: s},
						StaleAfter: 300 * time.Millisecond,
						Prompt: func(inv surveys.Invitation) (surveys.Prompt, error) {
							return surveys.Prompt{Text: "How likely?", Ref: fmt.Sprint("s", inv.ID)}, nil
						},
					},
				})
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
				f := fixture{db: db, store: st, engine: surveys.NewEngine(settings, st, nil)}
				inv := ingestOne(t, f, 750)
				got := waitStatus(t, f, inv.ID, surveys.Sent)
				waitJob(t, f, "completed")
				if n := s.callsTo("750"); n != c.wantCalls {
					t.Fatalf("sends: got %d, want %d", n, c.wantCalls)
				}
				if got.MessageRef == "" {
					t.Fatalf("no message ref recorded: %+v", got)
				}
			})
		})
	}
}
