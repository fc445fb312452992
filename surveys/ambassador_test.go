package surveys_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// ambStart is 11:00 in Jerusalem, outside quiet hours.
var ambStart = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

var (
	slackAmbassador    = surveys.Address{Platform: surveys.Slack, ChatID: "C0STAFF", UserID: "U0AMB"}
	telegramAmbassador = surveys.Address{Platform: surveys.Telegram, ChatID: "-100777", UserID: "111111"}
	discordAmbassador  = surveys.Address{Platform: surveys.Discord, ChatID: "900000000000000001", UserID: "800000000000000001"}
	ambassadorRole     = "700000000000000001"
	// discordUserAmbassador is listed by user id, without the role.
	discordUserAmbassador = surveys.Address{Platform: surveys.Discord, ChatID: "900000000000000001", UserID: "800000000000000009"}
)

func ambSettings() *surveys.Settings {
	jerusalem, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		panic(err)
	}
	return &surveys.Settings{
		Product:       "Acme",
		DefaultLocale: "en",
		Timezone:      jerusalem,
		Surveys: []surveys.Survey{
			{ID: "nps", Metric: surveys.NPS, FollowUp: true, ExpiresAfter: 72 * time.Hour},
			{ID: "csat", Metric: surveys.CSAT, FollowUp: true, ExpiresAfter: 72 * time.Hour},
			{ID: "enps", Metric: surveys.ENPS, ExpiresAfter: 72 * time.Hour},
		},
		Rules: []surveys.Rule{
			{Type: "order_delivered", SurveyID: "nps", Sample: 1},
			{Type: "manual", SurveyID: "nps", Sample: 1, Quiet: surveys.QuietHours{Start: 21 * 60, End: 9 * 60}},
		},
		MinGap:  30 * 24 * time.Hour,
		Enabled: []surveys.Platform{surveys.Telegram, surveys.Slack, surveys.Discord},
	}
}

type ambFixture struct {
	t        testing.TB
	db       *storage.DB
	store    *storage.Store
	settings *surveys.Settings
	clock    *surveystest.Clock
	sender   *surveystest.Sender
	engine   *surveys.Engine
	desk     *surveys.AmbassadorDesk
	n        int
}

func newAmbFixture(t testing.TB, db *storage.DB, cfg surveys.AmbassadorConfig) *ambFixture {
	t.Helper()
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	f := &ambFixture{t: t, db: db, store: storage.NewStore(db, jobs), settings: ambSettings(),
		clock: surveystest.NewClock(ambStart), sender: &surveystest.Sender{}}
	f.engine = surveys.NewEngine(f.settings, f.store, f.clock)
	f.engine.SetSenders(map[surveys.Platform]surveys.Sender{surveys.Telegram: f.sender, surveys.Slack: f.sender})
	if cfg.Ambassadors.SlackUsers == nil {
		cfg.Ambassadors = surveys.Ambassadors{
			SlackUsers: []string{slackAmbassador.UserID}, TelegramUsers: []string{telegramAmbassador.UserID},
			DiscordRoles: []string{ambassadorRole}, DiscordUsers: []string{discordUserAmbassador.UserID},
			DailyQuota: cfg.Ambassadors.DailyQuota,
		}
	}
	f.desk = surveys.NewAmbassadorDesk(f.engine, f.store, f.store, cfg)
	return f
}

