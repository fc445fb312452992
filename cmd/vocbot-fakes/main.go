// Command vocbot-fakes serves the platform fakes (bots/telegram/telegramtest
// and bots/slack/slacktest) as a separate process, so the reliability and
// performance harness in bench/ can kill, restart and scale real `vocbot
// serve` processes against platforms that outlive them.
//
// Each fake sits behind a front server on its own address. The front
// forwards every call and can break it on request: HTTP 5xx bursts, 429
// storms with retry_after, hangs (the client times out after the request
// was written), slow answers, and "applied, then the connection dropped".
// It also counts what the platform really applied: for Telegram, the
// surveys (messages sent with an inline keyboard) per chat.
//
// The fake Telegram enforces Telegram's flood limits (429 with
// retry_after; -telegram-limits=false turns them off) and /stats counts
// the 429s it answered under "limited".
//
// A control server (JSON over HTTP) adds users and channels, injects
// faults, plays users (button presses, typed text) and reads counters.
// On start the program prints one JSON line with the three base URLs.
//
// It is a test tool: nothing here talks to a real platform.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "vocbot-fakes:", err)
		os.Exit(1)
	}
}

// Endpoints is the line printed at start.
type Endpoints struct {
	TelegramAPIURL string `json:"telegram_api_url"` // format string for VOCBOT_TELEGRAM_API_URL
	SlackAPIURL    string `json:"slack_api_url"`    // for VOCBOT_SLACK_API_URL
	ControlURL     string `json:"control_url"`
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("vocbot-fakes", flag.ContinueOnError)
	tgAddr := fs.String("telegram-addr", "127.0.0.1:0", "listen address of the fake Telegram Bot API")
	slackAddr := fs.String("slack-addr", "127.0.0.1:0", "listen address of the fake Slack Web API")
	controlAddr := fs.String("control-addr", "127.0.0.1:0", "listen address of the control API")
	tgToken := fs.String("telegram-token", telegramtest.DefaultToken, "bot token the fake Telegram accepts")
	slackToken := fs.String("slack-token", slacktest.DefaultToken, "bot token the fake Slack accepts")
	tgLimits := fs.Bool("telegram-limits", true, "answer 429 to Telegram sends over Telegram's flood limits (30/s per bot, 1/s per chat, 20/min per group)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tg := telegramtest.New(*tgToken)
	defer tg.Close()
	if !*tgLimits {
		tg.SetLimits(telegramtest.Limits{})
	}
	slk := slacktest.NewServer(slacktest.Options{Token: *slackToken})
	defer slk.Close()

	f := newFakes(tg, slk)
	tgFront, err := serveOn(*tgAddr, f.front("telegram", tg.APIURL()))
	if err != nil {
		return err
	}
	slackFront, err := serveOn(*slackAddr, f.front("slack", slk.URL))
	if err != nil {
		return err
	}
	control, err := serveOn(*controlAddr, f.routes())
	if err != nil {
		return err
	}
	ep := Endpoints{
		TelegramAPIURL: "http://" + tgFront.addr + "/bot%s/%s",
		SlackAPIURL:    "http://" + slackFront.addr + "/api/",
		ControlURL:     "http://" + control.addr,
	}
	if err := json.NewEncoder(stdout).Encode(ep); err != nil {
		return err
	}
	<-ctx.Done()
	close(f.done) // hanging calls return
	for _, s := range []*listening{tgFront, slackFront, control} {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = s.srv.Shutdown(sctx)
		cancel()
	}
	return nil
}

type listening struct {
	addr string
	srv  *http.Server
}

func serveOn(addr string, h http.Handler) (*listening, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &listening{addr: ln.Addr().String(), srv: srv}, nil
}
