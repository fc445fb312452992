package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vocbot/vocbot/bots/discord/discordtest"
	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
)

// Vocbot runs one vocbot command, as `vocbot args...` would with the given
// environment variables; onListen, when not nil, learns serve's address.
// Package main provides it, so the tour runs the real commands.
type Vocbot func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, onListen func(addr string)) error

// Options are the tour's: `vocbot demo [--keep DIR] [--serve [--addr ADDR]]`.
type Options struct {
	// Keep is the directory that keeps the database, configuration, log and
	// chart; "" for a temporary directory removed at the end.
	Keep string
	// Serve keeps serving the dashboard and the web answer page on Addr
	// after the tour, until ctx ends (Ctrl-C).
	Serve bool
	Addr  string
	Out   io.Writer
	Run   Vocbot
}

// PublicURL is the address people reach a server listening on addr at:
// ":8080" and "0.0.0.0:8080" are http://localhost:8080.
func PublicURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		return "", fmt.Errorf("--addr %q: give a host:port with a fixed port, like :8080 or 127.0.0.1:8080", addr)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// tour is one run of the tour: the world, where it keeps its files, and
// the vocbot serving it.
type tour struct {
	opts    Options
	dir     string
	logPath string
	logFile *os.File
	vars    map[string]string
	say     func(format string, a ...any)
	tg      *telegramtest.Server
	slk     *slacktest.Server
	dc      *discordtest.Server
}