// customer makes a customer known with a Telegram chat, without surveying
// them: a touchpoint no rule maps is recorded and skipped.
func (f *ambFixture) customer(id string, chat int) surveys.Address {
	f.t.Helper()
	to := surveys.Address{Platform: surveys.Telegram, ChatID: strconv.Itoa(chat), UserID: strconv.Itoa(chat)}
	f.n++
	_, err := f.engine.Ingest(context.Background(), surveys.Ingestion{
		Touchpoint: surveys.Touchpoint{Source: "api", ExternalID: fmt.Sprintf("signup_%d", f.n), Type: "signup",
			Customer: surveys.Customer{ExternalID: id, TimeZone: "Asia/Jerusalem", Identities: []surveys.Address{to}}},
		RequestHash: fmt.Sprintf("h%d", f.n),
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return to
}

// audit is the audit log, oldest first.
func (f *ambFixture) audit() []surveys.AuditEntry {
	f.t.Helper()
	entries, _, err := f.store.Audit(context.Background(), storage.AuditFilter{Limit: storage.MaxPage})
	if err != nil {
		f.t.Fatal(err)
	}
	slices.Reverse(entries)
	return entries
}

// run is one command from an ambassador.
func (f *ambFixture) run(from surveys.Address, text string, roles ...string) string {
	f.t.Helper()
	return f.command(surveys.CommandRequest{From: from, Roles: roles, Text: text})
}

// command runs req through the router every adapter's commands reach.
func (f *ambFixture) command(req surveys.CommandRequest) string {
	f.t.Helper()
	r, err := surveys.NewCommands(nil, f.desk).Command(context.Background(), req)
	if err != nil {
		f.t.Fatalf("Command(%q): %v", req.Text, err)
	}
	return r.Text
}

func (f *ambFixture) count(q string, args ...any) int {
	f.t.Helper()
	if f.db.Engine() == storage.SQLite {
		q = strings.ReplaceAll(q, "$1", "?")
	}
	var n int
	if err := f.db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *ambFixture) invitations(status surveys.Status) int {
	return f.count(`SELECT count(*) FROM invitations WHERE status = $1`, string(status))
}

func TestAmbassadorAuthorization(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{})
		f.customer("cus_42", 5001)
		tests := []struct {
			name  string
			from  surveys.Address
			roles []string
			ok    bool
		}{
			{"slack ambassador", slackAmbassador, nil, true},
			{"slack colleague", surveys.Address{Platform: surveys.Slack, ChatID: "C0STAFF", UserID: "U0OTHER"}, nil, false},
			{"slack role ids do not count", surveys.Address{Platform: surveys.Slack, UserID: "U0OTHER"}, []string{ambassadorRole}, false},
			{"telegram ambassador", telegramAmbassador, nil, true},
			{"telegram stranger in the staff chat", surveys.Address{Platform: surveys.Telegram, ChatID: "-100777", UserID: "222222"}, nil, false},
			{"telegram channel post without a user", surveys.Address{Platform: surveys.Telegram, ChatID: "-100777"}, nil, false},
			{"discord role", discordAmbassador, []string{"1", ambassadorRole}, true},
			{"discord without the role", discordAmbassador, []string{"1"}, false},
			{"discord user id is not a role", discordAmbassador, nil, false},
			{"discord user listed by id", discordUserAmbassador, nil, true},
			{"discord user listed by id, other roles", discordUserAmbassador, []string{"1"}, true},
			{"discord listed id on another platform", surveys.Address{Platform: surveys.Slack, UserID: discordUserAmbassador.UserID}, nil, false},
			{"unknown platform", surveys.Address{Platform: "irc", UserID: "U0AMB"}, nil, false},
		}
		for _, tt := range tests {
			before := len(f.audit())
			got := f.run(tt.from, "link cus_42", tt.roles...)
			records := f.audit()[before:]
			if len(records) != 1 {
				t.Fatalf("%s: %d audit records, want 1", tt.name, len(records))
			}
			if tt.ok {
				if got == surveys.Refusal || records[0].Result == string(surveys.ResultRefused) {
					t.Errorf("%s: refused (%q), want the command to run", tt.name, got)
				}
				continue
			}
			if got != surveys.Refusal {
				t.Errorf("%s: reply %q, want the refusal", tt.name, got)
			}
			if records[0].Result != string(surveys.ResultRefused) || records[0].Actor != surveys.AmbassadorKey(tt.from) ||
				records[0].Action != "survey.link" || records[0].Platform != tt.from.Platform {
				t.Errorf("%s: audit %+v, want refused by %s", tt.name, records[0], surveys.AmbassadorKey(tt.from))
			}
		}
		// A refusal tells nothing: not the surveys, not whether the customer exists.
		for _, text := range []string{"send npz cus_42", "send nps cus_nobody", "stats", "sned"} {
			if got := f.run(surveys.Address{Platform: surveys.Slack, UserID: "U0OTHER"}, text); got != surveys.Refusal {
				t.Errorf("non-ambassador %q: reply %q, want the refusal", text, got)
			}
		}
		if n := f.count(`SELECT count(*) FROM invitations WHERE survey_id <> ''`); n != 0 {
			t.Errorf("%d invitations after refusals, want 0", n)
		}
	})
}

