package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// fakePlatform is a chat platform that lives in the test: it records what
// vocbot asks of it (prompts, edits, digests, alerts) and its people act
// through the Inbox its receiver was given, as an adapter's gateway would.
type fakePlatform struct {
	name surveys.Platform

	mu      sync.Mutex
	inbox   surveys.Inbox
	mounted bool
	sent    []fakeSent
	edits   int
	digests []surveys.Address
	alerts  []surveys.AlertView
	changed chan struct{}
}

type fakeSent struct {
	to     surveys.Address
	prompt surveys.Prompt
}

var (
	_ platform             = (*fakePlatform)(nil)
	_ surveys.Sender       = (*fakePlatform)(nil)
	_ surveys.Editor       = (*fakePlatform)(nil)
	_ surveys.DigestPoster = (*fakePlatform)(nil)
	_ surveys.AlertPoster  = (*fakePlatform)(nil)
)

func newFakePlatform(name surveys.Platform) *fakePlatform {
	return &fakePlatform{name: name, changed: make(chan struct{}, 1)}
}

// entry is the platform's one line in the list.
func (f *fakePlatform) entry() platformEntry {
	return platformEntry{f.name, "VOCBOT_FAKE_TOKEN", func(*config.Config) bool { return true },
		func(context.Context, *config.Config, *slog.Logger) (platform, error) { return f, nil }}
}

func (f *fakePlatform) Name() surveys.Platform { return f.name }

func (f *fakePlatform) Mount(_ *http.ServeMux, _ surveys.Inbox) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mounted = true
}

// Receivers is a gateway that one replica holds at a time.
func (f *fakePlatform) Receivers() []surveys.Receiver {
	return []surveys.Receiver{{Name: "fake-gateway", Exclusive: true, Run: func(ctx context.Context, in surveys.Inbox) error {
		f.record(func() { f.inbox = in })
		<-ctx.Done()
		return nil
	}}}
}

func (f *fakePlatform) Limits() surveys.SendLimits {
	return surveys.SendLimits{Global: surveys.Rate{Interval: time.Millisecond, Burst: 10}, PerChat: surveys.Rate{Interval: time.Millisecond, Burst: 5}}
}

func (f *fakePlatform) Send(_ context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	var n int
	f.record(func() { f.sent = append(f.sent, fakeSent{to, p}); n = len(f.sent) })
	return surveys.MessageRef(fmt.Sprintf("m%d", n)), nil
}

func (f *fakePlatform) Edit(context.Context, surveys.Address, surveys.MessageRef, surveys.Prompt) error {
	f.record(func() { f.edits++ })
	return nil
}

func (f *fakePlatform) PostDigest(_ context.Context, to surveys.Address, _ surveys.Digest, _ []byte) (surveys.MessageRef, error) {
	f.record(func() { f.digests = append(f.digests, to) })
	return "digest1", nil
}

func (f *fakePlatform) PostAlert(_ context.Context, _ surveys.Address, v surveys.AlertView) (surveys.MessageRef, error) {
	f.record(func() { f.alerts = append(f.alerts, v) })
	return "alert1", nil
}

func (f *fakePlatform) UpdateAlert(_ context.Context, _ surveys.Address, _ surveys.MessageRef, v surveys.AlertView) error {
	f.record(func() { f.alerts = append(f.alerts, v) })
	return nil
}

func (f *fakePlatform) record(change func()) {
	f.mu.Lock()
	change()
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// sentAt is the i-th message sent.
func (f *fakePlatform) sentAt(i int) fakeSent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent[i]
}

// in is the Inbox the receiver was given.
func (f *fakePlatform) in() surveys.Inbox {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inbox
}

// wait waits until cond holds (read under the lock).
func (f *fakePlatform) wait(t *testing.T, what string, logs *syncBuffer, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		f.mu.Lock()
		ok := cond()
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-f.changed:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			f.mu.Lock()
			defer f.mu.Unlock()
			t.Fatalf("%s: not within 30 s (sent %+v, %d edits, %d digests, %d alerts)\n%s", what, f.sent, f.edits, len(f.digests), len(f.alerts), logs)
		}
	}
}

