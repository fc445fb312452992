package slacktest

import (
	"bytes"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// A response_url takes 5 posts within 30 minutes of its request.
func TestResponseURLLimits(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := NewServer(Options{Now: clock})
	t.Cleanup(s.Close)
	c := &Client{HooksURL: s.HooksURL(), Now: clock}
	post := func(u, body string) int {
		t.Helper()
		res, err := http.Post(u, "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	first := c.slashCommand(Command{User: "U1", Channel: "C1", Text: "help"}).Get("response_url")
	second := c.slashCommand(Command{User: "U1", Channel: "C1", Text: "help"}).Get("response_url")
	if _, err := url.Parse(first); err != nil || first == second {
		t.Fatalf("response_urls %q, %q: want two distinct URLs", first, second)
	}
	for i := range 5 {
		if got := post(first, `{"text":"hello"}`); got != http.StatusOK {
			t.Fatalf("post %d: status %d, want 200", i+1, got)
		}
	}
	if got := post(first, `{"text":"hello"}`); got != http.StatusNotFound {
		t.Errorf("sixth post: status %d, want 404 used_url", got)
	}
	if got := post(second, `{}`); got != http.StatusBadRequest {
		t.Errorf("post without text: status %d, want 400", got)
	}
	mu.Lock()
	now = now.Add(31 * time.Minute)
	mu.Unlock()
	if got := post(second, `{"text":"late"}`); got != http.StatusNotFound {
		t.Errorf("post after 31 minutes: status %d, want 404 expired_url", got)
	}
	if got := post(s.HooksURL()+"nonsense", `{"text":"x"}`); got != http.StatusNotFound {
		t.Errorf("unknown hook: status %d, want 404", got)
	}
	if r := s.Responses(); len(r) != 5 || r[0].Text != "hello" || r[0].ResponseType != "ephemeral" {
		t.Errorf("responses: %+v", r)
	}
}
