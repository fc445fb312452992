package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// Touchpoint in through the API of a running serve → the survey arrives at
// the (fake) Telegram chat with its keyboard; a blocked customer's
// invitation ends undeliverable without retries.
func TestServeDeliversSurveyToTelegram(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			tg := telegramtest.New("")
			t.Cleanup(tg.Close)
			tg.AddUser(4242, "he")
			tg.AddUser(4343, "en")
			tg.Block(4343)
			vars := map[string]string{
				"VOCBOT_DATABASE_URL":     storagetest.URL(t, e),
				"VOCBOT_API_TOKENS":       testToken,
				"VOCBOT_TELEGRAM_TOKEN":   tg.Token(),
				"VOCBOT_TELEGRAM_API_URL": tg.APIURL(),
				"VOCBOT_LOG_LEVEL":        "warn",
			}
			base, stop, logs := startServe(t, vars)
			waitReady(t, base)
			f := apiFixture{url: base}

			r := f.do(t, "POST", "/v1/touchpoints", `{"id":"e2e_1","type":"order_delivered","survey":"nps",
				"customer":{"id":"cus_e2e","locale":"he","telegram_chat_id":4242}}`, nil)
			if r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			msgs, err := tg.WaitSent(ctx, 4242, 1)
			if err != nil {
				t.Fatalf("no survey at the fake Telegram: %v\n%s", err, logs)
			}
			m := msgs[0]
			buttons := 0
			for _, row := range m.Keyboard {
				buttons += len(row)
			}
			if buttons != 11 || !strings.Contains(m.Text, "עד כמה סביר שתמליצו") {
				t.Fatalf("survey message: %d buttons, text %q; want the Hebrew NPS question with 0–10", buttons, m.Text)
			}

			blocked := f.do(t, "POST", "/v1/touchpoints", `{"id":"e2e_2","type":"order_delivered","survey":"csat",
				"customer":{"id":"cus_blocked","telegram_chat_id":4343}}`, nil)
			if blocked.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v", blocked.status, blocked.body)
			}
			waitFor(t, 30*time.Second, func() bool {
				return tg.Calls("sendMessage") >= 2 && strings.Contains(metrics(t, base), `vocbot_invitations{reason="",status="undeliverable"} 1`)
			}, logs)
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			if cmds := tg.Commands("he"); len(cmds) != 6 {
				t.Errorf("Hebrew command menu: got %v, want the six customer commands", cmds)
			}
			if n := len(tg.Sent(4242)); n != 1 {
				t.Fatalf("messages to the customer: got %d, want exactly 1", n)
			}
		})
	}
}

func metrics(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func waitFor(t *testing.T, d time.Duration, cond func() bool, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s\n%s", d, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func telegramVars(t *testing.T, url string, tg *telegramtest.Server) map[string]string {
	t.Helper()
	return map[string]string{
		"VOCBOT_DATABASE_URL":     url,
		"VOCBOT_API_TOKENS":       testToken,
		"VOCBOT_TELEGRAM_TOKEN":   tg.Token(),
		"VOCBOT_TELEGRAM_API_URL": tg.APIURL(),
		"VOCBOT_LOG_LEVEL":        "warn",
	}
}

// bothPlatforms starts fake Telegram and Slack APIs and returns the
// environment of a serve that talks to both, with yaml as its config file.
func bothPlatforms(t *testing.T, dbURL, yaml string) (*telegramtest.Server, *slacktest.Server, map[string]string) {
	t.Helper()
	tg := telegramtest.New("")
	t.Cleanup(tg.Close)
	slk := slacktest.NewServer(slacktest.Options{PostInterval: -1})
	t.Cleanup(slk.Close)
	cfg := filepath.Join(t.TempDir(), "vocbot.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := telegramVars(t, dbURL, tg)
	vars["VOCBOT_CONFIG"] = cfg
	vars["VOCBOT_SLACK_BOT_TOKEN"] = slacktest.DefaultToken
	vars["VOCBOT_SLACK_SIGNING_SECRET"] = slackSecret
	vars["VOCBOT_SLACK_API_URL"] = slk.URL
	return tg, slk, vars
}

// The process dies while a send is in flight (the platform never answers).
// After a restart the survey is not sent again: Telegram has no idempotency
// key, so the invitation is recorded as unknown rather than risk a duplicate.
func TestServeKilledMidSendNeverResends(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			tg := telegramtest.New("")
			t.Cleanup(tg.Close)
			tg.AddUser(5151, "en")
			tg.Inject("sendMessage", telegramtest.Fault{Hang: true})
			url := storagetest.URL(t, e)
			base, stop, logs := startServe(t, telegramVars(t, url, tg))
			waitReady(t, base)
			r := apiFixture{url: base}.do(t, "POST", "/v1/touchpoints", `{"id":"crash_1","type":"order_delivered","survey":"nps",
				"customer":{"id":"cus_crash","telegram_chat_id":5151}}`, nil)
			if r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v", r.status, r.body)
			}
			waitFor(t, 30*time.Second, func() bool { return tg.Calls("sendMessage") == 1 }, logs)
			if err := stop(); err != nil { // shutdown cancels the hung send
				t.Fatal(err)
			}

			base, stop, logs = startServe(t, telegramVars(t, url, tg))
			waitReady(t, base)
			waitFor(t, 30*time.Second, func() bool {
				return strings.Contains(metrics(t, base), `vocbot_invitations{reason="",status="unknown"} 1`)
			}, logs)
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			if n := tg.Calls("sendMessage"); n != 1 {
				t.Fatalf("sendMessage calls: got %d, want 1 (never resent)", n)
			}
		})
	}
}

