package discord

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vocbot/vocbot/bots/discord/discordtest"
	"github.com/vocbot/vocbot/surveys"
)

const (
	customer   = "300000000000000001"
	otherUser  = "300000000000000002"
	closedUser = "300000000000000003"
	staffChan  = "400000000000000001"
	guild      = "500000000000000001"
	ambRole    = "600000000000000001"
)

// fixture is a fake Discord and a Bot connected to it. withKey: HTTP
// interactions mode (the fake's public key).
func fixture(t *testing.T, withKey bool, mod ...func(*Config)) (*discordtest.Server, *Bot, *bytes.Buffer) {
	t.Helper()
	fake := discordtest.NewServer(discordtest.Options{})
	t.Cleanup(fake.Close)
	fake.AddUser(discordtest.User{ID: customer, Name: "dana"})
	fake.AddUser(discordtest.User{ID: otherUser, Name: "eli"})
	fake.AddUser(discordtest.User{ID: closedUser, Name: "noam", ClosedDMs: true})
	fake.AddChannel(discordtest.Channel{ID: staffChan, GuildID: guild, Name: "cx-alerts"})
	logs := &bytes.Buffer{}
	cfg := Config{Token: fake.Token(), AppID: fake.AppID(), APIURL: fake.URL(), CallbackSecret: []byte("test secret"),
		Logger:  slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Surveys: []SurveyChoice{{ID: "nps", Name: "Delivery NPS"}, {ID: "csat"}}}
	if withKey {
		cfg.PublicKey = fake.PublicKey()
	}
	for _, m := range mod {
		m(&cfg)
	}
	bot, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fake, bot, logs
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// inbox records what the adapter delivers; handle and command, when set,
// decide the answers.
type inbox struct {
	mu       sync.Mutex
	got      []surveys.Incoming
	commands []surveys.CommandRequest
	handle   func(surveys.Incoming) error
	command  func(surveys.CommandRequest) (surveys.CommandReply, error)
	changed  chan struct{}
}

func newInbox() *inbox { return &inbox{changed: make(chan struct{}, 100)} }

func (in *inbox) Handle(_ context.Context, msg surveys.Incoming) error {
	in.mu.Lock()
	in.got = append(in.got, msg)
	h := in.handle
	in.mu.Unlock()
	in.changed <- struct{}{}
	if h != nil {
		return h(msg)
	}
	return nil
}

func (in *inbox) Command(_ context.Context, req surveys.CommandRequest) (surveys.CommandReply, error) {
	in.mu.Lock()
	in.commands = append(in.commands, req)
	c := in.command
	in.mu.Unlock()
	in.changed <- struct{}{}
	if c != nil {
		return c(req)
	}
	return surveys.CommandReply{Text: "ok: " + req.Text}, nil
}

func (in *inbox) incoming() []surveys.Incoming {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]surveys.Incoming(nil), in.got...)
}

func (in *inbox) requests() []surveys.CommandRequest {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]surveys.CommandRequest(nil), in.commands...)
}

func (in *inbox) waitIncoming(t *testing.T, n int) []surveys.Incoming {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if got := in.incoming(); len(got) >= n {
			return got
		}
		select {
		case <-in.changed:
		case <-deadline:
			t.Fatalf("got %d incoming, want %d", len(in.incoming()), n)
		}
	}
}