// detractor has the customer (a user id on the fake platform) surveyed
// through the API, press 3 and write a comment.
func (f *fakePlatform) detractor(t *testing.T, base string, logs *syncBuffer, customer string) {
	t.Helper()
	api := apiFixture{url: base}
	r := api.do(t, "POST", "/v1/touchpoints", `{"id":"fourth_1","type":"order_delivered","survey":"nps",
		"customer":{"id":"cus_fourth","locale":"en","discord_user_id":"`+customer+`"}}`, nil)
	if r.status != http.StatusAccepted {
		t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
	}
	f.wait(t, "the survey is sent", logs, func() bool { return len(f.sent) == 1 })
	survey := f.sentAt(0)
	if survey.to.UserID != customer || len(survey.prompt.Choices) != 11 || survey.prompt.Ref == "" {
		t.Fatalf("survey: %+v, want 0–10 to the customer", survey)
	}
	// A person cannot press before the send is recorded; a test can.
	waitFor(t, 30*time.Second, func() bool {
		return strings.Contains(metrics(t, base), `vocbot_messages_sent_total{platform="`+string(f.name)+`",result="sent"} 1`)
	}, logs)
	ctx := context.Background()
	from := surveys.Address{Platform: f.name, ChatID: "dm-" + customer, UserID: customer}
	if err := f.in().Handle(ctx, surveys.Incoming{ID: "fake:1", From: from, Value: "3", Ref: survey.prompt.Ref}); err != nil {
		t.Fatal(err)
	}
	f.wait(t, "the follow-up question", logs, func() bool { return len(f.sent) == 2 && f.edits == 1 })
	if err := f.in().Handle(ctx, surveys.Incoming{ID: "fake:2", From: from, Text: "The courier was late"}); err != nil {
		t.Fatal(err)
	}
	f.wait(t, "the thanks", logs, func() bool { return len(f.sent) == 3 })
}

