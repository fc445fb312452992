package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/vocbot/vocbot/bots/discord/discordtest"
	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// demoCustomer is a simulated customer: who they are, what happened to
// them, and how they answer.
type demoCustomer struct {
	id, name, locale string
	chat             int64  // their Telegram chat
	discord          string // or their Discord user id: they answer there
	touchpoint       string // touchpoint type, mapped to a survey by the demo's rules
	score            int
	comment          string
}

var demoCustomers = []demoCustomer{
	{"cus_dana", "Dana", "he", 1001, "", "order_delivered", 9, "השליח הגיע בזמן והיה אדיב מאוד"},
	{"cus_reza", "Reza", "fa", 1002, "", "order_delivered", 4, "بسته دیر رسید و کسی جواب تلفن را نداد. شماره من ۰۹۱۲۳۴۵۶۷۸۹ است"},
	{"cus_layla", "Layla", "ar", 1003, "", "ticket_closed", 5, "حل الموظف مشكلتي بسرعة، شكراً"},
	{"cus_ivan", "Ivan", "ru", 1004, "", "order_delivered", 10, "Всё отлично, курьер позвонил заранее"},
	{"cus_emma", "Emma", "en", 1005, "", "ticket_closed", 2, "Took three emails to get an answer. Reach me at emma@example.com"},
	{"cus_noa", "Noa", "he", 1006, "", "order_delivered", 3, "ההזמנה הגיעה שבורה, ואף אחד לא חזר אליי"},
	{"cus_omid", "Omid", "fa", 1007, "", "order_delivered", 10, "خیلی سریع و مرتب بود"},
	{"cus_john", "John", "en", 1008, "", "order_delivered", 8, "skip"},
	{"cus_tamar", "Tamar", "en", 0, demoDiscordCustomer, "order_delivered", 6, "The app froze twice at checkout"},
}

const (
	demoAPIToken      = "demo-api-token-0123456789abcdef"
	demoSigningSecret = "demo-signing-secret-0123456789ab"
	demoAmbassador    = "U0AMBASSADOR"
	demoDigestChannel = "C0VOICE"
	demoAlertChannel  = "C0ALERTS"

	demoDiscordCustomer   = "910000000000000001"
	demoDiscordAmbassador = "920000000000000001"
	demoDiscordGuild      = "930000000000000001"
	demoDiscordChannel    = "940000000000000001"
	demoDiscordRole       = "950000000000000001"
)

// demoDigest is the digest section; %s is its local time.
const demoDigest = `digests:
  - id: daily-voc
    to: slack:` + demoDigestChannel + `
    at: "%s"
    timezone: Asia/Jerusalem
    days: [sun, mon, tue, wed, thu, fri, sat]
    surveys: [nps, csat]
    quotes: 5
    locale: en
`

const demoConfig = `product: Acme
timezone: Asia/Jerusalem
default_locale: en
surveys:
  - id: nps
    metric: nps
    follow_up: true
    expires_after: 72h
  - id: csat
    metric: csat
    follow_up: true
    expires_after: 72h
touchpoints:
  - type: order_delivered
    survey: nps
    delay: 0s
  - type: ticket_closed
    survey: csat
    delay: 0s
fatigue:
  min_gap: 720h
%salerts:
  - to: slack:` + demoAlertChannel + `
    on: detractor
ambassadors:
  slack_users: [` + demoAmbassador + `]
  discord_roles: ["` + demoDiscordRole + `"]
`

func demoCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "demo", "", "An offline end-to-end tour with no tokens: an embedded SQLite database, in-process fake\n"+
		"Telegram, Slack and Discord, simulated customers in five languages answering surveys after\n"+
		"touchpoints, the next morning's digest as it is posted, with its trend chart, and ambassadors' commands.")
	keep := fs.String("keep", "", "keep the database and files in `DIR` (default: a temporary directory removed at the end)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo takes no arguments, got %q", fs.Args())
	}
	start := time.Now()
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "vocbot-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	out := env.stdout
	say := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }

	tg := telegramtest.New("")
	defer tg.Close()
	slk := slacktest.NewServer(slacktest.Options{PostInterval: -1})
	defer slk.Close()
	slk.AddUser(slacktest.User{ID: demoAmbassador, Name: "maya"})
	slk.AddChannel(slacktest.Channel{ID: demoDigestChannel, Name: "cx-voice"})
	slk.AddChannel(slacktest.Channel{ID: demoAlertChannel, Name: "cx-alerts"})
	dc := discordtest.NewServer(discordtest.Options{})
	defer dc.Close()
	dc.AddUser(discordtest.User{ID: demoDiscordAmbassador, Name: "noam"})
	dc.AddChannel(discordtest.Channel{ID: demoDiscordChannel, GuildID: demoDiscordGuild, Name: "cx-team"})
	for _, c := range demoCustomers {
		if c.discord != "" {
			dc.AddUser(discordtest.User{ID: c.discord, Name: strings.ToLower(c.name)})
			continue
		}
		tg.AddUser(c.chat, c.locale)
	}

	// The digest is due at 09:00 their time every day; for the tour, the
	// second start moves it to the current minute so it goes out at once.
	cfgPath := filepath.Join(dir, "vocbot.yaml")
	writeConfig := func(digests string) error {
		if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(demoConfig, digests)), 0o600); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		return nil
	}
	if err := writeConfig(""); err != nil {
		return err
	}
	logPath := filepath.Join(dir, "vocbot.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer logFile.Close()
	vars := map[string]string{
		"VOCBOT_CONFIG":               cfgPath,
		"VOCBOT_DATABASE_URL":         "sqlite://" + filepath.Join(dir, "vocbot.db"),
		"VOCBOT_HTTP_ADDR":            "127.0.0.1:0",
		"VOCBOT_API_TOKENS":           demoAPIToken,
		"VOCBOT_TELEGRAM_TOKEN":       tg.Token(),
		"VOCBOT_TELEGRAM_API_URL":     tg.APIURL(),
		"VOCBOT_SLACK_BOT_TOKEN":      slacktest.DefaultToken,
		"VOCBOT_SLACK_SIGNING_SECRET": demoSigningSecret,
		"VOCBOT_SLACK_API_URL":        slk.URL,
		"VOCBOT_LOG_FORMAT":           "text",
		"VOCBOT_LOG_LEVEL":            "info",
	}
	for k, v := range dc.Env(true) { // HTTP interactions: the demo plays Discord posting to serve
		vars[k] = v
	}
	srv, err := demoServe(ctx, vars, logFile, logPath)
	if err != nil {
		return err
	}
	defer srv.stop()
	base := srv.base

	say("vocbot demo: an offline tour. SQLite in %s, fake Telegram, Slack and Discord in this process.", dir)
	say("")
	say("1. The shop reports touchpoints (POST /v1/touchpoints/batch)")
	var batch []map[string]any
	for _, c := range demoCustomers {
		customer := map[string]any{"id": c.id, "name": c.name, "locale": c.locale, "telegram_chat_id": c.chat}
		if c.discord != "" {
			customer = map[string]any{"id": c.id, "name": c.name, "locale": c.locale, "discord_user_id": c.discord}
		}
		batch = append(batch, map[string]any{
			"id": "demo-" + c.id, "type": c.touchpoint,
			"customer":   customer,
			"attributes": map[string]any{"region": map[bool]string{true: "north", false: "south"}[c.chat%2 == 1]},
		})
	}
	var res struct {
		Results []struct {
			Status     int `json:"status"`
			Invitation struct {
				Survey string `json:"survey"`
				Detail string `json:"detail"`
			} `json:"invitation"`
		} `json:"results"`
	}
	if err := demoPost(ctx, base+"/v1/touchpoints/batch", map[string]any{"touchpoints": batch}, &res); err != nil {
		return err
	}
	for i, r := range res.Results {
		c := demoCustomers[i]
		say("   %-16s %-10s %s → %s: %s", c.touchpoint, c.id, c.locale, r.Invitation.Survey, r.Invitation.Detail)
	}

	say("")
	say("2. Customers answer in Telegram and on Discord, each in their own language")
	dcClient := &discordtest.Client{Server: dc}
	for _, c := range demoCustomers {
		talk := func() error { return demoConversation(ctx, tg, c, say) }
		if c.discord != "" {
			talk = func() error { return demoDiscordConversation(ctx, dc, dcClient, base, c, say) }
		}
		if err := talk(); err != nil {
			return fmt.Errorf("%w (log: %s)", err, logPath)
		}
	}

	// The next morning: the tour's answers move to yesterday, four weeks of
	// earlier answers fill the trend, and the digest (09:00 on a normal
	// day) is due now; the leader's minute tick posts it, once for today.
	if err := srv.stop(); err != nil {
		return err
	}
	if err := demoHistory(ctx, vars["VOCBOT_DATABASE_URL"]); err != nil {
		return err
	}
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := writeConfig(fmt.Sprintf(demoDigest, time.Now().In(loc).Format("15:04"))); err != nil {
		return err
	}
	srv, err = demoServe(ctx, vars, logFile, logPath)
	if err != nil {
		return err
	}
	defer srv.stop()
	say("")
	say("3. The next morning's Voice-of-Customer digest in Slack #cx-voice")
	say("   (the tour's answers are moved to yesterday, and eight weeks of earlier answers are added for the trend)")
	wctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	digest, err := slk.WaitMessage(wctx, func(m slacktest.Message) bool { return m.Channel == demoDigestChannel })
	if err != nil {
		return fmt.Errorf("demo: the digest was not posted: %w (log: %s)", err, logPath)
	}
	say("%s", indent(blockText(digest), "   │ "))
	chartPath := ""
	if f, err := slk.WaitFile(wctx, func(f slacktest.File) bool { return f.Completed }); err == nil {
		chartPath = filepath.Join(os.TempDir(), "vocbot-demo-"+f.Name)
		if *keep != "" {
			chartPath = filepath.Join(dir, f.Name)
		}
		if err := os.WriteFile(chartPath, f.Data, 0o644); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		say("   chart (in the digest's thread): %s", chartPath)
	} else {
		say("   (the chart did not arrive: see %s)", logPath)
	}
	say("")
	say("4. CX ambassadors ask in Slack and on Discord")
	slackClient := &slacktest.Client{SigningSecret: demoSigningSecret}
	for _, text := range []string{"stats nps 7d", "send nps cus_ivan", "quotes nps detractors"} {
		reply, err := demoSlashCommand(ctx, slackClient, srv.base, text)
		if err != nil {
			return fmt.Errorf("%w (log: %s)", err, logPath)
		}
		say("   maya: /survey %s", text)
		say("%s", indent(reply, "   vocbot │ "))
	}
	reply, err := demoDiscordStats(ctx, dc, dcClient, srv.base)
	if err != nil {
		return fmt.Errorf("%w (log: %s)", err, logPath)
	}
	say("   noam on Discord: /survey stats survey:nps window:7d (a member with the ambassador role; only noam sees the reply)")
	say("%s", indent(reply, "   vocbot │ "))

	if err := srv.stop(); err != nil {
		return err
	}
	say("")
	say("Done in %s. Log: %s", time.Since(start).Round(100*time.Millisecond), map[bool]string{true: logPath, false: "(removed with the temporary directory; use --keep DIR)"}[*keep != ""])
	return nil
}