func npsPrompt(ref string) surveys.Prompt {
	p := surveys.Prompt{Text: "How likely is it that you would recommend Acme to a friend?\n0 = Not at all likely · 10 = Extremely likely", Ref: ref}
	for v := 10; v >= 0; v-- {
		p.Choices = append(p.Choices, surveys.Choice{Label: fmt.Sprint(v), Value: fmt.Sprint(v)})
	}
	return p
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNewChecksConfiguration(t *testing.T) {
	t.Parallel()
	fake := discordtest.NewServer(discordtest.Options{})
	t.Cleanup(fake.Close)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no token", Config{AppID: fake.AppID(), APIURL: fake.URL()}, "VOCBOT_DISCORD_TOKEN"},
		{"wrong token", Config{Token: "nope", AppID: fake.AppID(), APIURL: fake.URL()}, "rejected the bot token (discord GET /users/@me: HTTP 401"},
		{"no app id", Config{Token: fake.Token(), APIURL: fake.URL()}, "VOCBOT_DISCORD_APP_ID"},
		{"another app", Config{Token: fake.Token(), AppID: "1234", APIURL: fake.URL()}, "token belongs to application " + fake.AppID() + ", not 1234: set VOCBOT_DISCORD_APP_ID"},
		{"path in API URL", Config{Token: fake.Token(), AppID: fake.AppID(), APIURL: fake.URL() + "/api/v9"}, "VOCBOT_DISCORD_API_URL"},
		{"API down", Config{Token: fake.Token(), AppID: fake.AppID(), APIURL: downURL}, "check VOCBOT_DISCORD_API_URL"},
		{"bad guild", Config{Token: fake.Token(), AppID: fake.AppID(), APIURL: fake.URL(), GuildID: "my-server"}, "VOCBOT_DISCORD_GUILD_ID"},
		{"short key", Config{Token: fake.Token(), AppID: fake.AppID(), APIURL: fake.URL(), PublicKey: []byte{1, 2}}, "VOCBOT_DISCORD_PUBLIC_KEY"},
	} {
		_, err := New(context.Background(), tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), fake.Token()) {
			t.Errorf("%s: the error shows the token: %v", tc.name, err)
		}
	}
	// "Bot " is accepted and dropped.
	if _, err := New(context.Background(), Config{Token: "Bot " + fake.Token(), AppID: fake.AppID(), APIURL: fake.URL()}); err != nil {
		t.Errorf("token with Bot prefix: %v", err)
	}
}

func TestSendDMAndEdit(t *testing.T) {
	t.Parallel()
	fake, bot, _ := fixture(t, true)
	ctx := ctxT(t)
	ref, err := bot.Send(ctx, surveys.Address{Platform: surveys.Discord, UserID: customer}, npsPrompt("s1234"))
	if err != nil {
		t.Fatal(err)
	}
	dm, _ := fake.DM(customer)
	msgs := fake.Messages(dm)
	if len(msgs) != 1 {
		t.Fatalf("messages in the DM: %d, want 1", len(msgs))
	}
	m := msgs[0]
	if string(ref) != dm+":"+m.ID {
		t.Errorf("ref %q, want %q", ref, dm+":"+m.ID)
	}
	var sizes []int
	for _, row := range m.Rows {
		sizes = append(sizes, len(row))
	}
	if fmt.Sprint(sizes) != "[4 4 3]" || m.Rows[0][0].Label != "0" || m.Rows[2][2].Label != "10" {
		t.Errorf("rows %v (first %q, last %q), want 0–10 as 4+4+3", sizes, m.Rows[0][0].Label, m.Rows[2][2].Label)
	}
	for _, b := range m.Buttons() {
		r, v, err := customIDs.Verify(bot.key, dm, customer, b.CustomID)
		if err != nil || r != "s1234" || v != b.Label || len(b.CustomID) > 100 {
			t.Errorf("button %q: custom_id %q → %q %q %v", b.Label, b.CustomID, r, v, err)
		}
		if _, _, err := customIDs.Verify(bot.key, dm, otherUser, b.CustomID); err == nil {
			t.Errorf("button %q verifies for another user", b.Label)
		}
	}
	if m.Nonce == "" || len(m.Nonce) > 25 {
		t.Errorf("nonce %q: want 1–25 characters", m.Nonce)
	}
	done := surveys.Prompt{Text: "How likely…\n\nYou chose 9. Thank you!", Ref: "s1234"}
	if err := bot.Edit(ctx, surveys.Address{Platform: surveys.Discord, UserID: customer}, ref, done); err != nil {
		t.Fatal(err)
	}
	m, _ = fake.Message(m.ID)
	if m.Edits != 1 || len(m.Rows) != 0 || !strings.Contains(m.Content, "You chose 9") {
		t.Errorf("after edit: %d edits, rows %v, content %q", m.Edits, m.Rows, m.Content)
	}
}

