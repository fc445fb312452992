package telegram

import (
	"context"
	"testing"
)

// A poller that stops confirms what it handled, so the next one (after a
// graceful restart, or on another replica) does not run it again.
func TestPollConfirmsHandledUpdatesWhenStopping(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "en")
	h := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Poll(ctx, h) }()
	fake.SendText(42, "/survey stats")
	h.next(t)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if n := fake.Pending(); n != 0 {
		t.Errorf("%d updates left unconfirmed after a graceful stop; a restart would handle them again", n)
	}
}
