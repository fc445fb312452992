package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/vocbot/vocbot/bots/discord"
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
		{surveys.Discord, "VOCBOT_DISCORD_TOKEN", func(c *config.Config) bool { return c.Discord.Token != "" }, startDiscord},
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

func startDiscord(ctx context.Context, cfg *config.Config, log *slog.Logger) (platform, error) {
	choices := make([]discord.SurveyChoice, len(cfg.Surveys))
	for i, sv := range cfg.Surveys {
		choices[i] = discord.SurveyChoice{ID: sv.ID, Name: sv.ID + " · " + strings.ToUpper(string(sv.Metric))}
	}
	return discord.Start(ctx, discord.Config{
		Token:     cfg.Discord.Token,
		AppID:     cfg.Discord.AppID,
		PublicKey: cfg.Discord.PublicKey,
		APIURL:    cfg.Discord.APIURL,
		GuildID:   cfg.Discord.GuildID,
		Logger:    log,
		Surveys:   choices,
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
