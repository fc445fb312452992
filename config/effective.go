package config

import (
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// masked replaces every secret in printed output. It has a fixed length, so
// not even a secret's length shows.
const masked = "****"

// WriteEffective prints the configuration in effect as YAML, for vocbot
// config check: a comment header naming the file and listing Features, the
// VOCBOT_* variables under "environment" (defaults filled in), then every
// file key with defaults filled in, built-in surveys included. Tokens,
// secrets and passwords are masked; known token prefixes (xoxb-, xapp-,
// whsec_) are kept so a swapped token still shows.
func (c *Config) WriteEffective(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# vocbot configuration in effect; secrets are masked.\n")
	if c.File != "" {
		fmt.Fprintf(&b, "# file: %s\n", c.File)
	} else {
		b.WriteString("# file: none; built-in defaults apply\n")
	}
	for _, f := range c.Features() {
		fmt.Fprintf(&b, "# %s\n", f)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(c.view()); err != nil {
		return fmt.Errorf("write effective configuration: %w", err)
	}
	return enc.Close()
}

// The *View types fix the printed key order and names, which are the file's
// and the documented ones, never the Go field names.
type (
	effectiveView struct {
		Environment   envView          `yaml:"environment"`
		Product       string           `yaml:"product"`
		Timezone      string           `yaml:"timezone"`
		DefaultLocale string           `yaml:"default_locale"`
		Surveys       []surveyView     `yaml:"surveys"`
		Touchpoints   []touchpointView `yaml:"touchpoints"`
		Fatigue       fatigueView      `yaml:"fatigue"`
		Digests       []digestView     `yaml:"digests"`
		Alerts        []alertView      `yaml:"alerts"`
		Ambassadors   ambassadorsView  `yaml:"ambassadors"`
		ENPS          enpsView         `yaml:"enps"`
		Digits        digitsView       `yaml:"digits"`
	}
	envView struct {
		Config                string `yaml:"VOCBOT_CONFIG"`
		DatabaseURL           string `yaml:"VOCBOT_DATABASE_URL"`
		HTTPAddr              string `yaml:"VOCBOT_HTTP_ADDR"`
		PublicURL             string `yaml:"VOCBOT_PUBLIC_URL"`
		APITokens             string `yaml:"VOCBOT_API_TOKENS"`
		WebhookSecret         string `yaml:"VOCBOT_WEBHOOK_SECRET"`
		TelegramToken         string `yaml:"VOCBOT_TELEGRAM_TOKEN"`
		TelegramAPIURL        string `yaml:"VOCBOT_TELEGRAM_API_URL"`
		TelegramMode          string `yaml:"VOCBOT_TELEGRAM_MODE"`
		TelegramWebhookSecret string `yaml:"VOCBOT_TELEGRAM_WEBHOOK_SECRET"`
		SlackBotToken         string `yaml:"VOCBOT_SLACK_BOT_TOKEN"`
		SlackSigningSecret    string `yaml:"VOCBOT_SLACK_SIGNING_SECRET"`
		SlackAppToken         string `yaml:"VOCBOT_SLACK_APP_TOKEN"`
		SlackAPIURL           string `yaml:"VOCBOT_SLACK_API_URL"`
		DiscordToken          string `yaml:"VOCBOT_DISCORD_TOKEN"`
		DiscordAppID          string `yaml:"VOCBOT_DISCORD_APP_ID"`
		DiscordPublicKey      string `yaml:"VOCBOT_DISCORD_PUBLIC_KEY"`
		DiscordAPIURL         string `yaml:"VOCBOT_DISCORD_API_URL"`
		LogLevel              string `yaml:"VOCBOT_LOG_LEVEL"`
		LogFormat             string `yaml:"VOCBOT_LOG_FORMAT"`
	}
	surveyView struct {
		ID            string            `yaml:"id"`
		Metric        string            `yaml:"metric"`
		Question      map[string]string `yaml:"question"`
		FollowUp      bool              `yaml:"follow_up"`
		ExpiresAfter  string            `yaml:"expires_after"`
		ReminderAfter string            `yaml:"reminder_after"`
	}
	touchpointView struct {
		Type       string  `yaml:"type"`
		Survey     string  `yaml:"survey"`
		Delay      string  `yaml:"delay"`
		Sample     float64 `yaml:"sample"`
		QuietHours string  `yaml:"quiet_hours,omitempty"`
	}
	fatigueView struct {
		MinGap string `yaml:"min_gap"`
	}
	digestView struct {
		ID       string   `yaml:"id"`
		To       string   `yaml:"to"`
		At       string   `yaml:"at"`
		Timezone string   `yaml:"timezone"`
		Days     []string `yaml:"days,flow"`
		Surveys  []string `yaml:"surveys,flow"`
		Quotes   int      `yaml:"quotes"`
		Locale   string   `yaml:"locale"`

		Breakdowns    []string `yaml:"breakdowns,flow"`
		PostWhenEmpty bool     `yaml:"post_when_empty"`
	}
	alertView struct {
		To string `yaml:"to"`
		On string `yaml:"on"`
	}
	ambassadorsView struct {
		SlackUsers    []string `yaml:"slack_users,flow"`
		DiscordRoles  []string `yaml:"discord_roles,flow"`
		TelegramUsers []int64  `yaml:"telegram_users,flow"`
		DailyQuota    int      `yaml:"daily_quota"`
	}
	enpsView struct {
		AnonymityThreshold int `yaml:"anonymity_threshold"`
		CommentThreshold   int `yaml:"comment_threshold"`
	}
	digitsView struct {
		Arabic  string `yaml:"ar"`
		Persian string `yaml:"fa"`
	}
)

func (c *Config) view() effectiveView {
	v := effectiveView{
		Environment: envView{
			Config:                c.File,
			DatabaseURL:           maskURL(c.DatabaseURL),
			HTTPAddr:              c.HTTP.Addr,
			PublicURL:             maskURL(c.HTTP.PublicURL),
			APITokens:             maskList(len(c.HTTP.APITokens)),
			WebhookSecret:         maskSecret(string(c.HTTP.WebhookKey), "whsec_"),
			TelegramToken:         maskSecret(c.Telegram.Token, ""),
			TelegramAPIURL:        maskURL(c.Telegram.APIURL),
			TelegramMode:          c.Telegram.Mode,
			TelegramWebhookSecret: maskSecret(c.Telegram.WebhookSecret, ""),
			SlackBotToken:         maskSecret(c.Slack.BotToken, "xoxb-"),
			SlackSigningSecret:    maskSecret(c.Slack.SigningSecret, ""),
			SlackAppToken:         maskSecret(c.Slack.AppToken, "xapp-"),
			SlackAPIURL:           maskURL(c.Slack.APIURL),
			DiscordToken:          maskSecret(c.Discord.Token, ""),
			DiscordAppID:          c.Discord.AppID,
			DiscordPublicKey:      hex.EncodeToString(c.Discord.PublicKey), // public by design
			DiscordAPIURL:         maskURL(c.Discord.APIURL),
			LogLevel:              strings.ToLower(c.Log.Level.String()),
			LogFormat:             c.Log.Format,
		},
		Product:       c.Product,
		Timezone:      locationName(c.Timezone),
		DefaultLocale: c.DefaultLocale,
		Fatigue:       fatigueView{MinGap: formatDuration(c.Fatigue.MinGap)},
		Ambassadors: ambassadorsView{
			SlackUsers:    nonNil(c.Ambassadors.SlackUsers),
			DiscordRoles:  nonNil(c.Ambassadors.DiscordRoles),
			TelegramUsers: nonNil(c.Ambassadors.TelegramUsers),
			DailyQuota:    c.Ambassadors.DailyQuota,
		},
		ENPS:   enpsView{AnonymityThreshold: c.ENPS.AnonymityThreshold, CommentThreshold: c.ENPS.CommentThreshold},
		Digits: digitsView{Arabic: c.Digits.Arabic, Persian: c.Digits.Persian},
	}
	for _, s := range c.Surveys {
		q := s.Question
		if q == nil {
			q = map[string]string{}
		}
		v.Surveys = append(v.Surveys, surveyView{
			ID: s.ID, Metric: string(s.Metric), Question: q, FollowUp: s.FollowUp,
			ExpiresAfter: formatDuration(s.ExpiresAfter), ReminderAfter: formatDuration(s.ReminderAfter),
		})
	}
	for _, t := range c.Touchpoints {
		v.Touchpoints = append(v.Touchpoints, touchpointView{
			Type: t.Type, Survey: t.Survey, Delay: formatDuration(t.Delay), Sample: t.Sample, QuietHours: t.QuietHours.String(),
		})
	}
	for _, g := range c.Digests {
		days := make([]string, len(g.Days))
		for i, wd := range g.Days {
			days[i] = weekdays[wd]
		}
		v.Digests = append(v.Digests, digestView{
			ID: g.ID, To: g.To.String(), At: g.At.String(), Timezone: locationName(g.Timezone),
			Days: days, Surveys: nonNil(g.Surveys), Quotes: g.Quotes, Locale: g.Locale,
			Breakdowns: nonNil(g.Breakdowns), PostWhenEmpty: g.PostWhenEmpty,
		})
	}
	for _, a := range c.Alerts {
		v.Alerts = append(v.Alerts, alertView{To: a.To.String(), On: string(a.On)})
	}
	return v
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func locationName(loc interface{ String() string }) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}

// maskSecret hides a secret but keeps its well-known type prefix; "" stays
// "" so unset secrets show as unset.
func maskSecret(v, prefix string) string {
	if v == "" {
		return ""
	}
	return prefix + masked
}

// maskList hides n list entries but keeps their count, useful when rotating
// tokens: "****,****".
func maskList(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = masked
	}
	return strings.Join(s, ",")
}

// secretParam tells query parameters that carry credentials (PostgreSQL's
// password and sslpassword, tokens of proxies).
func secretParam(name string) bool {
	name = strings.ToLower(name)
	for _, w := range []string{"pass", "secret", "token", "key", "auth"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// maskURL hides the password of a URL (postgres://user:****@host/db), any
// other user info of a non-database URL, and query parameters that look like
// credentials. A URL it cannot parse is hidden whole.
func maskURL(raw string) string {
	if raw == "" {
		return ""
	}
	if strings.HasPrefix(raw, "sqlite://") {
		return raw // a file path; storage refuses anything but a path
	}
	// The Telegram endpoint is a format string; its %s are not escapes. The
	// placeholder for the mask survives URL escaping, which "*" would not.
	const verb, mask = "VOCBOTFMTVERB", "VOCBOTMASK"
	u, err := url.Parse(strings.ReplaceAll(raw, "%s", verb))
	if err != nil || u.Opaque != "" {
		return masked
	}
	if u.User != nil {
		_, hasPassword := u.User.Password()
		switch {
		case hasPassword:
			u.User = url.UserPassword(u.User.Username(), mask)
		case u.Scheme != "postgres" && u.Scheme != "postgresql":
			u.User = url.User(mask)
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			name, _, _ := strings.Cut(p, "=")
			if key, err := url.QueryUnescape(name); err != nil || secretParam(key) {
				parts[i] = name + "=" + masked
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = masked, ""
	}
	return strings.NewReplacer(verb, "%s", mask, masked).Replace(u.String())
}
