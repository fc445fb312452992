package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/surveys"
)

// commander is a surveys.Commander that keeps the requests it gets.
type commander struct {
	mu    sync.Mutex
	reqs  []surveys.CommandRequest
	reply string
	err   error
}

func (c *commander) Command(_ context.Context, req surveys.CommandRequest) (surveys.CommandReply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, req)
	return surveys.CommandReply{Text: c.reply}, c.err
}

func (c *commander) requests() []surveys.CommandRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]surveys.CommandRequest(nil), c.reqs...)
}

type inbox struct {
	*recorder
	*commander
}

// Polling is one exclusive receiver; "/survey …" typed in a chat goes to
// Command and the reply comes back in that chat, everything else to Handle.
func TestPollingReceiverRoutesCommands(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(111, "en")
	rs := bot.Receivers()
	if len(rs) != 1 || !rs[0].Exclusive || rs[0].Name == "" {
		t.Fatalf("receivers %+v, want one exclusive poller", rs)
	}
	mux := http.NewServeMux()
	bot.Mount(mux, inbox{newRecorder(), &commander{}})
	if _, pattern := mux.Handler(httptest.NewRequest(http.MethodPost, WebhookPath, nil)); pattern != "" {
		t.Errorf("polling mode mounted %q, want no route", pattern)
	}

	rec, cmds := newRecorder(), &commander{reply: "Sent nps to cus_42."}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rs[0].Run(ctx, inbox{rec, cmds}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("receiver returned %v after cancel, want nil", err)
		}
	})

	id := fake.SendText(111, "/survey@"+telegramtest.BotUsername+" send nps cus_42")
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	sent, err := fake.WaitSent(wctx, 111, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sent[0].Text != "Sent nps to cus_42." {
		t.Errorf("reply in the chat: %q", sent[0].Text)
	}
	from := surveys.Address{Platform: surveys.Telegram, ChatID: "111", UserID: "111"}
	want := []surveys.CommandRequest{{ID: "tg:" + strconv.Itoa(id), From: from, Text: "/survey send nps cus_42"}}
	if diff := cmp.Diff(want, cmds.requests()); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	fake.SendText(111, "/surveys are fun")
	if got := rec.next(t); got.Text != "/surveys are fun" {
		t.Errorf("handler got %+v, want the message that is not a /survey command", got)
	}

	// A command that fails on vocbot's side is answered with an apology.
	cmds.mu.Lock()
	cmds.err = errors.New("database down")
	cmds.mu.Unlock()
	fake.SendText(111, "/survey stats")
	sent, err = fake.WaitSent(wctx, 111, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := sent[1].Text; got != commandFailed || strings.Contains(got, "database") {
		t.Errorf("reply to a failed command: %q, want the apology", got)
	}
}

// Webhook mode: Start registers the URL, Mount serves it, nothing polls.
func TestWebhookMode(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New("")
	t.Cleanup(fake.Close)
	fake.AddUser(42, "en")
	mux := http.NewServeMux()
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)
	cfg := Config{Token: fake.Token(), APIURL: fake.APIURL(), Webhook: true, PublicURL: web.URL}
	if _, err := Start(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "VOCBOT_TELEGRAM_WEBHOOK_SECRET") {
		t.Errorf("webhook mode without a secret: %v, want an error naming VOCBOT_TELEGRAM_WEBHOOK_SECRET", err)
	}
	cfg.WebhookSecret = "s3cret_token-1"
	bot, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if url, secret := fake.Webhook(); url != web.URL+WebhookPath || secret != cfg.WebhookSecret {
		t.Errorf("webhook registered as %q with %q", url, secret)
	}
	if rs := bot.Receivers(); len(rs) != 0 {
		t.Errorf("webhook mode: receivers %+v, want none", rs)
	}
	if l := bot.Limits(); l.Global.Interval <= 0 || l.PerChat.Interval < l.Global.Interval {
		t.Errorf("Limits() = %+v, want a global bucket and a slower one per chat", l)
	}
	rec, cmds := newRecorder(), &commander{reply: "ok"}
	bot.Mount(mux, inbox{rec, cmds})
	fake.SendText(42, "hello")
	if got := rec.next(t); got.Text != "hello" {
		t.Errorf("got %+v, want the message through the webhook", got)
	}
}
