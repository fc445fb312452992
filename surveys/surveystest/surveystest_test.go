package surveystest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

var (
	dana = surveys.Address{Platform: surveys.Telegram, ChatID: "111"}
	omer = surveys.Address{Platform: surveys.Slack, ChatID: "D1", UserID: "U1"}
)

func TestSenderRecordsAndFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var s surveystest.Sender
	hello := surveys.Prompt{Text: "hello", Ref: "s1"}

	s.Fail(nil, surveystest.RateLimited(3*time.Second), surveystest.Failure(surveys.Ambiguous))
	s.FailTo(omer, surveystest.Failure(surveys.Unreachable))

	type result struct {
		Ref   surveys.MessageRef
		Kind  surveys.SendFailure
		After time.Duration
		OK    bool
	}
	send := func(to surveys.Address) result {
		ref, err := s.Send(ctx, to, hello)
		kind, after := surveys.FailureOf(err)
		return result{ref, kind, after, err == nil}
	}
	got := []result{send(dana), send(dana), send(dana), send(omer), send(dana)}
	want := []result{
		{Ref: "m1", OK: true},
		{Kind: surveys.RateLimited, After: 3 * time.Second},
		{Kind: surveys.Ambiguous},
		{Kind: surveys.Unreachable},
		{Ref: "m2", OK: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("send results mismatch (-want +got):\n%s", diff)
	}

	s.FailTo(omer, nil)
	if _, err := s.Send(ctx, omer, hello); err != nil {
		t.Errorf("Send after FailTo(nil) = %v, want success", err)
	}
	if err := s.Edit(ctx, dana, "m2", surveys.Prompt{Text: "Your answer: 9"}); err != nil {
		t.Errorf("Edit(m2) = %v, want success", err)
	}
	if err := s.Edit(ctx, omer, "m2", surveys.Prompt{Text: "x"}); err == nil {
		t.Error("Edit of a message sent to someone else: got no error")
	} else if kind, _ := surveys.FailureOf(err); kind != surveys.Unreachable {
		t.Errorf("Edit of an unknown message: kind %v, want Unreachable", kind)
	}

	if got, want := s.Sent(dana), []surveys.Prompt{hello, hello}; !cmp.Equal(got, want) {
		t.Errorf("Sent(dana) = %v, want %v", got, want)
	}
	calls := s.Calls()
	if len(calls) != 8 {
		t.Fatalf("recorded %d calls, want 8: %+v", len(calls), calls)
	}
	last := calls[6]
	if diff := cmp.Diff(surveystest.Call{Op: surveystest.OpEdit, To: dana, Ref: "m2", Prompt: surveys.Prompt{Text: "Your answer: 9"}}, last); diff != "" {
		t.Errorf("edit call mismatch (-want +got):\n%s", diff)
	}
	var se *surveys.SendError
	if !errors.As(calls[1].Err, &se) || se.RetryAfter != 3*time.Second {
		t.Errorf("calls[1].Err = %v, want the scripted 429", calls[1].Err)
	}
}

func TestSenderCanceledContext(t *testing.T) {
	t.Parallel()
	var s surveystest.Sender
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Send(ctx, dana, surveys.Prompt{Text: "x"})
	if kind, _ := surveys.FailureOf(err); err == nil || kind != surveys.Failed || !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a canceled context = %v (kind %v), want a definite failure wrapping context.Canceled", err, kind)
	}
}

func TestSenderConcurrent(t *testing.T) {
	t.Parallel()
	var s surveystest.Sender
	const n = 50
	var wg sync.WaitGroup
	refs := make([]surveys.MessageRef, n)
	for i := range n {
		wg.Go(func() {
			ref, err := s.Send(context.Background(), dana, surveys.Prompt{Text: "x"})
			if err != nil {
				t.Error(err)
			}
			refs[i] = ref
		})
	}
	wg.Wait()
	seen := map[surveys.MessageRef]bool{}
	for _, r := range refs {
		if seen[r] {
			t.Errorf("message ref %q returned twice", r)
		}
		seen[r] = true
	}
	if got := len(s.Calls()); got != n {
		t.Errorf("recorded %d calls, want %d", got, n)
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c := surveystest.NewClock(start)
	if got := c.Now(); !got.Equal(start) {
		t.Errorf("Now() = %v, want %v", got, start)
	}
	if got, want := c.Advance(90*time.Minute), start.Add(90*time.Minute); !got.Equal(want) {
		t.Errorf("Advance = %v, want %v", got, want)
	}
	c.Set(start.Add(-time.Hour))
	if got, want := c.Now(), start.Add(-time.Hour); !got.Equal(want) {
		t.Errorf("after Set, Now() = %v, want %v", got, want)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { c.Advance(time.Minute); _ = c.Now() })
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(-50*time.Minute); !got.Equal(want) {
		t.Errorf("after 10 concurrent Advance(1m), Now() = %v, want %v", got, want)
	}
}
