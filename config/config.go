package config

import (
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Config is vocbot's whole configuration after defaults and validation.
// The first group of fields comes from the environment, the second from the
// YAML file (or the built-in defaults when there is none).
type Config struct {
	// File is the YAML file that was read, as it was named; "" when none was
	// and only built-in defaults apply.
	File string

	// DatabaseURL is "sqlite://PATH" or "postgres://…" ("postgresql://…").
	DatabaseURL string
	HTTP        HTTP
	Telegram    Telegram
	Slack       Slack
	Discord     Discord
	Log         Log

	// Product fills [X] in question wordings; "" leaves the wording generic.
	Product string
	// Timezone is the workspace's zone: trend windows, and digests without
	// their own zone. Never nil.
	Timezone *time.Location
	// DefaultLocale is the language for customers whose locale is unknown and
	// for digests without their own: en, he, fa, ar or ru.
	DefaultLocale string
	// Surveys are the built-in surveys (nps, csat, ces, enps) followed by the
	// file's; a file survey with a built-in id replaces that built-in in place.
	Surveys     []Survey
	Touchpoints []Touchpoint
	Fatigue     Fatigue
	// WebLinkFallback hands the web links of invitations a chat refused
	// to the company's webhook; off while URL is "".
	WebLinkFallback WebLinkFallback
	Digests         []Digest
	Alerts          []Alert
	Ambassadors     Ambassadors
	ENPS            ENPS
	Digits          Digits
}

// HTTP is the server and the ingestion API's credentials.
type HTTP struct {
	// Addr is the listen address, host:port (VOCBOT_HTTP_ADDR).
	Addr string
	// PublicURL is the external base URL without a trailing slash, "" if
	// unknown (VOCBOT_PUBLIC_URL).
	PublicURL string
	// APITokens are the bearer tokens accepted on /v1/*; several allow
	// rotation. Empty means no token is valid (VOCBOT_API_TOKENS).
	APITokens []string
	// WebhookKey is the decoded Standard Webhooks HMAC key from
	// VOCBOT_WEBHOOK_SECRET ("whsec_" + base64); nil when no signature is
	// required.
	WebhookKey []byte
}

// Telegram configures the Telegram adapter; it is on when Token is set.
type Telegram struct {
	Token string
	// APIURL is the Bot API endpoint as a format string with two %s (token,
	// method).
	APIURL string
	// Mode is "polling" or "webhook".
	Mode string
	// WebhookSecret is the secret_token Telegram echoes in webhook mode.
	WebhookSecret string
}

// Slack configures the Slack adapter; it is on when BotToken is set.
type Slack struct {
	// BotToken starts with "xoxb-".
	BotToken string
	// SigningSecret verifies HTTP requests from Slack (HTTP mode).
	SigningSecret string
	// AppToken starts with "xapp-"; when set, Socket Mode replaces HTTP.
	AppToken string
	// APIURL is the Web API base URL, ending in "/".
	APIURL string
}

// Discord configures the Discord adapter; it is on when Token is set.
type Discord struct {
	Token string
	// AppID is the application's snowflake, used to register commands.
	AppID string
	// PublicKey, when set, selects the HTTP interactions endpoint (requests
	// verified with Ed25519) instead of the gateway.
	PublicKey ed25519.PublicKey
	// APIURL is the REST base URL, scheme and host only, no trailing slash.
	APIURL string
	// GuildID, when set, is the guild (a snowflake) /survey is registered
	// in, which takes effect at once; "" registers it globally.
	GuildID string
}

// Log configures log/slog.
type Log struct {
	Level slog.Level
	// Format is "auto" (text on a terminal, JSON otherwise; the caller knows
	// which it is), "text" or "json".
	Format string
}

// Metric is what a survey measures; it picks the scale and the built-in
// wording.
type Metric string

// The four metrics vocbot scores.
const (
	MetricNPS  Metric = "nps"  // 0–10 likelihood to recommend
	MetricCSAT Metric = "csat" // 1–5 satisfaction
	MetricCES  Metric = "ces"  // 1–7 agreement that it was easy (CES 2.0)
	MetricENPS Metric = "enps" // 0–10 likelihood to recommend as a workplace
)

// metrics lists every Metric in the order they are documented.
var metrics = []Metric{MetricNPS, MetricCSAT, MetricCES, MetricENPS}

// locales are the languages vocbot has wordings for; every locale in the
// file must be one of them. It repeats the list of package surveys, which
// config may not import; a test in cmd/vocbot keeps the two equal.
var locales = []string{"en", "he", "fa", "ar", "ru"}

// Locales returns the languages vocbot has wordings for, the only ones the
// file accepts, in the order messages list them.
func Locales() []string { return slices.Clone(locales) }

// Survey is one survey definition.
type Survey struct {
	// ID is unique, [a-z0-9_-]{1,64}.
	ID     string
	Metric Metric
	// Question overrides the built-in wording per locale; empty means the
	// built-in wording in every locale.
	Question map[string]string
	// FollowUp asks "why?" after the score.
	FollowUp bool
	// ExpiresAfter is how long an invitation can be answered.
	ExpiresAfter time.Duration
	// ReminderAfter is when the one reminder goes out; 0 means none. Always
	// shorter than ExpiresAfter.
	ReminderAfter time.Duration
	// WebLink offers a signed web answer link to customers without a
	// reachable chat identity; it needs HTTP.PublicURL.
	WebLink bool
	// Title is the display name per locale; nil shows the id.
	Title map[string]string
	// FollowUpQuestion overrides "why?" per score band ("detractor",
	// "passive", "promoter"; "" for every band), then per locale.
	FollowUpQuestion map[string]map[string]string
	// Thanks overrides the thank-you text per locale.
	Thanks map[string]string
	// Reasons are the buttons offered after the score; at most MaxReasons.
	Reasons []Reason
}

// Reason is one "what was it mostly about?" button.
type Reason struct {
	// ID is 1–8 characters [a-z0-9_], unique in its survey.
	ID string
	// Labels is the button's text per locale.
	Labels map[string]string
}

// Touchpoint is a rule mapping a touchpoint type to the survey it triggers.
type Touchpoint struct {
	// Type is the touchpoint's type as the API receives it, unique.
	Type string
	// Survey is the id of a survey in Config.Surveys.
	Survey string
	// Delay is how long after the touchpoint the invitation is due.
	Delay time.Duration
	// Sample is the share of touchpoints that get a survey, in (0, 1].
	Sample float64
	// QuietHours, in the recipient's local time, postpone delivery to their
	// end; the zero value means none.
	QuietHours QuietHours
}

// TimeOfDay is a wall-clock time as minutes after midnight, 0 to 1439.
type TimeOfDay int

// String formats t as "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// Hour is t's hour, 0–23.
func (t TimeOfDay) Hour() int { return int(t) / 60 }

// Minute is t's minute within the hour, 0–59.
func (t TimeOfDay) Minute() int { return int(t) % 60 }

// QuietHours is a daily window [Start, End) of local time in which no survey
// is sent. Start > End wraps midnight ("21:00-09:00"). Start never equals End
// in a loaded Config, so the zero value means "no quiet hours".
type QuietHours struct {
	Start, End TimeOfDay
}

// IsZero reports whether q is "no quiet hours".
func (q QuietHours) IsZero() bool { return q.Start == q.End }

// Contains reports whether t falls inside the quiet window.
func (q QuietHours) Contains(t TimeOfDay) bool {
	switch {
	case q.Start < q.End:
		return t >= q.Start && t < q.End
	case q.Start > q.End:
		return t >= q.Start || t < q.End
	default:
		return false
	}
}

// String formats q as "HH:MM-HH:MM", or "" for no quiet hours.
func (q QuietHours) String() string {
	if q.IsZero() {
		return ""
	}
	return q.Start.String() + "-" + q.End.String()
}

// WebLinkFallback is web_link_fallback: where vocbot posts the web link of
// an invitation whose chat refused it (blocked bot, closed DMs), for
// surveys with web_link: true.
type WebLinkFallback struct {
	// URL receives the signed POSTs ("" turns the fallback off).
	URL string
	// Key is the decoded Standard Webhooks key of
	// VOCBOT_WEB_LINK_FALLBACK_SECRET.
	Key []byte
}

// Fatigue limits how often one customer is asked.
type Fatigue struct {
	// MinGap is the least time between two invitations to the same customer,
	// across platforms and surveys; 0 turns the limit off.
	MinGap time.Duration
}

// Platform names a chat platform.
type Platform string

// The platforms vocbot talks to.
const (
	PlatformTelegram Platform = "telegram"
	PlatformSlack    Platform = "slack"
	PlatformDiscord  Platform = "discord"
)

// Target is a channel or chat that digests and alerts are posted to, written
// "slack:C0123ABC", "discord:123456789012345678" or "telegram:-1001234567890".
type Target struct {
	Platform Platform
	// ID is the channel id (Slack C…/G…, a Discord snowflake) or the
	// Telegram chat id (an int64, negative for groups).
	ID string
}

// String formats t as "platform:id".
func (t Target) String() string { return string(t.Platform) + ":" + t.ID }

// Digest is a scheduled Voice-of-Customer summary posted to one channel.
type Digest struct {
	// ID is unique, [a-z0-9_-]{1,64}; it keys the once-a-day guarantee.
	ID string
	To Target
	// At is the local time it is posted at (or first after, across DST gaps).
	At TimeOfDay
	// Timezone is the digest's own zone, defaulting to Config.Timezone.
	Timezone *time.Location
	// Days are the weekdays it is posted on, in week order, no repeats.
	Days []time.Weekday
	// Surveys are the survey ids it covers; empty means all surveys.
	Surveys []string
	// Quotes is how many customer quotes it shows, 0–10.
	Quotes int
	// Locale is its language, defaulting to Config.DefaultLocale.
	Locale string
	// Breakdowns are touchpoint attributes (e.g. region, agent) each survey
	// is also broken down by, besides the touchpoint type.
	Breakdowns []string
	// PostWhenEmpty posts the digest even on a day with no new responses.
	PostWhenEmpty bool
}

// AlertOn names the event an alert fires on.
type AlertOn string

// Detractor fires on a low score: NPS/eNPS 0–6, CSAT 1–2, CES 1–3.
const Detractor AlertOn = "detractor"

// Alert posts each matching response to a channel as it arrives.
type Alert struct {
	To Target
	On AlertOn
	// FirstReplyWithin is the first-reply target; 0 has none.
	FirstReplyWithin time.Duration
	// RelayWindow is how long after the last staff reply the customer's
	// messages are relayed to the alert's thread.
	RelayWindow time.Duration
	// Reasons are the resolution reasons offered; none allows free text.
	Reasons []string
	// Recovery is the follow-up survey after a resolution; nil for none.
	Recovery *Recovery
}

// Recovery is an alert channel's follow-up survey: Survey is sent to the
// customer After the alert is resolved.
type Recovery struct {
	Survey string
	After  time.Duration
}

// Ambassadors are the staff allowed to run /survey commands.
type Ambassadors struct {
	// SlackUsers are Slack user ids (U… or W…).
	SlackUsers []string
	// DiscordRoles are role snowflakes; members of any of them qualify.
	DiscordRoles []string
	// DiscordUsers are user snowflakes, for staff without one of the roles.
	DiscordUsers []string
	// TelegramUsers are Telegram user ids.
	TelegramUsers []int64
	// DailyQuota caps the invitations one ambassador may send by command per
	// day (the workspace's day, Config.Timezone); at least 1.
	DailyQuota int
}

// Empty reports whether nobody may run ambassador commands.
func (a Ambassadors) Empty() bool {
	return len(a.SlackUsers) == 0 && len(a.DiscordRoles) == 0 && len(a.DiscordUsers) == 0 && len(a.TelegramUsers) == 0
}

// ENPS holds the anonymity thresholds of employee surveys.
type ENPS struct {
	// AnonymityThreshold is the least n for which an eNPS score is shown in
	// any cell, filter or drill-down: 3–10.
	AnonymityThreshold int
	// CommentThreshold is the least n for which eNPS comments are shown; never
	// below AnonymityThreshold, because wording identifies people.
	CommentThreshold int
}

// Digits chooses the digits numbers are written with in locales that have
// their own: "native" or "latin".
type Digits struct {
	// Arabic is for ar: "native" is Arabic-Indic (٠١٢), "latin" is 012.
	Arabic string
	// Persian is for fa: "native" is Persian (۰۱۲), "latin" is 012.
	Persian string
}

// Survey returns the survey with the given id.
func (c *Config) Survey(id string) (Survey, bool) {
	for _, s := range c.Surveys {
		if s.ID == id {
			return s, true
		}
	}
	return Survey{}, false
}

// Defaults that docs/configuration.md documents; Default and Load use them.
const (
	defaultDatabaseURL    = "sqlite://./vocbot.db"
	defaultHTTPAddr       = ":8080"
	defaultTelegramAPIURL = "https://api.telegram.org/bot%s/%s"
	defaultSlackAPIURL    = "https://slack.com/api/"
	defaultDiscordAPIURL  = "https://discord.com"
	defaultLocale         = "en"
	defaultExpiresAfter   = 72 * time.Hour
	defaultMinGap         = 720 * time.Hour
	defaultQuotes         = 5
	defaultDailyQuota     = 50
	defaultAnonymity      = 5
	defaultCommentAnon    = 8
	defaultConfigFile     = "./vocbot.yaml"
)

// Default returns the configuration vocbot runs with when no VOCBOT_*
// variable is set and there is no YAML file: the built-in surveys, no
// touchpoint rules, digests, alerts or ambassadors, and every adapter off.
func Default() *Config {
	return &Config{
		DatabaseURL: defaultDatabaseURL,
		HTTP:        HTTP{Addr: defaultHTTPAddr},
		Telegram:    Telegram{APIURL: defaultTelegramAPIURL, Mode: "polling"},
		Slack:       Slack{APIURL: defaultSlackAPIURL},
		Discord:     Discord{APIURL: defaultDiscordAPIURL},
		Log:         Log{Level: slog.LevelInfo, Format: "auto"},

		Timezone:      time.UTC,
		DefaultLocale: defaultLocale,
		Surveys:       builtinSurveys(),
		Fatigue:       Fatigue{MinGap: defaultMinGap},
		Ambassadors:   Ambassadors{DailyQuota: defaultDailyQuota},
		ENPS:          ENPS{AnonymityThreshold: defaultAnonymity, CommentThreshold: defaultCommentAnon},
		Digits:        Digits{Arabic: "native", Persian: "native"},
	}
}

// builtinSurveys are the surveys that exist without a file, one per metric,
// with the built-in wordings (the renderer owns those texts).
func builtinSurveys() []Survey {
	out := make([]Survey, 0, len(metrics))
	for _, m := range metrics {
		out = append(out, newSurvey(string(m), m))
	}
	return out
}

// newSurvey is a survey with every optional field at its default.
func newSurvey(id string, m Metric) Survey {
	return Survey{ID: id, Metric: m, Question: map[string]string{}, FollowUp: true, ExpiresAfter: defaultExpiresAfter}
}