// The acceptance test: the same command in Slack and in a Telegram staff
// chat gives one invitation and the same explanation.
func TestAmbassadorSendSameOnEveryPlatform(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		var replies []string
		for _, platform := range []surveys.Platform{surveys.Slack, surveys.Telegram} {
			f := newAmbFixture(t, storagetest.Open(t, db.Engine()), surveys.AmbassadorConfig{})
			f.customer("cus_42", 5001)
			var reply string
			switch platform {
			case surveys.Slack: // Slack's /survey: the text after the command
				reply = f.command(surveys.CommandRequest{From: slackAmbassador, Text: "send nps cus_42"})
			case surveys.Telegram: // a staff chat message: the whole text
				reply = f.command(surveys.CommandRequest{ID: "tg:9001", From: telegramAmbassador, Text: "/survey@acme_bot send nps cus_42"})
			}
			if n := f.invitations(surveys.Scheduled); n != 1 {
				t.Errorf("%s: %d scheduled invitations, want 1", platform, n)
			}
			if n := f.count(`SELECT count(*) FROM touchpoints WHERE source = 'ambassador' AND type = 'manual'`); n != 1 {
				t.Errorf("%s: %d ambassador touchpoints, want 1", platform, n)
			}
			records := f.audit()
			want := surveys.AuditEntry{ID: records[0].ID, At: ambStart, Actor: surveys.AmbassadorKey(slackAmbassador), Platform: platform,
				Action: "survey.send", Target: "cus_42", Result: "ok", Detail: "/survey send nps cus_42 → Sent nps to cus_42: sending now via telegram."}
			if platform == surveys.Telegram {
				want.Actor = surveys.AmbassadorKey(telegramAmbassador)
			}
			if len(records) != 1 || !cmp.Equal(records[0], want) {
				t.Errorf("%s: audit %+v, want one ok send from %s", platform, records, platform)
			}
			replies = append(replies, reply)
		}
		want := "Sent nps to cus_42: sending now via telegram."
		for i, r := range replies {
			if r != want {
				t.Errorf("reply %d = %q, want %q", i, r, want)
			}
		}
	})
}

func TestAmbassadorSendOutcomes(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{})
		f.customer("cus_42", 5001)
		f.customer("cus_43", 5002)
		f.customer("cus_stop", 5003)
		if _, err := db.SQL().Exec(`UPDATE customers SET opted_out_at = updated_at WHERE external_id = 'cus_stop'`); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name, text, want string
			result           surveys.CommandResult
		}{
			{"sent", "send nps cus_42", "Sent nps to cus_42: sending now via telegram.", surveys.ResultOK},
			{"fatigue", "send csat cus_42", "Skipped csat to cus_42: surveyed moments ago (2026-11-23); minimum gap 30 days.", surveys.ResultSkipped},
			{"opted out", "send nps cus_stop", "Skipped nps to cus_stop: the customer opted out of surveys (/stop).", surveys.ResultSkipped},
			{"unknown customer", "send nps cus_nobody", "No customer \"cus_nobody\" is known to vocbot.", surveys.ResultNotFound},
			{"unknown survey", "send npz cus_43", "unknown survey \"npz\"; the surveys are nps, csat, enps. Did you mean /survey send nps cus_43?", surveys.ResultInvalid},
			{"bad grammar", "sned nps cus_43", "unknown subcommand \"sned\". Did you mean /survey send nps cus_43?", surveys.ResultInvalid},
			{"plain @name from Slack", "send nps @dana_k", "Slack sent @dana_k as plain text, not as a mention: ask your Slack admin to turn on \"Escape channels, users, and links\"", surveys.ResultNotFound},
			{"employee by Slack mention", "send enps <@U0EMPLOYEE|dana>", "Sent enps to slack:U0EMPLOYEE (<@U0EMPLOYEE>): sending now via slack.", surveys.ResultOK},
		}
		for _, s := range steps {
			got := f.run(slackAmbassador, s.text)
			if !strings.HasPrefix(got, s.want) {
				t.Errorf("%s: %q\n got %q\nwant %q…", s.name, s.text, got, s.want)
			}
			records := f.audit()
			if last := records[len(records)-1]; last.Result != string(s.result) {
				t.Errorf("%s: audited %q, want %q", s.name, last.Result, s.result)
			}
		}
		if got := f.run(telegramAmbassador, "/survey send nps @dana_k"); !strings.HasPrefix(got, "No customer with the Telegram username @dana_k is known to vocbot.") {
			t.Errorf("@username from Telegram: %q", got)
		}
		// The employee is known now: the same mention finds them again.
		if got := f.run(slackAmbassador, "send enps <@U0EMPLOYEE>"); !strings.HasPrefix(got, "Skipped enps to slack:U0EMPLOYEE") {
			t.Errorf("second employee send: %q, want skipped (fatigue)", got)
		}

		// Quiet hours of the "manual" rule: 22:00 in Jerusalem waits for 09:00 their time.
		f.clock.Set(time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC))
		got := f.run(slackAmbassador, "send nps cus_43")
		if want := "Scheduled nps to cus_43: scheduled for 2026-11-24 09:00 their time via telegram, moved out of quiet hours 21:00-09:00"; !strings.HasPrefix(got, want) {
			t.Errorf("quiet hours:\n got %q\nwant %q…", got, want)
		}
	})
}

