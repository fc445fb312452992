package config

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	testPublicKey = "a7c9b2e1f0d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccdd"
	testToken1    = "tok-4f8a1c9e2b7d6a35"
	testToken2    = "tok-9e2b7d6a354f8a1c"
)

// testWebhookKey is 32 bytes, the usual Standard Webhooks key.
var testWebhookKey = bytes.Repeat([]byte("k3y!"), 8)

// envCases sets each variable to a valid value and reads back the field it
// fills. TestEnv runs them directly and TestEnvFile through VOCBOT_X_FILE.
var envCases = []struct {
	name string // the variable, without _FILE
	val  string
	got  func(*Config) any
	want any
}{
	{"VOCBOT_DATABASE_URL", "sqlite:///data/vocbot.db", func(c *Config) any { return c.DatabaseURL }, "sqlite:///data/vocbot.db"},
	{"VOCBOT_DATABASE_URL", "postgres://vocbot:pw@db:5432/vocbot?sslmode=disable", func(c *Config) any { return c.DatabaseURL }, "postgres://vocbot:pw@db:5432/vocbot?sslmode=disable"},
	{"VOCBOT_DATABASE_URL", "postgresql:///vocbot?host=/run/postgresql", func(c *Config) any { return c.DatabaseURL }, "postgresql:///vocbot?host=/run/postgresql"},
	{"VOCBOT_HTTP_ADDR", "127.0.0.1:9090", func(c *Config) any { return c.HTTP.Addr }, "127.0.0.1:9090"},
	{"VOCBOT_HTTP_ADDR", ":0", func(c *Config) any { return c.HTTP.Addr }, ":0"},
	{"VOCBOT_HTTP_ADDR", "[::1]:8080", func(c *Config) any { return c.HTTP.Addr }, "[::1]:8080"},
	{"VOCBOT_PUBLIC_URL", "https://vocbot.example.com/", func(c *Config) any { return c.HTTP.PublicURL }, "https://vocbot.example.com"},
	{"VOCBOT_PUBLIC_URL", "http://10.0.0.5:8080/bot", func(c *Config) any { return c.HTTP.PublicURL }, "http://10.0.0.5:8080/bot"},
	{"VOCBOT_API_TOKENS", testToken1 + " , " + testToken2 + "," + testToken1, func(c *Config) any { return c.HTTP.APITokens }, []string{testToken1, testToken2}},
	{"VOCBOT_WEBHOOK_SECRET", "whsec_" + base64.StdEncoding.EncodeToString(testWebhookKey), func(c *Config) any { return c.HTTP.WebhookKey }, testWebhookKey},
	{"VOCBOT_WEBHOOK_SECRET", "whsec_" + base64.RawStdEncoding.EncodeToString(testWebhookKey[:25]), func(c *Config) any { return c.HTTP.WebhookKey }, testWebhookKey[:25]},
	{"VOCBOT_TELEGRAM_TOKEN", "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11", func(c *Config) any { return c.Telegram.Token }, "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"},
	{"VOCBOT_TELEGRAM_API_URL", "http://127.0.0.1:8081/bot%s/%s", func(c *Config) any { return c.Telegram.APIURL }, "http://127.0.0.1:8081/bot%s/%s"},
	{"VOCBOT_TELEGRAM_MODE", "polling", func(c *Config) any { return c.Telegram.Mode }, "polling"},
	{"VOCBOT_TELEGRAM_MODE", "POLLING", func(c *Config) any { return c.Telegram.Mode }, "polling"},
	{"VOCBOT_TELEGRAM_WEBHOOK_SECRET", "s3cr3t_-TOKEN", func(c *Config) any { return c.Telegram.WebhookSecret }, "s3cr3t_-TOKEN"},
	{"VOCBOT_SLACK_BOT_TOKEN", "xoxb-1-2-abc", func(c *Config) any { return c.Slack.BotToken }, "xoxb-1-2-abc"},
	{"VOCBOT_SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5", func(c *Config) any { return c.Slack.SigningSecret }, "8f742231b10e8888abcd99yyyzzz85a5"},
	{"VOCBOT_SLACK_APP_TOKEN", "xapp-1-A1-2-abc", func(c *Config) any { return c.Slack.AppToken }, "xapp-1-A1-2-abc"},
	{"VOCBOT_SLACK_API_URL", "http://127.0.0.1:9999/api", func(c *Config) any { return c.Slack.APIURL }, "http://127.0.0.1:9999/api/"},
	{"VOCBOT_SLACK_API_URL", "https://slack.example/api/", func(c *Config) any { return c.Slack.APIURL }, "https://slack.example/api/"},
	{"VOCBOT_DISCORD_TOKEN", "MTA.x.y", func(c *Config) any { return c.Discord.Token }, "MTA.x.y"},
	{"VOCBOT_DISCORD_APP_ID", "123456789012345678", func(c *Config) any { return c.Discord.AppID }, "123456789012345678"},
	{"VOCBOT_DISCORD_GUILD_ID", "987654321098765432", func(c *Config) any { return c.Discord.GuildID }, "987654321098765432"},
	{"VOCBOT_DISCORD_PUBLIC_KEY", testPublicKey, func(c *Config) any { return c.Discord.PublicKey }, mustHex(testPublicKey)},
	{"VOCBOT_DISCORD_API_URL", "http://127.0.0.1:8082/", func(c *Config) any { return c.Discord.APIURL }, "http://127.0.0.1:8082"},
	{"VOCBOT_LOG_LEVEL", "debug", func(c *Config) any { return c.Log.Level }, slog.LevelDebug},
	{"VOCBOT_LOG_LEVEL", "WARN", func(c *Config) any { return c.Log.Level }, slog.LevelWarn},
	{"VOCBOT_LOG_LEVEL", "error", func(c *Config) any { return c.Log.Level }, slog.LevelError},
	{"VOCBOT_LOG_LEVEL", "info", func(c *Config) any { return c.Log.Level }, slog.LevelInfo},
	{"VOCBOT_LOG_FORMAT", "json", func(c *Config) any { return c.Log.Format }, "json"},
	{"VOCBOT_LOG_FORMAT", "text", func(c *Config) any { return c.Log.Format }, "text"},
	{"VOCBOT_LOG_FORMAT", "auto", func(c *Config) any { return c.Log.Format }, "auto"},
}

