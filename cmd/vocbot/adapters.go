package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/vocbot/vocbot/bots/slack"
	"github.com/vocbot/vocbot/bots/telegram"
	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/surveys"
)

// adapters are the chat platforms this process talks to: each one that has
// credentials is started, and a failure to reach it stops serve with a
// message naming the variable to fix.
type adapters struct {
	telegram *telegram.Bot
	slack    *slack.Bot
}

func startAdapters(ctx context.Context, cfg *config.Config, log *slog.Logger) (*adapters, error) {
	a := &adapters{}
	if cfg.Telegram.Token != "" {
		tg, err := telegram.New(ctx, telegram.Config{Token: cfg.Telegram.Token, APIURL: cfg.Telegram.APIURL, Logger: log.With("platform", "telegram")})
		if err != nil {
			return nil, fmt.Errorf("telegram: %w", err)
		}
		if err := tg.SetCommands(ctx); err != nil {
			// The menu is a convenience; commands work without it.
			log.Warn("telegram: could not register the command menu", "err", err)
		}
		log.Info("telegram connected", "bot", tg.Username(), "mode", cfg.Telegram.Mode)
		a.telegram = tg
	}
	if cfg.Slack.BotToken != "" {
		sb, err := slack.New(slack.Config{BotToken: cfg.Slack.BotToken, SigningSecret: cfg.Slack.SigningSecret, APIURL: cfg.Slack.APIURL, Logger: log.With("platform", "slack")})
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		id, err := sb.Identity(ctx)
		if err != nil {
			return nil, fmt.Errorf("slack: %w (check VOCBOT_SLACK_BOT_TOKEN and VOCBOT_SLACK_API_URL)", err)
		}
		log.Info("slack connected", "team", id.Team, "bot_user", id.UserID)
		a.slack = sb
	}
	return a, nil
}

// running lists the adapters this process started, by platform.
func (a *adapters) running() map[surveys.Platform]any {
	out := map[surveys.Platform]any{}
	if a.telegram != nil {
		out[surveys.Telegram] = a.telegram
	}
	if a.slack != nil {
		out[surveys.Slack] = a.slack
	}
	return out
}

// capable lists the running adapters that have capability T (surveys.Sender,
// surveys.DigestPoster, surveys.AlertPoster, …), by platform.
func capable[T any](a *adapters) map[surveys.Platform]T {
	out := map[surveys.Platform]T{}
	for p, bot := range a.running() {
		if c, ok := bot.(T); ok {
			out[p] = c
		}
	}
	return out
}

// telegramUsername names the bot for t.me deep links; "" without Telegram.
func (a *adapters) telegramUsername() string {
	if a.telegram == nil {
		return ""
	}
	return a.telegram.Username()
}