func TestAmbassadorSendReplayedUpdate(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{})
		f.customer("cus_42", 5001)
		req := surveys.CommandRequest{ID: "tg:77", From: telegramAmbassador, Text: "/survey send nps cus_42"}
		var replies []string
		for range 2 { // Telegram redelivers an update after a restart
			replies = append(replies, f.command(req))
		}
		if n := f.invitations(surveys.Scheduled); n != 1 {
			t.Errorf("%d invitations after a redelivered command, want 1", n)
		}
		if !strings.Contains(replies[1], "received before; nothing new was sent") {
			t.Errorf("replies %q, want the second to say it was a redelivery", replies)
		}
	})
}

func TestAmbassadorQuota(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{Ambassadors: surveys.Ambassadors{DailyQuota: 2}})
		for i := range 5 {
			f.customer(fmt.Sprintf("cus_%d", i), 6000+i)
		}
		f.run(slackAmbassador, "send nps cus_0")
		f.run(slackAmbassador, "send csat cus_0") // skipped (fatigue): does not count
		f.run(slackAmbassador, "send nps cus_1")
		got := f.run(slackAmbassador, "send nps cus_2")
		want := "Not sent: you have used today's quota of 2 invitations by command. It renews at midnight (Asia/Jerusalem)."
		if got != want {
			t.Errorf("third invitation: %q, want %q", got, want)
		}
		records := f.audit()
		if last := records[len(records)-1]; last.Result != string(surveys.ResultQuota) {
			t.Errorf("audited %q, want quota", last.Result)
		}
		// Another ambassador has their own quota.
		if got := f.run(telegramAmbassador, "/survey send nps cus_2"); !strings.HasPrefix(got, "Sent") {
			t.Errorf("another ambassador: %q, want sent", got)
		}
		// A new day in Jerusalem (22:00 UTC) renews it.
		f.clock.Set(time.Date(2026, 11, 23, 22, 30, 0, 0, time.UTC))
		if got := f.run(slackAmbassador, "send nps cus_3"); !strings.HasPrefix(got, "Scheduled nps to cus_3") {
			t.Errorf("next day: %q, want scheduled (quiet hours)", got)
		}
		if n := f.invitations(surveys.Scheduled); n != 4 {
			t.Errorf("%d invitations, want 4", n)
		}
	})
}

func TestAmbassadorLink(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{TelegramBot: "acme_bot"})
		f.customer("cus_42", 5001)
		got := f.run(telegramAmbassador, "/survey link cus_42")
		const prefix = "https://t.me/acme_bot?start="
		i := strings.Index(got, prefix)
		if !strings.HasPrefix(got, "Link for cus_42, valid until ") || i < 0 {
			t.Fatalf("link reply %q", got)
		}
		token, _, _ := strings.Cut(got[i+len(prefix):], "\n")
		addr := surveys.Address{Platform: surveys.Telegram, ChatID: "5009", UserID: "5009"}
		if id, err := f.store.RedeemLinkToken(context.Background(), token, addr); err != nil || id != "cus_42" {
			t.Errorf("redeem the link's token: %q, %v; want cus_42", id, err)
		}
		if got := f.run(telegramAmbassador, "/survey link cus_nobody"); !strings.HasPrefix(got, "No customer \"cus_nobody\"") {
			t.Errorf("unknown customer: %q", got)
		}
		g := newAmbFixture(t, storagetest.Open(t, db.Engine()), surveys.AmbassadorConfig{})
		g.customer("cus_42", 5001)
		if got := g.run(slackAmbassador, "link cus_42"); !strings.Contains(got, "VOCBOT_TELEGRAM_TOKEN") {
			t.Errorf("without Telegram: %q, want the way to configure it", got)
		}
		if r := g.audit(); r[0].Result != string(surveys.ResultUnavailable) {
			t.Errorf("without Telegram: audited %q", r[0].Result)
		}
	})
}

