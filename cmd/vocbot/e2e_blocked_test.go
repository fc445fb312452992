package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// A customer blocks the bot in Telegram: the my_chat_member update reaches
// a running serve through polling, and the next touchpoint is skipped as
// unreachable at once, without a send that fails; after the unblock the
// customer is surveyed again.
func TestServeMarksBlockedCustomerUnreachable(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			tg := telegramtest.New("")
			t.Cleanup(tg.Close)
			tg.AddUser(4545, "en")
			// No fatigue gap: the survey after the unblock is sent.
			cfg := filepath.Join(t.TempDir(), "vocbot.yaml")
			if err := os.WriteFile(cfg, []byte("product: Acme\nfatigue:\n  min_gap: 0s\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			vars := telegramVars(t, storagetest.URL(t, e), tg)
			vars["VOCBOT_CONFIG"] = cfg
			base, stop, logs := startServe(t, vars)
			waitReady(t, base)
			f := apiFixture{url: base}
			touch := func(id, survey string) apiReply {
				return f.do(t, "POST", "/v1/touchpoints", `{"id":"`+id+`","type":"order_delivered","survey":"`+survey+`",
					"customer":{"id":"cus_blocks","telegram_chat_id":4545}}`, nil)
			}
			if r := touch("b_1", "nps"); r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
			}
			waitFor(t, 30*time.Second, func() bool { return len(tg.Sent(4545)) == 1 }, logs)

			tg.BlockByUser(4545)
			waitFor(t, 30*time.Second, func() bool { return tg.Pending() == 0 }, logs) // confirmed: handled
			sends := tg.Calls("sendMessage")
			r := touch("b_2", "csat")
			s, _ := r.body["skipped"].(map[string]any)
			if r.status != http.StatusOK || s["reason"] != "unreachable" || !strings.Contains(s["detail"].(string), "blocked the bot") {
				t.Fatalf("touchpoint after the block: %d %v, want skipped as unreachable because of the block\n%s", r.status, r.body, logs)
			}
			if n := tg.Calls("sendMessage"); n != sends {
				t.Errorf("sendMessage calls after the block: %d more, want none", n-sends)
			}

			tg.UnblockByUser(4545)
			waitFor(t, 30*time.Second, func() bool { return tg.Pending() == 0 }, logs)
			if r := touch("b_3", "ces"); r.status != http.StatusAccepted {
				t.Fatalf("touchpoint after the unblock: %d %v\n%s", r.status, r.body, logs)
			}
			waitFor(t, 30*time.Second, func() bool { return len(tg.Sent(4545)) == 2 }, logs)
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