func mustHex(s string) ed25519.PublicKey {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestEnv(t *testing.T) {
	t.Parallel()
	for _, tt := range envCases {
		t.Run(tt.name+"="+tt.val, func(t *testing.T) {
			t.Parallel()
			c, err := Load(envMap(map[string]string{tt.name: tt.val}), nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tt.want, tt.got(c)); diff != "" {
				t.Errorf("%s=%q (-want +got):\n%s", tt.name, tt.val, diff)
			}
		})
	}
}

func TestEnvFile(t *testing.T) {
	t.Parallel()
	for _, tt := range envCases {
		for _, ending := range []string{"", "\n", "\r\n", "\n\n"} {
			t.Run(tt.name+"_FILE="+tt.val+strings.ReplaceAll(ending, "\n", `\n`), func(t *testing.T) {
				t.Parallel()
				path := writeFile(t, "secret", tt.val+ending)
				c, err := Load(envMap(map[string]string{tt.name + "_FILE": path}), nil)
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if diff := cmp.Diff(tt.want, tt.got(c)); diff != "" {
					t.Errorf("%s_FILE (-want +got):\n%s", tt.name, diff)
				}
			})
		}
	}
}

func TestEnvFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	empty := writeFile(t, "empty", "\n")
	big := writeFile(t, "big", strings.Repeat("x", maxEnvFile+1))
	unreadable := writeFile(t, "unreadable", "xoxb-1")
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"both set", map[string]string{"VOCBOT_SLACK_BOT_TOKEN": "xoxb-1", "VOCBOT_SLACK_BOT_TOKEN_FILE": empty},
			"VOCBOT_SLACK_BOT_TOKEN and VOCBOT_SLACK_BOT_TOKEN_FILE are both set; keep one"},
		{"missing", map[string]string{"VOCBOT_TELEGRAM_TOKEN_FILE": missing},
			"VOCBOT_TELEGRAM_TOKEN_FILE=" + missing + ": cannot read it: no such file or directory"},
		{"directory", map[string]string{"VOCBOT_DISCORD_TOKEN_FILE": dir},
			"VOCBOT_DISCORD_TOKEN_FILE=" + dir + ": cannot read it: is a directory"},
		{"empty", map[string]string{"VOCBOT_API_TOKENS_FILE": empty},
			"VOCBOT_API_TOKENS_FILE=" + empty + ": the file is empty; put the value in it or unset VOCBOT_API_TOKENS_FILE"},
		{"too big", map[string]string{"VOCBOT_SLACK_SIGNING_SECRET_FILE": big},
			"VOCBOT_SLACK_SIGNING_SECRET_FILE=" + big + ": the file is larger than 64 KiB; it should hold only the value"},
		{"value checked with the file named", map[string]string{"VOCBOT_SLACK_BOT_TOKEN_FILE": writeFile(t, "tok", "xapp-1\n")},
			"must start with xoxb-"},
	}
	if os.Geteuid() != 0 { // root reads anything
		tests = append(tests, struct {
			name string
			env  map[string]string
			want string
		}{"unreadable", map[string]string{"VOCBOT_SLACK_BOT_TOKEN_FILE": unreadable},
			"VOCBOT_SLACK_BOT_TOKEN_FILE=" + unreadable + ": cannot read it: permission denied"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(envMap(tt.env), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEnvErrors(t *testing.T) {
	t.Parallel()
	webhook := map[string]string{"VOCBOT_TELEGRAM_MODE": "webhook"}
	tests := []struct {
		name string
		env  map[string]string
		want []string // every line of the error
	}{
		{"database scheme", map[string]string{"VOCBOT_DATABASE_URL": "mysql://root:hunter2@db/x"},
			[]string{"VOCBOT_DATABASE_URL: unsupported database; use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB"}},
		{"database bare path", map[string]string{"VOCBOT_DATABASE_URL": "./vocbot.db"},
			[]string{"VOCBOT_DATABASE_URL: unsupported database; use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB"}},
		{"sqlite without path", map[string]string{"VOCBOT_DATABASE_URL": "sqlite://"},
			[]string{"VOCBOT_DATABASE_URL: sqlite:// needs a file path, e.g. sqlite://./vocbot.db or sqlite:///data/vocbot.db"}},
		{"sqlite memory", map[string]string{"VOCBOT_DATABASE_URL": "sqlite://:memory:"},
			[]string{"VOCBOT_DATABASE_URL: sqlite://:memory: would lose every answer on restart; give a file path"}},
		{"postgres bad URL", map[string]string{"VOCBOT_DATABASE_URL": "postgres://u:p%zz@db/x"},
			[]string{"VOCBOT_DATABASE_URL: is not a valid URL; percent-encode special characters in the user name and password"}},
		{"addr without port", map[string]string{"VOCBOT_HTTP_ADDR": "localhost"},
			[]string{`VOCBOT_HTTP_ADDR: "localhost" is not host:port; write e.g. :8080 or 127.0.0.1:8080`}},
		{"addr bad port", map[string]string{"VOCBOT_HTTP_ADDR": ":http"},
			[]string{`VOCBOT_HTTP_ADDR: ":http" is not host:port; write e.g. :8080 or 127.0.0.1:8080`}},
		{"addr port range", map[string]string{"VOCBOT_HTTP_ADDR": ":70000"},
			[]string{`VOCBOT_HTTP_ADDR: ":70000" is not host:port; write e.g. :8080 or 127.0.0.1:8080`}},
		{"public URL relative", map[string]string{"VOCBOT_PUBLIC_URL": "vocbot.example.com"},
			[]string{`VOCBOT_PUBLIC_URL: "vocbot.example.com" is not an absolute http(s) URL; write the external base URL, e.g. https://vocbot.example.com`}},
		{"public URL scheme", map[string]string{"VOCBOT_PUBLIC_URL": "ftp://x"},
			[]string{`VOCBOT_PUBLIC_URL: "ftp://x" is not an absolute http(s) URL; write the external base URL, e.g. https://vocbot.example.com`}},
		{"public URL query", map[string]string{"VOCBOT_PUBLIC_URL": "https://x/?a=1"},
			[]string{`VOCBOT_PUBLIC_URL: "https://x/?a=1" has a query or fragment; remove it; write the external base URL, e.g. https://vocbot.example.com`}},
		{"public URL password masked", map[string]string{"VOCBOT_PUBLIC_URL": "ftp://u:hunter2@x"},
			[]string{`VOCBOT_PUBLIC_URL: "ftp://u:****@x" is not an absolute http(s) URL; write the external base URL, e.g. https://vocbot.example.com`}},
		{"api token empty entry", map[string]string{"VOCBOT_API_TOKENS": testToken1 + ",," + testToken2},
			[]string{"VOCBOT_API_TOKENS: token 2 is empty; separate tokens with single commas"}},
		{"api token trailing comma", map[string]string{"VOCBOT_API_TOKENS": testToken1 + ","},
			[]string{"VOCBOT_API_TOKENS: token 2 is empty; separate tokens with single commas"}},
		{"api token short", map[string]string{"VOCBOT_API_TOKENS": "abc"},
			[]string{"VOCBOT_API_TOKENS: token 1 is shorter than 16 characters; use long random tokens (e.g. openssl rand -hex 32)"}},
		{"api token space", map[string]string{"VOCBOT_API_TOKENS": "abcdefgh ijklmnopqrst"},
			[]string{"VOCBOT_API_TOKENS: token 1 contains spaces or control characters"}},
		{"webhook prefix", map[string]string{"VOCBOT_WEBHOOK_SECRET": base64.StdEncoding.EncodeToString(testWebhookKey)},
			[]string{"VOCBOT_WEBHOOK_SECRET: must start with whsec_; write whsec_ followed by base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))"}},
		{"webhook base64", map[string]string{"VOCBOT_WEBHOOK_SECRET": "whsec_not*base64!"},
			[]string{"VOCBOT_WEBHOOK_SECRET: the part after whsec_ is not valid base64; write whsec_ followed by base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))"}},
		{"webhook short", map[string]string{"VOCBOT_WEBHOOK_SECRET": "whsec_" + base64.StdEncoding.EncodeToString([]byte("short"))},
			[]string{"VOCBOT_WEBHOOK_SECRET: the key is 5 bytes; write whsec_ followed by base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))"}},
		{"telegram token newline", map[string]string{"VOCBOT_TELEGRAM_TOKEN": "123:abc\n"},
			[]string{"VOCBOT_TELEGRAM_TOKEN: contains spaces or control characters; paste the token alone"}},
		{"telegram API URL one verb", map[string]string{"VOCBOT_TELEGRAM_API_URL": "http://127.0.0.1/bot%s"},
			[]string{"VOCBOT_TELEGRAM_API_URL: has 1 %s; it needs exactly two, the token then the method, e.g. http://127.0.0.1:8081/bot%s/%s"}},
		{"telegram API URL three verbs", map[string]string{"VOCBOT_TELEGRAM_API_URL": "http://%s/bot%s/%s"},
			[]string{"VOCBOT_TELEGRAM_API_URL: has 3 %s; it needs exactly two, the token then the method, e.g. http://127.0.0.1:8081/bot%s/%s"}},
		{"telegram API URL other verb", map[string]string{"VOCBOT_TELEGRAM_API_URL": "http://h/bot%s/%s?x=%d"},
			[]string{"VOCBOT_TELEGRAM_API_URL: may contain no % other than the two %s, e.g. http://127.0.0.1:8081/bot%s/%s"}},
		{"telegram API URL not a URL", map[string]string{"VOCBOT_TELEGRAM_API_URL": "bot%s/%s"},
			[]string{"VOCBOT_TELEGRAM_API_URL: is not an absolute http(s) URL, e.g. http://127.0.0.1:8081/bot%s/%s"}},
		{"telegram mode", map[string]string{"VOCBOT_TELEGRAM_MODE": "push"},
			[]string{`VOCBOT_TELEGRAM_MODE: "push" is not a mode; use polling or webhook`}},
		{"telegram webhook secret chars", map[string]string{"VOCBOT_TELEGRAM_WEBHOOK_SECRET": "has space"},
			[]string{"VOCBOT_TELEGRAM_WEBHOOK_SECRET: use 1 to 256 characters A-Z, a-z, 0-9, _ and - (Telegram's rule for secret_token)"}},
		{"telegram webhook secret long", map[string]string{"VOCBOT_TELEGRAM_WEBHOOK_SECRET": strings.Repeat("a", 257)},
			[]string{"VOCBOT_TELEGRAM_WEBHOOK_SECRET: use 1 to 256 characters A-Z, a-z, 0-9, _ and - (Telegram's rule for secret_token)"}},
		{"telegram webhook needs secret and URL", webhook, []string{
			"VOCBOT_TELEGRAM_MODE=webhook: needs VOCBOT_TELEGRAM_WEBHOOK_SECRET, the same on every replica (e.g. openssl rand -hex 32)",
			"VOCBOT_TELEGRAM_MODE=webhook: needs VOCBOT_PUBLIC_URL, the https address Telegram posts updates to",
		}},
		{"slack bot token prefix", map[string]string{"VOCBOT_SLACK_BOT_TOKEN": "xoxp-1-2"},
			[]string{"VOCBOT_SLACK_BOT_TOKEN: must start with xoxb-; use a bot token (OAuth & Permissions → Bot User OAuth Token)"}},
		{"slack bot token is the app token", map[string]string{"VOCBOT_SLACK_BOT_TOKEN": "xapp-1-2"},
			[]string{"VOCBOT_SLACK_BOT_TOKEN: must start with xoxb-; use a bot token (OAuth & Permissions → Bot User OAuth Token)"}},
		{"slack app token prefix", map[string]string{"VOCBOT_SLACK_APP_TOKEN": "xoxb-1-2"},
			[]string{"VOCBOT_SLACK_APP_TOKEN: must start with xapp-; use an app-level token with connections:write (Basic Information → App-Level Tokens)"}},
		{"slack signing secret space", map[string]string{"VOCBOT_SLACK_SIGNING_SECRET": "abc def"},
			[]string{"VOCBOT_SLACK_SIGNING_SECRET: contains spaces or control characters; paste the token alone"}},
		{"slack API URL", map[string]string{"VOCBOT_SLACK_API_URL": "slack.com/api"},
			[]string{`VOCBOT_SLACK_API_URL: "slack.com/api" is not an absolute http(s) URL; write the Web API base URL, e.g. https://slack.com/api/`}},
		{"discord token Bot prefix", map[string]string{"VOCBOT_DISCORD_TOKEN": "Bot MTA.x.y"},
			[]string{`VOCBOT_DISCORD_TOKEN: drop the leading "Bot "; give the token alone`}},
		{"discord app id", map[string]string{"VOCBOT_DISCORD_APP_ID": "my-app"},
			[]string{`VOCBOT_DISCORD_APP_ID: "my-app" is not an application id; copy the number from the Developer Portal (General Information)`}},
		{"discord guild id", map[string]string{"VOCBOT_DISCORD_GUILD_ID": "My Server"},
			[]string{`VOCBOT_DISCORD_GUILD_ID: "My Server" is not a server id; with Developer Mode on, right-click the server icon → Copy Server ID`}},
		{"discord guild id zero", map[string]string{"VOCBOT_DISCORD_GUILD_ID": "0"},
			[]string{`VOCBOT_DISCORD_GUILD_ID: "0" is not a server id; with Developer Mode on, right-click the server icon → Copy Server ID`}},
		{"discord public key short", map[string]string{"VOCBOT_DISCORD_PUBLIC_KEY": testPublicKey[:62]},
			[]string{"VOCBOT_DISCORD_PUBLIC_KEY: want 64 hex characters; copy the Public Key from the Developer Portal (General Information)"}},
		{"discord public key not hex", map[string]string{"VOCBOT_DISCORD_PUBLIC_KEY": strings.Repeat("g", 64)},
			[]string{"VOCBOT_DISCORD_PUBLIC_KEY: want 64 hex characters; copy the Public Key from the Developer Portal (General Information)"}},
		{"discord API URL with path", map[string]string{"VOCBOT_DISCORD_API_URL": "https://discord.com/api/v10"},
			[]string{"VOCBOT_DISCORD_API_URL: give scheme and host only, e.g. http://127.0.0.1:8081; vocbot adds the /api/v… path"}},
		{"discord API URL", map[string]string{"VOCBOT_DISCORD_API_URL": "discord.com"},
			[]string{`VOCBOT_DISCORD_API_URL: "discord.com" is not an absolute http(s) URL; write scheme and host, e.g. https://discord.com`}},
		{"log level", map[string]string{"VOCBOT_LOG_LEVEL": "verbose"},
			[]string{`VOCBOT_LOG_LEVEL: "verbose" is not a level; use debug, info, warn or error`}},
		{"log format", map[string]string{"VOCBOT_LOG_FORMAT": "logfmt"},
			[]string{`VOCBOT_LOG_FORMAT: "logfmt" is not a format; use text or json, or unset it for text on a terminal and json otherwise`}},
		{"several at once", map[string]string{"VOCBOT_LOG_LEVEL": "loud", "VOCBOT_HTTP_ADDR": "x"}, []string{
			`VOCBOT_HTTP_ADDR: "x" is not host:port; write e.g. :8080 or 127.0.0.1:8080`,
			`VOCBOT_LOG_LEVEL: "loud" is not a level; use debug, info, warn or error`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(envMap(tt.env), nil)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if diff := cmp.Diff(tt.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("error lines (-want +got):\n%s", diff)
			}
			for k, v := range tt.env {
				if strings.Contains(k, "TOKEN") || strings.Contains(k, "SECRET") {
					if len(v) > 4 && strings.Contains(err.Error(), v) {
						t.Errorf("error quotes the secret %s", k)
					}
				}
			}
		})
	}
}

func TestTelegramWebhookMode(t *testing.T) {
	t.Parallel()
	c, err := Load(envMap(map[string]string{
		"VOCBOT_TELEGRAM_TOKEN":          "123:abc",
		"VOCBOT_TELEGRAM_MODE":           "webhook",
		"VOCBOT_TELEGRAM_WEBHOOK_SECRET": "s3cret",
		"VOCBOT_PUBLIC_URL":              "https://bot.example.com",
	}), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Telegram{Token: "123:abc", APIURL: defaultTelegramAPIURL, Mode: "webhook", WebhookSecret: "s3cret"}
	if diff := cmp.Diff(want, c.Telegram); diff != "" {
		t.Errorf("Telegram (-want +got):\n%s", diff)
	}
}
