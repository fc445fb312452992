package config

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func effective(t *testing.T, c *Config) string {
	t.Helper()
	var b strings.Builder
	if err := c.WriteEffective(&b); err != nil {
		t.Fatalf("WriteEffective: %v", err)
	}
	return b.String()
}

func TestWriteEffectiveDefaults(t *testing.T) {
	t.Parallel()
	want := `# vocbot configuration in effect; secrets are masked.
# file: none; built-in defaults apply
# telegram: off (VOCBOT_TELEGRAM_TOKEN not set)
# slack: off (VOCBOT_SLACK_BOT_TOKEN not set)
# discord: off (VOCBOT_DISCORD_TOKEN not set)
# api: off (VOCBOT_API_TOKENS not set; /v1 refuses every request)
# signatures: off (VOCBOT_WEBHOOK_SECRET not set; bearer tokens only)
# digests: off (none in the configuration file)
# alerts: off (none in the configuration file)
# ambassadors: off (no ambassadors in the configuration file; /survey answers nobody)
# web_link_fallback: off (not in the configuration file; a survey a chat refuses stays undeliverable)
# wording of nps: built-in in every locale
# wording of csat: built-in in every locale
# wording of ces: built-in in every locale
# wording of enps: built-in in every locale
environment:
  VOCBOT_CONFIG: ""
  VOCBOT_DATABASE_URL: sqlite://./vocbot.db
  VOCBOT_HTTP_ADDR: :8080
  VOCBOT_PUBLIC_URL: ""
  VOCBOT_API_TOKENS: ""
  VOCBOT_WEBHOOK_SECRET: ""
  VOCBOT_WEB_LINK_FALLBACK_SECRET: ""
  VOCBOT_TELEGRAM_TOKEN: ""
  VOCBOT_TELEGRAM_API_URL: https://api.telegram.org/bot%s/%s
  VOCBOT_TELEGRAM_MODE: polling
  VOCBOT_TELEGRAM_WEBHOOK_SECRET: ""
  VOCBOT_SLACK_BOT_TOKEN: ""
  VOCBOT_SLACK_SIGNING_SECRET: ""
  VOCBOT_SLACK_APP_TOKEN: ""
  VOCBOT_SLACK_API_URL: https://slack.com/api/
  VOCBOT_DISCORD_TOKEN: ""
  VOCBOT_DISCORD_APP_ID: ""
  VOCBOT_DISCORD_PUBLIC_KEY: ""
  VOCBOT_DISCORD_API_URL: https://discord.com
  VOCBOT_DISCORD_GUILD_ID: ""
  VOCBOT_LOG_LEVEL: info
  VOCBOT_LOG_FORMAT: auto
product: ""
timezone: UTC
default_locale: en
surveys:
  - id: nps
    metric: nps
    question: {}
    follow_up: true
    expires_after: 72h
    reminder_after: 0s
    web_link: false
    title: {}
    follow_up_question: {}
    thanks: {}
    reasons: []
  - id: csat
    metric: csat
    question: {}
    follow_up: true
    expires_after: 72h
    reminder_after: 0s
    web_link: false
    title: {}
    follow_up_question: {}
    thanks: {}
    reasons: []
  - id: ces
    metric: ces
    question: {}
    follow_up: true
    expires_after: 72h
    reminder_after: 0s
    web_link: false
    title: {}
    follow_up_question: {}
    thanks: {}
    reasons: []
  - id: enps
    metric: enps
    question: {}
    follow_up: true
    expires_after: 72h
    reminder_after: 0s
    web_link: false
    title: {}
    follow_up_question: {}
    thanks: {}
    reasons: []
touchpoints: []
fatigue:
  min_gap: 720h
digests: []
alerts: []
ambassadors:
  slack_users: []
  discord_roles: []
  discord_users: []
  telegram_users: []
  daily_quota: 50
enps:
  anonymity_threshold: 5
  comment_threshold: 8
digits:
  ar: native
  fa: native
`
	if diff := cmp.Diff(want, effective(t, Default())); diff != "" {
		t.Errorf("WriteEffective (-want +got):\n%s", diff)
	}
}