// demoConversation plays one customer: wait for the survey, tap the score,
// answer "why?" (or skip it), read the thanks.
func demoConversation(ctx context.Context, tg *telegramtest.Server, c demoCustomer, say func(string, ...any)) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	survey, err := demoNextBotMessage(ctx, tg, c.chat, 0)
	if err != nil {
		return fmt.Errorf("demo: %s got no survey: %w", c.name, err)
	}
	say("   ── %s (%s)", c.name, c.locale)
	say("%s", indent(survey.Text, "      bot │ "))
	var buttons []telegramtest.Button
	for _, row := range survey.Keyboard {
		buttons = append(buttons, row...)
	}
	if len(buttons) == 0 {
		return fmt.Errorf("demo: %s's survey has no buttons", c.name)
	}
	first := 0
	if len(buttons) < 11 {
		first = 1 // 1–5 and 1–7 scales
	}
	b := buttons[c.score-first]
	if _, err := tg.PressButton(c.chat, survey.ID, b.Text); err != nil {
		return fmt.Errorf("demo: %s pressing %s: %w", c.name, b.Text, err)
	}
	say("      %s taps [%s]", c.name, b.Text)
	followUp, err := demoNextBotMessage(ctx, tg, c.chat, survey.ID)
	if err != nil {
		return fmt.Errorf("demo: %s got no follow-up: %w", c.name, err)
	}
	say("%s", indent(followUp.Text, "      bot │ "))
	tg.SendText(c.chat, c.comment)
	say("%s", indent(c.comment, fmt.Sprintf("%6s │ ", c.name)))
	thanks, err := demoNextBotMessage(ctx, tg, c.chat, followUp.ID)
	if err != nil {
		return fmt.Errorf("demo: %s got no thanks: %w", c.name, err)
	}
	say("%s", indent(thanks.Text, "      bot │ "))
	return nil
}