func TestAmbassadorHelp(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{})
		got := f.run(slackAmbassador, "")
		for _, v := range []surveys.Verb{surveys.VerbSend, surveys.VerbStats, surveys.VerbQuotes, surveys.VerbLink, surveys.VerbDigest, surveys.VerbHelp} {
			if !strings.Contains(got, v.Usage()) {
				t.Errorf("help lacks %q:\n%s", v.Usage(), got)
			}
		}
		if got := f.run(slackAmbassador, "help stats"); !strings.HasPrefix(got, surveys.VerbStats.Usage()+"\n") {
			t.Errorf("help stats: %q", got)
		}
	})
}

// answer has the customer at to answer an invitation to survey with score
// (and a comment) at the fixture's clock.
func (f *ambFixture) answer(survey, customer string, to surveys.Address, score int, comment, agent string) {
	f.t.Helper()
	ctx := context.Background()
	f.n++
	res, err := f.engine.Ingest(ctx, surveys.Ingestion{
		Touchpoint: surveys.Touchpoint{Source: "api", ExternalID: fmt.Sprintf("evt_%d", f.n), Type: "order_delivered", SurveyID: survey,
			Customer:   surveys.Customer{ExternalID: customer, Identities: []surveys.Address{to}},
			Attributes: map[string]string{"agent": agent}},
		RequestHash: fmt.Sprintf("h%d", f.n),
	})
	if err != nil || res.Invitation.Status != surveys.Scheduled {
		f.t.Fatalf("invite %s: %+v, %v", customer, res.Invitation, err)
	}
	inv := res.Invitation
	p, err := f.settings.ScorePrompt(inv)
	if err != nil {
		f.t.Fatal(err)
	}
	q := `UPDATE invitations SET status = 'sent', sent_at = $1 WHERE id = $2`
	if f.db.Engine() == storage.SQLite {
		q = strings.NewReplacer("$1", "?", "$2", "?").Replace(q)
	}
	if _, err := f.db.SQL().Exec(q, f.clock.Now(), inv.ID); err != nil {
		f.t.Fatal(err)
	}
	f.n++
	if err := f.engine.Handle(ctx, surveys.Incoming{ID: fmt.Sprintf("tg:%d", f.n), From: to, Ref: p.Ref, Value: strconv.Itoa(score)}); err != nil {
		f.t.Fatal(err)
	}
	if comment != "" {
		f.n++
		if err := f.engine.Handle(ctx, surveys.Incoming{ID: fmt.Sprintf("tg:%d", f.n), From: to, Text: comment}); err != nil {
			f.t.Fatal(err)
		}
	}
}