// TestWriteEffectiveMasksSecrets sets every secret and checks that no piece
// of any of them reaches the output, while the non-secret parts do.
func TestWriteEffectiveMasksSecrets(t *testing.T) {
	t.Parallel()
	key := []byte("Zq9xK2mP7wR4vB8nT1yH6jL3cF5dG0sA")
	secrets := []struct {
		env    string
		value  string
		secret string // the part that must never show
		shown  string // what the line shows instead
	}{
		{"VOCBOT_DATABASE_URL", "postgres://vocbot:Hx7Qp2Lm9Vz4@db.internal:5432/vocbot?sslmode=require&password=Kd8Wn3Rt6Ys1",
			"Hx7Qp2Lm9Vz4", "VOCBOT_DATABASE_URL: postgres://vocbot:****@db.internal:5432/vocbot?sslmode=require&password=****"},
		{"VOCBOT_DATABASE_URL", "postgres://vocbot:Hx7Qp2Lm9Vz4@db.internal:5432/vocbot?sslmode=require&password=Kd8Wn3Rt6Ys1",
			"Kd8Wn3Rt6Ys1", ""},
		{"VOCBOT_PUBLIC_URL", "https://Pw3Ke8Rn5Ty2@vocbot.example.com",
			"Pw3Ke8Rn5Ty2", "VOCBOT_PUBLIC_URL: https://****@vocbot.example.com"},
		{"VOCBOT_API_TOKENS", "Tk4Jh9Bv2Xc7Nm5Qa1Zs, Ws6Ed3Rf8Tg0Yh2Uj4Ik",
			"Tk4Jh9Bv2Xc7Nm5Qa1Zs", "VOCBOT_API_TOKENS: '****,****'"},
		{"VOCBOT_API_TOKENS", "Tk4Jh9Bv2Xc7Nm5Qa1Zs, Ws6Ed3Rf8Tg0Yh2Uj4Ik",
			"Ws6Ed3Rf8Tg0Yh2Uj4Ik", ""},
		{"VOCBOT_WEBHOOK_SECRET", "whsec_" + base64.StdEncoding.EncodeToString(key),
			base64.StdEncoding.EncodeToString(key), "VOCBOT_WEBHOOK_SECRET: whsec_****"},
		{"VOCBOT_WEBHOOK_SECRET", "whsec_" + base64.StdEncoding.EncodeToString(key),
			string(key), ""},
		{"VOCBOT_TELEGRAM_TOKEN", "7712345678:AAHq3Zx9Kp2Lm7Vw4Rt8Yn1Bc6Df0Gh5Js",
			"7712345678:AAHq3Zx9Kp2Lm7Vw4Rt8Yn1Bc6Df0Gh5Js", "VOCBOT_TELEGRAM_TOKEN: '****'"},
		{"VOCBOT_TELEGRAM_API_URL", "https://bot:Mq5Nw8Pe2Rt4@tg.example/bot%s/%s",
			"Mq5Nw8Pe2Rt4", "VOCBOT_TELEGRAM_API_URL: https://bot:****@tg.example/bot%s/%s"},
		{"VOCBOT_TELEGRAM_WEBHOOK_SECRET", "Sx2Dc5Fv8Gb1Hn4Jm7",
			"Sx2Dc5Fv8Gb1Hn4Jm7", "VOCBOT_TELEGRAM_WEBHOOK_SECRET: '****'"},
		{"VOCBOT_SLACK_BOT_TOKEN", "xoxb-1234567890-0987654321-Qz8Wx5Ec2Rv9Tb6Yn3Um0Ik",
			"1234567890-0987654321-Qz8Wx5Ec2Rv9Tb6Yn3Um0Ik", "VOCBOT_SLACK_BOT_TOKEN: xoxb-****"},
		{"VOCBOT_SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5",
			"8f742231b10e8888abcd99yyyzzz85a5", "VOCBOT_SLACK_SIGNING_SECRET: '****'"},
		{"VOCBOT_SLACK_APP_TOKEN", "xapp-1-A0123ABC-1234567890123-Lp0Ok9Ij8Uh7Yg6Tf5Rd4Es3",
			"1-A0123ABC-1234567890123-Lp0Ok9Ij8Uh7Yg6Tf5Rd4Es3", "VOCBOT_SLACK_APP_TOKEN: xapp-****"},
		{"VOCBOT_SLACK_API_URL", "https://proxy.example/api/?token=Vb3Nm6Qw9Er2",
			"Vb3Nm6Qw9Er2", ""}, // refused (a query), so never printed at all
		{"VOCBOT_DISCORD_TOKEN", "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.Mn0pQr1sTu2vWx3yZa4bCd5eFg6hIj7kLm8",
			"MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.Mn0pQr1sTu2vWx3yZa4bCd5eFg6hIj7kLm8", "VOCBOT_DISCORD_TOKEN: '****'"},
		{"VOCBOT_DISCORD_API_URL", "https://Hj4Kl7Zx1Cv9@discord.proxy",
			"Hj4Kl7Zx1Cv9", "VOCBOT_DISCORD_API_URL: https://****@discord.proxy"},
	}
	env := map[string]string{}
	for _, s := range secrets {
		env[s.env] = s.value
	}
	delete(env, "VOCBOT_SLACK_API_URL")
	c, err := Load(envMap(env), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	out := effective(t, c)
	for _, s := range secrets {
		// Any 6-character piece of a secret would be a leak.
		for i := 0; i+6 <= len(s.secret); i++ {
			if piece := s.secret[i : i+6]; strings.Contains(out, piece) {
				t.Errorf("%s: the output contains %q, part of the secret", s.env, piece)
				break
			}
		}
		if s.shown != "" && !strings.Contains(out, "\n  "+s.shown+"\n") {
			t.Errorf("%s: the output lacks the line %q", s.env, s.shown)
		}
	}
	for _, f := range c.Features() {
		for _, s := range secrets {
			if strings.Contains(f.Why, s.secret) {
				t.Errorf("feature %s shows a secret of %s", f.Name, s.env)
			}
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestMaskURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                        "",
		"sqlite://./vocbot.db":                    "sqlite://./vocbot.db",
		"postgres://vocbot@db/x":                  "postgres://vocbot@db/x",
		"postgres://vocbot:pw@db/x":               "postgres://vocbot:****@db/x",
		"postgresql://vocbot:p%40ss@db:5432/x":    "postgresql://vocbot:****@db:5432/x",
		"postgres://db/x?user=v&password=pw&a=b":  "postgres://db/x?user=v&password=****&a=b",
		"postgres://db/x?sslpassword=pw":          "postgres://db/x?sslpassword=****",
		"https://tok@example.com/a":               "https://****@example.com/a",
		"https://u:p@example.com/a":               "https://u:****@example.com/a",
		"https://example.com/a?api_key=k&x=1":     "https://example.com/a?api_key=****&x=1",
		"https://example.com/a#secret":            "https://example.com/a#****",
		"http://127.0.0.1:8081/bot%s/%s":          "http://127.0.0.1:8081/bot%s/%s",
		"postgres://u:pw%zz@db/x":                 "****",
		"postgres:u:pw@db":                        "****",
		"https://example.com/a?%zz=secret":        "https://example.com/a?%zz=****",
		"https://example.com/a?token":             "https://example.com/a?token=****",
		"https://example.com/a?access_token=a=b=": "https://example.com/a?access_token=****",
	} {
		if got := maskURL(in); got != want {
			t.Errorf("maskURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriteEffectiveRoundTrip checks that the file part of the output is
// itself a configuration file that loads to the same settings.
func TestWriteEffectiveRoundTrip(t *testing.T) {
	t.Parallel()
	data, err := exampleFile()
	if err != nil {
		t.Fatal(err)
	}
	c := Default()
	if errs := decodeFile("vocbot.example.yaml", data, c); errs != nil {
		t.Fatalf("example: %v", errors.Join(errs...))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(effective(t, c)), &doc); err != nil {
		t.Fatalf("output is not YAML: %v", err)
	}
	root := doc.Content[0]
	if root.Content[0].Value != "environment" {
		t.Fatalf("first key %q, want environment", root.Content[0].Value)
	}
	root.Content = root.Content[2:]
	out, err := yaml.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	again := Default()
	if errs := decodeFile("effective.yaml", out, again); errs != nil {
		t.Fatalf("output does not load: %v\n%s", errors.Join(errs...), out)
	}
	if diff := cmp.Diff(c, again, cmpLocations); diff != "" {
		t.Errorf("reloaded output differs (-example +reloaded):\n%s", diff)
	}
}

func TestFeatures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		file string
		want []string
	}{
		{"nothing", nil, "", []string{
			"telegram: off (VOCBOT_TELEGRAM_TOKEN not set)",
			"slack: off (VOCBOT_SLACK_BOT_TOKEN not set)",
			"discord: off (VOCBOT_DISCORD_TOKEN not set)",
			"api: off (VOCBOT_API_TOKENS not set; /v1 refuses every request)",
			"signatures: off (VOCBOT_WEBHOOK_SECRET not set; bearer tokens only)",
			"digests: off (none in the configuration file)",
			"alerts: off (none in the configuration file)",
			"ambassadors: off (no ambassadors in the configuration file; /survey answers nobody)",
			"web_link_fallback: off (not in the configuration file; a survey a chat refuses stays undeliverable)",
		}},
		{"polling, socket mode, gateway", map[string]string{
			"VOCBOT_TELEGRAM_TOKEN":           "1:a",
			"VOCBOT_SLACK_BOT_TOKEN":          "xoxb-1",
			"VOCBOT_SLACK_APP_TOKEN":          "xapp-1",
			"VOCBOT_SLACK_SIGNING_SECRET":     "s",
			"VOCBOT_DISCORD_TOKEN":            "d",
			"VOCBOT_API_TOKENS":               testToken1,
			"VOCBOT_WEBHOOK_SECRET":           "whsec_" + base64.StdEncoding.EncodeToString(testWebhookKey),
			"VOCBOT_PUBLIC_URL":               "https://vocbot.example.com",
			"VOCBOT_WEB_LINK_FALLBACK_SECRET": "whsec_" + base64.StdEncoding.EncodeToString(testWebhookKey),
		}, y(
			"web_link_fallback: {url: 'https://crm.example.com/hooks/vocbot?token=Qm4Rt7'}",
			"digests:",
			"  - {id: daily, to: slack:C0123, at: '09:00', timezone: Europe/Berlin}",
			"alerts:",
			"  - to: telegram:-100123",
			"ambassadors:",
			"  slack_users: [U1, U2]",
			"  telegram_users: [1]",
			"  daily_quota: 10",
		), []string{
			"telegram: on (long polling by one replica at a time (the others stand by); VOCBOT_TELEGRAM_MODE=webhook spreads updates over all)",
			"slack: on (Socket Mode, because VOCBOT_SLACK_APP_TOKEN is set; the HTTP request URLs answer too)",
			"discord: on (gateway held by one replica at a time (the others stand by); VOCBOT_DISCORD_PUBLIC_KEY switches to HTTP interactions)",
			"api: on (/v1 accepts 1 bearer token)",
			"signatures: on (/v1/touchpoints also needs a Standard Webhooks signature)",
			"digests: on (daily at 09:00 Europe/Berlin to slack:C0123)",
			"alerts: on (detractor to telegram:-100123)",
			"ambassadors: on (2 Slack users, 1 Telegram user; 10 sends each per day)",
			"web_link_fallback: on (web links of surveys a chat refuses are posted to https://crm.example.com, signed)",
		}},
		{"webhook, HTTP, interactions, platforms off for targets", map[string]string{
			"VOCBOT_TELEGRAM_TOKEN":          "1:a",
			"VOCBOT_TELEGRAM_MODE":           "webhook",
			"VOCBOT_TELEGRAM_WEBHOOK_SECRET": "s",
			"VOCBOT_TELEGRAM_API_URL":        "http://127.0.0.1:8081/bot%s/%s",
			"VOCBOT_PUBLIC_URL":              "https://bot.example.com/",
			"VOCBOT_SLACK_SIGNING_SECRET":    "s",
			"VOCBOT_DISCORD_TOKEN":           "d",
			"VOCBOT_DISCORD_PUBLIC_KEY":      testPublicKey,
			"VOCBOT_API_TOKENS":              testToken1 + "," + testToken2,
		}, y(
			"digests:",
			"  - {id: a, to: slack:C0123, at: '09:00'}",
			"  - {id: b, to: discord:42, at: '18:30'}",
			"alerts:",
			"  - to: slack:C0123",
			"  - {to: discord:43, recovery: {survey: csat}}",
			"ambassadors:",
			"  discord_roles: ['42']",
		), []string{
			"telegram: on (webhook at https://bot.example.com/telegram/webhook; Bot API at http://127.0.0.1:8081/bot%s/%s)",
			"slack: off (VOCBOT_SLACK_BOT_TOKEN not set; VOCBOT_SLACK_SIGNING_SECRET unused without it)",
			"discord: on (HTTP interactions at /discord/interactions, because VOCBOT_DISCORD_PUBLIC_KEY is set)",
			"api: on (/v1 accepts 2 bearer tokens)",
			"signatures: off (VOCBOT_WEBHOOK_SECRET not set; bearer tokens only)",
			"digests: on (a at 09:00 UTC to slack:C0123 [slack is off]; b at 18:30 UTC to discord:42)",
			"alerts: on (detractor to slack:C0123 [slack is off]; detractor to discord:43, recovery survey csat 48h after resolution)",
			"ambassadors: on (1 Discord role; 50 sends each per day)",
			"web_link_fallback: off (not in the configuration file; a survey a chat refuses stays undeliverable)",
		}},
		{"discord in one server, users as ambassadors", map[string]string{
			"VOCBOT_DISCORD_TOKEN":    "d",
			"VOCBOT_DISCORD_GUILD_ID": "987654321098765432",
		}, y(
			"ambassadors:",
			"  discord_roles: ['42']",
			"  discord_users: ['812345678901234567', '812345678901234568']",
		), []string{
			"telegram: off (VOCBOT_TELEGRAM_TOKEN not set)",
			"slack: off (VOCBOT_SLACK_BOT_TOKEN not set)",
			"discord: on (gateway held by one replica at a time (the others stand by); VOCBOT_DISCORD_PUBLIC_KEY switches to HTTP interactions; /survey registered in server 987654321098765432 only)",
			"api: off (VOCBOT_API_TOKENS not set; /v1 refuses every request)",
			"signatures: off (VOCBOT_WEBHOOK_SECRET not set; bearer tokens only)",
			"digests: off (none in the configuration file)",
			"alerts: off (none in the configuration file)",
			"ambassadors: on (1 Discord role, 2 Discord users; 50 sends each per day)",
			"web_link_fallback: off (not in the configuration file; a survey a chat refuses stays undeliverable)",
		}},
		{"discord users alone, discord off", nil, y("ambassadors:", "  discord_users: [812345678901234567]"), []string{
			"telegram: off (VOCBOT_TELEGRAM_TOKEN not set)",
			"slack: off (VOCBOT_SLACK_BOT_TOKEN not set)",
			"discord: off (VOCBOT_DISCORD_TOKEN not set)",
			"api: off (VOCBOT_API_TOKENS not set; /v1 refuses every request)",
			"signatures: off (VOCBOT_WEBHOOK_SECRET not set; bearer tokens only)",
			"digests: off (none in the configuration file)",
			"alerts: off (none in the configuration file)",
			"ambassadors: on (1 Discord user [discord is off]; 50 sends each per day)",
			"web_link_fallback: off (not in the configuration file; a survey a chat refuses stays undeliverable)",
		}},
		{"slack HTTP, and posting only", map[string]string{"VOCBOT_SLACK_BOT_TOKEN": "xoxb-1", "VOCBOT_SLACK_SIGNING_SECRET": "s"}, "", []string{
			"slack: on (HTTP: point the app's request URLs at /slack/events, /slack/commands and /slack/interactivity)",
		}},
		{"slack posting only", map[string]string{"VOCBOT_SLACK_BOT_TOKEN": "xoxb-1"}, "", []string{
			"slack: on (posting only: commands and answers need VOCBOT_SLACK_SIGNING_SECRET and the app's request URLs)",
		}},
		{"slack socket mode alone", map[string]string{"VOCBOT_SLACK_BOT_TOKEN": "xoxb-1", "VOCBOT_SLACK_APP_TOKEN": "xapp-1"}, "", []string{
			"slack: on (Socket Mode, because VOCBOT_SLACK_APP_TOKEN is set: no public URL needed, every replica connects)",
		}},
		{"slack app token without bot token", map[string]string{"VOCBOT_SLACK_APP_TOKEN": "xapp-1"}, "", []string{
			"slack: off (VOCBOT_SLACK_BOT_TOKEN not set; VOCBOT_SLACK_APP_TOKEN unused without it)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			if tt.file != "" {
				env["VOCBOT_CONFIG"] = writeFile(t, "vocbot.yaml", tt.file)
			}
			c, err := Load(envMap(env), nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var got []string
			for _, f := range c.Features() {
				if len(tt.want) == 9 || f.Name == "slack" {
					got = append(got, f.String())
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Features (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWriteEffectiveDigestOfAllSurveys is a regression test (found by
// FuzzLoadYAML): a digest of all surveys printed "surveys: []", which the
// file refuses, so config check's output did not load.
func TestWriteEffectiveDigestOfAllSurveys(t *testing.T) {
	t.Parallel()
	c, errs := decode(t, y("digests:", "  - {id: d, to: 'slack:C1', at: '09:00'}"))
	if errs != nil {
		t.Fatal(errs)
	}
	out, err := yaml.Marshal(c.file())
	if err != nil {
		t.Fatal(err)
	}
	again := Default()
	if errs := decodeFile("effective.yaml", out, again); errs != nil {
		t.Fatalf("output does not load: %v\n%s", errs, out)
	}
	if diff := cmp.Diff(c, again, cmpLocations); diff != "" {
		t.Errorf("reloaded output differs (-file +reloaded):\n%s", diff)
	}
}
