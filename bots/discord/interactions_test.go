package discord

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/discord/discordtest"
	"github.com/vocbot/vocbot/surveys"
)

// httpMode is a Bot in HTTP interactions mode behind a real HTTP server.
func httpMode(t *testing.T) (*discordtest.Server, *Bot, *inbox, discordtest.Target, *discordtest.Client) {
	t.Helper()
	fake, bot, _ := fixture(t, true)
	in := newInbox()
	mux := http.NewServeMux()
	bot.Mount(mux, in)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return fake, bot, in, discordtest.URL(srv.Client(), srv.URL+InteractionsPath), &discordtest.Client{Server: fake}
}

func TestInteractionSignatures(t *testing.T) {
	t.Parallel()
	fake, _, _, target, _ := httpMode(t)
	_, forger, _ := ed25519.GenerateKey(nil)
	ctx := ctxT(t)
	for _, tc := range []struct {
		name   string
		client *discordtest.Client
		want   int
	}{
		{"good", &discordtest.Client{Server: fake}, http.StatusOK},
		{"forged", &discordtest.Client{Server: fake, Key: forger}, http.StatusUnauthorized},
		{"stale", &discordtest.Client{Server: fake, Now: func() time.Time { return time.Now().Add(-6 * time.Minute) }}, http.StatusUnauthorized},
		{"from the future", &discordtest.Client{Server: fake, Now: func() time.Time { return time.Now().Add(6 * time.Minute) }}, http.StatusUnauthorized},
		{"just fresh", &discordtest.Client{Server: fake, Now: func() time.Time { return time.Now().Add(-4 * time.Minute) }}, http.StatusOK},
	} {
		res, err := tc.client.Ping(ctx, target)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Status != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, res.Status, tc.want)
		}
		if tc.want == http.StatusOK && (res.Response == nil || res.Response.Type != 1) {
			t.Errorf("%s: response %+v, want PONG", tc.name, res.Response)
		}
	}
	// No headers, a tampered body, a GET.
	_, bot, _ := fixture(t, true)
	h := bot.InteractionsHandler(newInbox())
	for _, r := range []*http.Request{
		httptest.NewRequest(http.MethodPost, InteractionsPath, strings.NewReader(`{"type":1}`)),
		signed(t, fake, `{"type":1}`, `{"type":1,"x":1}`),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("unsigned or tampered: %d, want 401", rec.Code)
		}
	}
	mux := http.NewServeMux()
	bot.Mount(mux, newInbox())
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, InteractionsPath, nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", rec.Code)
	}
}

// signed is a request signed for signedBody that carries body.
func signed(t *testing.T, fake *discordtest.Server, signedBody, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, InteractionsPath, strings.NewReader(body))
	ts, sig := discordtest.Sign(fake.SigningKey(), time.Now(), []byte(signedBody))
	r.Header.Set("X-Signature-Timestamp", ts)
	r.Header.Set("X-Signature-Ed25519", sig)
	return r
}

