package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// assertNoToken fails if the token shows in err, however it is printed or
// unwrapped, or in the logs.
func assertNoToken(t *testing.T, token string, err error, logs string) {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded; the test needs it to fail")
	}
	var ue *url.Error
	texts := map[string]string{
		"Error()": err.Error(),
		"%+v":     fmt.Sprintf("%+v", err),
		"%v":      fmt.Sprintf("%v", err),
		"logs":    logs,
	}
	if errors.As(err, &ue) {
		texts["unwrapped *url.Error"] = ue.Error()
	}
	for where, s := range texts {
		for _, form := range []string{token, url.PathEscape(token), url.QueryEscape(token)} {
			if strings.Contains(s, form) {
				t.Errorf("the bot token shows in %s: %s", where, s)
			}
		}
	}
}

// Every way a call to the Bot API can fail keeps the token, which the SDK
// puts in every URL, out of the error and the logs.
func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	newBot := func(t *testing.T, fake *telegramtest.Server, client *http.Client) (*Bot, *lockedBuffer) {
		t.Helper()
		logs := &lockedBuffer{}
		bot, err := New(ctx, Config{Token: fake.Token(), APIURL: fake.APIURL(), HTTPClient: client,
			Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), CallbackSecret: []byte("test secret")})
		if err != nil {
			t.Fatal(err)
		}
		return bot, logs
	}
	prompt := surveys.Prompt{Text: "How likely…?", Ref: "s7", Choices: []surveys.Choice{{Label: "0", Value: "0"}}}

	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		fake := telegramtest.New("")
		t.Cleanup(fake.Close)
		fake.AddUser(42, "en")
		bot, logs := newBot(t, fake, nil)
		fake.Inject("sendMessage", telegramtest.Fault{Hang: true})
		sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := bot.Send(sctx, to("42"), prompt)
		assertNoToken(t, fake.Token(), err, logs.String())
	})
	t.Run("client timeout", func(t *testing.T) {
		t.Parallel()
		fake := telegramtest.New("")
		t.Cleanup(fake.Close)
		fake.AddUser(42, "en")
		bot, logs := newBot(t, fake, nil)
		bot.client = &http.Client{Timeout: 200 * time.Millisecond} // shorter than New allows, to fail fast
		fake.Inject("sendMessage", telegramtest.Fault{Hang: true})
		_, err := bot.Send(ctx, to("42"), prompt)
		assertNoToken(t, fake.Token(), err, logs.String())
	})
	t.Run("connection dropped after the request", func(t *testing.T) {
		t.Parallel()
		fake := telegramtest.New("")
		t.Cleanup(fake.Close)
		fake.AddUser(42, "en")
		bot, logs := newBot(t, fake, nil)
		fake.Inject("sendMessage", telegramtest.Fault{Drop: true})
		_, err := bot.Send(ctx, to("42"), prompt)
		assertNoToken(t, fake.Token(), err, logs.String())
	})
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		fake := telegramtest.New("")
		fake.AddUser(42, "en")
		bot, logs := newBot(t, fake, nil)
		fake.Close()
		_, err := bot.Send(ctx, to("42"), prompt)
		assertNoToken(t, fake.Token(), err, logs.String())
	})
	t.Run("5xx whose body repeats the URL", func(t *testing.T) {
		t.Parallel()
		fake := telegramtest.New("")
		t.Cleanup(fake.Close)
		fake.AddUser(42, "en")
		// A proxy in front of the Bot API that answers 502 with an error
		// page quoting the request, as some do.
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/getMe") {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"vocbot","username":"vocbot_test_bot"}}`)
				return
			}
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html>502 Bad Gateway: upstream failed for %s</html>", r.URL.Path)
		}))
		t.Cleanup(proxy.Close)
		logs := &lockedBuffer{}
		bot, err := New(ctx, Config{Token: fake.Token(), APIURL: proxy.URL + "/bot%s/%s", Logger: slog.New(slog.NewTextHandler(logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		_, err = bot.Send(ctx, to("42"), prompt)
		assertNoToken(t, fake.Token(), err, logs.String())
		_, err = bot.PostDigest(ctx, to("42"), surveystest.SampleDigest("en"), []byte("png"))
		assertNoToken(t, fake.Token(), err, logs.String())
	})
	t.Run("TLS error at start", func(t *testing.T) {
		t.Parallel()
		fake := telegramtest.New("")
		t.Cleanup(fake.Close)
		tlsSrv := httptest.NewTLSServer(http.NotFoundHandler()) // a certificate no client trusts
		t.Cleanup(tlsSrv.Close)
		_, err := New(ctx, Config{Token: fake.Token(), APIURL: tlsSrv.URL + "/bot%s/%s"})
		assertNoToken(t, fake.Token(), err, "")
	})
	t.Run("connection refused at start", func(t *testing.T) {
		t.Parallel()
		fake := telegramtest.New("")
		apiURL := fake.APIURL()
		fake.Close()
		_, err := New(ctx, Config{Token: fake.Token(), APIURL: apiURL})
		assertNoToken(t, fake.Token(), err, "")
	})
}

// The scrub must not hide what the delivery worker decides by: a timeout
// after the request went out stays ambiguous, a refused connection definite.
func TestScrubbedErrorsKeepTheirKind(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New("")
	t.Cleanup(fake.Close)
	fake.AddUser(42, "en")
	bot, err := New(context.Background(), Config{Token: fake.Token(), APIURL: fake.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	fake.Inject("sendMessage", telegramtest.Fault{Drop: true})
	_, err = bot.Send(context.Background(), to("42"), npsPrompt)
	if kind, _ := surveys.FailureOf(err); kind != surveys.Ambiguous {
		t.Errorf("dropped connection: got kind %v, want Ambiguous", kind)
	}
	fake.RateLimit("sendMessage", 3)
	_, err = bot.Send(context.Background(), to("42"), npsPrompt)
	if kind, after := surveys.FailureOf(err); kind != surveys.RateLimited || after != 3*time.Second {
		t.Errorf("429: got %v after %s, want RateLimited after 3s", kind, after)
	}
}
