package telegram

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/surveys"
)

func to(chat string) surveys.Address {
	return surveys.Address{Platform: surveys.Telegram, ChatID: chat, UserID: chat}
}

var npsPrompt = surveys.Prompt{Text: "How likely…?", Ref: "s7", Choices: []surveys.Choice{{Label: "0", Value: "0"}, {Label: "10", Value: "10"}}}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		chat      string
		setup     func(*telegramtest.Server)
		kind      surveys.SendFailure
		after     time.Duration
		delivered bool // the fake shows the message although Send failed
	}{
		{name: "429 with retry_after", chat: "42", setup: func(f *telegramtest.Server) { f.RateLimit("sendMessage", 7) },
			kind: surveys.RateLimited, after: 7 * time.Second},
		{name: "blocked by the user", chat: "42", setup: func(f *telegramtest.Server) { f.Block(42) }, kind: surveys.Unreachable},
		{name: "chat not found", chat: "999", kind: surveys.Unreachable},
		{name: "user deactivated", chat: "42", setup: func(f *telegramtest.Server) {
			f.Inject("sendMessage", telegramtest.Fault{Code: 403, Description: "Forbidden: user is deactivated"})
		}, kind: surveys.Unreachable},
		{name: "cannot initiate", chat: "42", setup: func(f *telegramtest.Server) {
			f.Inject("sendMessage", telegramtest.Fault{Code: 403, Description: "Forbidden: bot can't initiate conversation with a user"})
		}, kind: surveys.Unreachable},
		{name: "other API error", chat: "42", setup: func(f *telegramtest.Server) {
			f.Inject("sendMessage", telegramtest.Fault{Code: 400, Description: "Bad Request: can't parse entities"})
		}, kind: surveys.Failed},
		{name: "Telegram 500", chat: "42", setup: func(f *telegramtest.Server) {
			f.Inject("sendMessage", telegramtest.Fault{Code: 500, Description: "Internal Server Error"})
		}, kind: surveys.Failed},
		{name: "applied, then the connection dropped", chat: "42", setup: func(f *telegramtest.Server) {
			f.Inject("sendMessage", telegramtest.Fault{Drop: true})
		}, kind: surveys.Ambiguous, delivered: true},
		{name: "not a chat id", chat: "@dana", kind: surveys.Unreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, bot := newFixture(t)
			fake.AddUser(42, "en")
			if tc.setup != nil {
				tc.setup(fake)
			}
			_, err := bot.Send(context.Background(), to(tc.chat), npsPrompt)
			var se *surveys.SendError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *surveys.SendError", err)
			}
			if se.Kind != tc.kind || se.RetryAfter != tc.after {
				t.Errorf("got %v (kind %d, retry after %s), want kind %d, retry after %s", err, se.Kind, se.RetryAfter, tc.kind, tc.after)
			}
			if got := len(fake.Sent(42)) > 0; got != tc.delivered {
				t.Errorf("fake shows the message: got %v, want %v", got, tc.delivered)
			}
		})
	}
}

// A request that hangs after it was written may have been applied.
func TestSendTimeoutIsAmbiguous(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "en")
	fake.Inject("sendMessage", telegramtest.Fault{Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := bot.Send(ctx, to("42"), npsPrompt)
		done <- err
	}()
	if err := fake.Wait(context.Background(), func() bool { return fake.Calls("sendMessage") == 1 }); err != nil {
		t.Fatal(err)
	}
	cancel() // the caller's deadline passes while Telegram is silent
	err := <-done
	if kind, _ := surveys.FailureOf(err); kind != surveys.Ambiguous {
		t.Fatalf("got %v (kind %d), want Ambiguous", err, kind)
	}
}

// A dial error means nothing left: definite, safe to retry.
func TestSendDialErrorIsFailed(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New("")
	t.Cleanup(fake.Close)
	var down atomic.Bool
	dialer := &net.Dialer{}
	client := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if down.Load() {
				return nil, errors.New("connection refused")
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	bot, err := New(context.Background(), Config{Token: fake.Token(), APIURL: fake.APIURL(), HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	fake.AddUser(42, "en")
	down.Store(true)
	_, err = bot.Send(context.Background(), to("42"), npsPrompt)
	if kind, _ := surveys.FailureOf(err); kind != surveys.Failed || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("got %v (kind %d), want Failed", err, kind)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New("")
	t.Cleanup(fake.Close)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no token", Config{APIURL: fake.APIURL()}, "VOCBOT_TELEGRAM_TOKEN"},
		{"wrong token", Config{Token: "1:wrong", APIURL: fake.APIURL()}, "rejected the token"},
		{"bad URL", Config{Token: fake.Token(), APIURL: "http://localhost/"}, "two %s"},
		{"client timeout under poll timeout", Config{Token: fake.Token(), APIURL: fake.APIURL(), HTTPClient: &http.Client{Timeout: 10 * time.Second}}, "poll timeout"},
	} {
		_, err := New(context.Background(), tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", tc.name, err, tc.want)
		}
	}
	bot, err := New(context.Background(), Config{Token: fake.Token(), APIURL: fake.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	if got := bot.Username(); got != telegramtest.BotUsername {
		t.Errorf("got username %q, want %q", got, telegramtest.BotUsername)
	}
}

func TestEdit(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "en")
	ctx := context.Background()
	ref, err := bot.Send(ctx, to("42"), npsPrompt)
	if err != nil {
		t.Fatal(err)
	}
	answered := surveys.Prompt{Text: "How likely…?\nYour answer: 10 <thanks>"}
	for range 2 { // the second edit changes nothing: not an error
		if err := bot.Edit(ctx, to("42"), ref, answered); err != nil {
			t.Fatal(err)
		}
	}
	sent, err := fake.WaitSent(ctx, 42, 1)
	if err != nil || len(sent) != 1 || sent[0].Text != answered.Text || len(sent[0].Keyboard) != 0 || sent[0].Edits != 1 {
		t.Fatalf("got %+v, want one message edited once to %q without buttons", sent, answered.Text)
	}
	if err := bot.Edit(ctx, to("42"), "42:999", answered); err == nil {
		t.Error("edit of a missing message: no error")
	}
	if err := bot.Edit(ctx, to("42"), "nonsense", answered); err == nil {
		t.Error("edit with a bad ref: no error")
	}
}

func TestSetCommands(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	if err := bot.SetCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"", "en", "he", "fa", "ar", "ru"} {
		cmds := fake.Commands(lang)
		var names []string
		for _, c := range cmds {
			names = append(names, c.Command)
		}
		if got, want := strings.Join(names, " "), "start stop resume language delete_my_data help"; got != want {
			t.Errorf("language %q: got %q, want %q", lang, got, want)
		}
	}
	if got := fake.Commands("he")[0].Description; got != "התחלה וקישור החשבון" {
		t.Errorf("Hebrew /start: got %q", got)
	}
}

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	rl := &surveys.SendError{Kind: surveys.RateLimited, RetryAfter: 9 * time.Second}
	for _, tc := range []struct {
		err     error
		attempt int
		want    time.Duration
	}{
		{rl, 0, 9 * time.Second},
		{rl, 7, 9 * time.Second},
		{errors.New("x"), 0, time.Second},
		{errors.New("x"), 3, 8 * time.Second},
		{errors.New("x"), 40, 30 * time.Second},
	} {
		if got := retryDelay(tc.err, tc.attempt, time.Second); got != tc.want {
			t.Errorf("retryDelay(%v, %d): got %s, want %s", tc.err, tc.attempt, got, tc.want)
		}
	}
}
