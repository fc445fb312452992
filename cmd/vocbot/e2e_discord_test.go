package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/discord/discordtest"
	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// Discord snowflakes of the people and channels in these tests.
const (
	dcCustomer = "810000000000000001" // a customer with open DMs, Hebrew
	dcClosed   = "810000000000000002" // a customer who shares no server with the bot
	dcStaff    = "820000000000000001" // staff in the alert channel, no ambassador role
	dcAmb      = "820000000000000002" // an ambassador by role
	dcGuild    = "830000000000000001"
	dcAlerts   = "840000000000000001"
	dcDigests  = "840000000000000002"
	dcTeam     = "840000000000000003"
	dcRole     = "850000000000000001"
)

// discordRig is a fake Discord and the environment of a serve that talks
// to it (and only to it).
type discordRig struct {
	fake   *discordtest.Server
	vars   map[string]string
	client *discordtest.Client
}

func newDiscordRig(t *testing.T, dbURL string, httpMode bool, yaml string) *discordRig {
	t.Helper()
	fake := discordtest.NewServer(discordtest.Options{})
	t.Cleanup(fake.Close)
	fake.AddUser(discordtest.User{ID: dcCustomer, Name: "dana"})
	fake.AddUser(discordtest.User{ID: dcClosed, Name: "ghost", ClosedDMs: true})
	fake.AddUser(discordtest.User{ID: dcStaff, Name: "yossi"})
	fake.AddUser(discordtest.User{ID: dcAmb, Name: "maya"})
	for id, name := range map[string]string{dcAlerts: "cx-alerts", dcDigests: "cx-voice", dcTeam: "cx-team"} {
		fake.AddChannel(discordtest.Channel{ID: id, GuildID: dcGuild, Name: name})
	}
	cfg := filepath.Join(t.TempDir(), "vocbot.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := fake.Env(httpMode)
	vars["VOCBOT_DATABASE_URL"] = dbURL
	vars["VOCBOT_API_TOKENS"] = testToken
	vars["VOCBOT_CONFIG"] = cfg
	vars["VOCBOT_LOG_LEVEL"] = "warn"
	return &discordRig{fake: fake, vars: vars, client: &discordtest.Client{Server: fake}}
}

// serve starts a serve (a replica when the database is shared) on a copy
// of the rig's environment.
func (r *discordRig) serve(t *testing.T) (base string, stop func() error, logs *syncBuffer) {
	t.Helper()
	vars := make(map[string]string, len(r.vars))
	for k, v := range r.vars {
		vars[k] = v
	}
	base, stop, logs = startServe(t, vars)
	waitReady(t, base)
	return base, stop, logs
}

// endpoint is a serve's interactions endpoint, as Discord posts to it.
func endpoint(base string) discordtest.Target {
	return discordtest.URL(nil, base+"/discord/interactions")
}

// botMessage waits for the first message from the bot in channel after
// the message with id after ("" for any) that satisfies ok.
func (r *discordRig) botMessage(t *testing.T, ctx context.Context, what, channel, after string, ok func(discordtest.Message) bool, logs fmt.Stringer) discordtest.Message {
	t.Helper()
	var found discordtest.Message
	err := r.fake.Wait(ctx, func() bool {
		seen := after == ""
		for _, m := range r.fake.Messages(channel) {
			if m.ID == after {
				seen = true
				continue
			}
			if seen && m.AuthorID == r.fake.BotID() && !m.Ephemeral && ok(m) {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		var got []string
		for _, m := range r.fake.Messages(channel) {
			got = append(got, fmt.Sprintf("%s by %s: %q %d buttons, %d embeds", m.ID, m.AuthorID, m.Content, len(m.Buttons()), len(m.Embeds)))
		}
		t.Fatalf("%s: %v\nchannel %s holds:\n%s\n%s", what, err, channel, strings.Join(got, "\n"), logs)
	}
	return found
}

func anyMessage(discordtest.Message) bool { return true }

// posted counts the messages Discord accepted from the bot.
func (r *discordRig) posted() int {
	n := 0
	for _, c := range r.fake.Calls() {
		if c.Method == http.MethodPost && c.Route == "/channels/{channel}/messages" && c.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// press presses a button and fails the test unless vocbot answered.
func (r *discordRig) press(t *testing.T, ctx context.Context, to discordtest.Target, inv discordtest.Invoker, messageID, label string, logs fmt.Stringer) discordtest.Result {
	t.Helper()
	res, err := r.client.PressLabel(ctx, to, inv, messageID, label)
	if err != nil || res.Response == nil {
		t.Fatalf("press %q: %+v, %v\n%s", label, res, err, logs)
	}
	return res
}

// Touchpoint in → the NPS prompt in the customer's Discord DM, in Hebrew
// and laid out right to left → a press on one replica, "write an answer"
// and its modal on the other → one response with its comment, the prompt
// edited to show the choice, thanks. The detractor's alert reaches the
// alert channel; Reply opens a modal whose text the customer gets by DM;
// Resolve redraws the alert. A customer whose DMs are closed ends
// undeliverable with Discord's reason; forged and stale signatures are
// refused by serve. On Postgres two serves share the database and the
// interactions are spread over both.
func TestDiscordInteractionsEndToEnd(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			rig := newDiscordRig(t, storagetest.URL(t, e), true, "product: Acme\nalerts:\n  - to: discord:"+dcAlerts+"\n    on: detractor\n")
			baseA, stopA, logsA := rig.serve(t)
			baseB, logs := baseA, fmt.Stringer(logsA)
			var stopB func() error
			if e == storage.Postgres {
				var logsB *syncBuffer
				baseB, stopB, logsB = rig.serve(t)
				logs = joinedLogs{logsA, logsB}
			}
			a, b := endpoint(baseA), endpoint(baseB)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()

			// Discord checks the endpoint with bad signatures: each replica refuses them.
			_, forger, _ := ed25519.GenerateKey(nil)
			stale := func() time.Time { return time.Now().Add(-6 * time.Minute) }
			for _, to := range []discordtest.Target{a, b} {
				for name, c := range map[string]*discordtest.Client{
					"forged": {Server: rig.fake, Key: forger},
					"stale":  {Server: rig.fake, Now: stale},
				} {
					res, err := c.Ping(ctx, to)
					if err != nil || res.Status != http.StatusUnauthorized {
						t.Fatalf("%s PING: %d, %v; want 401", name, res.Status, err)
					}
				}
				if res, err := rig.client.Ping(ctx, to); err != nil || res.Status != http.StatusOK || res.Response == nil || res.Response.Type != 1 {
					t.Fatalf("signed PING: %+v, %v; want PONG", res, err)
				}
			}

			f := apiFixture{url: baseA}
			if r := f.do(t, "POST", "/v1/touchpoints", `{"id":"dc_1","type":"order_delivered","survey":"nps",
				"customer":{"id":"cus_dc","locale":"he","discord_user_id":"`+dcCustomer+`"}}`, nil); r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
			}
			dm, _ := rig.fake.DM(dcCustomer)
			prompt := rig.botMessage(t, ctx, "the survey in the customer's DM", dm, "", func(m discordtest.Message) bool { return len(m.Buttons()) > 0 }, logs)
			var rows []int
			for _, r := range prompt.Rows {
				rows = append(rows, len(r))
			}
			if fmt.Sprint(rows) != "[4 4 3]" || !strings.Contains(prompt.Content, "עד כמה סביר שתמליצו") {
				t.Fatalf("survey: rows %v, content %q; want the Hebrew NPS question with 0–10 in rows of 4, 4 and 3", rows, prompt.Content)
			}
			if anchored := scoring.AnchorRTL("he", prompt.Content); anchored != prompt.Content || !strings.Contains(prompt.Content, "\u2068Acme\u2069") {
				t.Errorf("survey is not laid out right to left with the product isolated: %q", prompt.Content)
			}

			// A forged press changes nothing; the real one (replica A) records 3.
			forged := &discordtest.Client{Server: rig.fake, Key: forger}
			if res, err := forged.PressLabel(ctx, a, discordtest.Invoker{UserID: dcCustomer, Locale: "he"}, prompt.ID, "10"); err != nil || res.Status != http.StatusUnauthorized {
				t.Fatalf("forged press: %d, %v; want 401", res.Status, err)
			}
			customer := discordtest.Invoker{UserID: dcCustomer, Locale: "he"}
			rig.press(t, ctx, a, customer, prompt.ID, "3", logs)
			edited, err := rig.fake.WaitMessage(ctx, func(m discordtest.Message) bool { return m.ID == prompt.ID && m.Edits > 0 })
			if err != nil {
				t.Fatalf("the prompt was not edited after the press: %v\n%s", err, logs)
			}
			if len(edited.Buttons()) != 0 || !strings.Contains(edited.Content, "התשובה שלכם: 3") {
				t.Errorf("edited prompt: %q with %d buttons; want the choice shown, no buttons", edited.Content, len(edited.Buttons()))
			}

			// "Why?": the write button opens a modal on replica B; its text is the comment.
			why := rig.botMessage(t, ctx, "the follow-up question", dm, prompt.ID, func(m discordtest.Message) bool { return len(m.Buttons()) > 0 }, logs)
			res := rig.press(t, ctx, b, customer, why.ID, "כתיבת תשובה", logs)
			if res.Response.Modal == nil || len(res.Response.Modal.Inputs) != 1 {
				t.Fatalf("write button: %+v, want a modal with one text input", res.Response)
			}
			why, _ = rig.fake.Message(why.ID)
			res, err = rig.client.Submit(ctx, b, customer, why, *res.Response.Modal, "השליח איחר בשעתיים")
			if err != nil || res.Response == nil {
				t.Fatalf("modal submit: %+v, %v\n%s", res, err, logs)
			}
			thanks := rig.botMessage(t, ctx, "thanks", dm, why.ID, anyMessage, logs)
			if !strings.Contains(thanks.Content, "תודה על המשוב") {
				t.Errorf("thanks: %q", thanks.Content)
			}
			got := f.do(t, "GET", "/v1/responses", "", nil)
			rs, _ := got.body["responses"].([]any)
			if len(rs) != 1 {
				t.Fatalf("responses: %v\n%s", got.body, logs)
			}
			if r := rs[0].(map[string]any); r["score"] != float64(3) || r["comment"] != "השליח איחר בשעתיים" || r["platform"] != "discord" {
				t.Errorf("response: %v", r)
			}

			// The detractor's alert: Reply (replica B opens the modal, A takes it), then Resolve.
			staff := discordtest.Invoker{UserID: dcStaff, ChannelID: dcAlerts, GuildID: dcGuild}
			alert := rig.botMessage(t, ctx, "the alert", dcAlerts, "", func(m discordtest.Message) bool { return len(m.Embeds) == 1 }, logs)
			var labels []string
			for _, bt := range alert.Buttons() {
				labels = append(labels, bt.Label)
			}
			if fmt.Sprint(labels) != "[Claim Reply to customer Resolve: handled Resolve: no action needed]" {
				t.Errorf("alert buttons: %q", labels)
			}
			if d := alert.Embeds[0].Description; !strings.Contains(d, "השליח איחר בשעתיים") {
				t.Errorf("alert lacks the comment: %q", d)
			}
			res = rig.press(t, ctx, b, staff, alert.ID, "Reply to customer", logs)
			if res.Response.Modal == nil {
				t.Fatalf("Reply: %+v, want a modal", res.Response)
			}
			alert, _ = rig.fake.Message(alert.ID)
			res, err = rig.client.Submit(ctx, a, staff, alert, *res.Response.Modal, "Sorry about the courier, we are on it")
			if err != nil || res.Response == nil {
				t.Fatalf("reply modal: %+v, %v\n%s", res, err, logs)
			}
			if !res.Response.Ephemeral || res.Response.Content != "Sent to the customer." {
				t.Errorf("reply modal answered %+v; want a private \"Sent to the customer.\"", res.Response)
			}
			relayed := rig.botMessage(t, ctx, "the reply in the customer's DM", dm, thanks.ID, anyMessage, logs)
			if !strings.Contains(relayed.Content, "תשובה מצוות Acme:") || !strings.Contains(relayed.Content, "Sorry about the courier, we are on it") {
				t.Errorf("relayed reply: %q", relayed.Content)
			}
			waitAlert := func(what string, ok func(discordtest.Message) bool) discordtest.Message {
				t.Helper()
				m, err := rig.fake.WaitMessage(ctx, func(m discordtest.Message) bool { return m.ID == alert.ID && len(m.Embeds) == 1 && ok(m) })
				if err != nil {
					t.Fatalf("%s: the alert was not redrawn: %v\n%s", what, err, logs)
				}
				return m
			}
			waitAlert("Reply", func(m discordtest.Message) bool {
				return strings.Contains(m.Embeds[0].Description, "replies sent to the customer: 1")
			})
			rig.press(t, ctx, a, staff, alert.ID, "Resolve: handled", logs)
			final := waitAlert("Resolve", func(m discordtest.Message) bool { return strings.Contains(m.Embeds[0].Description, "Resolved by") })
			if n := len(final.Buttons()); n != 0 {
				t.Errorf("a resolved alert still has %d buttons", n)
			}
			posts := 0
			for _, m := range rig.fake.Messages(dcAlerts) {
				if !m.Ephemeral {
					posts++
				}
			}
			if posts != 1 {
				t.Errorf("messages in the alert channel: %d, want the one alert redrawn", posts)
			}

			// Closed DMs: undeliverable, with Discord's reason, never retried.
			closed := `{"id":"dc_2","type":"order_delivered","survey":"csat","customer":{"id":"cus_ghost","discord_user_id":"` + dcClosed + `"}}`
			if r := f.do(t, "POST", "/v1/touchpoints", closed, nil); r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v", r.status, r.body)
			}
			var inv map[string]any
			waitFor(t, 30*time.Second, func() bool {
				r := f.do(t, "POST", "/v1/touchpoints", closed, nil) // a replay shows the invitation as it is now
				inv, _ = r.body["invitation"].(map[string]any)
				return inv["status"] == "undeliverable"
			}, &syncBuffer{})
			if d, _ := inv["detail"].(string); !strings.Contains(d, "50007") {
				t.Errorf("undeliverable invitation's detail: %q; want Discord's 50007", d)
			}

			waitQueueIdle(t, baseA)
			if err := stopA(); err != nil {
				t.Fatal(err)
			}
			if stopB != nil {
				if err := stopB(); err != nil {
					t.Fatal(err)
				}
			}
			surveys := 0
			for _, m := range rig.fake.Messages(dm) {
				if strings.Contains(m.Content, "עד כמה סביר שתמליצו") {
					surveys++
				}
			}
			if surveys != 1 {
				t.Errorf("NPS surveys in the DM: %d, want 1", surveys)
			}
			if n := rig.posted(); n != 5 {
				t.Errorf("messages posted: %d; want 5 (survey, why, thanks, alert, reply)", n)
			}
		})
	}
}

// joinedLogs shows the logs of several replicas.
type joinedLogs []*syncBuffer

func (j joinedLogs) String() string {
	var parts []string
	for i, l := range j {
		parts = append(parts, fmt.Sprintf("── replica %d ──\n%s", i+1, l))
	}
	return strings.Join(parts, "\n")
}

// Gateway mode (no public key): the same survey with the press delivered
// over the gateway and a typed DM reply as the comment. A bot has one
// gateway session, so of two serves on one Postgres database exactly one
// identifies; when it stops, the other takes over.
func TestDiscordGatewayEndToEnd(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			rig := newDiscordRig(t, storagetest.URL(t, e), false, "product: Acme\n")
			baseA, stopA, logsA := rig.serve(t)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			connected := func(what string, identifies int, logs fmt.Stringer) {
				t.Helper()
				err := rig.fake.Wait(ctx, func() bool {
					g := rig.fake.Gateway()
					return g.Identifies == identifies && g.Connected == 1
				})
				if err != nil {
					t.Fatalf("%s: gateway %+v, want %d identifies and one connection\n%s", what, rig.fake.Gateway(), identifies, logs)
				}
			}
			connected("first serve", 1, logsA)
			var logs fmt.Stringer = logsA
			var stopB func() error
			var logsB *syncBuffer
			if e == storage.Postgres {
				rig.vars["VOCBOT_LOG_LEVEL"] = "info"
				_, stopB, logsB = rig.serve(t)
				logs = joinedLogs{logsA, logsB}
				waitFor(t, 30*time.Second, func() bool {
					return strings.Contains(logsB.String(), "another replica runs this receiver; standing by")
				}, logsB)
				if g := rig.fake.Gateway(); g.Identifies != 1 || g.Connected != 1 {
					t.Fatalf("two replicas: gateway %+v, want one session", g)
				}
			}
			gw := discordtest.Gateway(rig.fake)

			f := apiFixture{url: baseA}
			if r := f.do(t, "POST", "/v1/touchpoints", `{"id":"gw_1","type":"order_delivered","survey":"nps",
				"customer":{"id":"cus_gw","locale":"en","discord_user_id":"`+dcCustomer+`"}}`, nil); r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
			}
			dm, _ := rig.fake.DM(dcCustomer)
			prompt := rig.botMessage(t, ctx, "the survey", dm, "", func(m discordtest.Message) bool { return len(m.Buttons()) == 11 }, logs)
			if !strings.Contains(prompt.Content, "How likely is it that you would recommend Acme") {
				t.Errorf("survey: %q", prompt.Content)
			}
			customer := discordtest.Invoker{UserID: dcCustomer}
			if res := rig.press(t, ctx, gw, customer, prompt.ID, "8", logs); res.Response.Type != 6 {
				t.Errorf("press over the gateway answered %+v; want a deferred update (6)", res.Response)
			}
			if _, err := rig.fake.WaitMessage(ctx, func(m discordtest.Message) bool {
				return m.ID == prompt.ID && m.Edits > 0 && strings.Contains(m.Content, "Your answer: 8") && len(m.Buttons()) == 0
			}); err != nil {
				t.Fatalf("the prompt was not edited to show the answer: %v\n%s", err, logs)
			}
			why := rig.botMessage(t, ctx, "the follow-up", dm, prompt.ID, anyMessage, logs)
			typed, _ := rig.fake.UserMessage(dcCustomer, "The courier called ahead")
			thanks := rig.botMessage(t, ctx, "thanks", dm, typed.ID, anyMessage, logs)
			if !strings.Contains(thanks.Content, "Thank you for your feedback") {
				t.Errorf("thanks: %q (after %q)", thanks.Content, why.Content)
			}
			got := f.do(t, "GET", "/v1/responses", "", nil)
			rs, _ := got.body["responses"].([]any)
			if len(rs) != 1 {
				t.Fatalf("responses: %v\n%s", got.body, logs)
			}
			if r := rs[0].(map[string]any); r["score"] != float64(8) || r["comment"] != "The courier called ahead" || r["platform"] != "discord" {
				t.Errorf("response: %v", r)
			}
			waitQueueIdle(t, baseA)
			if err := stopA(); err != nil {
				t.Fatal(err)
			}
			if stopB == nil {
				return
			}

			// The holder stops: the standby identifies and answers from then on.
			connected("after the first replica stopped", 2, logs)
			res, err := rig.client.Command(ctx, gw, customer, "help", "")
			if err != nil || res.Response == nil || !res.Response.Ephemeral {
				t.Fatalf("/help after the takeover: %+v, %v\n%s", res, err, logs)
			}
			if err := stopB(); err != nil {
				t.Fatal(err)
			}
			if n := rig.posted(); n < 4 {
				t.Errorf("messages posted: %d; want the survey, why, thanks and /help's answer", n)
			}
		})
	}
}

