package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// The employee eNPS survey of TestServeEmployeeSurveyInSlack, answered over
// Socket Mode: no signing secret and no public URL, the press and the
// comment arrive as envelopes, each is acked, and an ambassador's
// /survey help is answered in the ack.
func TestServeSlackSocketMode(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			slk := slacktest.NewServer(slacktest.Options{PostInterval: -1})
			t.Cleanup(slk.Close)
			slk.AddUser(slacktest.User{ID: "U0EMP42", Name: "dana"})
			cfg := filepath.Join(t.TempDir(), "vocbot.yaml")
			if err := os.WriteFile(cfg, []byte("product: Acme\nambassadors:\n  slack_users: [U0AMB]\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			vars := map[string]string{
				"VOCBOT_DATABASE_URL":    storagetest.URL(t, e),
				"VOCBOT_API_TOKENS":      testToken,
				"VOCBOT_CONFIG":          cfg,
				"VOCBOT_SLACK_BOT_TOKEN": slacktest.DefaultToken,
				"VOCBOT_SLACK_APP_TOKEN": slacktest.DefaultAppToken,
				"VOCBOT_SLACK_API_URL":   slk.URL,
				"VOCBOT_LOG_LEVEL":       "warn",
			}
			base, stop, logs := startServe(t, vars)
			waitReady(t, base)
			f := apiFixture{url: base}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := slk.WaitSockets(ctx, 1); err != nil {
				t.Fatalf("serve opened no Socket Mode connection: %v\n%s", err, logs)
			}
			r := f.do(t, "POST", "/v1/touchpoints", `{"id":"enps_q4","type":"quarterly_pulse","survey":"enps",
				"customer":{"id":"emp_42","slack_user_id":"U0EMP42"}}`, nil)
			if r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v", r.status, r.body)
			}
			dm := slacktest.DM("U0EMP42")
			survey, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool { return m.Channel == dm && len(m.Buttons()) == 11 })
			if err != nil {
				t.Fatalf("no survey DM with 11 buttons: %v\n%s", err, logs)
			}
			acked := func(id string, err error) slacktest.Ack {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				a, err := slk.WaitAck(ctx, id)
				if err != nil {
					t.Fatalf("%v\n%s", err, logs)
				}
				return a
			}

			nine, _ := survey.Button("9")
			acked(slk.PushInteraction(ctx, "U0EMP42", survey, nine))
			followUp, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool { return m.Channel == dm && m.TS != survey.TS && len(m.Buttons()) <= 1 })
			if err != nil {
				t.Fatalf("no follow-up question: %v\n%s", err, logs)
			}
			acked(slk.PushEvent(ctx, slacktest.IM{User: "U0EMP42", Channel: dm, Text: "Great team, but too many meetings"}))
			if _, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool {
				return m.Channel == dm && m.TS != survey.TS && m.TS != followUp.TS && strings.Contains(m.Text, "Thank")
			}); err != nil {
				t.Fatalf("no thanks: %v\n%s", err, logs)
			}
			got := f.do(t, "GET", "/v1/responses?survey=enps", "", nil)
			rs, _ := got.body["responses"].([]any)
			if got.status != http.StatusOK || len(rs) != 1 {
				t.Fatalf("responses: %d %v", got.status, got.body)
			}
			resp0 := rs[0].(map[string]any)
			if resp0["score"] != float64(9) || resp0["comment"] != "Great team, but too many meetings" || resp0["platform"] != "slack" {
				t.Fatalf("stored response: %v", resp0)
			}

			help := acked(slk.PushCommand(ctx, slacktest.Command{User: "U0AMB", Channel: "C0CX", Text: "help"}))
			var reply struct{ ResponseType, Text string }
			if err := json.Unmarshal(help.Payload, &reply); err != nil {
				t.Fatalf("help ack payload %s: %v", help.Payload, err)
			}
			if !strings.Contains(reply.Text, "/survey send") {
				t.Errorf("help in the ack: %q, want the /survey usage", reply.Text)
			}
			if p := slk.SocketProblems(); len(p) > 0 {
				t.Errorf("socket problems: %q", p)
			}
			// Without a signing secret the HTTP request URLs refuse everything.
			c := &slacktest.Client{SigningSecret: slackSecret}
			resp, err := c.SlashCommand(ctx, slacktest.URL(http.DefaultClient, base+"/slack/commands"), slacktest.Command{User: "U0AMB", Channel: "C0CX", Text: "help"})
			if err != nil || resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("HTTP command without a signing secret: %v %v, want 401", resp, err)
			}
			resp.Body.Close()
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