func TestAmbassadorStatsQuotesDigest(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		specs := []surveys.DigestSpec{{ID: "daily-voc", To: surveys.Address{Platform: surveys.Slack, ChatID: "C0VOC"}, At: 9 * 60,
			Timezone: ambSettings().Timezone, Days: []time.Weekday{time.Monday, time.Tuesday}, Surveys: []string{"nps"}, Quotes: 3, Locale: "en"}}
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{Digests: specs})
		f.settings.MinGap = 0
		comments := []string{
			"The courier was late again and nobody answered the phone when I called twice",
			"Delivery was quick and the driver was very polite, thank you so much",
			"Packaging was damaged but the support team replaced the item within a day",
		}
		scores := []int{10, 9, 9, 8, 3, 10, 6, 9}
		agents := []string{"yossi", "dana", "yossi", "dana", "yossi", "dana", "yossi", "dana"}
		for i, s := range scores {
			comment := ""
			switch s {
			case 3:
				comment = comments[0]
			case 10:
				comment = comments[1]
			case 6:
				comment = comments[2] + fmt.Sprint(" order ", i)
			}
			if s == 10 && i > 0 {
				comment = ""
			}
			id := fmt.Sprintf("cus_%d", i)
			f.answer("nps", id, surveys.Address{Platform: surveys.Telegram, ChatID: strconv.Itoa(7000 + i), UserID: strconv.Itoa(7000 + i)}, s, comment, agents[i])
		}
		// Two employees comment on eNPS: too few to quote (8 by default).
		f.settings.Surveys[2].FollowUp = true
		for i := range 2 {
			to := surveys.Address{Platform: surveys.Telegram, ChatID: strconv.Itoa(7100 + i), UserID: strconv.Itoa(7100 + i)}
			f.answer("enps", fmt.Sprintf("emp_%d", i), to, 2, "My manager never listens to the team and the workload keeps growing", "")
		}
		f.clock.Set(ambStart.Add(24 * time.Hour)) // windows end yesterday

		got := f.run(slackAmbassador, "stats nps 7d by agent")
		nc, _ := scoring.NPSFromScores(scores)
		want, _ := nc.Rounded()
		ci, _ := nc.CI(scoring.DefaultConfidence, scoring.AdjustedWald)
		minus := func(x float64) string { return strings.Replace(fmt.Sprint(int(scoring.Round(x))), "-", "−", 1) }
		line := fmt.Sprintf("NPS, last 7 days: %d (95%% CI %s–%s) · n = 8 · low n", want, minus(ci.Lo), minus(ci.Hi))
		for _, part := range []string{"Scores, last 7 days (2026-11-17 to 2026-11-23):", "nps · NPS", line, "Previous 7 days: no score to compare with (n = 0)", "By agent:", "• dana ", "• yossi "} {
			if !strings.Contains(got, part) {
				t.Errorf("stats lack %q:\n%s", part, got)
			}
		}
		// A titled survey is headed by its title, with the id to type.
		f.settings.Surveys[0].Title = map[string]string{"he": "NPS משלוחים", "en": "Delivery NPS"}
		if got := f.run(slackAmbassador, "stats nps 7d"); !strings.Contains(got, "\nDelivery NPS (nps)\n"+line) {
			t.Errorf("stats of a titled survey lack its title:\n%s", got)
		}
		f.settings.Surveys[0].Title = nil
		if got := f.run(slackAmbassador, "stats nps 7d by touchpoint"); !strings.Contains(got, "By touchpoint:\n• order_delivered 38 (n = 8) low n") {
			t.Errorf("stats by touchpoint:\n%s", got)
		}
		if got := f.run(slackAmbassador, "stats nps by region"); !strings.Contains(got, "By region: no responses") {
			t.Errorf("stats by an attribute nobody has:\n%s", got)
		}
		if all := f.run(slackAmbassador, "stats"); !strings.Contains(all, "csat · CSAT\nCSAT, last 28 days: no responses") {
			t.Errorf("stats of every survey:\n%s", all)
		}

		got = f.run(slackAmbassador, "quotes nps detractors")
		if !strings.Contains(got, "“The courier was late again") || strings.Contains(got, "Delivery was quick") {
			t.Errorf("detractors' quotes:\n%s", got)
		}
		if got := f.run(slackAmbassador, "quotes enps"); !strings.Contains(got, "Too few responses to show comments (n = 2; at least 8).") ||
			strings.Contains(got, "manager") {
			t.Errorf("eNPS quotes of two employees:\n%s", got)
		}
		got = f.run(slackAmbassador, "quotes promoters")
		if !strings.Contains(got, "“Delivery was quick and the driver was very polite, thank you so much” — 10 · order_delivered · 2026-11-23") ||
			strings.Contains(got, "courier") {
			t.Errorf("promoters' quotes:\n%s", got)
		}

		got = f.run(slackAmbassador, "digest")
		d, err := surveys.ComposeDigest(context.Background(), f.store, specs[0], f.settings, surveys.DigestThresholds{}, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got != d.Text() {
			t.Errorf("digest preview:\n%s\nwant the digest's text:\n%s", got, d.Text())
		}
		if got := f.run(slackAmbassador, "digest daly-voc"); !strings.Contains(got, "Did you mean /survey digest daily-voc?") {
			t.Errorf("unknown digest: %q", got)
		}
	})
}