// demoNextBotMessage waits for the first bot message after message id after.
func demoNextBotMessage(ctx context.Context, tg *telegramtest.Server, chat int64, after int) (telegramtest.Message, error) {
	var found telegramtest.Message
	err := tg.Wait(ctx, func() bool {
		for _, m := range tg.Sent(chat) {
			if m.FromBot && m.ID > after {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

func indent(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func demoWaitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("demo: vocbot did not become ready within 30 s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func demoPost(ctx context.Context, url string, body, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+demoAPIToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("demo: %s answered %d: %s", url, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// demoServer is 'vocbot serve' running in this process.
type demoServer struct {
	base string
	stop func() error
}

func demoServe(ctx context.Context, vars map[string]string, logFile io.Writer, logPath string) (*demoServer, error) {
	serveCtx, cancel := context.WithCancel(ctx)
	addr := make(chan string, 1)
	served := make(chan error, 1)
	senv := &environment{getenv: func(k string) string { return vars[k] }, stdout: io.Discard, stderr: logFile,
		onListen: func(a string) { addr <- a }}
	go func() { served <- runEnv(serveCtx, []string{"serve"}, senv) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		if err := <-served; err != nil {
			return fmt.Errorf("demo: vocbot serve: %w (log: %s)", err, logPath)
		}
		return nil
	}
	select {
	case a := <-addr:
		s := &demoServer{base: "http://" + a, stop: stop}
		if err := demoWaitReady(ctx, s.base); err != nil {
			_ = stop()
			return nil, fmt.Errorf("%w (log: %s)", err, logPath)
		}
		return s, nil
	case err := <-served:
		cancel()
		return nil, fmt.Errorf("demo: vocbot serve stopped: %v (log: %s)", err, logPath)
	case <-time.After(30 * time.Second):
		_ = stop()
		return nil, fmt.Errorf("demo: vocbot serve did not start within 30 s (log: %s)", logPath)
	}
}

// demoSlashCommand sends "/survey text" as the ambassador, signed like Slack.
func demoSlashCommand(ctx context.Context, c *slacktest.Client, base, text string) (string, error) {
	resp, err := c.SlashCommand(ctx, slacktest.URL(http.DefaultClient, base+"/slack/commands"),
		slacktest.Command{User: demoAmbassador, Channel: "C0CXTEAM", Text: text})
	if err != nil {
		return "", fmt.Errorf("demo: /survey %s: %w", text, err)
	}
	defer resp.Body.Close()
	var reply struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("demo: /survey %s: status %d, %v", text, resp.StatusCode, err)
	}
	return reply.Text, nil
}

// blockText reads a Block Kit message the way a person sees it: every
// text of every block, in order.
func blockText(m slacktest.Message) string {
	var blocks []any
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil || len(blocks) == 0 {
		return m.Text
	}
	var lines []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if t, ok := v["text"].(string); ok {
				if typ, _ := v["type"].(string); typ == "mrkdwn" || typ == "plain_text" {
					lines = append(lines, t)
					return
				}
			}
			for _, k := range []string{"text", "fields", "elements"} {
				if inner, ok := v[k]; ok {
					walk(inner)
				}
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(blocks)
	return strings.Join(lines, "\n")
}

// demoHistory moves the tour's answers to yesterday and adds eight weeks of
// simulated earlier answers, improving over time, in five languages.
func demoHistory(ctx context.Context, dbURL string) error {
	db, err := storage.Open(ctx, dbURL, storage.Options{})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer db.Close()
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	store := storage.NewStore(db, jobs)
	if err := store.Backdate(ctx, 24*time.Hour); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	rng := rand.New(rand.NewPCG(42, 2026))
	comments := map[string][]string{
		"en": {"Fast delivery, thanks", "The courier could not find the entrance", "Support answered within minutes", "Package was damaged"},
		"he": {"משלוח מהיר, תודה", "השירות היה מעולה", "חיכיתי יותר מדי לתשובה"},
		"ru": {"Быстро и удобно", "Курьер опоздал на два часа", "Отличная поддержка"},
		"ar": {"خدمة ممتازة", "تأخر الطلب كثيراً"},
		"fa": {"ارسال سریع بود", "پشتیبانی پاسخ نداد"},
	}
	locales := []string{"en", "he", "ru", "ar", "fa"}
	now := time.Now().UTC()
	var past []surveys.Response
	for day := 56; day >= 2; day-- {
		improve := float64(56-day) / 56 // answers get better over the weeks
		for i := range 6 {
			loc := locales[rng.IntN(len(locales))]
			r := surveys.Response{
				CustomerID: fmt.Sprintf("cus_hist_%d_%d", day, i), SurveyID: "nps", Metric: surveys.NPS,
				Locale: loc, Platform: surveys.Telegram, TouchpointType: "order_delivered",
				Attributes: map[string]string{"region": []string{"north", "south"}[rng.IntN(2)]},
				AnsweredAt: now.Add(-time.Duration(day)*24*time.Hour - time.Duration(rng.IntN(8))*time.Hour),
			}
			r.Score = min(10, max(0, int(6.5+improve*2.5+rng.NormFloat64()*2)))
			if i%3 == 0 {
				csat := r
				csat.CustomerID += "_c"
				csat.SurveyID, csat.Metric, csat.TouchpointType = "csat", surveys.CSAT, "ticket_closed"
				csat.Score = min(5, max(1, int(3+improve*1.5+rng.NormFloat64())))
				past = append(past, csat)
			}
			if rng.IntN(2) == 0 {
				pool := comments[loc]
				r.Comment = pool[rng.IntN(len(pool))]
				r.CommentAt = r.AnsweredAt.Add(time.Minute)
			}
			past = append(past, r)
		}
	}
	if err := store.ImportHistory(ctx, "demo-history", past); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// demoDiscordConversation plays a customer on Discord, as Discord would
// post their interactions to serve: wait for the survey DM, press the
// score, open the "why?" form and submit it, read the thanks.
func demoDiscordConversation(ctx context.Context, dc *discordtest.Server, client *discordtest.Client, base string, c demoCustomer, say func(string, ...any)) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	to := discordtest.URL(nil, base+"/discord/interactions")
	who := discordtest.Invoker{UserID: c.discord, Locale: c.locale}
	dm, ok := dc.DM(c.discord)
	if !ok {
		return fmt.Errorf("demo: %s is not a Discord user of the fake", c.name)
	}
	survey, err := demoNextDiscordMessage(ctx, dc, dm, "")
	if err != nil {
		return fmt.Errorf("demo: %s got no survey on Discord: %w", c.name, err)
	}
	say("   ── %s (%s) on Discord", c.name, c.locale)
	say("%s", indent(discordText(survey.Content), "      bot │ "))
	buttons := survey.Buttons()
	if len(buttons) == 0 {
		return fmt.Errorf("demo: %s's survey has no buttons", c.name)
	}
	label := fmt.Sprint(c.score)
	if res, err := client.PressLabel(ctx, to, who, survey.ID, label); err != nil || res.Response == nil {
		return fmt.Errorf("demo: %s pressing %s on Discord: status %d, %v", c.name, label, res.Status, err)
	}
	say("      %s taps [%s]", c.name, label)
	why, err := demoNextDiscordMessage(ctx, dc, dm, survey.ID)
	if err != nil {
		return fmt.Errorf("demo: %s got no follow-up on Discord: %w", c.name, err)
	}
	say("%s", indent(discordText(why.Content), "      bot │ "))
	write := why.Buttons()
	if len(write) == 0 {
		return fmt.Errorf("demo: %s's follow-up has no button to write an answer", c.name)
	}
	res, err := client.PressLabel(ctx, to, who, why.ID, write[0].Label)
	if err != nil || res.Response == nil || res.Response.Modal == nil {
		return fmt.Errorf("demo: %s's [%s] opened no form: %v", c.name, write[0].Label, err)
	}
	why, _ = dc.Message(why.ID)
	if res, err := client.Submit(ctx, to, who, why, *res.Response.Modal, c.comment); err != nil || res.Response == nil {
		return fmt.Errorf("demo: %s's answer in the form: status %d, %v", c.name, res.Status, err)
	}
	say("      %s taps [%s] and writes in the form:", c.name, write[0].Label)
	say("%s", indent(c.comment, fmt.Sprintf("%6s │ ", c.name)))
	thanks, err := demoNextDiscordMessage(ctx, dc, dm, why.ID)
	if err != nil {
		return fmt.Errorf("demo: %s got no thanks on Discord: %w", c.name, err)
	}
	say("%s", indent(discordText(thanks.Content), "      bot │ "))
	return nil
}

// demoNextDiscordMessage waits for the first message the bot posts in
// channel after the message with id after ("" for the first).
func demoNextDiscordMessage(ctx context.Context, dc *discordtest.Server, channel, after string) (discordtest.Message, error) {
	var found discordtest.Message
	err := dc.Wait(ctx, func() bool {
		seen := after == ""
		for _, m := range dc.Messages(channel) {
			switch {
			case m.ID == after:
				seen = true
			case seen && m.AuthorID == dc.BotID() && m.Interaction == "":
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// demoDiscordStats is an ambassador's /survey stats in a server channel,
// answered privately (at once, or deferred and finished later).
func demoDiscordStats(ctx context.Context, dc *discordtest.Server, client *discordtest.Client, base string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	who := discordtest.Invoker{UserID: demoDiscordAmbassador, ChannelID: demoDiscordChannel, GuildID: demoDiscordGuild, Roles: []string{demoDiscordRole}}
	res, err := client.Command(ctx, discordtest.URL(nil, base+"/discord/interactions"), who, "survey", "stats",
		discordtest.Option{Name: "survey", Value: "nps"}, discordtest.Option{Name: "window", Value: "7d"})
	if err != nil || res.Response == nil {
		return "", fmt.Errorf("demo: /survey stats on Discord: status %d, %v", res.Status, err)
	}
	var reply discordtest.Message
	err = dc.Wait(ctx, func() bool {
		var ok bool
		reply, ok = dc.Original(res.ID)
		return ok && !reply.Deferred
	})
	if err != nil {
		return "", fmt.Errorf("demo: /survey stats on Discord got no reply: %w", err)
	}
	return discordText(reply.Content), nil
}

// discordEscape is markdown escaping as Discord messages carry it.
var discordEscape = regexp.MustCompile(`\\([\\*_~` + "`" + `|>#\[\]<+.-])`)

// discordText is a message's content as Discord shows it: without the
// backslashes that keep customers' text from being read as markdown.
func discordText(content string) string { return discordEscape.ReplaceAllString(content, "$1") }
