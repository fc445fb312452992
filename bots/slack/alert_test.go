package slack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/surveys"
)

// sampleAlert is a detractor's alert with a comment that carries a phone
// number and characters mrkdwn must not interpret.
func sampleAlert(locale string, state surveys.AlertState) surveys.AlertView {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	a := surveys.Alert{ID: 12, ResponseID: 34, To: surveys.Address{Platform: surveys.Slack, ChatID: channel},
		State: state, CreatedAt: at}
	switch state {
	case surveys.AlertClaimed:
		a.Assignee, a.ClaimedAt, a.Replies = surveys.Address{Platform: surveys.Slack, UserID: dana}, at, 1
	case surveys.AlertResolved:
		a.Assignee, a.ClaimedAt, a.ResolvedAt = surveys.Address{Platform: surveys.Slack, UserID: dana}, at, at
		a.Resolution = surveys.AlertReasonHandled
	}
	return surveys.AlertView{
		Alert: a,
		Response: surveys.Response{ID: 34, InvitationID: 56, CustomerID: "cus_<42>", SurveyID: "nps-delivery",
			Metric: surveys.NPS, Score: 2, Comment: "Late & cold <again>. Call 052-123-4567", CommentState: surveys.CommentGiven,
			Locale: "en", Platform: surveys.Telegram, TouchpointType: "order_delivered",
			Attributes: map[string]string{"courier": "north", "region": "tlv"}, AnsweredAt: at},
		Customer: surveys.Address{Platform: surveys.Telegram, ChatID: "4242"},
		Locale:   locale,
	}
}

func TestPostAlertGolden(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	to := surveys.Address{Platform: surveys.Slack, ChatID: channel}
	for _, locale := range []string{"en", "he", "fa", "ar", "ru"} {
		for _, state := range []surveys.AlertState{surveys.AlertOpen, surveys.AlertClaimed, surveys.AlertResolved} {
			name := string(state) + "_" + locale
			t.Run(name, func(t *testing.T) {
				ref, err := b.PostAlert(t.Context(), to, sampleAlert(locale, state))
				if err != nil {
					t.Fatal(err)
				}
				var got slacktest.Message
				for _, m := range srv.Messages(channel) {
					if messageRef(m.Channel, m.TS) == ref {
						got = m
					}
				}
				out := golden(t, got)
				path := filepath.Join("testdata", "alert_"+name+".golden")
				if *update {
					if err := os.WriteFile(path, out, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(out)); diff != "" {
					t.Errorf("Block Kit differs from %s (-want +got):\n%s", path, diff)
				}
				if strings.Contains(string(out), "<again>") || strings.Contains(string(out), "123-4567") {
					t.Errorf("unescaped or unredacted comment in:\n%s", out)
				}
			})
		}
	}
}

func TestUpdateAlertInPlace(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	to := surveys.Address{Platform: surveys.Slack, ChatID: channel}
	ref, err := b.PostAlert(t.Context(), to, sampleAlert("en", surveys.AlertOpen))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.UpdateAlert(t.Context(), to, ref, sampleAlert("en", surveys.AlertResolved)); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages(channel)
	if len(msgs) != 1 || !msgs[0].Edited {
		t.Fatalf("messages: %+v, want the one alert, edited", msgs)
	}
	if got := msgs[0].Text; !strings.Contains(got, "Resolved by <@U0DANA>: handled") || len(msgs[0].Buttons()) != 0 {
		t.Errorf("updated alert: %q with %d buttons", got, len(msgs[0].Buttons()))
	}
}

func TestPostAlertRateLimited(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	srv.Fail("chat.postMessage", slacktest.RateLimited(30*time.Second))
	_, err := b.PostAlert(t.Context(), surveys.Address{Platform: surveys.Slack, ChatID: channel}, sampleAlert("en", surveys.AlertOpen))
	if kind, after := surveys.FailureOf(err); kind != surveys.RateLimited || after != 30*time.Second {
		t.Fatalf("got %v (%v, %s), want rate limited for 30s", err, kind, after)
	}
}

// A customer's answer goes into the alert's thread, escaped for mrkdwn;
// a thread that does not exist is an error, as at Slack.
func TestPostInThread(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{PostInterval: -1})
	to := surveys.Address{Platform: surveys.Slack, ChatID: channel}
	ref, err := b.PostAlert(t.Context(), to, sampleAlert("en", surveys.AlertClaimed))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PostInThread(t.Context(), to, ref, "Customer cus_1 wrote (he):\n<@U1> & *bold*"); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages(channel)
	last := msgs[len(msgs)-1]
	if len(msgs) != 2 || last.ThreadTS != msgs[0].TS || last.Text != "Customer cus_1 wrote (he):\n&lt;@U1&gt; &amp; *bold*" {
		t.Fatalf("thread message %+v, want a reply in the thread of %s, escaped", last, msgs[0].TS)
	}
	if err := b.PostInThread(t.Context(), to, surveys.MessageRef(channel+":1.000001"), "x"); err == nil || !strings.Contains(err.Error(), "thread_not_found") {
		t.Errorf("a thread that does not exist: %v", err)
	}
}