// Run plays the tour and, with Serve, keeps serving until ctx ends.
func Run(ctx context.Context, opts Options) error {
	start := time.Now()
	publicURL := ""
	if opts.Serve {
		u, err := PublicURL(opts.Addr)
		if err != nil {
			return err
		}
		publicURL = u
		// Say so now, not after the tour, if the address is taken.
		ln, err := net.Listen("tcp", opts.Addr)
		if err != nil {
			return fmt.Errorf("demo --serve: cannot listen on %s (%v): choose another address with --addr or VOCBOT_HTTP_ADDR", opts.Addr, err)
		}
		ln.Close()
	}
	t := &tour{opts: opts, dir: opts.Keep, say: func(format string, a ...any) { fmt.Fprintf(opts.Out, format+"\n", a...) }}
	if t.dir == "" {
		tmp, err := os.MkdirTemp("", "vocbot-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(tmp)
		t.dir = tmp
	} else if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	say := t.say

	t.tg = telegramtest.New("")
	defer t.tg.Close()
	t.slk = slacktest.NewServer(slacktest.Options{PostInterval: -1})
	defer t.slk.Close()
	t.slk.AddUser(slacktest.User{ID: ambassador, Name: "maya"})
	t.slk.AddChannel(slacktest.Channel{ID: digestChannel, Name: "cx-voice"})
	t.slk.AddChannel(slacktest.Channel{ID: alertChannel, Name: "cx-alerts"})
	t.dc = discordtest.NewServer(discordtest.Options{})
	defer t.dc.Close()
	t.dc.AddUser(discordtest.User{ID: discordAmbassador, Name: "noam"})
	t.dc.AddChannel(discordtest.Channel{ID: discordChannel, GuildID: discordGuild, Name: "cx-team"})
	for _, c := range customers {
		if c.Discord != "" {
			t.dc.AddUser(discordtest.User{ID: c.Discord, Name: strings.ToLower(c.Name)})
			continue
		}
		t.tg.AddUser(c.Chat, c.Locale)
	}

	// The digest is due at 09:00 their time every day; for the tour, the
	// second start moves it to the current minute so it goes out at once.
	if err := t.writeConfig(""); err != nil {
		return err
	}
	t.logPath = filepath.Join(t.dir, "vocbot.log")
	logFile, err := os.Create(t.logPath)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer logFile.Close()
	t.logFile = logFile
	dbPath := filepath.Join(t.dir, "vocbot.db")
	t.vars = map[string]string{
		"VOCBOT_CONFIG":               filepath.Join(t.dir, "vocbot.yaml"),
		"VOCBOT_DATABASE_URL":         "sqlite://" + dbPath,
		"VOCBOT_HTTP_ADDR":            "127.0.0.1:0",
		"VOCBOT_PUBLIC_URL":           publicURL,
		"VOCBOT_API_TOKENS":           APIToken,
		"VOCBOT_TELEGRAM_TOKEN":       t.tg.Token(),
		"VOCBOT_TELEGRAM_API_URL":     t.tg.APIURL(),
		"VOCBOT_SLACK_BOT_TOKEN":      slacktest.DefaultToken,
		"VOCBOT_SLACK_SIGNING_SECRET": signingSecret,
		"VOCBOT_SLACK_API_URL":        t.slk.URL,
		"VOCBOT_LOG_FORMAT":           "text",
		"VOCBOT_LOG_LEVEL":            "info",
	}
	for k, v := range t.dc.Env(true) { // HTTP interactions: the demo plays Discord posting to serve
		t.vars[k] = v
	}
	srv, err := t.serve(ctx)
	if err != nil {
		return err
	}
	defer srv.stop()

	say("vocbot demo: an offline tour. SQLite in %s, fake Telegram, Slack and Discord in this process.", t.dir)
	say("")
	if err := t.touchpoints(ctx, srv.base); err != nil {
		return err
	}
	say("")
	say("2. Customers answer in Telegram and on Discord, each in their own language")
	dcClient := &discordtest.Client{Server: t.dc}
	for _, c := range customers {
		talk := func() error { return conversation(ctx, t.tg, c, say) }
		if c.Discord != "" {
			talk = func() error { return discordConversation(ctx, t.dc, dcClient, srv.base, c, say) }
		}
		if err := talk(); err != nil {
			return t.logged(err)
		}
	}
	say("")
	if err := t.closeTheLoop(ctx, srv.base); err != nil {
		return t.logged(err)
	}

	// The next morning: the tour's answers move to yesterday, eight weeks of
	// earlier invitations fill the trend and the response rates, and the
	// digest (09:00 on a normal day) is due now; the leader's minute tick
	// posts it, once for today.
	if err := srv.stop(); err != nil {
		return err
	}
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := history(ctx, t.vars["VOCBOT_DATABASE_URL"], time.Now(), loc); err != nil {
		return err
	}
	if err := t.writeConfig(fmt.Sprintf(digestSection, time.Now().In(loc).Format("15:04"))); err != nil {
		return err
	}
	signin := ""
	if opts.Serve {
		t.vars["VOCBOT_HTTP_ADDR"] = opts.Addr
		// SQLite is one process's: the link is made before serve opens it.
		if signin, err = t.signInLink(ctx); err != nil {
			return t.logged(err)
		}
	}
	srv, err = t.serve(ctx)
	if err != nil {
		return err
	}
	defer srv.stop()
	say("")
	say("4. The next morning's Voice-of-Customer digest in Slack #cx-voice")
	say("   (the tour's answers are moved to yesterday; eight weeks of earlier invitations are added: about %d%% answered,", int(answerRate*100))
	say("   quieter on weekends, and NPS rising since the shop switched couriers %d days ago; the detractors among them raised", changeDay)
	say("   alerts the team handled, mostly within the %s first-reply target, with recovery surveys %s after resolution)", formatHours(firstReplyWithin), formatHours(recoveryDelay))
	wctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	digest, err := t.slk.WaitMessage(wctx, func(m slacktest.Message) bool { return m.Channel == digestChannel })
	if err != nil {
		return t.logged(fmt.Errorf("demo: the digest was not posted: %w", err))
	}
	say("%s", indent(blockText(digest), "   │ "))
	if f, err := t.slk.WaitFile(wctx, func(f slacktest.File) bool { return f.Completed }); err == nil {
		chartPath := filepath.Join(os.TempDir(), "vocbot-demo-"+f.Name)
		if opts.Keep != "" {
			chartPath = filepath.Join(t.dir, f.Name)
		}
		if err := os.WriteFile(chartPath, f.Data, 0o644); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		say("   chart (in the digest's thread): %s", chartPath)
	} else {
		say("   (the chart did not arrive: see %s)", t.logPath)
	}
	say("")
	if err := t.ambassadors(ctx, dcClient, srv.base); err != nil {
		return t.logged(err)
	}
	say("")
	if opts.Keep != "" {
		say("Database: %s (open it again with VOCBOT_DATABASE_URL=sqlite://%s)", dbPath, dbPath)
	} else {
		say("Database: removed with the temporary directory at the end (use --keep DIR to keep it)")
	}
	if opts.Serve {
		if err := t.open(ctx, publicURL, srv.base, signin); err != nil {
			return t.logged(err)
		}
		say("")
		say("Tour done in %s. Serving %s until Ctrl-C. Log: %s", time.Since(start).Round(100*time.Millisecond), publicURL, t.logPath)
		<-ctx.Done()
		return srv.stop()
	}
	if err := srv.stop(); err != nil {
		return err
	}
	say("Done in %s. Log: %s", time.Since(start).Round(100*time.Millisecond), map[bool]string{true: t.logPath, false: "(removed with the temporary directory; use --keep DIR)"}[opts.Keep != ""])
	return nil
}

// formatHours writes d as the configuration does: "4h".
func formatHours(d time.Duration) string { return fmt.Sprintf("%dh", int(d.Hours())) }

// logged adds where to read more to an error.
func (t *tour) logged(err error) error { return fmt.Errorf("%w (log: %s)", err, t.logPath) }

func (t *tour) writeConfig(digests string) error {
	webLink := ""
	if t.opts.Serve {
		webLink = "    web_link: true\n"
	}
	if err := os.WriteFile(filepath.Join(t.dir, "vocbot.yaml"), []byte(fmt.Sprintf(configYAML, webLink, digests)), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// touchpoints is step 1: the shop reports what happened to each customer.
func (t *tour) touchpoints(ctx context.Context, base string) error {
	t.say("1. The shop reports touchpoints (POST /v1/touchpoints/batch)")
	var batch []map[string]any
	for _, c := range customers {
		customer := map[string]any{"id": c.ID, "name": c.Name, "locale": c.Locale, "telegram_chat_id": c.Chat}
		if c.Discord != "" {
			customer = map[string]any{"id": c.ID, "name": c.Name, "locale": c.Locale, "discord_user_id": c.Discord}
		}
		batch = append(batch, map[string]any{
			"id": "demo-" + c.ID, "type": c.Touchpoint,
			"customer":   customer,
			"attributes": map[string]any{"region": map[bool]string{true: "north", false: "south"}[c.Chat%2 == 1]},
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
	if err := post(ctx, base+"/v1/touchpoints/batch", map[string]any{"touchpoints": batch}, &res); err != nil {
		return err
	}
	for i, r := range res.Results {
		c := customers[i]
		t.say("   %-16s %-10s %s → %s: %s", c.Touchpoint, c.ID, c.Locale, r.Invitation.Survey, r.Invitation.Detail)
	}
	return nil
}

// ambassadors is step 5: the team asks in Slack and on Discord.
func (t *tour) ambassadors(ctx context.Context, dcClient *discordtest.Client, base string) error {
	t.say("5. CX ambassadors ask in Slack and on Discord")
	for _, text := range []string{"stats nps 7d", "send nps cus_ivan", "quotes nps detractors"} {
		reply, err := slashCommand(ctx, t.slk, base, teamChannel, text)
		if err != nil {
			return err
		}
		t.say("   maya: /survey %s", text)
		t.say("%s", indent(reply, "   vocbot │ "))
	}
	reply, err := discordStats(ctx, t.dc, dcClient, base)
	if err != nil {
		return err
	}
	t.say("   noam on Discord: /survey stats survey:nps window:7d (a member with the ambassador role; only noam sees the reply)")
	t.say("%s", indent(reply, "   vocbot │ "))
	return nil
}

// signInLink is a one-time link to the dashboard, from `vocbot dashboard
// link` as an operator gets one.
func (t *tour) signInLink(ctx context.Context) (string, error) {
	var link, errOut bytes.Buffer
	if err := t.opts.Run(ctx, []string{"dashboard", "link", "--ttl", "1h"}, t.getenv, &link, &errOut, nil); err != nil {
		return "", fmt.Errorf("demo: vocbot dashboard link: %w %s", err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimSpace(link.String()), nil
}

// open is --serve's last step: a web answer link for a customer the shop
// can reach only by e-mail, the dashboard's sign-in link, and the API token.
func (t *tour) open(ctx context.Context, publicURL, base, signin string) error {
	t.say("")
	t.say("6. The dashboard and the web answer page, on %s", publicURL)
	var res struct {
		Invitation struct {
			WebURL string `json:"web_url"`
		} `json:"invitation"`
	}
	c := webCustomer
	if err := post(ctx, base+"/v1/touchpoints", map[string]any{"id": "demo-" + c.ID, "type": c.Touchpoint,
		"customer": map[string]any{"id": c.ID, "name": c.Name, "locale": c.Locale}}, &res); err != nil {
		return err
	}
	if res.Invitation.WebURL == "" {
		return fmt.Errorf("demo: %s's touchpoint got no web answer link", c.Name)
	}
	t.say("   %s (%s) has no chat the shop knows, only an e-mail address; the link to send her:", c.Name, c.Locale)
	t.say("   %s", res.Invitation.WebURL)
	t.say("   Sign in to the dashboard (the link works once, for an hour):")
	t.say("   %s", signin)
	t.say("   API: curl -H 'Authorization: Bearer %s' %s/v1/scores", APIToken, publicURL)
	return nil
}

func (t *tour) getenv(k string) string { return t.vars[k] }

// server is 'vocbot serve' running in this process.
type server struct {
	base string
	stop func() error
}

func (t *tour) serve(ctx context.Context) (*server, error) {
	serveCtx, cancel := context.WithCancel(ctx)
	addr := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- t.opts.Run(serveCtx, []string{"serve"}, t.getenv, io.Discard, t.logFile, func(a string) { addr <- a })
	}()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		if err := <-served; err != nil {
			return t.logged(fmt.Errorf("demo: vocbot serve: %w", err))
		}
		return nil
	}
	select {
	case a := <-addr:
		s := &server{base: "http://" + a, stop: stop}
		if err := waitReady(ctx, s.base); err != nil {
			_ = stop()
			return nil, t.logged(err)
		}
		return s, nil
	case err := <-served:
		cancel()
		return nil, t.logged(fmt.Errorf("demo: vocbot serve stopped: %v", err))
	case <-time.After(30 * time.Second):
		_ = stop()
		return nil, t.logged(fmt.Errorf("demo: vocbot serve did not start within 30 s"))
	}
}
