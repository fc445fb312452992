package config

import (
	"encoding/hex"
	"strings"
)

// envVar is one VOCBOT_* variable as operators see it: its row in
// docs/configuration.md (TestDocsReference writes the table from these) and
// what vocbot config check prints for it. readEnv reads it;
// TestEveryVariableIsRead checks that it does, both ways.
type envVar struct {
	name string
	// def and doc are the reference's default and accepted-values cells,
	// in Markdown.
	def, doc string
	// show is the value in effect, with every secret masked.
	show func(c *Config) string
}

// envVars lists every variable, in the order the reference and config check
// show them.
func envVars() []envVar {
	return []envVar{
		{
			name: "VOCBOT_CONFIG",
			def:  "`./vocbot.yaml` if that file exists",
			doc:  "path of the YAML file. A path that does not exist is an error. `--config PATH` on the command line wins. `VOCBOT_CONFIG_FILE` is a file holding the *path*, not the YAML.",
			show: func(c *Config) string { return c.File },
		},
		{
			name: "VOCBOT_DATABASE_URL",
			def:  "`sqlite://./vocbot.db`",
			doc:  "`sqlite://PATH` (a file path: `sqlite://./vocbot.db`, `sqlite:///data/vocbot.db`; not `:memory:`) or `postgres://USER:PASSWORD@HOST:PORT/DB?…` (`postgresql://` too). Percent-encode special characters in the password. Printed with the password masked.",
			show: func(c *Config) string { return maskURL(c.DatabaseURL) },
		},
		{
			name: "VOCBOT_HTTP_ADDR",
			def:  "`:8080`",
			doc:  "`host:port` with a numeric port, e.g. `:8080`, `127.0.0.1:8080`, `[::1]:8080`. Port 0 picks a free port.",
			show: func(c *Config) string { return c.HTTP.Addr },
		},
		{
			name: "VOCBOT_PUBLIC_URL",
			def:  "none",
			doc:  "external base URL, absolute `http://` or `https://`, no query or fragment; a trailing `/` is dropped. Needed for Telegram webhook mode. Telegram itself only posts to `https` on ports 443, 80, 88 or 8443.",
			show: func(c *Config) string { return maskURL(c.HTTP.PublicURL) },
		},
		{
			name: "VOCBOT_API_TOKENS",
			def:  "none: `/v1/*` refuses every request",
			doc:  "comma-separated bearer tokens; spaces around commas are trimmed, repeats dropped. Each at least 16 characters, no empty entries (`a,,b` and a trailing comma are errors). Several tokens allow rotation.",
			show: func(c *Config) string { return maskList(len(c.HTTP.APITokens)) },
		},
		{
			name: "VOCBOT_WEBHOOK_SECRET",
			def:  "none: bearer token only",
			doc:  "[Standard Webhooks](https://www.standardwebhooks.com/) secret: `whsec_` followed by the base64 (padding optional) of 24 to 64 random bytes, e.g. `whsec_$(openssl rand -base64 32)`. When set, `POST /v1/touchpoints` also needs a valid `webhook-signature`.",
			show: func(c *Config) string { return maskSecret(string(c.HTTP.WebhookKey), "whsec_") },
		},
		{
			name: "VOCBOT_WEB_LINK_FALLBACK_SECRET",
			def:  "none",
			doc:  "[Standard Webhooks](https://www.standardwebhooks.com/) secret vocbot signs its `web_link_fallback` POSTs with, same format as `VOCBOT_WEBHOOK_SECRET` (`whsec_` + base64 of 24 to 64 random bytes; use a different one). Required with `web_link_fallback.url`, refused without it.",
			show: func(c *Config) string { return maskSecret(string(c.WebLinkFallback.Key), "whsec_") },
		},
		{
			name: "VOCBOT_TELEGRAM_TOKEN",
			def:  "none: Telegram off",
			doc:  "the bot token from @BotFather.",
			show: func(c *Config) string { return maskSecret(c.Telegram.Token, "") },
		},
		{
			name: "VOCBOT_TELEGRAM_API_URL",
			def:  "`https://api.telegram.org/bot%s/%s`",
			doc:  "Bot API endpoint as a format string with exactly two `%s` (the token, then the method) and no other `%`; an `http(s)` URL. For self-hosted Bot API servers.",
			show: func(c *Config) string { return maskURL(c.Telegram.APIURL) },
		},
		{
			name: "VOCBOT_TELEGRAM_MODE",
			def:  "`polling`",
			doc:  "`polling` (with several replicas on PostgreSQL one polls at a time and another takes over if it stops) or `webhook`. `webhook` requires `VOCBOT_TELEGRAM_WEBHOOK_SECRET` and `VOCBOT_PUBLIC_URL`; updates arrive at `VOCBOT_PUBLIC_URL/telegram/webhook`. Case-insensitive.",
			show: func(c *Config) string { return c.Telegram.Mode },
		},
		{
			name: "VOCBOT_TELEGRAM_WEBHOOK_SECRET",
			def:  "none",
			doc:  "the `secret_token` Telegram echoes on every webhook call: 1 to 256 characters `A-Z a-z 0-9 _ -`. Use the same value on every replica, e.g. `openssl rand -hex 32`.",
			show: func(c *Config) string { return maskSecret(c.Telegram.WebhookSecret, "") },
		},
		{
			name: "VOCBOT_SLACK_BOT_TOKEN",
			def:  "none: Slack off",
			doc:  "the Bot User OAuth Token; must start with `xoxb-` (a user token `xoxp-` or the app token `xapp-` here is refused). With only this set, vocbot posts digests and alerts but cannot receive commands or answers.",
			show: func(c *Config) string { return maskSecret(c.Slack.BotToken, "xoxb-") },
		},
		{
			name: "VOCBOT_SLACK_SIGNING_SECRET",
			def:  "none",
			doc:  "verifies Slack's HTTP requests to `/slack/events`, `/slack/commands` and `/slack/interactivity` (HTTP mode).",
			show: func(c *Config) string { return maskSecret(c.Slack.SigningSecret, "") },
		},
		{
			name: "VOCBOT_SLACK_APP_TOKEN",
			def:  "none",
			doc:  "app-level token with `connections:write`; must start with `xapp-`. When set, Socket Mode is used instead of HTTP; every replica may hold a connection (Slack spreads events over up to 10).",
			show: func(c *Config) string { return maskSecret(c.Slack.AppToken, "xapp-") },
		},
		{
			name: "VOCBOT_SLACK_API_URL",
			def:  "`https://slack.com/api/`",
			doc:  "Web API base URL, `http(s)`, no query; a trailing `/` is added. For proxies and tests.",
			show: func(c *Config) string { return maskURL(c.Slack.APIURL) },
		},
		{
			name: "VOCBOT_DISCORD_TOKEN",
			def:  "none: Discord off",
			doc:  "the bot token, without the `Bot ` prefix.",
			show: func(c *Config) string { return maskSecret(c.Discord.Token, "") },
		},
		{
			name: "VOCBOT_DISCORD_APP_ID",
			def:  "none",
			doc:  "the application id (a number) from the Developer Portal, used to register the `/survey` command.",
			show: func(c *Config) string { return c.Discord.AppID },
		},
		{
			name: "VOCBOT_DISCORD_PUBLIC_KEY",
			def:  "none: gateway",
			doc:  "the application's public key, 64 hex characters. When set, interactions arrive over HTTP at `/discord/interactions`, verified with Ed25519, instead of over the gateway; use this with several replicas. Not a secret, so printed as is.",
			show: func(c *Config) string { return hex.EncodeToString(c.Discord.PublicKey) }, // public by design
		},
		{
			name: "VOCBOT_DISCORD_API_URL",
			def:  "`https://discord.com`",
			doc:  "REST base URL: scheme and host only (vocbot adds `/api/v…`). For proxies and tests.",
			show: func(c *Config) string { return maskURL(c.Discord.APIURL) },
		},
		{
			name: "VOCBOT_DISCORD_GUILD_ID",
			def:  "none: `/survey` registered globally",
			doc:  "a server (guild) id, a number (Developer Mode → right-click the server icon → Copy Server ID). When set, `/survey` is registered in that server only, which takes effect at once; global registration can take up to an hour to show. `vocbot config check` shows it.",
			show: func(c *Config) string { return c.Discord.GuildID },
		},
		{
			name: "VOCBOT_LOG_LEVEL",
			def:  "`info`",
			doc:  "`debug`, `info`, `warn` or `error`, case-insensitive.",
			show: func(c *Config) string { return strings.ToLower(c.Log.Level.String()) },
		},
		{
			name: "VOCBOT_LOG_FORMAT",
			def:  "text on a terminal, JSON otherwise",
			doc:  "`text` or `json` (`auto` is the default spelled out).",
			show: func(c *Config) string { return c.Log.Format },
		},
	}
}
