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
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// The whole loop through run(), Telegram ↔ Slack, on a clock the test
// moves (the job queue runs in real time, so the story happens a few days
// ago): a detractor's alert is claimed, replied to within the target and
// resolved with a reason; the recovery survey is due 48 h after the
// resolution and reaches the customer in their chat; they answer CSAT 5.
// GET /v1/alerts shows the recovery and the recovery rate, the export its
// columns, and the next digest the close-the-loop section.
func TestAlertRecoveryEndToEnd(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			const chat = 7901
			url := storagetest.URL(t, e)
			tg, slk, vars := bothPlatforms(t, url, `product: Acme
surveys:
  - id: csat-recovery
    metric: csat
    follow_up: true
alerts:
  - to: slack:C0ALERTS
    on: detractor
    first_reply_within: 4h
    reasons: [refund, fixed]
    recovery: {survey: csat-recovery, after: 48h}
`)
			tg.AddUser(chat, "en")
			slk.AddChannel(slacktest.Channel{ID: "C0ALERTS", Name: "cx-alerts"})
			start := time.Now().UTC().Add(-53 * time.Hour).Truncate(time.Second)
			clock := surveystest.NewClock(start)
			base, stop, logs := startServeClock(t, vars, clock)
			waitReady(t, base)
			f := apiFixture{url: base}
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()

			sent := 0
			wait := func(what string) string {
				t.Helper()
				sent++
				got, err := tg.WaitSent(ctx, chat, sent)
				if err != nil {
					t.Fatalf("%s: %v\n%s", what, err, logs)
				}
				return got[sent-1].Text
			}
			press := func(button string) {
				t.Helper()
				got, _ := tg.WaitSent(ctx, chat, sent)
				if _, err := tg.PressButton(chat, got[sent-1].ID, button); err != nil {
					t.Fatal(err)
				}
			}

			r := f.do(t, "POST", "/v1/touchpoints", `{"id":"rec_1","type":"order_delivered","survey":"nps",
				"customer":{"id":"cus_rec","locale":"en","telegram_chat_id":7901}}`, nil)
			if r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
			}
			wait("survey")
			press("2")
			wait("follow-up")
			tg.SendText(chat, "Late and cold")
			wait("thanks")
			alert, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool {
				return m.Channel == "C0ALERTS" && m.ThreadTS == "" && strings.Contains(m.Text, "cus_rec")
			})
			if err != nil {
				t.Fatalf("no alert: %v\n%s", err, logs)
			}
			ref := alertRef(t, alert.Text)
			client := &slacktest.Client{SigningSecret: slackSecret}
			claim, ok := alert.Button("Claim")
			if !ok {
				t.Fatalf("alert buttons: %v", alert.Buttons())
			}
			clock.Advance(20 * time.Minute)
			resp, err := client.Press(ctx, slacktest.URL(http.DefaultClient, base+"/slack/interactivity"), "U0DANA", alert, claim)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("claim: %v %v", resp, err)
			}
			resp.Body.Close()
			command := func(text string) string {
				t.Helper()
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
			clock.Advance(time.Hour)
			if got := command("reply " + ref + " Sorry, a new one is on its way"); got != "Sent to the customer." {
				t.Fatalf("reply: %q\n%s", got, logs)
			}
			wait("the staff reply")
			clock.Advance(2 * time.Hour)
			resolvedAt := clock.Now()
			if got := command("resolve " + ref + " fixed"); got != "Resolved." {
				t.Fatalf("resolve: %q\n%s", got, logs)
			}
			if got := command("resolve " + ref + " refund"); got != "Resolved." {
				t.Fatalf("second resolve: %q", got)
			}

			// Due 48 h after the resolution: in the past of the real clock,
			// so the queue sends it now, on the test's clock 48 h later.
			r = f.do(t, "GET", "/v1/alerts/"+ref, "", nil)
			rec, _ := r.body["recovery"].(map[string]any)
			if rec == nil || rec["survey"] != "csat-recovery" || rec["due_at"] != resolvedAt.Add(48*time.Hour).Format(time.RFC3339Nano) {
				t.Fatalf("recovery after the resolution: %v (resolved at %s)", r.body["recovery"], resolvedAt)
			}
			clock.Set(resolvedAt.Add(48*time.Hour + time.Minute))
			if got := wait("the recovery survey"); !strings.Contains(got, "satisfied") {
				t.Errorf("recovery survey text %q, want the CSAT question", got)
			}
			press("5")
			wait("recovery follow-up")
			tg.SendText(chat, "Much better, thanks")
			wait("recovery thanks")
			if extra, _ := tg.WaitSent(ctx, chat, sent); len(extra) != sent {
				t.Errorf("the customer got %d messages, want %d (one recovery survey)", len(extra), sent)
			}

			// The worker records the send just after the platform took it:
			// the customer may have answered before that record commits.
			var got map[string]any
			for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				r = f.do(t, "GET", "/v1/alerts?status=resolved", "", nil)
				list, _ := r.body["alerts"].([]any)
				if r.status != http.StatusOK || len(list) != 1 {
					t.Fatalf("resolved alerts: %d %v", r.status, r.body)
				}
				got = list[0].(map[string]any)
				if strings.Contains(fmt.Sprint(got["timeline"]), "recovery_sent") || time.Now().After(deadline) {
					break
				}
			}
			rec, _ = got["recovery"].(map[string]any)
			if rec == nil || rec["status"] != "answered" || rec["score"] != float64(5) || rec["comment"] != "Much better, thanks" || rec["recovered"] != true {
				t.Errorf("answered recovery: %v", got["recovery"])
			}
			if got["reason"] != "fixed" {
				t.Errorf("reason %v, want the first resolution's", got["reason"])
			}
			var kinds []string
			for _, e := range got["timeline"].([]any) {
				kinds = append(kinds, e.(map[string]any)["kind"].(string))
			}
			if k := strings.Join(kinds, " "); !strings.HasSuffix(k, "resolved recovery_sent recovery_answer") {
				t.Errorf("timeline %q, want it to end with the resolution and the recovery\n%s", k, logs)
			}
			rate, _ := r.body["recovery_rate"].(map[string]any)
			if rate == nil || rate["recovered"] != float64(1) || rate["answered"] != float64(1) || rate["rate"] != nil {
				t.Errorf("recovery_rate %v, want 1 of 1 and no rate below 5 answers", r.body["recovery_rate"])
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			db, err := storage.Open(context.Background(), url, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, db, "SELECT count(*) FROM invitations WHERE survey_id = 'csat-recovery'"); n != 1 {
				t.Errorf("recovery invitations: %d, want 1", n)
			}
			db.Close()

			out, errOut, err := runCLI(t, vars, "digest", "preview")
			if err != nil {
				t.Fatalf("digest preview: %v\n%s", err, errOut)
			}
			for _, want := range []string{
				"Closing the loop, last 28 days",
				"Alerts: 1 opened · 1 claimed · 1 replied within target · 1 resolved",
				"Median time to first reply: 1.3 h",
				"Recovered: 1 of 1 detractors surveyed again, too few for a rate",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("digest lacks %q:\n%s", want, out)
				}
			}
			out, _, _ = runCLI(t, vars, "export", "alerts")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 2 || !strings.HasSuffix(lines[1], ",csat-recovery,answered,"+resolvedAt.Add(48*time.Hour).Format(time.RFC3339Nano)+",5,\"Much better, thanks\",true") {
				t.Errorf("export alerts:\n%s", out)
			}
		})
	}
}
