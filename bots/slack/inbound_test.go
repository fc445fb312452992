package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/surveys"
)

// recorder is a surveys.Handler that keeps what it is given.
type recorder struct {
	mu  sync.Mutex
	got []surveys.Incoming
	err error
}

func (r *recorder) Handle(_ context.Context, in surveys.Incoming) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, in)
	return r.err
}

func (r *recorder) incoming() []surveys.Incoming {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]surveys.Incoming(nil), r.got...)
}

// commander is a surveys.Commander that keeps what it is given.
type commander struct {
	mu    sync.Mutex
	from  []surveys.Address
	texts []string
	reply string
	err   error
}

func (c *commander) Command(_ context.Context, req surveys.CommandRequest) (surveys.CommandReply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.from = append(c.from, req.From)
	c.texts = append(c.texts, req.Text)
	return surveys.CommandReply{Text: c.reply}, c.err
}

// inbox joins a recorder and a commander into a surveys.Inbox.
type inbox struct {
	*recorder
	*commander
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustStatus(t *testing.T, res *http.Response, err error, want int) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != want {
		t.Fatalf("got status %d (%s), want %d", res.StatusCode, body, want)
	}
	return body
}

func TestURLVerification(t *testing.T) {
	t.Parallel()
	_, b := newFake(t, slacktest.Options{})
	h := &recorder{}
	c := &slacktest.Client{SigningSecret: secret}
	res, err := c.URLVerification(t.Context(), slacktest.Handler(b.EventsHandler(h)), "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
	body := mustStatus(t, res, err, http.StatusOK)
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("got %s, want the challenge echoed", body)
	}
	if len(h.incoming()) != 0 {
		t.Error("url_verification reached the handler")
	}
}