// A platform registered with one line gets surveys, answers, commands,
// digests and alerts through the same seam as the built-in ones. It takes
// Discord's name because configuration reads targets and customer
// identities only for the platforms it knows; this build runs no other
// Discord adapter.
func TestFourthPlatformEndToEnd(t *testing.T) {
	t.Parallel()
	const (
		customer  = "800000000000000042"
		alertChan = "223456789012345678"
		role      = "700000000000000001"
	)
	fake := newFakePlatform(surveys.Discord)
	cfg := filepath.Join(t.TempDir(), "vocbot.yaml")
	yaml := `product: Acme
digests:
  - {id: daily, to: "discord:123456789012345678", at: "00:00", timezone: UTC, post_when_empty: true}
alerts:
  - {to: "discord:` + alertChan + `", on: detractor}
ambassadors:
  discord_roles: ["` + role + `"]
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"VOCBOT_DATABASE_URL": storagetest.URL(t, storage.SQLite),
		"VOCBOT_API_TOKENS":   testToken,
		"VOCBOT_CONFIG":       cfg,
		"VOCBOT_LOG_LEVEL":    "warn",
	}
	base, stop, logs := startServeWith(t, vars, fake.entry())
	waitReady(t, base)
	f := apiFixture{url: base}

	fake.wait(t, "the receiver runs", logs, func() bool { return fake.inbox != nil && fake.mounted })
	fake.wait(t, "the digest is posted", logs, func() bool { return len(fake.digests) == 1 })
	fake.wait(t, "the digest goes to its channel", logs, func() bool {
		return fake.digests[0] == (surveys.Address{Platform: surveys.Discord, ChatID: "123456789012345678"})
	})

	// A survey out, answered by a press and a comment.
	fake.detractor(t, base, logs, customer)
	got := f.do(t, "GET", "/v1/responses", "", nil)
	rs, _ := got.body["responses"].([]any)
	if len(rs) != 1 {
		t.Fatalf("responses: %v", got.body)
	}
	resp := rs[0].(map[string]any)
	if resp["score"] != float64(3) || resp["comment"] != "The courier was late" || resp["platform"] != "discord" {
		t.Errorf("response: %v", resp)
	}

	// The detractor's alert, then a reply to the customer from its channel.
	ctx := context.Background()
	fake.wait(t, "the alert", logs, func() bool { return len(fake.alerts) >= 1 })
	staff := surveys.Address{Platform: surveys.Discord, ChatID: alertChan, UserID: "900000000000000001"}
	reply, err := fake.in().Command(ctx, surveys.CommandRequest{ID: "fake:3", From: staff, Text: "reply a1 Sorry, we are on it"})
	if err != nil || reply.Text != "Sent to the customer." {
		t.Fatalf("alert reply: %q, %v\n%s", reply.Text, err, logs)
	}
	fake.wait(t, "the relayed reply", logs, func() bool { return len(fake.sent) == 4 })
	if relayed := fake.sentAt(3); relayed.to.UserID != customer || !strings.Contains(relayed.prompt.Text, "Sorry, we are on it") {
		t.Errorf("relayed: %+v", relayed)
	}

	// Ambassadors by role: the role's holder gets help, anyone else the refusal.
	reply, err = fake.in().Command(ctx, surveys.CommandRequest{From: staff, Roles: []string{role}, Text: "help"})
	if err != nil || !strings.Contains(reply.Text, "/survey send") {
		t.Errorf("ambassador with the role: %q, %v", reply.Text, err)
	}
	reply, err = fake.in().Command(ctx, surveys.CommandRequest{From: staff, Roles: []string{"1"}, Text: "help"})
	if err != nil || reply.Text != surveys.Refusal {
		t.Errorf("without the role: %q, %v; want the refusal", reply.Text, err)
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// A digest or an alert for a platform without credentials is named at
// start with the variable to set, and fails at once, counted. The
// customers answer on a fake platform; the alerts were meant for Slack.
func TestServeNamesPostsWithoutCredentials(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "vocbot.yaml")
	yaml := `product: Acme
digests:
  - {id: daily, to: "slack:C0123ABC", at: "00:00", timezone: UTC, post_when_empty: true}
alerts:
  - {to: "slack:C0ALERTS", on: detractor}
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"VOCBOT_DATABASE_URL": storagetest.URL(t, storage.SQLite),
		"VOCBOT_API_TOKENS":   testToken,
		"VOCBOT_CONFIG":       cfg,
		"VOCBOT_LOG_LEVEL":    "warn",
	}
	fake := newFakePlatform(surveys.Discord)
	base, stop, logs := startServeWith(t, vars, fake.entry())
	waitReady(t, base)
	for _, want := range []string{
		"digest daily posts to slack:C0123ABC, but slack has no credentials: it will not be posted; set VOCBOT_SLACK_BOT_TOKEN",
		"alerts go to slack:C0ALERTS, but slack has no credentials: they will not be posted; set VOCBOT_SLACK_BOT_TOKEN",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("serve logs lack %q:\n%s", want, logs)
		}
	}
	waitFor(t, 30*time.Second, func() bool {
		return strings.Contains(metrics(t, base), `vocbot_digest_failures_total{platform="slack",reason="no_credentials"} 1`)
	}, logs)
	if n := strings.Count(logs.String(), "digest not posted: no credentials"); n != 1 {
		t.Errorf("%d error lines for the digest, want 1:\n%s", n, logs)
	}
	fake.wait(t, "the receiver runs", logs, func() bool { return fake.inbox != nil })
	fake.detractor(t, base, logs, "800000000000000042")
	waitFor(t, 30*time.Second, func() bool {
		return strings.Contains(metrics(t, base), `vocbot_alert_failures_total{platform="slack",reason="no_credentials"} 1`)
	}, logs)
	if n := strings.Count(logs.String(), "alert not posted: no credentials"); n != 1 {
		t.Errorf("%d error lines for the alert, want 1:\n%s", n, logs)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
