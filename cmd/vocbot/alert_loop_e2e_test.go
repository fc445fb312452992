package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// Closing the loop, Telegram ↔ Slack, through run(): two unhappy customers
// raise two alerts. Nothing a customer writes goes to the thread before
// staff replied to them; after the reply, the customer's answers land in
// their own alert's thread (never the other's), marked with who wrote and
// in which language, and staff can reply again; resolving with a
// configured reason (an unknown one is refused with the list) stops the
// relay.
func TestAlertRelayTelegramSlack(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			const chatA, chatB = 7801, 7802
			tg, slk, vars := bothPlatforms(t, storagetest.URL(t, e), `product: Acme
alerts:
  - to: slack:C0ALERTS
    on: detractor
    relay_window: 48h
    reasons: [refund, fixed]
`)
			tg.AddUser(chatA, "he")
			tg.AddUser(chatB, "en")
			slk.AddChannel(slacktest.Channel{ID: "C0ALERTS", Name: "cx-alerts"})
			base, stop, logs := startServe(t, vars)
			waitReady(t, base)
			f := apiFixture{url: base}
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()

			// sent counts the messages each customer's chat received.
			sent := map[int64]int{}
			wait := func(chat int64, what string) string {
				t.Helper()
				sent[chat]++
				got, err := tg.WaitSent(ctx, chat, sent[chat])
				if err != nil {
					t.Fatalf("%s: %v\n%s", what, err, logs)
				}
				return got[sent[chat]-1].Text
			}
			unhappy := func(chat int64, customer, locale string) slacktest.Message {
				t.Helper()
				r := f.do(t, "POST", "/v1/touchpoints", fmt.Sprintf(`{"id":"loop_%s","type":"order_delivered","survey":"nps",
					"customer":{"id":%q,"locale":%q,"telegram_chat_id":%d}}`, customer, customer, locale, chat), nil)
				if r.status != http.StatusAccepted {
					t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
				}
				wait(chat, "survey")
				got, _ := tg.WaitSent(ctx, chat, sent[chat])
				if _, err := tg.PressButton(chat, got[sent[chat]-1].ID, "2"); err != nil {
					t.Fatal(err)
				}
				wait(chat, "follow-up")
				tg.SendText(chat, "Late again")
				wait(chat, "thanks")
				alert, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool {
					return m.Channel == "C0ALERTS" && m.ThreadTS == "" && strings.Contains(m.Text, customer)
				})
				if err != nil {
					t.Fatalf("no alert for %s: %v\n%s", customer, err, logs)
				}
				return alert
			}
			alertA := unhappy(chatA, "cus_a", "he")
			alertB := unhappy(chatB, "cus_b", "en")
			if _, ok := alertA.Button("Resolve: refund"); !ok {
				t.Errorf("alert buttons: %v, want the configured reasons", alertA.Buttons())
			}
			thread := func(alert slacktest.Message) []string {
				var out []string
				for _, m := range slk.Messages("C0ALERTS") {
					if m.ThreadTS == alert.TS {
						out = append(out, m.Text)
					}
				}
				return out
			}
			command := func(text string) string {
				t.Helper()
				client := &slacktest.Client{SigningSecret: slackSecret}
				resp, err := client.SlashCommand(ctx, slacktest.URL(http.DefaultClient, base+"/slack/commands"),
					slacktest.Command{User: "U0DANA", Channel: "C0ALERTS", Text: text})
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var reply struct{ Text string }
				if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
					t.Fatal(err)
				}
				return reply.Text
			}
			refA := alertRef(t, alertA.Text)

			// Before any staff reply, a message is not relayed: the customer
			// gets the help menu.
			tg.SendText(chatA, "hello?")
			wait(chatA, "help before the reply")
			if got := thread(alertA); len(got) != 0 {
				t.Fatalf("relayed before staff replied: %q", got)
			}

			if got := command("reply " + refA + " Sorry, we are refunding you"); got != "Sent to the customer." {
				t.Fatalf("reply: %q\n%s", got, logs)
			}
			if got := wait(chatA, "the staff reply"); !strings.Contains(got, "Acme") || !strings.Contains(got, "Sorry, we are refunding you") {
				t.Fatalf("the customer sees %q, want the team's name and the reply", got)
			}

			// B never got a reply: their message stays out of every thread.
			tg.SendText(chatB, "anyone there?")
			wait(chatB, "help for B")
			tg.SendText(chatA, "תודה, מתי יגיע הכסף?")
			inThread, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool { return m.ThreadTS == alertA.TS })
			if err != nil {
				t.Fatalf("the customer's answer is not in the thread: %v\n%s", err, logs)
			}
			for _, want := range []string{"cus_a", "(he)", "מתי יגיע הכסף"} {
				if !strings.Contains(inThread.Text, want) {
					t.Errorf("relayed message %q lacks %q", inThread.Text, want)
				}
			}
			if got := thread(alertB); len(got) != 0 {
				t.Errorf("B's thread got %q", got)
			}

			// Staff reply again; the next answer follows.
			if got := command("reply " + refA + " Tomorrow"); got != "Sent to the customer." {
				t.Fatalf("second reply: %q", got)
			}
			wait(chatA, "the second staff reply")
			tg.SendText(chatA, "great")
			if _, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool { return m.ThreadTS == alertA.TS && strings.Contains(m.Text, "great") }); err != nil {
				t.Fatalf("the second answer is not in the thread: %v\n%s", err, logs)
			}

			if got := command("resolve " + refA + " because"); got != "Resolve with one of this channel's reasons (refund, fixed), e.g. /survey resolve "+refA+" refund." {
				t.Errorf("unknown reason: %q", got)
			}
			if got := command("resolve " + refA + " Refund"); got != "Resolved." {
				t.Fatalf("resolve: %q\n%s", got, logs)
			}
			if _, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool {
				return m.TS == alertA.TS && strings.Contains(m.Text, "Resolved by <@U0DANA>: refund")
			}); err != nil {
				t.Fatalf("the alert does not show its reason: %v\n%s", err, logs)
			}
			tg.SendText(chatA, "one more thing")
			wait(chatA, "help after the resolution")
			if got := thread(alertA); len(got) != 2 {
				t.Errorf("thread after the resolution: %q, want the two answers before it", got)
			}

			// The read model: the API and the export tell the same story.
			r := f.do(t, "GET", "/v1/alerts?status=resolved", "", nil)
			list, _ := r.body["alerts"].([]any)
			if r.status != http.StatusOK || len(list) != 1 {
				t.Fatalf("resolved alerts: %d %v", r.status, r.body)
			}
			got := list[0].(map[string]any)
			var kinds []string
			for _, e := range got["timeline"].([]any) {
				m := e.(map[string]any)
				kinds = append(kinds, m["kind"].(string)+"/"+m["from"].(string))
			}
			wantKinds := []string{"opened/vocbot", "claimed/agent", "agent_reply/agent", "customer_reply/customer", "agent_reply/agent",
				"customer_reply/customer", "resolved/agent"}
			if strings.Join(kinds, " ") != strings.Join(wantKinds, " ") {
				t.Errorf("timeline: got %q, want %q", kinds, wantKinds)
			}
			if got["reason"] != "refund" || got["customer_id"] != "cus_a" || got["first_reply_at"] == nil || got["claimed_at"] == nil || got["resolved_at"] == nil {
				t.Errorf("resolved alert: %v", got)
			}
			if r := f.do(t, "GET", "/v1/alerts?status=open", "", nil); len(r.body["alerts"].([]any)) != 1 ||
				r.body["alerts"].([]any)[0].(map[string]any)["customer_id"] != "cus_b" {
				t.Errorf("open alerts: %v", r.body)
			}
			if r := f.do(t, "GET", "/v1/alerts/"+refA, "", nil); r.status != http.StatusOK || r.body["status"] != "resolved" {
				t.Errorf("GET /v1/alerts/%s: %d %v", refA, r.status, r.body)
			}
			for _, c := range []struct {
				path   string
				status int
			}{{"/v1/alerts?status=closed", 422}, {"/v1/alerts?limit=0", 422}, {"/v1/alerts?statu=open", 400}, {"/v1/alerts/a999", 404}, {"/v1/alerts/x", 404}} {
				if r := f.do(t, "GET", c.path, "", nil); r.status != c.status {
					t.Errorf("GET %s: %d %v, want %d", c.path, r.status, r.body, c.status)
				}
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			out, errOut, err := runCLI(t, vars, "export", "alerts", "--format", "jsonl")
			if err != nil {
				t.Fatalf("export alerts: %v\n%s", err, errOut)
			}
			if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.Contains(lines[1], `"reason":"refund"`) {
				t.Errorf("export alerts --format jsonl:\n%s", out)
			}
			out, _, _ = runCLI(t, vars, "export", "alerts")
			if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || lines[0] != strings.Join(alertColumns, ",") {
				t.Errorf("export alerts (csv):\n%s", out)
			}
		})
	}
}

// alertRef reads the alert's ref ("a12") from its reply hint.
func alertRef(t *testing.T, text string) string {
	t.Helper()
	_, after, ok := strings.Cut(text, "/survey reply ")
	ref, _, _ := strings.Cut(after, " ")
	if !ok || !strings.HasPrefix(ref, "a") {
		t.Fatalf("no alert ref in %q", text)
	}
	return ref
}
