package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// timedSender notes when each send call reached the platform.
type timedSender struct {
	*surveystest.Sender
	safe  bool // the platform dedupes resends (surveys.RetrySafe)
	mu    sync.Mutex
	times []time.Time
}

func (s *timedSender) RetrySafe() bool { return s.safe }

func (s *timedSender) Send(ctx context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	s.mu.Lock()
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	return s.Sender.Send(ctx, to, p)
}

func (s *timedSender) sendTimes() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.times)
}

// runWorkers starts the job workers with production settings (River's own
// poll interval) and sender on Telegram; configure may change them.
func runWorkers(t testing.TB, db *storage.DB, sender surveys.Sender, configure ...func(*storage.JobsConfig)) (*storage.Jobs, fixture) {
	t.Helper()
	cfg := storage.JobsConfig{Delivery: storage.Delivery{
		Senders: map[surveys.Platform]surveys.Sender{surveys.Telegram: sender},
		Prompt: func(inv surveys.Invitation) (surveys.Prompt, error) {
			return surveys.Prompt{Text: "How likely are you to recommend Acme?", Ref: fmt.Sprint("s", inv.ID)}, nil
		},
	}}
	for _, c := range configure {
		c(&cfg)
	}
	jobs, err := storage.NewJobs(db, cfg)
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
	return jobs, fixture{db: db, jobs: jobs, store: st, engine: surveys.NewEngine(settings, st, nil)}
}

// retryDelay measures, for one invitation, how long after a 429 with
// retry_after the next send happens.
func retryDelay(t testing.TB, db *storage.DB, retryAfter time.Duration, chat int64) time.Duration {
	t.Helper()
	s := &timedSender{Sender: &surveystest.Sender{}}
	s.Fail(&surveys.SendError{Kind: surveys.RateLimited, RetryAfter: retryAfter, Err: errors.New("Too Many Requests")})
	_, f := runWorkers(t, db, s)
	res, err := f.engine.Ingest(context.Background(), touchpoint(fmt.Sprint("evt_", chat), fmt.Sprint("cus_", chat), chat))
	if err != nil {
		t.Fatal(err)
	}
	waitStatusWithin(t, f, res.Invitation.ID, surveys.Sent, 60*time.Second)
	times := s.sendTimes()
	if len(times) != 2 {
		t.Fatalf("send calls: got %d, want 2 (the 429, then the retry)", len(times))
	}
	return times[1].Sub(times[0])
}

func waitStatusWithin(t testing.TB, f fixture, id int64, want surveys.Status, within time.Duration) surveys.Invitation {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		inv, err := f.store.Invitation(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Status == want {
			return inv
		}
		if time.Now().After(deadline) {
			t.Fatalf("invitation %d: status %s (%s) after %s, want %s", id, inv.Status, inv.Detail, within, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A 429's retry_after is honoured, not stretched: the retry comes after
// it has passed and soon after (the precise figures are in
// docs/benchmarks.md; this bound is generous on purpose).
func TestRateLimitedRetryFollowsRetryAfter(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		got := retryDelay(t, db, 3*time.Second, 4291)
		if got < 3*time.Second || got > 6*time.Second {
			t.Fatalf("retry %s after a 429 with retry_after 3s; want between 3s and 6s", got)
		}
	})
}

// stuckSender's first call reaches the platform and then hangs, whatever
// its context says, until release: a process killed mid-send.
type stuckSender struct {
	safe    bool
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newStuckSender(t testing.TB, safe bool) *stuckSender {
	s := &stuckSender{safe: safe, entered: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(func() { close(s.release) })
	return s
}

func (s *stuckSender) Send(context.Context, surveys.Address, surveys.Prompt) (surveys.MessageRef, error) {
	s.once.Do(func() { close(s.entered) })
	<-s.release
	return "", &surveys.SendError{Kind: surveys.Ambiguous, Err: errors.New("the process was gone")}
}

func (s *stuckSender) RetrySafe() bool { return s.safe }

// stuckChecker is a stuckSender on a platform that can be asked whether a
// prompt arrived (it did not).
type stuckChecker struct{ *stuckSender }

func (stuckChecker) DeliveredTo(context.Context, surveys.Address, string) (surveys.MessageRef, bool, error) {
	return "", false, nil
}

// crashMidSend runs a worker that dies while sending one invitation, then
// starts another worker with next, and returns the invitation, the new
// worker's fixture and when it started.
func crashMidSend(t testing.TB, db *storage.DB, safe bool, next surveys.Sender, configure ...func(*storage.JobsConfig)) (int64, fixture, time.Time) {
	t.Helper()
	stuck := newStuckSender(t, safe)
	var first surveys.Sender = stuck
	if _, ok := next.(surveys.DeliveryChecker); ok {
		first = stuckChecker{stuck}
	}
	dead, fa := runWorkers(t, db, first, configure...)
	res, err := fa.engine.Ingest(context.Background(), touchpoint("evt_crash", "cus_crash", 6061))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-stuck.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the first worker never started sending")
	}
	dead.Crash()
	_, fb := runWorkers(t, db, next, configure...)
	return res.Invitation.ID, fb, time.Now()
}

// A worker killed mid-send: the restarted one takes the delivery over
// quickly, and never sends it a second time where that could show the
// customer a duplicate.
func TestDeliveryResumesAfterWorkerDied(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		safe      bool // the platform dedupes resends
		checker   bool // the platform can be asked whether it arrived
		want      surveys.Status
		wantSends int
	}{
		{"platform without idempotency: unknown, not resent", false, false, surveys.Unknown, 0},
		{"platform that dedupes: sent again", true, false, surveys.Sent, 1},
		{"platform that is asked: sent again once the dead send timed out", false, true, surveys.Sent, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				timed := &timedSender{Sender: &surveystest.Sender{}, safe: c.safe}
				var next surveys.Sender = timed
				if c.checker {
					next = &timedChecker{timed}
				}
				const sendTimeout = 3 * time.Second
				id, f, restart := crashMidSend(t, db, c.safe, next, func(cfg *storage.JobsConfig) {
					cfg.Lease = 2 * time.Second
					cfg.Delivery.SendTimeout = sendTimeout
				})
				got := waitStatusWithin(t, f, id, c.want, 30*time.Second)
				took := time.Since(restart)
				sends := timed.sendTimes()
				if len(sends) != c.wantSends {
					t.Fatalf("sends after the restart: got %d, want %d (%+v)", len(sends), c.wantSends, got)
				}
				if c.checker && sends[0].Sub(restart) < sendTimeout-time.Second {
					t.Fatalf("resent %s after the restart; want the dead worker's send timeout (%s) to pass first", sends[0].Sub(restart), sendTimeout)
				}
				// Lease 2 s, send timeout 3 s: far below River's own rescue (5 min).
				if took > 15*time.Second {
					t.Fatalf("resolved %s after the restart; want within 15s", took)
				}
				if c.want == surveys.Unknown && got.Detail == "" {
					t.Fatalf("unknown invitation has no detail: %+v", got)
				}
			})
		})
	}
}

