package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// Acceptance of issue 07 (alerts): a detractor answers in Telegram; the
// alert with their comment (phone number redacted) reaches the Slack alert
// channel; an employee claims it (twice: the second click changes
// nothing), replies from Slack, and the customer receives the reply in
// their Telegram chat, in Hebrew; resolving redraws the alert without
// buttons. Each change updates the one alert message in place and is in
// the audit log.
func TestAlertLifecycleSlackToTelegram(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			const chat = 7707
			tg, slk, vars := bothPlatforms(t, storagetest.URL(t, e), "product: Acme\nalerts:\n  - to: slack:C0ALERTS\n    on: detractor\n")
			tg.AddUser(chat, "he")
			slk.AddChannel(slacktest.Channel{ID: "C0ALERTS", Name: "cx-alerts"})
			base, stop, logs := startServe(t, vars)
			waitReady(t, base)
			f := apiFixture{url: base}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			r := f.do(t, "POST", "/v1/touchpoints", `{"id":"alert_1","type":"order_delivered","survey":"nps",
				"customer":{"id":"cus_unhappy","locale":"he","telegram_chat_id":7707},"attributes":{"courier":"north"}}`, nil)
			if r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
			}
			msgs, err := tg.WaitSent(ctx, chat, 1)
			if err != nil {
				t.Fatalf("no survey: %v\n%s", err, logs)
			}
			if _, err := tg.PressButton(chat, msgs[0].ID, "3"); err != nil {
				t.Fatal(err)
			}
			if _, err := tg.WaitSent(ctx, chat, 2); err != nil {
				t.Fatalf("no follow-up: %v\n%s", err, logs)
			}
			tg.SendText(chat, "The courier was rude. Call me at 052-123-4567")
			if _, err := tg.WaitSent(ctx, chat, 3); err != nil {
				t.Fatalf("no thanks: %v\n%s", err, logs)
			}

			alert, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool { return m.Channel == "C0ALERTS" })
			if err != nil {
				t.Fatalf("no alert in the channel: %v\n%s", err, logs)
			}
			for _, want := range []string{"NPS 3", "The courier was rude", "cus_unhappy", "order_delivered", "courier: north", "/survey reply a1"} {
				if !strings.Contains(alert.Text, want) {
					t.Errorf("alert text lacks %q:\n%s", want, alert.Text)
				}
			}
			if strings.Contains(alert.Text, "123-4567") {
				t.Errorf("alert shows the customer's phone number:\n%s", alert.Text)
			}
			claim, ok := alert.Button("Claim")
			if !ok {
				t.Fatalf("alert buttons: %v\n%s", alert.Buttons(), alert.Blocks)
			}

			client := &slacktest.Client{SigningSecret: slackSecret}
			interactivity := slacktest.URL(http.DefaultClient, base+"/slack/interactivity")
			press := func(m slacktest.Message, b slacktest.Button) {
				t.Helper()
				resp, err := client.Press(ctx, interactivity, "U0DANA", m, b)
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("press %q: %v %v\n%s", b.Text, resp, err, logs)
				}
				resp.Body.Close()
			}
			// Each change shows in the one message; wait for it, since the
			// alert may be handled while its post is being recorded.
			waitAlert := func(what string, ok func(slacktest.Message) bool) slacktest.Message {
				t.Helper()
				m, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool { return m.TS == alert.TS && m.Edited && ok(m) })
				if err != nil {
					t.Fatalf("%s: the alert was not updated in place: %v\n%s", what, err, logs)
				}
				return m
			}

			press(alert, claim)
			claimed := waitAlert("Claim", func(m slacktest.Message) bool { return strings.Contains(m.Text, "Claimed by <@U0DANA>") })
			if _, still := claimed.Button("Claim"); still {
				t.Errorf("a claimed alert still offers Claim")
			}
			press(alert, claim) // a double click, from the message as first shown: audited once (below)

			resp, err := client.SlashCommand(ctx, slacktest.URL(http.DefaultClient, base+"/slack/commands"),
				slacktest.Command{User: "U0DANA", Channel: "C0ALERTS", Text: "reply a1 Sorry about the courier, we are on it"})
			if err != nil {
				t.Fatal(err)
			}
			var reply struct{ Text string }
			err = json.NewDecoder(resp.Body).Decode(&reply)
			resp.Body.Close()
			if err != nil || reply.Text != "Sent to the customer." {
				t.Fatalf("reply command answered %q (%v)\n%s", reply.Text, err, logs)
			}
			got, err := tg.WaitSent(ctx, chat, 4)
			if err != nil {
				t.Fatalf("the reply did not reach Telegram: %v\n%s", err, logs)
			}
			relayed := got[3].Text
			if !strings.Contains(relayed, "תשובה מצוות Acme:") || !strings.Contains(relayed, "Sorry about the courier, we are on it") {
				t.Fatalf("relayed reply: %q", relayed)
			}
			replied := waitAlert("Reply", func(m slacktest.Message) bool { return strings.Contains(m.Text, "replies sent to the customer: 1") })

			handled, ok := replied.Button("Resolve: handled")
			if !ok {
				t.Fatalf("no Resolve button: %v", replied.Buttons())
			}
			press(replied, handled)
			final := waitAlert("Resolve", func(m slacktest.Message) bool { return strings.Contains(m.Text, "Resolved by <@U0DANA>: handled") })
			if n := len(final.Buttons()); n != 0 {
				t.Fatalf("a resolved alert still has %d buttons", n)
			}
			if n := len(slk.Messages("C0ALERTS")); n != 1 {
				t.Errorf("messages in the alert channel: got %d, want the one alert updated in place", n)
			}

			audit := f.do(t, "GET", "/v1/audit?actor=slack:U0DANA", "", nil)
			entries, _ := audit.body["entries"].([]any)
			var actions []string
			for _, e := range entries {
				m := e.(map[string]any)
				actions = append(actions, m["action"].(string)+" "+m["target"].(string)+" "+m["result"].(string))
			}
			want := []string{"alert.resolve alert:1 ok", "alert.reply alert:1 ok", "alert.claim alert:1 ok"}
			if strings.Join(actions, "|") != strings.Join(want, "|") {
				t.Errorf("audit: got %q, want %q", actions, want)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