// A storm of 429s: every survey still arrives, each exactly once.
func TestServeRateLimitStormDeliversEachOnce(t *testing.T) {
	t.Parallel()
	tg := telegramtest.New("")
	t.Cleanup(tg.Close)
	chats := []int64{6001, 6002, 6003, 6004}
	for _, c := range chats {
		tg.AddUser(c, "ru")
	}
	for range 6 {
		tg.RateLimit("sendMessage", 1)
	}
	base, stop, logs := startServe(t, telegramVars(t, storagetest.URL(t, storage.SQLite), tg))
	waitReady(t, base)
	f := apiFixture{url: base}
	for _, c := range chats {
		r := f.do(t, "POST", "/v1/touchpoints", fmt.Sprintf(`{"id":"storm_%d","type":"order_delivered","survey":"ces",
			"customer":{"id":"cus_storm_%d","telegram_chat_id":%d}}`, c, c, c), nil)
		if r.status != http.StatusAccepted {
			t.Fatalf("touchpoint: %d %v", r.status, r.body)
		}
	}
	waitFor(t, 60*time.Second, func() bool {
		for _, c := range chats {
			if len(tg.Sent(c)) < 1 {
				return false
			}
		}
		return true
	}, logs)
	if m := metrics(t, base); !strings.Contains(m, `vocbot_platform_ratelimited_total{platform="telegram"}`) {
		t.Errorf("429s not counted in /metrics")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, c := range chats {
		if n := len(tg.Sent(c)); n != 1 {
			t.Errorf("chat %d: got %d messages, want exactly 1", c, n)
		}
	}
}

// Webhook mode: serve registers its URL with the secret, Telegram (the
// fake) posts updates to it; a survey is answered by button and by typing,
// and a request without the secret is refused before anything is stored.
func TestServeTelegramWebhookMode(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	tg := telegramtest.New("")
	t.Cleanup(tg.Close)
	tg.AddUser(7070, "ru")
	vars := telegramVars(t, storagetest.URL(t, storage.SQLite), tg)
	vars["VOCBOT_HTTP_ADDR"] = addr
	vars["VOCBOT_PUBLIC_URL"] = "http://" + addr
	vars["VOCBOT_TELEGRAM_MODE"] = "webhook"
	vars["VOCBOT_TELEGRAM_WEBHOOK_SECRET"] = "webhook-secret_0123456789"
	base, stop, logs := startServe(t, vars)
	waitReady(t, base)
	if url, secret := tg.Webhook(); url != "http://"+addr+"/telegram/webhook" || secret != "webhook-secret_0123456789" {
		t.Fatalf("webhook registered as %q with secret %q", url, secret)
	}
	forged, err := http.Post(base+"/telegram/webhook", "application/json", strings.NewReader(`{"update_id":1,"message":{"message_id":1,"chat":{"id":7070,"type":"private"},"from":{"id":7070},"text":"/stop"}}`))
	if err != nil {
		t.Fatal(err)
	}
	forged.Body.Close()
	if forged.StatusCode != http.StatusUnauthorized {
		t.Fatalf("update without the secret: %d, want 401", forged.StatusCode)
	}

	f := apiFixture{url: base}
	if r := f.do(t, "POST", "/v1/touchpoints", `{"id":"wh_1","type":"order_delivered","survey":"nps",
		"customer":{"id":"cus_wh","locale":"ru","telegram_chat_id":7070}}`, nil); r.status != http.StatusAccepted {
		t.Fatalf("touchpoint: %d %v (the forged /stop must not have opted the customer out)", r.status, r.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msgs, err := tg.WaitSent(ctx, 7070, 1)
	if err != nil {
		t.Fatalf("no survey: %v\n%s", err, logs)
	}
	if _, err := tg.PressButton(7070, msgs[0].ID, "7"); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.WaitSent(ctx, 7070, 2); err != nil {
		t.Fatalf("no follow-up: %v\n%s", err, logs)
	}
	tg.SendText(7070, "Курьер опоздал")
	if _, err := tg.WaitSent(ctx, 7070, 3); err != nil {
		t.Fatalf("no thanks: %v\n%s", err, logs)
	}
	got := f.do(t, "GET", "/v1/responses", "", nil)
	rs, _ := got.body["responses"].([]any)
	if len(rs) != 1 || rs[0].(map[string]any)["score"] != float64(7) || rs[0].(map[string]any)["comment"] != "Курьер опоздал" {
		var texts []string
		for _, m := range tg.Sent(7070) {
			texts = append(texts, m.Text)
		}
		t.Fatalf("responses: %v\nthe bot said: %q\n%s", got.body, texts, logs)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
