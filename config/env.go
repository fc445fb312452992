package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// maxEnvFile bounds a VOCBOT_X_FILE: it holds one value, never a data dump,
// and a wrong path (/dev/zero) must not hang the start.
const maxEnvFile = 64 << 10

// envReader reads VOCBOT_* variables and collects every problem it meets.
type envReader struct {
	getenv func(string) string
	errs   []error
}

// read returns the value of name, taken from the variable itself or from the
// file named by name_FILE with trailing line breaks removed. where names the
// source for messages: "VOCBOT_X" or "VOCBOT_X_FILE=/path". A problem with
// the file is recorded and reads as unset.
func (r *envReader) read(name string) (value, where string) {
	value, path := r.getenv(name), r.getenv(name+"_FILE")
	switch {
	case path == "":
		return value, name
	case value != "":
		r.errs = append(r.errs, fmt.Errorf("%s and %s_FILE are both set; keep one", name, name))
		return "", name
	}
	where = name + "_FILE=" + path
	b, err := readSmallFile(path)
	if err != nil {
		r.failf(where, "%v", err)
		return "", where
	}
	value = strings.TrimRight(string(b), "\r\n")
	if value == "" {
		r.failf(where, "the file is empty; put the value in it or unset %s_FILE", name)
	}
	return value, where
}

// readSmallFile reads at most maxEnvFile bytes of path, with errors that do
// not repeat the path (the caller names it).
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read it: %w", pathless(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEnvFile+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read it: %w", pathless(err))
	}
	if len(b) > maxEnvFile {
		return nil, fmt.Errorf("the file is larger than %d KiB; it should hold only the value", maxEnvFile>>10)
	}
	return b, nil
}

// pathless drops the path from an *fs.PathError ("open /x: permission
// denied" → "permission denied").
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (r *envReader) failf(where, format string, a ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, a...)))
}

