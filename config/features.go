package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Feature says whether one part of vocbot runs with this configuration, and
// why, in words an operator acts on.
type Feature struct {
	// Name is short and stable: telegram, slack, discord, api, signatures,
	// digests, alerts, ambassadors, web_link_fallback.
	Name string
	On   bool
	// Why is how the feature runs when on, and what turns it on when off.
	Why string
}

// String formats f as "telegram: off (VOCBOT_TELEGRAM_TOKEN not set)".
func (f Feature) String() string {
	state := "off"
	if f.On {
		state = "on"
	}
	return fmt.Sprintf("%s: %s (%s)", f.Name, state, f.Why)
}

// Features lists the optional parts of vocbot in a fixed order, on or off.
// vocbot serve logs them once at start; config check prints them.
func (c *Config) Features() []Feature {
	return []Feature{
		c.telegramFeature(),
		c.slackFeature(),
		c.discordFeature(),
		c.apiFeature(),
		c.signaturesFeature(),
		c.digestsFeature(),
		c.alertsFeature(),
		c.ambassadorsFeature(),
		c.webLinkFallbackFeature(),
	}
}

// PlatformOn reports whether the adapter for p has the credentials it needs.
func (c *Config) PlatformOn(p Platform) bool {
	switch p {
	case PlatformTelegram:
		return c.Telegram.Token != ""
	case PlatformSlack:
		return c.Slack.BotToken != ""
	case PlatformDiscord:
		return c.Discord.Token != ""
	}
	return false
}

func (c *Config) telegramFeature() Feature {
	f := Feature{Name: "telegram", On: c.PlatformOn(PlatformTelegram)}
	switch {
	case !f.On:
		f.Why = "VOCBOT_TELEGRAM_TOKEN not set"
	case c.Telegram.Mode == "webhook":
		f.Why = "webhook at " + maskURL(c.HTTP.PublicURL) + "/telegram/webhook"
	default:
		f.Why = "long polling by one replica at a time (the others stand by); VOCBOT_TELEGRAM_MODE=webhook spreads updates over all"
	}
	if f.On && c.Telegram.APIURL != defaultTelegramAPIURL {
		f.Why += "; Bot API at " + maskURL(c.Telegram.APIURL)
	}
	return f
}

func (c *Config) slackFeature() Feature {
	f := Feature{Name: "slack", On: c.PlatformOn(PlatformSlack)}
	switch {
	case !f.On:
		f.Why = "VOCBOT_SLACK_BOT_TOKEN not set"
		var ignored []string
		if c.Slack.AppToken != "" {
			ignored = append(ignored, "VOCBOT_SLACK_APP_TOKEN")
		}
		if c.Slack.SigningSecret != "" {
			ignored = append(ignored, "VOCBOT_SLACK_SIGNING_SECRET")
		}
		if len(ignored) > 0 {
			f.Why += "; " + strings.Join(ignored, " and ") + " unused without it"
		}
	case c.Slack.AppToken != "" && c.Slack.SigningSecret != "":
		f.Why = "Socket Mode, because VOCBOT_SLACK_APP_TOKEN is set; the HTTP request URLs answer too"
	case c.Slack.AppToken != "":
		f.Why = "Socket Mode, because VOCBOT_SLACK_APP_TOKEN is set: no public URL needed, every replica connects"
	case c.Slack.SigningSecret != "":
		f.Why = "HTTP: point the app's request URLs at /slack/events, /slack/commands and /slack/interactivity"
	default:
		f.Why = "posting only: commands and answers need VOCBOT_SLACK_SIGNING_SECRET and the app's request URLs"
	}
	return f
}

func (c *Config) discordFeature() Feature {
	f := Feature{Name: "discord", On: c.PlatformOn(PlatformDiscord)}
	switch {
	case !f.On:
		f.Why = "VOCBOT_DISCORD_TOKEN not set"
	case len(c.Discord.PublicKey) > 0:
		f.Why = "HTTP interactions at /discord/interactions, because VOCBOT_DISCORD_PUBLIC_KEY is set"
	default:
		f.Why = "gateway held by one replica at a time (the others stand by); VOCBOT_DISCORD_PUBLIC_KEY switches to HTTP interactions"
	}
	if f.On && c.Discord.GuildID != "" {
		f.Why += "; /survey registered in server " + c.Discord.GuildID + " only"
	}
	return f
}