// timedChecker is a timedSender on a platform that can be asked whether a
// prompt arrived (nothing did).
type timedChecker struct{ *timedSender }

func (timedChecker) DeliveredTo(context.Context, surveys.Address, string) (surveys.MessageRef, bool, error) {
	return "", false, nil
}

// slowSender's first call takes a while but succeeds.
type slowSender struct {
	*surveystest.Sender
	first sync.Once
	delay time.Duration
}

func (s *slowSender) Send(ctx context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	s.first.Do(func() { time.Sleep(s.delay) })
	return s.Sender.Send(ctx, to, p)
}

func (*slowSender) RetrySafe() bool { return true }

// Two live workers: a send slower than the lease is not taken over by the
// other worker, even on a platform where resending would be allowed.
func TestSlowSendOnLiveWorkerIsNotTakenOver(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := &slowSender{Sender: &surveystest.Sender{}, delay: 4 * time.Second}
		lease := func(cfg *storage.JobsConfig) { cfg.Lease = time.Second }
		_, f := runWorkers(t, db, s, lease)
		runWorkers(t, db, s, lease)
		res, err := f.engine.Ingest(context.Background(), touchpoint("evt_slow", "cus_slow", 6062))
		if err != nil {
			t.Fatal(err)
		}
		waitStatusWithin(t, f, res.Invitation.ID, surveys.Sent, 30*time.Second)
		if n := sendsTo(s.Sender, "6062"); n != 1 {
			t.Fatalf("sends: got %d, want 1", n)
		}
	})
}