// readEnv fills the environment's part of c, keeping the defaults c already
// holds for unset variables. The returned errors name the variable and what
// to fix; they never quote a secret.
func readEnv(getenv func(string) string, c *Config) []error {
	r := &envReader{getenv: getenv}

	if v, where := r.read("VOCBOT_DATABASE_URL"); v != "" {
		if err := checkDatabaseURL(v); err != nil {
			r.failf(where, "%v", err)
		} else {
			c.DatabaseURL = v
		}
	}

	if v, where := r.read("VOCBOT_HTTP_ADDR"); v != "" {
		if err := checkListenAddr(v); err != nil {
			r.failf(where, "%v", err)
		} else {
			c.HTTP.Addr = v
		}
	}
	publicURL, publicWhere := r.read("VOCBOT_PUBLIC_URL")
	if publicURL != "" {
		if u, err := checkBaseURL(publicURL); err != nil {
			r.failf(publicWhere, "%v; write the external base URL, e.g. https://vocbot.example.com", err)
		} else {
			c.HTTP.PublicURL = strings.TrimRight(u.String(), "/")
		}
	}
	if v, where := r.read("VOCBOT_API_TOKENS"); v != "" {
		tokens, err := parseAPITokens(v)
		if err != nil {
			r.failf(where, "%v", err)
		}
		c.HTTP.APITokens = tokens
	}
	if v, where := r.read("VOCBOT_WEBHOOK_SECRET"); v != "" {
		key, err := decodeWebhookSecret(v)
		if err != nil {
			r.failf(where, "%v", err)
		}
		c.HTTP.WebhookKey = key
	}

	if v, where := r.read("VOCBOT_WEB_LINK_FALLBACK_SECRET"); v != "" {
		key, err := decodeWebhookSecret(v)
		if err != nil {
			r.failf(where, "%v", err)
		}
		c.WebLinkFallback.Key = key
	}

	if v, where := r.read("VOCBOT_TELEGRAM_TOKEN"); v != "" {
		if err := checkSecret(v); err != nil {
			r.failf(where, "%v", err)
		}
		c.Telegram.Token = v
	}
	if v, where := r.read("VOCBOT_TELEGRAM_API_URL"); v != "" {
		if err := checkTelegramAPIURL(v); err != nil {
			r.failf(where, "%v", err)
		} else {
			c.Telegram.APIURL = v
		}
	}
	if v, where := r.read("VOCBOT_TELEGRAM_MODE"); v != "" {
		switch m := strings.ToLower(v); m {
		case "polling", "webhook":
			c.Telegram.Mode = m
		default:
			r.failf(where, "%q is not a mode; use polling or webhook", v)
		}
	}
	if v, where := r.read("VOCBOT_TELEGRAM_WEBHOOK_SECRET"); v != "" {
		if !telegramSecret(v) {
			r.failf(where, "use 1 to 256 characters A-Z, a-z, 0-9, _ and - (Telegram's rule for secret_token)")
		}
		c.Telegram.WebhookSecret = v
	}
	if c.Telegram.Mode == "webhook" {
		if c.Telegram.WebhookSecret == "" {
			r.failf("VOCBOT_TELEGRAM_MODE=webhook", "needs VOCBOT_TELEGRAM_WEBHOOK_SECRET, the same on every replica (e.g. openssl rand -hex 32)")
		}
		if publicURL == "" {
			r.failf("VOCBOT_TELEGRAM_MODE=webhook", "needs VOCBOT_PUBLIC_URL, the https address Telegram posts updates to")
		}
	}

	if v, where := r.read("VOCBOT_SLACK_BOT_TOKEN"); v != "" {
		if err := checkPrefixedToken(v, "xoxb-", "a bot token (OAuth & Permissions → Bot User OAuth Token)"); err != nil {
			r.failf(where, "%v", err)
		}
		c.Slack.BotToken = v
	}
	if v, where := r.read("VOCBOT_SLACK_SIGNING_SECRET"); v != "" {
		if err := checkSecret(v); err != nil {
			r.failf(where, "%v", err)
		}
		c.Slack.SigningSecret = v
	}
	if v, where := r.read("VOCBOT_SLACK_APP_TOKEN"); v != "" {
		if err := checkPrefixedToken(v, "xapp-", "an app-level token with connections:write (Basic Information → App-Level Tokens)"); err != nil {
			r.failf(where, "%v", err)
		}
		c.Slack.AppToken = v
	}
	if v, where := r.read("VOCBOT_SLACK_API_URL"); v != "" {
		if u, err := checkBaseURL(v); err != nil {
			r.failf(where, "%v; write the Web API base URL, e.g. https://slack.com/api/", err)
		} else {
			c.Slack.APIURL = strings.TrimRight(u.String(), "/") + "/"
		}
	}

	if v, where := r.read("VOCBOT_DISCORD_TOKEN"); v != "" {
		if strings.HasPrefix(v, "Bot ") {
			r.failf(where, "drop the leading \"Bot \"; give the token alone")
		} else if err := checkSecret(v); err != nil {
			r.failf(where, "%v", err)
		}
		c.Discord.Token = v
	}
	if v, where := r.read("VOCBOT_DISCORD_APP_ID"); v != "" {
		if !snowflake(v) {
			r.failf(where, "%q is not an application id; copy the number from the Developer Portal (General Information)", v)
		}
		c.Discord.AppID = v
	}
	if v, where := r.read("VOCBOT_DISCORD_PUBLIC_KEY"); v != "" {
		key, err := hex.DecodeString(v)
		if err != nil || len(key) != 32 {
			r.failf(where, "want 64 hex characters; copy the Public Key from the Developer Portal (General Information)")
		} else {
			c.Discord.PublicKey = key
		}
	}
	if v, where := r.read("VOCBOT_DISCORD_API_URL"); v != "" {
		u, err := checkBaseURL(v)
		switch {
		case err != nil:
			r.failf(where, "%v; write scheme and host, e.g. https://discord.com", err)
		case strings.Trim(u.Path, "/") != "":
			r.failf(where, "give scheme and host only, e.g. http://127.0.0.1:8081; vocbot adds the /api/v… path")
		default:
			c.Discord.APIURL = (&url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}).String()
		}
	}

	if v, where := r.read("VOCBOT_DISCORD_GUILD_ID"); v != "" {
		if !snowflake(v) {
			r.failf(where, "%q is not a server id; with Developer Mode on, right-click the server icon → Copy Server ID", v)
		} else {
			c.Discord.GuildID = v
		}
	}

	if v, where := r.read("VOCBOT_LOG_LEVEL"); v != "" {
		var level slog.Level
		switch strings.ToLower(v) {
		case "debug":
			level = slog.LevelDebug
		case "info":
			level = slog.LevelInfo
		case "warn":
			level = slog.LevelWarn
		case "error":
			level = slog.LevelError
		default:
			r.failf(where, "%q is not a level; use debug, info, warn or error", v)
			level = c.Log.Level
		}
		c.Log.Level = level
	}
	if v, where := r.read("VOCBOT_LOG_FORMAT"); v != "" {
		switch f := strings.ToLower(v); f {
		case "auto", "text", "json":
			c.Log.Format = f
		default:
			r.failf(where, "%q is not a format; use text or json, or unset it for text on a terminal and json otherwise", v)
		}
	}
	return r.errs
}