// A send whose answer was lost after Discord applied it is resent with
// the same nonce, and Discord answers with the first message: one post.
func TestRetriedSendPostsOnce(t *testing.T) {
	t.Parallel()
	fake, bot, _ := fixture(t, true)
	ctx := ctxT(t)
	to := surveys.Address{Platform: surveys.Discord, UserID: customer}
	fake.Inject("POST /channels/{channel}/messages", discordtest.Fault{Apply: true, Drop: true})
	_, err := bot.Send(ctx, to, npsPrompt("s77"))
	if kind, _ := surveys.FailureOf(err); kind != surveys.Ambiguous {
		t.Fatalf("dropped after apply: %v (kind %d), want Ambiguous", err, kind)
	}
	ref, err := bot.Send(ctx, to, npsPrompt("s77"))
	if err != nil {
		t.Fatal(err)
	}
	dm, _ := fake.DM(customer)
	msgs := fake.Messages(dm)
	if len(msgs) != 1 || string(ref) != dm+":"+msgs[0].ID {
		t.Fatalf("after a retry: %d messages, ref %q; want the one first message", len(msgs), ref)
	}
	if n := fake.CallCount("POST /channels/{channel}/messages"); n != 2 {
		t.Errorf("message posts: %d, want 2", n)
	}
	// Another prompt (another ref) is another message.
	if _, err := bot.Send(ctx, to, npsPrompt("s78")); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Messages(dm)); n != 2 {
		t.Errorf("messages after a second prompt: %d, want 2", n)
	}
}

func TestSendFailures(t *testing.T) {
	t.Parallel()
	const route = "POST /channels/{channel}/messages"
	for _, tc := range []struct {
		name  string
		to    surveys.Address
		fault *discordtest.Fault
		kind  surveys.SendFailure
		after time.Duration
		text  string
	}{
		{"dm closed", surveys.Address{UserID: closedUser}, nil, surveys.Unreachable, 0, "code 50007 (Cannot send messages to this user)"},
		{"unknown user", surveys.Address{UserID: "399999999999999999"}, nil, surveys.Unreachable, 0, "code 10013"},
		{"unknown channel", surveys.Address{ChatID: "499999999999999999"}, nil, surveys.Unreachable, 0, "code 10003"},
		{"not an id", surveys.Address{UserID: "dana"}, nil, surveys.Unreachable, 0, "no"},
		{"rate limited", surveys.Address{UserID: customer}, &discordtest.Fault{Status: 429, RetryAfter: 1500 * time.Millisecond}, surveys.RateLimited, 1500 * time.Millisecond, "HTTP 429"},
		{"server error", surveys.Address{UserID: customer}, &discordtest.Fault{Status: 500, Message: "oops"}, surveys.Failed, 0, "HTTP 500"},
		{"bad gateway", surveys.Address{UserID: customer}, &discordtest.Fault{Status: 502}, surveys.Failed, 0, "HTTP 502"},
		{"forbidden", surveys.Address{ChatID: staffChan}, &discordtest.Fault{Status: 403, Code: 50001, Message: "Missing Access"}, surveys.Unreachable, 0, "code 50001"},
		{"timeout", surveys.Address{UserID: customer}, &discordtest.Fault{Delay: 2 * time.Second, Status: 200, Apply: true}, surveys.Ambiguous, 0, "timed out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, bot, _ := fixture(t, true, func(c *Config) { c.HTTPClient = &http.Client{Timeout: 500 * time.Millisecond} })
			if tc.fault != nil {
				fake.Inject(route, *tc.fault)
			}
			tc.to.Platform = surveys.Discord
			_, err := bot.Send(ctxT(t), tc.to, npsPrompt("s1"))
			kind, after := surveys.FailureOf(err)
			if err == nil || kind != tc.kind || after != tc.after || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("got %v (kind %d, after %s), want kind %d after %s containing %q", err, kind, after, tc.kind, tc.after, tc.text)
			}
		})
	}
}