// TestMeasureRecovery prints the figures of docs/benchmarks.md:
//
//	VOCBOT_MEASURE_RECOVERY=5 go test ./storage -run TestMeasureRecovery -v
func TestMeasureRecovery(t *testing.T) {
	n := 0
	if _, err := fmt.Sscan(os.Getenv("VOCBOT_MEASURE_RECOVERY"), &n); err != nil || n <= 0 {
		t.Skip("set VOCBOT_MEASURE_RECOVERY=N to measure N runs per engine")
	}
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			var retries []time.Duration
			for i := range n {
				retries = append(retries, run(t, func(t *testing.T) time.Duration {
					return retryDelay(t, storagetest.Open(t, e), 3*time.Second, int64(9000+i))
				}))
			}
			t.Logf("%s: retry after a 429 with retry_after 3s: median %s, min %s, max %s (%d runs)",
				e, median(retries), slices.Min(retries), slices.Max(retries), n)
			var long []time.Duration
			for i := range min(n, 3) {
				long = append(long, run(t, func(t *testing.T) time.Duration {
					return retryDelay(t, storagetest.Open(t, e), 12*time.Second, int64(9100+i))
				}))
			}
			t.Logf("%s: retry after a 429 with retry_after 12s: median %s (%d runs)", e, median(long), len(long))
			for _, k := range []struct {
				platform    string
				safe, asked bool
				want        surveys.Status
			}{
				{"no idempotency (Telegram): recorded unknown", false, false, surveys.Unknown},
				{"dedupes (RetrySafe): sent again", true, false, surveys.Sent},
				{"asked (DeliveryChecker): checked, sent again", false, true, surveys.Sent},
			} {
				var resume []time.Duration
				for range min(n, 3) {
					resume = append(resume, run(t, func(t *testing.T) time.Duration {
						timed := &timedSender{Sender: &surveystest.Sender{}, safe: k.safe}
						var next surveys.Sender = timed
						if k.asked {
							next = &timedChecker{timed}
						}
						id, f, restart := crashMidSend(t, storagetest.Open(t, e), k.safe, next)
						waitStatusWithin(t, f, id, k.want, 2*time.Minute)
						return time.Since(restart)
					}))
				}
				t.Logf("%s: crash mid-send, restart at once, default settings; platform that %s: resolved after median %s, max %s (%d runs)",
					e, k.platform, median(resume), slices.Max(resume).Round(10*time.Millisecond), len(resume))
			}
		})
	}
}

// run measures once in a subtest of its own, so that its workers and
// database are gone before the next measurement starts.
func run(t *testing.T, f func(t *testing.T) time.Duration) time.Duration {
	t.Helper()
	var d time.Duration
	t.Run("run", func(t *testing.T) { d = f(t) })
	return d
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2].Round(10 * time.Millisecond)
}

// sentResults reads vocbot_messages_sent_total by result.
func sentResults(t *testing.T, jobs *storage.Jobs) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(jobs.Collectors()...)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "vocbot_messages_sent_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" {
					out[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}

// A send that timed out is counted as ambiguous; where the platform can
// tell, its later answer is counted too; where it cannot, the invitation is
// unknown with a detail saying why.
func TestAmbiguousSendsAreCounted(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		checker     bool
		arrived     bool
		hangs       bool // the call outlives the send timeout and returns the bare context error
		want        surveys.Status
		wantDetail  string
		wantResults map[string]float64
	}{
		{"platform that cannot tell", false, false, false, surveys.Unknown, "the platform may or may not have shown it",
			map[string]float64{"ambiguous": 1, "unknown": 1}},
		{"send outlives its timeout", false, false, true, surveys.Unknown, "no answer within 500ms; the platform may or may not",
			map[string]float64{"ambiguous": 1, "unknown": 1}},
		{"checked: it had arrived", true, true, false, surveys.Sent, "", map[string]float64{"ambiguous": 1, "ambiguous_then_delivered": 1}},
		{"checked: it had not arrived", true, false, false, surveys.Sent, "", map[string]float64{"ambiguous": 1, "sent": 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				timeout := &surveys.SendError{Kind: surveys.Ambiguous,
					Err: errors.New(`Post "https://api.telegram.org/bot1:SECRET/sendMessage": context deadline exceeded`)}
				var sender surveys.Sender
				switch {
				case c.hangs:
					sender = &hangingSender{Sender: &surveystest.Sender{}}
				case c.checker:
					s := &checkingSender{Sender: &surveystest.Sender{}, firstArrives: c.arrived, delivered: map[string]surveys.MessageRef{}}
					s.Fail(timeout)
					sender = s
				default:
					s := &surveystest.Sender{}
					s.Fail(timeout)
					sender = s
				}
				f := startDelivery(t, db, sender, func(d *storage.Delivery) {
					d.StaleAfter = 300 * time.Millisecond
					d.SendTimeout = 500 * time.Millisecond
				})
				inv := ingestOne(t, f, 770)
				got := waitStatus(t, f, inv.ID, c.want)
				waitJob(t, f, "completed")
				if diff := cmp.Diff(c.wantResults, sentResults(t, f.jobs)); diff != "" {
					t.Errorf("vocbot_messages_sent_total by result (-want +got):\n%s", diff)
				}
				if !strings.Contains(got.Detail, c.wantDetail) || strings.Contains(got.Detail, "SECRET") {
					t.Errorf("detail %q: want it to say %q, without the request URL", got.Detail, c.wantDetail)
				}
			})
		})
	}
}

// hangingSender's first call reaches the platform and gets no answer: it
// returns the bare context error once the worker's send timeout cuts it.
type hangingSender struct {
	*surveystest.Sender
	once sync.Once
}

func (s *hangingSender) Send(ctx context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	hang := false
	s.once.Do(func() { hang = true })
	if hang {
		<-ctx.Done()
		return "", fmt.Errorf("post message: %w", ctx.Err())
	}
	return s.Sender.Send(ctx, to, p)
}