func TestButtonPress(t *testing.T) {
	t.Parallel()
	fake, bot, in, target, client := httpMode(t)
	ctx := ctxT(t)
	ref, err := bot.Send(ctx, surveys.Address{Platform: surveys.Discord, UserID: customer}, npsPrompt("s1234"))
	if err != nil {
		t.Fatal(err)
	}
	dm, _ := fake.DM(customer)
	m := fake.Messages(dm)[0]
	nine, _ := m.Button("9")
	res, err := client.Press(ctx, target, discordtest.Invoker{UserID: customer, Locale: "he"}, m, nine.CustomID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Response == nil || res.Response.Type != 6 {
		t.Fatalf("response %+v, want a deferred update (6)", res.Response)
	}
	want := surveys.Incoming{ID: "discord:" + res.ID, From: surveys.Address{Platform: surveys.Discord, ChatID: dm, UserID: customer},
		Value: "9", Ref: "s1234", Locale: "he", Message: ref}
	if diff := cmp.Diff([]surveys.Incoming{want}, in.incoming()); diff != "" {
		t.Errorf("incoming (-want +got):\n%s", diff)
	}
}

// A tampered custom_id, one made for someone else, or one vocbot never
// made gets a private refusal and reaches nobody.
func TestForgedButtons(t *testing.T) {
	t.Parallel()
	fake, bot, in, target, client := httpMode(t)
	ctx := ctxT(t)
	if _, err := bot.Send(ctx, surveys.Address{Platform: surveys.Discord, UserID: customer}, npsPrompt("s1234")); err != nil {
		t.Fatal(err)
	}
	dm, _ := fake.DM(customer)
	m := fake.Messages(dm)[0]
	nine, _ := m.Button("9")
	parts := strings.Split(nine.CustomID, "|")
	otherDM, _ := fake.DM(otherUser)
	foreign, _ := packCustomID([]byte("another key"), binding{channel: dm, user: customer}, "s1234", "9")
	for name, press := range map[string]struct {
		inv discordtest.Invoker
		id  string
	}{
		"tampered value":  {discordtest.Invoker{UserID: customer}, parts[0] + "|0|" + parts[2]},
		"tampered ref":    {discordtest.Invoker{UserID: customer}, "s1235|9|" + parts[2]},
		"another user":    {discordtest.Invoker{UserID: otherUser, ChannelID: dm}, nine.CustomID},
		"another channel": {discordtest.Invoker{UserID: customer, ChannelID: otherDM}, nine.CustomID},
		"foreign key":     {discordtest.Invoker{UserID: customer}, foreign},
		"garbage":         {discordtest.Invoker{UserID: customer}, "x"},
	} {
		res, err := client.Press(ctx, target, press.inv, m, press.id)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r := res.Response; r == nil || r.Type != 4 || !r.Ephemeral || !strings.Contains(r.Content, "not for you") {
			t.Errorf("%s: response %+v, want a private refusal", name, r)
		}
	}
	if got := in.incoming(); len(got) != 0 {
		t.Errorf("refused presses reached the inbox: %+v", got)
	}
}

// "Why?" gets a button that opens a modal; the modal's answer is the
// comment, and the question loses its buttons.
func TestWhyModal(t *testing.T) {
	t.Parallel()
	fake, bot, in, target, client := httpMode(t)
	ctx := ctxT(t)
	why := surveys.Prompt{Text: "What is the main reason for your score?", Ref: "w1234", Choices: []surveys.Choice{{Label: "Skip", Value: "skip"}}}
	if _, err := bot.Send(ctx, surveys.Address{Platform: surveys.Discord, UserID: customer}, why); err != nil {
		t.Fatal(err)
	}
	dm, _ := fake.DM(customer)
	m := fake.Messages(dm)[0]
	var labels []string
	for _, b := range m.Buttons() {
		labels = append(labels, b.Label)
	}
	if !slices.Equal(labels, []string{"Write an answer", "Skip"}) {
		t.Fatalf("buttons %v, want Write an answer, Skip", labels)
	}
	write, _ := m.Button("Write an answer")
	res, err := client.Press(ctx, target, discordtest.Invoker{UserID: customer}, m, write.CustomID)
	if err != nil {
		t.Fatal(err)
	}
	mo := res.Response.Modal
	if res.Response.Type != 9 || mo == nil || len(mo.Inputs) != 1 || mo.Inputs[0].Label != "What is the main reason for your score?" || mo.Title != "Your answer" {
		t.Fatalf("response %+v (modal %+v), want a modal asking the question", res.Response, mo)
	}
	if len(in.incoming()) != 0 {
		t.Fatalf("opening the modal reached the inbox: %+v", in.incoming())
	}
	res, err = client.Submit(ctx, target, discordtest.Invoker{UserID: customer, Locale: "ru"}, m, *mo, "  Courier was late  ")
	if err != nil {
		t.Fatal(err)
	}
	want := surveys.Incoming{ID: "discord:" + res.ID, From: surveys.Address{Platform: surveys.Discord, ChatID: dm, UserID: customer},
		Text: "Courier was late", Locale: "ru"}
	if diff := cmp.Diff([]surveys.Incoming{want}, in.incoming()); diff != "" {
		t.Errorf("incoming (-want +got):\n%s", diff)
	}
	after, _ := fake.Message(m.ID)
	if res.Response.Type != 7 || len(after.Rows) != 0 || after.Content != m.Content {
		t.Errorf("after submit: response %d, rows %v, content %q; want the question kept without buttons", res.Response.Type, after.Rows, after.Content)
	}
	// A modal custom_id replayed by another user is refused.
	res, err = client.Submit(ctx, target, discordtest.Invoker{UserID: otherUser, ChannelID: dm}, m, *mo, "hijack")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Response.Ephemeral || len(in.incoming()) != 1 {
		t.Errorf("foreign submit: %+v, %d incoming", res.Response, len(in.incoming()))
	}
}

func TestSurveyCommand(t *testing.T) {
	t.Parallel()
	_, _, in, target, client := httpMode(t)
	ctx := ctxT(t)
	in.command = func(req surveys.CommandRequest) (surveys.CommandReply, error) {
		if !slices.Contains(req.Roles, ambRole) {
			return surveys.CommandReply{Text: surveys.Refusal}, nil
		}
		return surveys.CommandReply{Text: "NPS 40 [28, 52] n=120 (delivery_nps)"}, nil
	}
	for _, tc := range []struct {
		name  string
		inv   discordtest.Invoker
		sub   string
		opts  []discordtest.Option
		text  string
		reply string
	}{
		{"ambassador", discordtest.Invoker{UserID: otherUser, ChannelID: staffChan, GuildID: guild, Roles: []string{"1", ambRole}}, "stats",
			[]discordtest.Option{{Name: "window", Value: "28d"}, {Name: "survey", Value: "nps"}, {Name: "by", Value: " agent  name"}},
			"stats nps 28d by agent name", `NPS 40 \[28, 52\] n=120 (delivery\_nps)`},
		{"no roles", discordtest.Invoker{UserID: customer, ChannelID: staffChan, GuildID: guild}, "send",
			[]discordtest.Option{{Name: "survey", Value: "nps"}, {Name: "customer", Value: "cus_42"}}, "send nps cus_42", "for CX ambassadors only"},
		{"reply", discordtest.Invoker{UserID: otherUser, ChannelID: staffChan, GuildID: guild, Roles: []string{ambRole}}, "reply",
			[]discordtest.Option{{Name: "alert", Value: "a12"}, {Name: "text", Value: "We are on it"}}, "reply a12 We are on it", "NPS 40"},
	} {
		res, err := client.Command(ctx, target, tc.inv, "survey", tc.sub, tc.opts...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		reqs := in.requests()
		got := reqs[len(reqs)-1]
		want := surveys.CommandRequest{ID: "discord:" + res.ID, From: surveys.Address{Platform: surveys.Discord, ChatID: staffChan, UserID: tc.inv.UserID},
			Roles: tc.inv.Roles, Text: tc.text}
		if tc.inv.Roles == nil {
			want.Roles = []string{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: request (-want +got):\n%s", tc.name, diff)
		}
		if r := res.Response; r.Type != 4 || !r.Ephemeral || !strings.Contains(r.Content, tc.reply) {
			t.Errorf("%s: response %+v, want a private reply containing %q", tc.name, r, tc.reply)
		}
	}
}

// Work over Discord's 3 seconds is deferred and finished through the
// interaction's webhook; a failure then is told privately.
func TestDeferredWork(t *testing.T) {
	t.Parallel()
	fake, bot, in, target, client := httpMode(t)
	bot.patience = 50 * time.Millisecond
	ctx := ctxT(t)
	release := make(chan struct{})
	in.command = func(req surveys.CommandRequest) (surveys.CommandReply, error) {
		<-release
		return surveys.CommandReply{Text: "digest preview: 12 responses"}, nil
	}
	res, err := client.Command(ctx, target, discordtest.Invoker{UserID: otherUser, ChannelID: staffChan, GuildID: guild, Roles: []string{ambRole}}, "survey", "digest")
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Response; r.Type != 5 || !r.Ephemeral {
		t.Fatalf("response %+v, want deferred (5), ephemeral", r)
	}
	close(release)
	m, err := fake.WaitMessage(ctx, func(m discordtest.Message) bool { return m.Interaction == res.ID && !m.Deferred })
	if err != nil {
		t.Fatal(err)
	}
	if m.Content != "digest preview: 12 responses" || !m.Ephemeral {
		t.Errorf("finished reply %+v", m)
	}

	// A slow button press that then fails.
	if _, err := bot.Send(ctx, surveys.Address{Platform: surveys.Discord, UserID: customer}, npsPrompt("s9")); err != nil {
		t.Fatal(err)
	}
	dm, _ := fake.DM(customer)
	msg := fake.Messages(dm)[0]
	b, _ := msg.Button("3")
	in.handle = func(surveys.Incoming) error { time.Sleep(200 * time.Millisecond); return errors.New("database down") }
	res, err = client.Press(ctx, target, discordtest.Invoker{UserID: customer}, msg, b.CustomID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Response.Type != 6 {
		t.Fatalf("slow press: response %+v, want 6", res.Response)
	}
	m, err = fake.WaitMessage(ctx, func(m discordtest.Message) bool { return m.Interaction == res.ID })
	if err != nil {
		t.Fatal(err)
	}
	if !m.Ephemeral || !strings.Contains(m.Content, "did not work") {
		t.Errorf("follow-up %+v, want a private failure note", m)
	}
}

func TestCustomerCommands(t *testing.T) {
	t.Parallel()
	_, _, in, target, client := httpMode(t)
	ctx := ctxT(t)
	for _, tc := range []struct {
		name string
		opts []discordtest.Option
		want string
	}{
		{"stop", nil, "/stop"},
		{"resume", nil, "/resume"},
		{"language", []discordtest.Option{{Name: "language", Value: "he"}}, "/language he"},
		{"language", nil, "/language"},
		{"delete_my_data", nil, "/delete_my_data"},
		{"help", nil, "/help"},
	} {
		res, err := client.Command(ctx, target, discordtest.Invoker{UserID: customer, Locale: "fa"}, tc.name, "", tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		got := in.incoming()
		last := got[len(got)-1]
		if last.Text != tc.want || last.Locale != "fa" || last.From.UserID != customer || last.ID != "discord:"+res.ID {
			t.Errorf("/%s: incoming %+v, want text %q", tc.name, last, tc.want)
		}
		if res.Response.Type != 4 || !res.Response.Ephemeral {
			t.Errorf("/%s: response %+v", tc.name, res.Response)
		}
	}
	res, err := client.Command(ctx, target, discordtest.Invoker{UserID: customer}, "unknown", "")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Response.Ephemeral || len(in.incoming()) != 6 {
		t.Errorf("unknown command: %+v, %d incoming", res.Response, len(in.incoming()))
	}
}

func TestRegisterCommands(t *testing.T) {
	t.Parallel()
	fake, bot, _ := fixture(t, true)
	ctx := ctxT(t)
	if err := bot.RegisterCommands(ctx); err != nil {
		t.Fatal(err)
	}
	if g, guilds := len(fake.Commands("")), len(fake.Commands(guild)); g != 6 || guilds != 0 {
		t.Errorf("global %d, guild %d; want 6 global", g, guilds)
	}
	fake2, guildBot, _ := fixture(t, true, func(c *Config) { c.GuildID = guild })
	if err := guildBot.RegisterCommands(ctx); err != nil {
		t.Fatal(err)
	}
	if g, guilds := len(fake2.Commands("")), fake2.Commands(guild); g != 5 || len(guilds) != 1 || !bytes.Contains(guilds[0], []byte(`"name":"survey"`)) {
		t.Errorf("global %d, guild %s; want 5 customer commands and /survey in the guild", g, guilds)
	}
	_, unknown, _ := fixture(t, true, func(c *Config) { c.GuildID = "599999999999999999" })
	if err := unknown.RegisterCommands(ctx); err == nil || !strings.Contains(err.Error(), "VOCBOT_DISCORD_GUILD_ID") {
		t.Errorf("unknown guild: %v", err)
	}
}

func TestMalformedInteraction(t *testing.T) {
	t.Parallel()
	fake, bot, _ := fixture(t, true)
	h := bot.InteractionsHandler(newInbox())
	for _, body := range []string{`{`, `{"type":3,"id":"1","token":"t"}`, `{"type":2}`, strings.Repeat(" ", 2<<20)} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, signed(t, fake, body, body))
		if want := http.StatusBadRequest; len(body) > maxBody && rec.Code != http.StatusRequestEntityTooLarge || len(body) <= maxBody && rec.Code != want {
			t.Errorf("%.20q: %d, want 400 (413 when too big)", body, rec.Code)
		}
		if b, _ := io.ReadAll(rec.Body); bytes.Contains(b, []byte("goroutine")) {
			t.Errorf("%.20q: %s", body, b)
		}
	}
}