// The bot token appears in no error, no %+v of one and no log line,
// whatever fails: a timeout, a refused connection, a TLS failure, or a
// 5xx whose body echoes the token.
func TestTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	fake, bot, logs := fixture(t, true, func(c *Config) { c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
	token := fake.Token()
	ctx := ctxT(t)
	to := surveys.Address{Platform: surveys.Discord, UserID: customer}
	var errs []error
	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", name)
			return
		}
		errs = append(errs, err)
	}
	fake.Inject("POST /channels/{channel}/messages", discordtest.Fault{Delay: time.Second, Status: 500})
	_, err := bot.Send(ctx, to, npsPrompt("s1"))
	check("timeout", err)
	fake.Inject("POST /channels/{channel}/messages", discordtest.Fault{Status: 503, Message: "upstream said: Authorization: Bot " + token})
	_, err = bot.Send(ctx, to, npsPrompt("s2"))
	check("5xx echoing the token", err)
	fake.Inject("POST /channels/{channel}/messages", discordtest.Fault{Status: 400, Code: 50035, Message: "bad token " + token})
	_, err = bot.Send(ctx, to, npsPrompt("s3"))
	check("4xx echoing the token", err)

	// A closed port, and a TLS server the client does not trust.
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close()
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	for name, base := range map[string]string{"connection refused": refusedURL, "TLS": tlsSrv.URL} {
		other := *bot
		other.s = restSession(token, &http.Client{Timeout: time.Second, Transport: &rewrite{base: base}})
		_, err = other.Send(ctx, surveys.Address{Platform: surveys.Discord, ChatID: staffChan}, npsPrompt("s4"))
		check(name, err)
		if kind, _ := surveys.FailureOf(err); kind != surveys.Failed {
			t.Errorf("%s: kind %d, want Failed (nothing was sent)", name, kind)
		}
	}
	// Interaction follow-ups fail too, and are logged.
	it := &discordgo.Interaction{ID: "1", Token: "interaction-token-secret", AppID: fake.AppID()}
	bot.followUp(ctx, it, "x")
	bot.editOriginal(ctx, it, "x", surveys.LTR)
	// New with a wrong token.
	_, err = New(ctx, Config{Token: token + "x", AppID: fake.AppID(), APIURL: fake.URL()})
	check("new with a wrong token", err)

	for _, err := range errs {
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(text, token) {
				t.Errorf("error shows the token: %s", text)
			}
		}
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), "interaction-token-secret") {
		t.Errorf("logs show a token:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "follow-up lost") {
		t.Errorf("logs: %s, want the failed follow-up", logs.String())
	}
}

func TestLimitsAndCapabilities(t *testing.T) {
	t.Parallel()
	_, bot, _ := fixture(t, true)
	l := bot.Limits()
	if perSec := float64(time.Second) / float64(l.Global.Interval); perSec > 50 || perSec < 40 || l.Global.Burst > 50 {
		t.Errorf("global %+v: want a little under 50 a second", l.Global)
	}
	if per5 := 5 * float64(time.Second) / float64(l.PerChat.Interval); per5 > 5 || l.PerChat.Burst > 5 {
		t.Errorf("per chat %+v: want at most 5 per 5 s", l.PerChat)
	}
	if bot.Name() != surveys.Discord || !bot.RetrySafe() || len(bot.Receivers()) != 0 {
		t.Errorf("name %q, retry safe %v, receivers %d", bot.Name(), bot.RetrySafe(), len(bot.Receivers()))
	}
	_, gw, _ := fixture(t, false)
	if r := gw.Receivers(); len(r) != 1 || !r[0].Exclusive {
		t.Errorf("gateway mode receivers %+v: want one exclusive", r)
	}
	mux := http.NewServeMux()
	gw.Mount(mux, newInbox())
	if _, pattern := mux.Handler(httptest.NewRequest(http.MethodPost, InteractionsPath, nil)); pattern != "" {
		t.Errorf("gateway mode mounted %q", pattern)
	}
}
