package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vocbot/vocbot/bench/harness"
)

// The secrets every vocbot of the suite is configured with. Each carries
// the word SECRET so a leak is easy to spot; secretScan looks for all of
// them (and their URL-escaped forms) in logs, API answers and database rows.
const (
	apiToken       = "bench-api-token-SECRET-7f3a9c21"
	telegramToken  = "777000:BENCH-telegram-SECRET-b41d9e"
	slackToken     = "xoxb-bench-slack-SECRET-9e2c44"
	slackSigning   = "bench-slack-signing-SECRET-51aa07"
	tgHookSecret   = "bench_tg_webhook_SECRET_8d21f0"
	webhookKey     = "bench-webhook-key-SECRET-0123456" // raw HMAC key, 32 bytes
	databasePasswd = "benchdbSECRETpw42"
)

// webhookSecret is VOCBOT_WEBHOOK_SECRET for webhookKey.
var webhookSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte(webhookKey))

func secrets() []string {
	return []string{apiToken, telegramToken, slackToken, slackSigning, tgHookSecret, webhookSecret,
		strings.TrimPrefix(webhookSecret, "whsec_"), webhookKey, databasePasswd}
}

// leaks lists the secrets (by a masked name) found in text.
func leaks(text string) []string {
	var found []string
	for _, sec := range secrets() {
		for _, form := range []string{sec, url.PathEscape(sec), url.QueryEscape(sec)} {
			if strings.Contains(text, form) {
				found = append(found, sec[:6]+"…")
				break
			}
		}
	}
	return found
}

// platforms says which adapters a vocbot runs and how they receive.
type platforms struct {
	webhook bool // Telegram webhook mode (needs a public URL) instead of polling
	slack   bool // Slack over HTTP (signed requests)
	signed  bool // /v1/touchpoints requires a Standard Webhooks signature
	config  string
}

// vocbotEnv is the environment of a serve on db talking to fakes.
func (s *suite) vocbotEnv(db *harness.Database, f *harness.Fakes, p platforms) map[string]string {
	env := map[string]string{
		"VOCBOT_DATABASE_URL":     db.URL,
		"VOCBOT_API_TOKENS":       "bench-other-token-0001," + apiToken,
		"VOCBOT_TELEGRAM_TOKEN":   telegramToken,
		"VOCBOT_TELEGRAM_API_URL": f.TelegramAPIURL,
		"VOCBOT_LOG_LEVEL":        "info",
		"VOCBOT_LOG_FORMAT":       "json",
	}
	if p.webhook {
		env["VOCBOT_TELEGRAM_MODE"] = "webhook"
		env["VOCBOT_TELEGRAM_WEBHOOK_SECRET"] = tgHookSecret
	}
	if p.slack {
		env["VOCBOT_SLACK_BOT_TOKEN"] = slackToken
		env["VOCBOT_SLACK_SIGNING_SECRET"] = slackSigning
		env["VOCBOT_SLACK_API_URL"] = f.SlackAPIURL
	}
	if p.signed {
		env["VOCBOT_WEBHOOK_SECRET"] = webhookSecret
	}
	if p.config != "" {
		env["VOCBOT_CONFIG"] = p.config
	}
	return env
}

// writeConfig writes a vocbot.yaml into the run's directory.
func (s *suite) writeConfig(name, yaml string) (string, error) {
	path := filepath.Join(s.dir, name+".yaml")
	return path, os.WriteFile(path, []byte(yaml), 0o600)
}

// database creates a fresh database for a scenario.
func (s *suite) database(ctx context.Context, engine harness.Engine, name string) (*harness.Database, error) {
	if engine == harness.SQLite {
		return harness.NewSQLite(s.dir, name), nil
	}
	return harness.NewPostgres(ctx, s.pgAdmin, "bench_"+strings.ReplaceAll(name, "-", "_")+fmt.Sprintf("_%d", time.Now().UnixNano()%1e6), databasePasswd)
}

// fakes starts a fakes process for one scenario.
func (s *suite) fakes(ctx context.Context, name string) (*harness.Fakes, error) {
	dir := filepath.Join(s.dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return harness.StartFakes(ctx, dir, s.bin.Fakes, harness.FakesOptions{TelegramToken: telegramToken, SlackToken: slackToken})
}

// vocbot starts one serve whose log is kept for the secret scan.
func (s *suite) vocbot(ctx context.Context, name string, env map[string]string) (*harness.Vocbot, error) {
	dir := filepath.Join(s.dir, strings.SplitN(name, "/", 2)[0])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	v, err := harness.StartVocbot(ctx, strings.ReplaceAll(name, "/", "-"), dir, s.bin.Vocbot, env, apiToken)
	if v != nil && v.Process != nil {
		s.addLog(v.LogPath)
	}
	return v, err
}

// scanDatabase adds a row saying whether any secret is stored in db.
func (s *suite) scanDatabase(ctx context.Context, scenario string, db *harness.Database) {
	dump, err := db.Dump(ctx)
	if err != nil {
		s.table.Fail(scenario+": secrets in database", string(db.Engine), err)
		return
	}
	found := leaks(dump)
	s.table.Check(scenario+": secrets in database", string(db.Engine), "no configured secret in any row",
		len(found) == 0, "%d rows scanned, leaked: %v", strings.Count(dump, "\n"), found)
}

// secretScan looks for the configured secrets in every vocbot log of the run.
func secretScan(_ context.Context, s *suite) {
	s.logsMu.Lock()
	paths := append([]string(nil), s.logs...)
	s.logsMu.Unlock()
	text, err := harness.ReadAll(paths...)
	if err != nil {
		s.table.Fail("secrets in logs", "all", err)
		return
	}
	found := leaks(text)
	var where []string
	if len(found) > 0 {
		for _, p := range paths {
			b, _ := os.ReadFile(p)
			if len(leaks(string(b))) > 0 {
				where = append(where, filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p))
			}
		}
	}
	s.table.Check("secrets in logs", "all", "no configured secret in any vocbot log",
		len(found) == 0, "%d logs, %d lines; leaked %v in %v", len(paths), strings.Count(text, "\n"), found, where)
}

// cleanup runs deferred stops in reverse order, even after a failure.
type cleanup struct {
	mu  sync.Mutex
	fns []func()
}

func (c *cleanup) add(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fns = append(c.fns, f)
}

func (c *cleanup) run() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.fns) - 1; i >= 0; i-- {
		c.fns[i]()
	}
	c.fns = nil
}
