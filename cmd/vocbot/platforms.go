package main

import (
	"context"
	"log/slog"

	"github.com/vocbot/vocbot/bots/slack"
	"github.com/vocbot/vocbot/bots/telegram"
	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/surveys"
)

// builtinPlatforms lists the chat platforms vocbot talks to, one line each:
// the only place in this package that names them. Adding a platform is a
// folder under bots/ and a line here.
func builtinPlatforms() []platformEntry {
	return []platformEntry{
		{surveys.Telegram, "VOCBOT_TELEGRAM_TOKEN", func(c *config.Config) bool { return c.Telegram.Token != "" }, startTelegram},
		{surveys.Slack, "VOCBOT_SLACK_BOT_TOKEN", func(c *config.Config) bool { return c.Slack.BotToken != "" }, startSlack},
	}
}

func startTelegram(ctx context.Context, cfg *config.Config, log *slog.Logger) (platform, error) {
	return telegram.Start(ctx, telegram.Config{
		Token:         cfg.Telegram.Token,
		APIURL:        cfg.Telegram.APIURL,
		Logger:        log,
		Webhook:       cfg.Telegram.Mode == "webhook",
		PublicURL:     cfg.HTTP.PublicURL,
		WebhookSecret: cfg.Telegram.WebhookSecret,
	})
}

func startSlack(ctx context.Context, cfg *config.Config, log *slog.Logger) (platform, error) {
	return slack.Start(ctx, slack.Config{
		BotToken:      cfg.Slack.BotToken,
		SigningSecret: cfg.Slack.SigningSecret,
		AppToken:      cfg.Slack.AppToken,
		APIURL:        cfg.Slack.APIURL,
		Logger:        log,
	})
}

// deepLinkBot is the username in t.me/<bot>?start=<token> onboarding links
// (the API's and /survey link's); "" when Telegram is off.
func deepLinkBot(a *adapters) string {
	for _, p := range a.list {
		if tg, ok := p.(*telegram.Bot); ok {
			return tg.Username()
		}
	}
	return ""
}
