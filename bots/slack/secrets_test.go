package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// The bot token travels in a header and the signing secret never leaves,
// but a proxy's error page may quote either, and a response_url is itself
// a credential: none of them may show in an error, however it failed.
func TestSecretsNeverInErrors(t *testing.T) {
	t.Parallel()
	const token = "xoxb-1234567890-secret-bot-token"
	// upstream fails every Web API call the way mode says.
	upstream := func(t *testing.T, mode string) *httptest.Server {
		stop := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			switch mode {
			case "hang":
				select {
				case <-r.Context().Done():
				case <-stop:
				}
			case "drop":
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
			case "5xx":
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprintf(w, "<html>502: upstream failed for %s with %s</html>", r.URL, r.Header.Get("Authorization"))
			case "error body":
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"ok":false,"error":"invalid_auth","detail":"token %s"}`, token)
			}
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(stop) }) // runs first: lets a hanging handler end
		return srv
	}
	check := func(t *testing.T, err error, secrets ...string) {
		t.Helper()
		if err == nil {
			t.Fatal("the call succeeded; the test needs it to fail")
		}
		texts := []string{err.Error(), fmt.Sprintf("%+v", err)}
		var ue *url.Error
		if errors.As(err, &ue) {
			texts = append(texts, ue.Error())
		}
		for _, s := range texts {
			for _, secret := range secrets {
				if strings.Contains(s, secret) {
					t.Errorf("a secret (%s) shows in the error: %s", secret, s)
				}
			}
		}
	}
	to := surveys.Address{Platform: surveys.Slack, ChatID: "C0CXTEAM"}
	prompt := surveys.Prompt{Text: "How likely…?", Ref: "s7"}
	for _, mode := range []string{"hang", "drop", "5xx", "error body"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := upstream(t, mode)
			b, err := New(Config{BotToken: token, SigningSecret: "signing-secret-value", APIURL: srv.URL + "/api/",
				HTTPClient: &http.Client{Timeout: 300 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = b.Send(context.Background(), to, prompt)
			check(t, err, token)
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		srv := upstream(t, "5xx")
		srv.Close()
		b, err := New(Config{BotToken: token, APIURL: srv.URL + "/api/"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Send(context.Background(), to, prompt)
		check(t, err, token)
	})
	t.Run("TLS error", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		b, err := New(Config{BotToken: token, APIURL: srv.URL + "/api/"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Identity(context.Background())
		check(t, err, token)
	})
	t.Run("response_url refused", func(t *testing.T) {
		t.Parallel()
		srv := upstream(t, "drop")
		hook := srv.URL + "/hooks/commands/T0VOCBOT/1234/hooksecretvalue"
		req, err := http.NewRequest(http.MethodPost, hook, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = scrubbingClient{&http.Client{}}.Do(req)
		check(t, err, "hooksecretvalue")
	})
}