func TestMessageIM(t *testing.T) {
	t.Parallel()
	_, b := newFake(t, slacktest.Options{})
	dm := slacktest.DM(dana)
	tests := []struct {
		name string
		im   slacktest.IM
		want []surveys.Incoming
	}{
		{"typed answer", slacktest.IM{EventID: "Ev01", User: dana, Channel: dm, Text: "۹ <because> & fast"},
			[]surveys.Incoming{{ID: "slack:Ev01", From: surveys.Address{Platform: surveys.Slack, ChatID: dm, UserID: dana}, Text: "۹ <because> & fast"}}},
		{"retry keeps the id", slacktest.IM{EventID: "Ev02", User: dana, Channel: dm, Text: "9", RetryNum: 1},
			[]surveys.Incoming{{ID: "slack:Ev02", From: surveys.Address{Platform: surveys.Slack, ChatID: dm, UserID: dana}, Text: "9"}}},
		{"NUL and broken UTF-8 cleaned, not a 500", slacktest.IM{EventID: "Ev03", User: dana, Channel: dm, Text: "sl\x00ow \xff courier"},
			[]surveys.Incoming{{ID: "slack:Ev03", From: surveys.Address{Platform: surveys.Slack, ChatID: dm, UserID: dana}, Text: "slow \ufffd courier"}}},
		{"bot message ignored", slacktest.IM{User: "U0VOCBOT", Channel: dm, Text: "How likely…", BotID: "B0VOCBOT"}, nil},
		{"edit ignored", slacktest.IM{User: dana, Channel: dm, Text: "10", SubType: "message_changed"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &recorder{}
			c := &slacktest.Client{SigningSecret: secret}
			_, res, err := c.MessageIM(t.Context(), slacktest.Handler(b.EventsHandler(h)), tt.im)
			mustStatus(t, res, err, http.StatusOK)
			if diff := cmp.Diff(tt.want, h.incoming()); diff != "" {
				t.Errorf("incoming (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventHandlerErrorAsksForRetry(t *testing.T) {
	t.Parallel()
	_, b := newFake(t, slacktest.Options{})
	h := &recorder{err: errors.New("database is locked")}
	c := &slacktest.Client{SigningSecret: secret}
	_, res, err := c.MessageIM(t.Context(), slacktest.Handler(b.EventsHandler(h)), slacktest.IM{User: dana, Channel: slacktest.DM(dana), Text: "9"})
	mustStatus(t, res, err, http.StatusInternalServerError)
}

func TestSignatureChecks(t *testing.T) {
	t.Parallel()
	_, b := newFake(t, slacktest.Options{})
	h, cmds := &recorder{}, &commander{reply: "ok"}
	handlers := map[string]http.Handler{
		"events":        b.EventsHandler(h),
		"interactivity": b.InteractivityHandler(h),
		"commands":      b.CommandsHandler(cmds),
	}
	event := []byte(`{"type":"event_callback","event_id":"Ev9","event":{"type":"message","channel_type":"im","user":"U0DANA","channel":"D0DANA","text":"9"}}`)
	stale := func() time.Time { return time.Now().Add(-10 * time.Minute) }
	tests := []struct {
		name   string
		client *slacktest.Client
		header http.Header // replaces the signature headers when set
	}{
		{name: "forged", client: &slacktest.Client{SigningSecret: "not-the-secret"}},
		{name: "stale timestamp", client: &slacktest.Client{SigningSecret: secret, Now: stale}},
		{name: "missing signature", client: &slacktest.Client{SigningSecret: secret},
			header: http.Header{"X-Slack-Signature": {""}}},
		{name: "missing timestamp", client: &slacktest.Client{SigningSecret: secret},
			header: http.Header{"X-Slack-Request-Timestamp": {""}}},
		{name: "malformed signature", client: &slacktest.Client{SigningSecret: secret},
			header: http.Header{"X-Slack-Signature": {"v0=zz"}}},
	}
	for name, handler := range handlers {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				target := slacktest.Handler(handler)
				if tt.header != nil {
					target = func(r *http.Request) (*http.Response, error) {
						for k, v := range tt.header {
							r.Header[k] = v
						}
						return slacktest.Handler(handler)(r)
					}
				}
				res, err := tt.client.Post(t.Context(), target, "application/json", event, nil)
				mustStatus(t, res, err, http.StatusUnauthorized)
			})
		}
	}
	t.Cleanup(func() {
		if len(h.incoming()) != 0 || len(cmds.texts) != 0 {
			t.Errorf("a rejected request reached a handler: %v %v", h.incoming(), cmds.texts)
		}
	})
}

func TestNoSigningSecretRejectsAll(t *testing.T) {
	t.Parallel()
	b, err := New(Config{BotToken: "xoxb-1"})
	if err != nil {
		t.Fatal(err)
	}
	c := &slacktest.Client{SigningSecret: ""}
	res, err := c.URLVerification(t.Context(), slacktest.Handler(b.EventsHandler(&recorder{})), "x")
	mustStatus(t, res, err, http.StatusUnauthorized)
}

func TestBodyLimitAndMethod(t *testing.T) {
	t.Parallel()
	_, b := newFake(t, slacktest.Options{})
	h := &recorder{}
	c := &slacktest.Client{SigningSecret: secret}
	big := bytes.Repeat([]byte("a"), maxBody+1)
	res, err := c.Post(t.Context(), slacktest.Handler(b.EventsHandler(h)), "application/json", big, nil)
	mustStatus(t, res, err, http.StatusRequestEntityTooLarge)

	rec := httptest.NewRecorder()
	b.EventsHandler(h).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slack/events", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: got %d, want 405", rec.Code)
	}

	res, err = c.Post(t.Context(), slacktest.Handler(b.EventsHandler(h)), "application/json", []byte("{not json"), nil)
	mustStatus(t, res, err, http.StatusBadRequest)
}

func TestButtonPress(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	p := prompt(surveys.NPS, "fa")
	if _, err := b.Send(t.Context(), surveys.Address{Platform: surveys.Slack, UserID: dana}, p); err != nil {
		t.Fatal(err)
	}
	m := srv.Messages(slacktest.DM(dana))[0]
	nine, ok := m.Button("۹")
	if !ok {
		t.Fatalf("no button ۹ in %+v", m.Buttons())
	}
	h := &recorder{}
	c := &slacktest.Client{SigningSecret: secret}
	res, err := c.Press(t.Context(), slacktest.Handler(b.InteractivityHandler(h)), dana, m, nine)
	mustStatus(t, res, err, http.StatusOK)
	got := h.incoming()
	if len(got) != 1 {
		t.Fatalf("got %d incoming, want 1", len(got))
	}
	// The press carries the message it came from (container.message_ts), so the Engine can edit it.
	want := surveys.Incoming{ID: got[0].ID, From: surveys.Address{Platform: surveys.Slack, ChatID: slacktest.DM(dana), UserID: dana}, Value: "9", Ref: p.Ref,
		Message: messageRef(slacktest.DM(dana), m.TS)}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("incoming (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got[0].ID, "slack:action:"+dana+":") {
		t.Errorf("got id %q, want slack:action:%s:…", got[0].ID, dana)
	}

	// A second press is a distinct update (the Engine decides it is late).
	res, err = c.Press(t.Context(), slacktest.Handler(b.InteractivityHandler(h)), dana, m, nine)
	mustStatus(t, res, err, http.StatusOK)
	if got := h.incoming(); len(got) != 2 || got[0].ID == got[1].ID {
		t.Errorf("second press: got %+v, want two incoming with distinct ids", got)
	}
}

