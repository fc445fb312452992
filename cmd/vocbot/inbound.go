package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/vocbot/vocbot/bots/slack"
	"github.com/vocbot/vocbot/bots/telegram"
	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// handler is where chat updates go: ambassadors' /survey commands to the
// desk (answered in the chat they came from), everything else to the Engine.
func (a *adapters) handler(engine *surveys.Engine, desk *surveys.AmbassadorDesk) surveys.Handler {
	if a.telegram == nil {
		return engine
	}
	return desk.Route(engine, a.telegram)
}

// routes adds the platforms' inbound endpoints (webhooks, signed requests)
// to mux; each adapter verifies its own requests before h sees anything.
// Slack's /survey commands go to cmds.
func (a *adapters) routes(mux *http.ServeMux, cfg *config.Config, h surveys.Handler, cmds slack.CommandHandler) {
	if a.telegram != nil && cfg.Telegram.Mode == "webhook" {
		mux.Handle("POST "+telegram.WebhookPath, a.telegram.WebhookHandler(h, cfg.Telegram.WebhookSecret))
	}
	if a.slack != nil {
		mux.Handle("POST /slack/events", a.slack.EventsHandler(h))
		mux.Handle("POST /slack/interactivity", a.slack.InteractivityHandler(h))
		mux.Handle("POST /slack/commands", a.slack.CommandsHandler(cmds))
	}
}

// receive starts what pulls updates or registers for them: Slack's Socket
// Mode when VOCBOT_SLACK_APP_TOKEN is set, Telegram's webhook registration,
// or its long polling held by one replica at a time. Slack's envelopes go to
// h and its /survey commands to cmds, as over HTTP. The returned function
// waits (briefly) for the receivers to stop after ctx ends.
func (a *adapters) receive(ctx context.Context, cfg *config.Config, db *storage.DB, h surveys.Handler, cmds slack.CommandHandler, log *slog.Logger) (wait func(), err error) {
	if a.telegram != nil && cfg.Telegram.Mode == "webhook" {
		if err := a.telegram.RegisterWebhook(ctx, cfg.HTTP.PublicURL, cfg.Telegram.WebhookSecret); err != nil {
			return nil, err
		}
		log.Info("telegram webhook registered", "url", cfg.HTTP.PublicURL+telegram.WebhookPath)
	}
	var running sync.WaitGroup
	if a.telegram != nil && cfg.Telegram.Mode != "webhook" {
		running.Go(func() { pollExclusively(ctx, db, a.telegram, h, log.With("platform", "telegram")) })
	}
	if a.slack != nil && cfg.Slack.AppToken != "" {
		// No lock, unlike Telegram polling: Slack spreads an app's envelopes
		// over all its connections (up to 10), each to one of them, so every
		// replica may hold one.
		running.Go(func() {
			if err := a.slack.RunSocketMode(ctx, cfg.Slack.AppToken, h, cmds); err != nil {
				log.Error("slack socket mode stopped: answers and commands from Slack no longer arrive", "platform", "slack", "err", err)
			}
		})
	}
	return func() {
		stopped := make(chan struct{})
		go func() { running.Wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(2 * time.Second): // a long poll in flight ends by itself
		}
	}, nil
}

// pollExclusively long-polls Telegram while holding the database's
// exclusive lock: one token allows one poller (a second gets 409s), so
// with several replicas one polls and the others stand by to take over.
func pollExclusively(ctx context.Context, db *storage.DB, tg *telegram.Bot, h surveys.Handler, log *slog.Logger) {
	waiting := false
	for ctx.Err() == nil {
		release, ok, err := db.TryExclusive(ctx, "telegram-polling")
		switch {
		case err != nil:
			log.Warn("cannot take the polling lock; retrying", "err", err)
		case !ok:
			if !waiting {
				log.Info("another replica polls Telegram; standing by")
				waiting = true
			}
		default:
			waiting = false
			log.Info("polling Telegram")
			err := tg.Poll(ctx, h)
			release()
			if ctx.Err() != nil {
				return
			}
			log.Warn("telegram polling stopped; restarting", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	}
}
