package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// Acceptance of issue 08: the same /survey send typed in Slack or in a
// Telegram chat gives one invitation and the same explanation; people who
// are not ambassadors are refused on both, and everything is audited.
func TestAmbassadorSendOnSlackAndTelegram(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			tg, _, vars := bothPlatforms(t, storagetest.URL(t, e), "product: Acme\nambassadors:\n  slack_users: [U0AMB]\n  telegram_users: [900]\n")
			for _, id := range []int64{4201, 4301, 900, 901} {
				tg.AddUser(id, "en")
			}
			base, stop, logs := startServe(t, vars)
			waitReady(t, base)
			f := apiFixture{url: base}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			// Two customers link their Telegram chats with deep links.
			for chat, customer := range map[int64]string{4201: "cus_42", 4301: "cus_43"} {
				r := f.do(t, "POST", "/v1/customers/"+customer+"/links", ``, nil)
				link, _ := r.body["telegram_url"].(string)
				_, token, ok := strings.Cut(link, "?start=")
				if r.status != http.StatusCreated || !ok {
					t.Fatalf("link for %s: %d %v", customer, r.status, r.body)
				}
				tg.Command(chat, "start", token)
				if _, err := tg.WaitSent(ctx, chat, 1); err != nil {
					t.Fatalf("no greeting after /start: %v\n%s", err, logs)
				}
			}

			slackSay := func(user, text string) string {
				t.Helper()
				c := &slacktest.Client{SigningSecret: slackSecret}
				resp, err := c.SlashCommand(ctx, slacktest.URL(http.DefaultClient, base+"/slack/commands"), slacktest.Command{User: user, Channel: "C0CX", Text: text})
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
			telegramSay := func(chat int64, text string) string {
				t.Helper()
				before := len(tg.Sent(chat))
				tg.SendText(chat, text)
				msgs, err := tg.WaitSent(ctx, chat, before+1)
				if err != nil {
					t.Fatalf("no reply in Telegram to %q: %v\n%s", text, err, logs)
				}
				return msgs[len(msgs)-1].Text
			}

			fromSlack := slackSay("U0AMB", "send nps cus_42")
			fromTelegram := telegramSay(900, "/survey send nps cus_43")
			if want := "Sent nps to cus_42"; !strings.HasPrefix(fromSlack, want) {
				t.Fatalf("Slack: %q, want %q…", fromSlack, want)
			}
			if got, want := strings.ReplaceAll(fromTelegram, "cus_43", "cus_42"), fromSlack; got != want {
				t.Fatalf("the same command explained differently:\nSlack:    %q\nTelegram: %q", fromSlack, fromTelegram)
			}
			// Each customer gets exactly one survey, even when asked again on the other platform.
			againSlack := slackSay("U0AMB", "send nps cus_43")
			againTelegram := telegramSay(900, "/survey send nps cus_42")
			for _, r := range []string{againSlack, againTelegram} {
				if !strings.HasPrefix(r, "Skipped nps to cus_4") || !strings.Contains(r, "minimum gap") {
					t.Fatalf("second send: %q, want skipped for fatigue", r)
				}
			}
			for _, chat := range []int64{4201, 4301} {
				if _, err := tg.WaitSent(ctx, chat, 2); err != nil {
					t.Fatalf("chat %d got no survey: %v", chat, err)
				}
			}

			// Not ambassadors: refused on both, told nothing.
			if r := slackSay("U0NOPE", "send nps cus_42"); !strings.Contains(r, "for CX ambassadors only") {
				t.Fatalf("Slack non-ambassador: %q", r)
			}
			if r := telegramSay(901, "/survey stats"); !strings.Contains(r, "for CX ambassadors only") {
				t.Fatalf("Telegram non-ambassador: %q", r)
			}
			waitQueueIdle(t, base) // any stray delivery happens before counting
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			for _, chat := range []int64{4201, 4301} {
				if n := len(tg.Sent(chat)); n != 2 {
					t.Fatalf("chat %d: %d messages, want the greeting and one survey", chat, n)
				}
			}

			// The audit log has every command, refusals included.
			base, stop, _ = startServe(t, vars)
			waitReady(t, base)
			req, _ := http.NewRequest("GET", base+"/v1/audit?limit=100", nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var page struct {
				Entries []struct{ Actor, Action, Result string }
			}
			if err := json.Unmarshal(raw, &page); err != nil {
				t.Fatalf("audit: %v %s", err, raw)
			}
			var refused, sends int
			for _, en := range page.Entries {
				if en.Result == "refused" {
					refused++
				}
				if strings.HasPrefix(en.Action, "survey.send") {
					sends++
				}
			}
			if refused != 2 || sends < 4 {
				t.Fatalf("audit: %d refusals and %d sends in %s; want 2 and 4", refused, sends, raw)
			}
			_ = stop()
		})
	}
}