func (c *Config) apiFeature() Feature {
	if n := len(c.HTTP.APITokens); n > 0 {
		return Feature{Name: "api", On: true, Why: fmt.Sprintf("/v1 accepts %d bearer %s", n, plural(n, "token", "tokens"))}
	}
	return Feature{Name: "api", Why: "VOCBOT_API_TOKENS not set; /v1 refuses every request"}
}

func (c *Config) signaturesFeature() Feature {
	if len(c.HTTP.WebhookKey) > 0 {
		return Feature{Name: "signatures", On: true, Why: "/v1/touchpoints also needs a Standard Webhooks signature"}
	}
	return Feature{Name: "signatures", Why: "VOCBOT_WEBHOOK_SECRET not set; bearer tokens only"}
}

func (c *Config) digestsFeature() Feature {
	if len(c.Digests) == 0 {
		return Feature{Name: "digests", Why: "none in the configuration file"}
	}
	var parts []string
	for _, g := range c.Digests {
		parts = append(parts, fmt.Sprintf("%s at %s %s to %s%s", g.ID, g.At, locationName(g.Timezone), g.To, c.offNote(g.To.Platform)))
	}
	return Feature{Name: "digests", On: true, Why: strings.Join(parts, "; ")}
}

func (c *Config) alertsFeature() Feature {
	if len(c.Alerts) == 0 {
		return Feature{Name: "alerts", Why: "none in the configuration file"}
	}
	var parts []string
	for _, a := range c.Alerts {
		part := fmt.Sprintf("%s to %s%s", a.On, a.To, c.offNote(a.To.Platform))
		if a.Recovery != nil {
			part += fmt.Sprintf(", recovery survey %s %s after resolution", a.Recovery.Survey, formatDuration(a.Recovery.After))
		}
		parts = append(parts, part)
	}
	return Feature{Name: "alerts", On: true, Why: strings.Join(parts, "; ")}
}

func (c *Config) ambassadorsFeature() Feature {
	a := c.Ambassadors
	if a.Empty() {
		return Feature{Name: "ambassadors", Why: "no ambassadors in the configuration file; /survey answers nobody"}
	}
	var parts []string
	if n := len(a.SlackUsers); n > 0 {
		parts = append(parts, fmt.Sprintf("%d Slack %s%s", n, plural(n, "user", "users"), c.offNote(PlatformSlack)))
	}
	if n := len(a.DiscordRoles); n > 0 {
		parts = append(parts, fmt.Sprintf("%d Discord %s%s", n, plural(n, "role", "roles"), c.offNote(PlatformDiscord)))
	}
	if n := len(a.DiscordUsers); n > 0 {
		parts = append(parts, fmt.Sprintf("%d Discord %s%s", n, plural(n, "user", "users"), c.offNote(PlatformDiscord)))
	}
	if n := len(a.TelegramUsers); n > 0 {
		parts = append(parts, fmt.Sprintf("%d Telegram %s%s", n, plural(n, "user", "users"), c.offNote(PlatformTelegram)))
	}
	why := strings.Join(parts, ", ") + fmt.Sprintf("; %d sends each per day", a.DailyQuota)
	return Feature{Name: "ambassadors", On: true, Why: why}
}

func (c *Config) webLinkFallbackFeature() Feature {
	if c.WebLinkFallback.URL == "" {
		return Feature{Name: "web_link_fallback", Why: "not in the configuration file; a survey a chat refuses stays undeliverable"}
	}
	host := masked
	if u, err := url.Parse(c.WebLinkFallback.URL); err == nil {
		host = u.Scheme + "://" + u.Host // the path and query may carry a token
	}
	return Feature{Name: "web_link_fallback", On: true, Why: "web links of surveys a chat refuses are posted to " + host + ", signed"}
}

// offNote warns, inside a feature's reason, that its platform is off.
func (c *Config) offNote(p Platform) string {
	if c.PlatformOn(p) {
		return ""
	}
	return fmt.Sprintf(" [%s is off]", p)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
