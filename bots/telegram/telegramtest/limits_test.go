package telegramtest

import (
	"net/http"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestLimiterGlobalWindow(t *testing.T) {
	t.Parallel()
	l := newLimiter(Limits{PerSecond: 30})
	t0 := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		if _, e := l.admit("sendMessage", "1", t0.Add(time.Duration(i)*time.Millisecond)); e != nil {
			t.Fatalf("send %d within the limit: %v", i, e.desc)
		}
	}
	_, e := l.admit("sendMessage", "2", t0.Add(500*time.Millisecond))
	if e == nil || e.code != http.StatusTooManyRequests || e.retryAfter != 1 || e.desc != "Too Many Requests: retry after 1" {
		t.Fatalf("31st send in one second: %+v, want 429 retry after 1", e)
	}
	if _, e := l.admit("editMessageText", "2", t0.Add(500*time.Millisecond)); e != nil {
		t.Errorf("edits are not limited: %v", e.desc)
	}
	// One second after the first send, its slot is free again.
	if _, e := l.admit("sendMessage", "2", t0.Add(time.Second+time.Millisecond)); e != nil {
		t.Errorf("send a second later: %v", e.desc)
	}
	if l.limited["sendMessage"] != 1 {
		t.Errorf("limited = %v, want one 429", l.limited)
	}
}

func TestLimiterPerChatAndGroup(t *testing.T) {
	t.Parallel()
	l := newLimiter(Limits{PerChatInterval: time.Second, PerChatBurst: 3, GroupPerMinute: 20})
	t0 := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if _, e := l.admit("sendMessage", "42", t0); e != nil {
			t.Fatalf("burst send %d: %v", i, e.desc)
		}
	}
	if _, e := l.admit("sendPhoto", "42", t0.Add(100*time.Millisecond)); e == nil || e.retryAfter != 1 {
		t.Fatalf("4th send to one chat at once: %+v, want 429 retry after 1", e)
	}
	if _, e := l.admit("sendMessage", "43", t0); e != nil {
		t.Errorf("another chat has its own bucket: %v", e.desc)
	}
	if _, e := l.admit("sendMessage", "42", t0.Add(time.Second)); e != nil {
		t.Errorf("a second later one more fits: %v", e.desc)
	}
	for i := range 20 {
		if _, e := l.admit("sendMessage", "-100", t0.Add(time.Duration(i)*time.Second)); e != nil {
			t.Fatalf("group send %d: %v", i, e.desc)
		}
	}
	if _, e := l.admit("sendMessage", "-100", t0.Add(30*time.Second)); e == nil || e.retryAfter != 30 {
		t.Errorf("21st group send in a minute: %+v, want 429 retry after 30", e)
	}
}

// TestLimitsOverHTTP sends through the real client: over the limit the
// answer is Telegram's 429 with parameters.retry_after, a refused send
// (400) does not use up the chat's bucket, and SetLimits(Limits{}) lifts
// the limits.
func TestLimitsOverHTTP(t *testing.T) {
	t.Parallel()
	s, api := newAPI(t)
	if s.limits.Limits != TelegramLimits {
		t.Errorf("New enforces %+v, want TelegramLimits", s.limits.Limits)
	}
	s.SetLimits(Limits{PerSecond: 30, PerChatInterval: time.Minute, PerChatBurst: 3})
	s.AddUser(42, "en")
	if _, err := api.Send(tgbotapi.NewMessage(42, "")); err == nil {
		t.Fatal("empty text was accepted")
	}
	for i := range 3 {
		if _, err := api.Send(tgbotapi.NewMessage(42, "hi")); err != nil {
			t.Fatalf("send %d of the burst: %v", i, err)
		}
	}
	_, err := api.Send(tgbotapi.NewMessage(42, "one too many"))
	tgErr, ok := err.(*tgbotapi.Error)
	if !ok || tgErr.Code != http.StatusTooManyRequests || tgErr.RetryAfter < 1 {
		t.Fatalf("4th send to one chat at once: %v, want a 429 with retry_after", err)
	}
	if got := s.RateLimited("sendMessage"); got != 1 {
		t.Errorf("RateLimited = %d, want 1", got)
	}
	if n := len(s.Sent(42)); n != 3 {
		t.Errorf("%d messages in the chat, want 3 (the 429 is not applied)", n)
	}
	s.SetLimits(Limits{})
	for i := range 10 {
		if _, err := api.Send(tgbotapi.NewMessage(42, "fast")); err != nil {
			t.Fatalf("unlimited send %d: %v", i, err)
		}
	}
}