// checkDatabaseURL accepts the two forms storage.Open understands. Its
// messages never quote the URL: it may hold a password.
func checkDatabaseURL(v string) error {
	const forms = "use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB"
	switch {
	case strings.HasPrefix(v, "sqlite://"):
		path := strings.TrimPrefix(v, "sqlite://")
		if path == "" || path[0] == '?' {
			return errors.New("sqlite:// needs a file path, e.g. sqlite://./vocbot.db or sqlite:///data/vocbot.db")
		}
		if path == ":memory:" {
			return errors.New("sqlite://:memory: would lose every answer on restart; give a file path")
		}
		return nil
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		if _, err := url.Parse(v); err != nil {
			return errors.New("is not a valid URL; percent-encode special characters in the user name and password")
		}
		return nil
	default:
		return errors.New("unsupported database; " + forms)
	}
}

// checkListenAddr accepts host:port with a numeric port (0 picks a free one).
func checkListenAddr(v string) error {
	bad := fmt.Errorf("%q is not host:port; write e.g. :8080 or 127.0.0.1:8080", v)
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return bad
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || !allDigits(port) {
		return bad
	}
	return nil
}

// checkBaseURL accepts an absolute http(s) URL without query or fragment.
// Its messages show the URL with any password masked.
func checkBaseURL(v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", maskURL(v))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("%q has a query or fragment; remove it", maskURL(v))
	}
	return u, nil
}

// checkTelegramAPIURL accepts a Bot API endpoint format string: an http(s)
// URL with exactly two %s, the token and the method, and no other verb.
func checkTelegramAPIURL(v string) error {
	const example = "e.g. http://127.0.0.1:8081/bot%s/%s"
	if n := strings.Count(v, "%s"); n != 2 {
		return fmt.Errorf("has %d %%s; it needs exactly two, the token then the method, %s", n, example)
	}
	probe := strings.ReplaceAll(v, "%s", "x")
	if strings.Contains(probe, "%") {
		return fmt.Errorf("may contain no %% other than the two %%s, %s", example)
	}
	if _, err := checkBaseURL(probe); err != nil {
		return fmt.Errorf("is not an absolute http(s) URL, %s", example)
	}
	return nil
}

// parseAPITokens splits VOCBOT_API_TOKENS. Tokens are compared as digests,
// so length is free, but short ones are guessable: at least 16 characters.
func parseAPITokens(v string) ([]string, error) {
	var tokens []string
	for i, t := range strings.Split(v, ",") {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			return nil, fmt.Errorf("token %d is empty; separate tokens with single commas", i+1)
		case checkSecret(t) != nil:
			return nil, fmt.Errorf("token %d contains spaces or control characters", i+1)
		case len(t) < 16:
			return nil, fmt.Errorf("token %d is shorter than 16 characters; use long random tokens (e.g. openssl rand -hex 32)", i+1)
		}
		if !slices.Contains(tokens, t) {
			tokens = append(tokens, t)
		}
	}
	return tokens, nil
}

// decodeWebhookSecret decodes a Standard Webhooks secret, "whsec_" followed
// by the base64 of the HMAC key (padding optional). The specification asks
// for 24 to 64 random bytes; shorter keys are refused.
func decodeWebhookSecret(v string) ([]byte, error) {
	const how = "write whsec_ followed by base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))"
	b64, ok := strings.CutPrefix(v, "whsec_")
	if !ok {
		return nil, errors.New("must start with whsec_; " + how)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil {
		return nil, errors.New("the part after whsec_ is not valid base64; " + how)
	}
	if len(key) < 24 {
		return nil, fmt.Errorf("the key is %d bytes; %s", len(key), how)
	}
	return key, nil
}

// checkSecret refuses whitespace and control characters, the usual sign of a
// token pasted with a line break or quoted twice.
func checkSecret(v string) error {
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return errors.New("contains spaces or control characters; paste the token alone")
		}
	}
	return nil
}

// checkPrefixedToken checks a Slack token's type prefix: a token of another
// type (a user token, the app token in the bot's place) is clearly wrong.
func checkPrefixedToken(v, prefix, what string) error {
	if !strings.HasPrefix(v, prefix) {
		return fmt.Errorf("must start with %s; use %s", prefix, what)
	}
	return checkSecret(v)
}

// telegramSecret is Telegram's rule for setWebhook's secret_token.
func telegramSecret(v string) bool {
	if len(v) < 1 || len(v) > 256 {
		return false
	}
	for _, r := range v {
		ok := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}