// Every command is audited once, with who, where, what and the result.
func TestAmbassadorAuditCompleteness(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{TelegramBot: "acme_bot"})
		f.customer("cus_42", 5001)
		stranger := surveys.Address{Platform: surveys.Slack, UserID: "U0OTHER"}
		cmds := []struct {
			from                    surveys.Address
			roles                   []string
			text                    string
			action, target, command string
			result                  surveys.CommandResult
		}{
			{slackAmbassador, nil, "send nps cus_42", "survey.send", "cus_42", "/survey send nps cus_42", surveys.ResultOK},
			{slackAmbassador, nil, "send nps cus_42", "survey.send", "cus_42", "/survey send nps cus_42", surveys.ResultSkipped},
			{telegramAmbassador, nil, "/survey stats 90d", "survey.stats", "", "/survey stats 90d", surveys.ResultOK},
			{telegramAmbassador, nil, "/survey quotes nps", "survey.quotes", "nps", "/survey quotes nps", surveys.ResultOK},
			{discordAmbassador, []string{ambassadorRole}, "link cus_42", "survey.link", "cus_42", "/survey link cus_42", surveys.ResultOK},
			{discordAmbassador, []string{ambassadorRole}, "digest", "survey.digest", "", "/survey digest", surveys.ResultOK},
			{discordAmbassador, []string{ambassadorRole}, "help", "survey.help", "", "/survey help", surveys.ResultOK},
			{slackAmbassador, nil, "stats 30d", "survey", "", "stats 30d", surveys.ResultInvalid},
			{slackAmbassador, nil, "send npz cus_42", "survey.send", "cus_42", "/survey send npz cus_42", surveys.ResultInvalid},
			{stranger, nil, "send nps cus_42", "survey.send", "cus_42", "/survey send nps cus_42", surveys.ResultRefused},
			{stranger, nil, "gibberish", "survey", "", "gibberish", surveys.ResultRefused},
		}
		for _, c := range cmds {
			f.run(c.from, c.text, c.roles...)
		}
		records := f.audit()
		if len(records) != len(cmds) {
			t.Fatalf("%d audit records for %d commands", len(records), len(cmds))
		}
		for i, c := range cmds {
			r := records[i]
			if r.Actor != surveys.AmbassadorKey(c.from) || r.Platform != c.from.Platform || r.Action != c.action ||
				r.Target != c.target || r.Result != string(c.result) || !strings.HasPrefix(r.Detail, c.command+" → ") ||
				!r.At.Equal(f.clock.Now()) {
				t.Errorf("record %d = %+v, want %s on %s by %s: %s", i, r, c.command, c.target, surveys.AmbassadorKey(c.from), c.result)
			}
		}
		// The link's token is not in the log: it would let a reader link a chat.
		if d := records[4].Detail; strings.Contains(d, "start=") {
			t.Errorf("audited link detail %q holds the token", d)
		}
	})
}

// One router for every platform's commands: alert commands, typed whole
// ("/survey resolve a9", Telegram) or after the slash command (Slack), go
// to the alert desk and are not audited as ambassador commands; the rest
// to the ambassadors' desk.
func TestCommandsRouteAlertAndAmbassadorCommands(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{})
		alerts := surveys.NewAlertDesk(f.engine, f.store, nil, nil)
		router := surveys.NewCommands(alerts, f.desk)
		tests := []struct {
			name string
			req  surveys.CommandRequest
			want string
		}{
			{"telegram alert command", surveys.CommandRequest{ID: "tg:1", From: telegramAmbassador, Text: "/survey@acme_bot resolve a9"}, "There is no alert a9."},
			{"slack alert command", surveys.CommandRequest{From: slackAmbassador, Text: "reply a9 We are on it"}, "There is no alert a9."},
			{"discord alert command", surveys.CommandRequest{From: discordAmbassador, Text: "resolve a9 fixed"}, "There is no alert a9."},
			{"ambassador command", surveys.CommandRequest{From: discordAmbassador, Roles: []string{ambassadorRole}, Text: "help"}, "/survey send"},
		}
		for _, tt := range tests {
			r, err := router.Command(context.Background(), tt.req)
			if err != nil || !strings.Contains(r.Text, tt.want) {
				t.Errorf("%s: %q, %v; want %q", tt.name, r.Text, err, tt.want)
			}
		}
		if n := len(f.audit()); n != 1 {
			t.Errorf("%d ambassador commands audited, want 1 (the help)", n)
		}
		r, err := surveys.NewCommands(alerts, nil).Command(context.Background(), surveys.CommandRequest{From: slackAmbassador, Text: "stats"})
		if err != nil || r.Text != surveys.Refusal {
			t.Errorf("without an ambassadors' desk: %q, %v; want the refusal", r.Text, err)
		}
	})
}