// The digest configured to discord:<channel> lands there with its chart
// attached; /survey stats from a member holding an ambassador role gets
// the stats privately, a member without it a private refusal, and both
// are in the audit log.
func TestDiscordDigestAndAmbassador(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			dbURL := storagetest.URL(t, e)
			seedHistory(t, dbURL, 12)
			rig := newDiscordRig(t, dbURL, true, `product: Acme
digests:
  - {id: daily, to: "discord:`+dcDigests+`", at: "00:00", timezone: UTC, post_when_empty: true}
ambassadors:
  discord_roles: ["`+dcRole+`"]
`)
			base, stop, logs := rig.serve(t)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			// Due since midnight: the leader's minute tick posts it at once.
			digest := rig.botMessage(t, ctx, "the digest", dcDigests, "", func(m discordtest.Message) bool { return len(m.Embeds) > 0 }, logs)
			if len(digest.Files) != 1 || !strings.HasPrefix(string(digest.Files[0].Data), "\x89PNG") || digest.Files[0].ContentType != "image/png" {
				t.Fatalf("digest files: %d (%+v); want the chart as a PNG", len(digest.Files), digest.Files)
			}
			if img := digest.Embeds[0].Image; img != "attachment://"+digest.Files[0].Name {
				t.Errorf("digest embed shows image %q, want the attached %q", img, digest.Files[0].Name)
			}
			if !strings.Contains(digest.Embeds[0].Title, "Voice of Customer") {
				t.Errorf("digest title: %q", digest.Embeds[0].Title)
			}

			a := endpoint(base)
			stats := func(who discordtest.Invoker) discordtest.Message {
				t.Helper()
				res, err := rig.client.Command(ctx, a, who, "survey", "stats", discordtest.Option{Name: "survey", Value: "nps"})
				if err != nil || res.Response == nil || !res.Response.Ephemeral {
					t.Fatalf("/survey stats by %s: %+v, %v; want a private reply\n%s", who.UserID, res, err, logs)
				}
				var reply discordtest.Message
				err = rig.fake.Wait(ctx, func() bool { // a deferred reply is finished through the webhook
					var ok bool
					reply, ok = rig.fake.Original(res.ID)
					return ok && !reply.Deferred
				})
				if err != nil {
					t.Fatalf("/survey stats by %s: no reply: %v\n%s", who.UserID, err, logs)
				}
				return reply
			}
			amb := stats(discordtest.Invoker{UserID: dcAmb, ChannelID: dcTeam, GuildID: dcGuild, Roles: []string{"1", dcRole}})
			if !amb.Ephemeral || !strings.Contains(amb.Content, "NPS, last 28 days") {
				t.Errorf("ambassador's stats: %+v", amb)
			}
			other := stats(discordtest.Invoker{UserID: dcStaff, ChannelID: dcTeam, GuildID: dcGuild, Roles: []string{"1"}})
			if !other.Ephemeral || !strings.Contains(other.Content, "for CX ambassadors only") || strings.Contains(other.Content, "NPS") {
				t.Errorf("non-ambassador's stats: %+v; want the refusal", other)
			}

			f := apiFixture{url: base}
			for who, want := range map[string]string{dcAmb: "survey.stats ok", dcStaff: "survey.stats refused"} {
				audit := f.do(t, "GET", "/v1/audit?actor=discord:"+who, "", nil)
				entries, _ := audit.body["entries"].([]any)
				var got []string
				for _, en := range entries {
					m := en.(map[string]any)
					got = append(got, fmt.Sprint(m["action"], " ", m["result"]))
				}
				if strings.Join(got, "|") != want {
					t.Errorf("audit of discord:%s: %q, want %q (%v)", who, got, want, audit.body)
				}
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// seedHistory records n NPS answers from the last days (one a day) before
// serve starts, so a digest has a trend to chart.
func seedHistory(t *testing.T, dbURL string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rs := make([]surveys.Response, n)
	for i := range rs {
		at := time.Now().UTC().AddDate(0, 0, -1-i)
		rs[i] = surveys.Response{CustomerID: fmt.Sprintf("cus_hist%d", i), SurveyID: "nps", Metric: surveys.NPS, Score: 6 + i%5,
			Locale: "en", Platform: surveys.Telegram, TouchpointType: "order_delivered", AnsweredAt: at}
	}
	if err := storage.NewStore(db, nil).ImportHistory(ctx, "test", rs); err != nil {
		t.Fatal(err)
	}
}

// An alert in a Discord channel about a customer who answered in
// Telegram: Claim redraws it, Reply's modal text reaches the customer's
// Telegram chat in their language, Resolve redraws it without buttons.
func TestDiscordAlertRepliesToTelegramCustomer(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			const chat = 7808
			rig := newDiscordRig(t, storagetest.URL(t, e), true, "product: Acme\nalerts:\n  - to: discord:"+dcAlerts+"\n    on: detractor\n")
			tg := telegramtest.New("")
			t.Cleanup(tg.Close)
			tg.AddUser(chat, "ru")
			rig.vars["VOCBOT_TELEGRAM_TOKEN"] = tg.Token()
			rig.vars["VOCBOT_TELEGRAM_API_URL"] = tg.APIURL()
			base, stop, logs := rig.serve(t)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			f := apiFixture{url: base}
			if r := f.do(t, "POST", "/v1/touchpoints", `{"id":"tg_alert","type":"order_delivered","survey":"nps",
				"customer":{"id":"cus_tg","locale":"ru","telegram_chat_id":7808}}`, nil); r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
			}
			msgs, err := tg.WaitSent(ctx, chat, 1)
			if err != nil {
				t.Fatalf("no survey in Telegram: %v\n%s", err, logs)
			}
			if _, err := tg.PressButton(chat, msgs[0].ID, "1"); err != nil {
				t.Fatal(err)
			}
			if _, err := tg.WaitSent(ctx, chat, 2); err != nil {
				t.Fatalf("no follow-up: %v\n%s", err, logs)
			}
			tg.SendText(chat, "Курьер опоздал на два часа")
			if _, err := tg.WaitSent(ctx, chat, 3); err != nil {
				t.Fatalf("no thanks: %v\n%s", err, logs)
			}

			a := endpoint(base)
			staff := discordtest.Invoker{UserID: dcStaff, ChannelID: dcAlerts, GuildID: dcGuild}
			alert := rig.botMessage(t, ctx, "the alert", dcAlerts, "", func(m discordtest.Message) bool { return len(m.Embeds) == 1 }, logs)
			waitAlert := func(what string, ok func(discordtest.Message) bool) discordtest.Message {
				t.Helper()
				m, err := rig.fake.WaitMessage(ctx, func(m discordtest.Message) bool { return m.ID == alert.ID && len(m.Embeds) == 1 && ok(m) })
				if err != nil {
					t.Fatalf("%s: the alert was not redrawn: %v\n%s", what, err, logs)
				}
				return m
			}
			rig.press(t, ctx, a, staff, alert.ID, "Claim", logs)
			claimed := waitAlert("Claim", func(m discordtest.Message) bool { return strings.Contains(m.Embeds[0].Description, "Claimed by") })
			if _, still := claimed.Button("Claim"); still {
				t.Errorf("a claimed alert still offers Claim")
			}
			res := rig.press(t, ctx, a, staff, alert.ID, "Reply to customer", logs)
			if res.Response.Modal == nil {
				t.Fatalf("Reply: %+v, want a modal", res.Response)
			}
			claimed, _ = rig.fake.Message(alert.ID)
			if res, err = rig.client.Submit(ctx, a, staff, claimed, *res.Response.Modal, "Sorry, a courier is on the way"); err != nil || res.Response == nil {
				t.Fatalf("reply modal: %+v, %v\n%s", res, err, logs)
			}
			got, err := tg.WaitSent(ctx, chat, 4)
			if err != nil {
				t.Fatalf("the reply did not reach Telegram: %v\n%s", err, logs)
			}
			if relayed := got[3].Text; !strings.Contains(relayed, "Sorry, a courier is on the way") || !strings.Contains(relayed, "Acme") {
				t.Errorf("relayed reply: %q", relayed)
			}
			waitAlert("Reply", func(m discordtest.Message) bool {
				return strings.Contains(m.Embeds[0].Description, "replies sent to the customer: 1")
			})
			// The customer answers in Telegram: it comes back as a reply to the alert.
			tg.SendText(chat, "Спасибо, жду")
			answer, err := rig.fake.WaitMessage(ctx, func(m discordtest.Message) bool { return m.ReplyTo == alert.ID })
			if err != nil {
				t.Fatalf("the customer's answer is not under the alert: %v\n%s", err, logs)
			}
			if !strings.Contains(answer.Content, `cus\_tg`) || !strings.Contains(answer.Content, "(ru)") || !strings.Contains(answer.Content, "Спасибо, жду") {
				t.Errorf("relayed answer: %q", answer.Content)
			}
			rig.press(t, ctx, a, staff, alert.ID, "Resolve: no action needed", logs)
			final := waitAlert("Resolve", func(m discordtest.Message) bool { return strings.Contains(m.Embeds[0].Description, "Resolved by") })
			if n := len(final.Buttons()); n != 0 {
				t.Errorf("a resolved alert still has %d buttons", n)
			}
			tg.SendText(chat, "Ещё вопрос")
			if _, err := tg.WaitSent(ctx, chat, 5); err != nil {
				t.Fatalf("no help after the resolution: %v\n%s", err, logs)
			}
			replies := 0
			for _, m := range rig.fake.Messages(dcAlerts) {
				if m.ReplyTo == alert.ID {
					replies++
				}
			}
			if replies != 1 {
				t.Errorf("answers under the alert: %d, want 1 (nothing after the resolution)", replies)
			}
			audit := f.do(t, "GET", "/v1/audit?actor=discord:"+dcStaff, "", nil)
			entries, _ := audit.body["entries"].([]any)
			var actions []string
			for _, en := range entries {
				m := en.(map[string]any)
				actions = append(actions, fmt.Sprint(m["action"], " ", m["result"]))
			}
			if want := "alert.resolve ok|alert.reply ok|alert.claim ok"; strings.Join(actions, "|") != want {
				t.Errorf("audit: %q, want %q", actions, want)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