func TestForeignInteractionsIgnored(t *testing.T) {
	t.Parallel()
	_, b := newFake(t, slacktest.Options{})
	h := &recorder{}
	c := &slacktest.Client{SigningSecret: secret}
	foreign := slacktest.Message{Channel: "C0CXTEAM", TS: "1.000001", Blocks: []byte(
		`[{"type":"actions","block_id":"x","elements":[{"type":"button","action_id":"a","value":"approve","text":{"type":"plain_text","text":"Approve"}}]}]`)}
	res, err := c.Press(t.Context(), slacktest.Handler(b.InteractivityHandler(h)), dana, foreign, foreign.Buttons()[0])
	mustStatus(t, res, err, http.StatusOK)
	view := url.Values{"payload": {`{"type":"view_submission","user":{"id":"U0DANA"}}`}}.Encode()
	res, err = c.Post(t.Context(), slacktest.Handler(b.InteractivityHandler(h)), "application/x-www-form-urlencoded", []byte(view), nil)
	mustStatus(t, res, err, http.StatusOK)
	if got := h.incoming(); len(got) != 0 {
		t.Errorf("got %+v, want nothing handled", got)
	}
}

func TestSlashCommand(t *testing.T) {
	t.Parallel()
	_, b := newFake(t, slacktest.Options{})
	cmds := &commander{reply: "Sent NPS to <@U0123ABC> & logged: 1 < 2"}
	c := &slacktest.Client{SigningSecret: secret}
	res, err := c.SlashCommand(t.Context(), slacktest.Handler(b.CommandsHandler(cmds)),
		slacktest.Command{User: "U0AMB", Channel: channel, Text: "send nps <@U0123ABC|dana> & more"})
	body := mustStatus(t, res, err, http.StatusOK)
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"response_type": "ephemeral", "text": "Sent NPS to &lt;@U0123ABC&gt; &amp; logged: 1 &lt; 2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"send nps <@U0123ABC|dana> & more"}, cmds.texts); diff != "" {
		t.Errorf("command text (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]surveys.Address{{Platform: surveys.Slack, ChatID: channel, UserID: "U0AMB"}}, cmds.from); diff != "" {
		t.Errorf("from (-want +got):\n%s", diff)
	}

	failing := &commander{err: errors.New("boom")}
	res, err = c.SlashCommand(t.Context(), slacktest.Handler(b.CommandsHandler(failing)), slacktest.Command{User: "U0AMB", Channel: channel, Text: "stats"})
	body = mustStatus(t, res, err, http.StatusOK)
	if !strings.Contains(body, "Try again in a minute") || strings.Contains(body, "boom") {
		t.Errorf("failing command: got %s, want the generic apology without internals", body)
	}
}

// TestOverHTTP runs the three Request URLs behind a real server, mounted
// as serve mounts them.
func TestOverHTTP(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	h, cmds := &recorder{}, &commander{reply: "usage: /survey send|stats|quotes|link|digest|help"}
	mux := http.NewServeMux()
	b.Mount(mux, inbox{h, cmds})
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)
	c := &slacktest.Client{SigningSecret: secret}
	ctx := t.Context()

	if _, err := b.Send(ctx, surveys.Address{Platform: surveys.Slack, UserID: dana}, prompt(surveys.CES, "ru")); err != nil {
		t.Fatal(err)
	}
	m, err := srv.WaitMessage(ctx, func(m slacktest.Message) bool { return m.Channel == slacktest.DM(dana) })
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Press(ctx, slacktest.URL(web.Client(), web.URL+"/slack/interactivity"), dana, m, m.Buttons()[6])
	mustStatus(t, res, err, http.StatusOK)
	_, res, err = c.MessageIM(ctx, slacktest.URL(web.Client(), web.URL+"/slack/events"), slacktest.IM{User: dana, Channel: m.Channel, Text: "Быстро"})
	mustStatus(t, res, err, http.StatusOK)
	res, err = c.SlashCommand(ctx, slacktest.URL(web.Client(), web.URL+"/slack/commands"), slacktest.Command{User: "U0AMB", Channel: channel, Text: "help"})
	mustStatus(t, res, err, http.StatusOK)

	got := h.incoming()
	if len(got) != 2 || got[0].Value != "7" || got[1].Text != "Быстро" {
		t.Errorf("got %+v, want the press of 7 then the typed comment", got)
	}
	if diff := cmp.Diff([]string{"help"}, cmds.texts); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
}
