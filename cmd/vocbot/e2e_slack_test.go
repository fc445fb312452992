package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/storage/storagetest"
)

const slackSecret = "slack-signing-secret-for-tests-01"

// An employee eNPS survey in Slack through a running serve: the DM with
// buttons, a press, "why?", the typed comment, thanks, and the response in
// GET /v1/responses. Unsigned requests never reach the Engine.
func TestServeEmployeeSurveyInSlack(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			slk := slacktest.NewServer(slacktest.Options{PostInterval: -1})
			t.Cleanup(slk.Close)
			slk.AddUser(slacktest.User{ID: "U0EMP42", Name: "dana"})
			vars := map[string]string{
				"VOCBOT_DATABASE_URL":         storagetest.URL(t, e),
				"VOCBOT_API_TOKENS":           testToken,
				"VOCBOT_SLACK_BOT_TOKEN":      slacktest.DefaultToken,
				"VOCBOT_SLACK_SIGNING_SECRET": slackSecret,
				"VOCBOT_SLACK_API_URL":        slk.URL,
				"VOCBOT_LOG_LEVEL":            "warn",
			}
			base, stop, logs := startServe(t, vars)
			waitReady(t, base)
			f := apiFixture{url: base}
			r := f.do(t, "POST", "/v1/touchpoints", `{"id":"enps_q4","type":"quarterly_pulse","survey":"enps",
				"customer":{"id":"emp_42","slack_user_id":"U0EMP42"}}`, nil)
			if r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v", r.status, r.body)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			dm := slacktest.DM("U0EMP42")
			survey, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool { return m.Channel == dm && len(m.Buttons()) == 11 })
			if err != nil {
				t.Fatalf("no survey DM with 11 buttons: %v\n%s", err, logs)
			}
			client := &slacktest.Client{SigningSecret: slackSecret}
			forged := &slacktest.Client{SigningSecret: "not-the-secret-at-all-0123456789"}
			nine, _ := survey.Button("9")
			resp, err := forged.Press(ctx, slacktest.URL(http.DefaultClient, base+"/slack/interactivity"), "U0EMP42", survey, nine)
			if err != nil || resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("forged press: %v %v, want 401", resp, err)
			}
			resp.Body.Close()
			resp, err = client.Press(ctx, slacktest.URL(http.DefaultClient, base+"/slack/interactivity"), "U0EMP42", survey, nine)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("press: %v %v", resp, err)
			}
			resp.Body.Close()
			followUp, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool {
				return m.Channel == dm && m.TS != survey.TS && strings.Contains(m.Text, "main reason")
			})
			if err != nil {
				t.Fatalf("no follow-up question: %v\n%s", err, logs)
			}
			_, resp, err = client.MessageIM(ctx, slacktest.URL(http.DefaultClient, base+"/slack/events"),
				slacktest.IM{User: "U0EMP42", Channel: dm, Text: "Great team, but too many meetings"})
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("comment: %v %v", resp, err)
			}
			resp.Body.Close()
			if _, err := slk.WaitMessage(ctx, func(m slacktest.Message) bool {
				return m.Channel == dm && m.TS != followUp.TS && strings.Contains(m.Text, "Thank you for your feedback")
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
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
