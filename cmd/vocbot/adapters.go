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

// senders are the platforms that can deliver surveys from this process.
func (a *adapters) senders() map[surveys.Platform]surveys.Sender {
	s := map[surveys.Platform]surveys.Sender{}
	if a.telegram != nil {
		s[surveys.Telegram] = a.telegram
	}
	if a.slack != nil {
		s[surveys.Slack] = a.slack
	}
	return s
}

// posters are the platforms that can post digests from this process.
func (a *adapters) posters() map[surveys.Platform]surveys.DigestPoster {
	p := map[surveys.Platform]surveys.DigestPoster{}
	if a.telegram != nil {
		p[surveys.Telegram] = a.telegram
	}
	if a.slack != nil {
		p[surveys.Slack] = a.slack
	}
	return p
}

// telegramUsername names the bot for t.me deep links; "" without Telegram.
func (a *adapters) telegramUsername() string {
	if a.telegram == nil {
		return ""
	}
	return a.telegram.Username()
}
