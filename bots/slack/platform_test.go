package slack

import (
	"context"
	"strings"
	"testing"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/surveys"
)

func TestStart(t *testing.T) {
	t.Parallel()
	srv := slacktest.NewServer(slacktest.Options{PostInterval: -1})
	t.Cleanup(srv.Close)
	if _, err := Start(t.Context(), Config{BotToken: "xoxb-wrong", APIURL: srv.URL}); err == nil || !strings.Contains(err.Error(), "VOCBOT_SLACK_BOT_TOKEN") {
		t.Errorf("Start with a refused token: %v, want an error naming VOCBOT_SLACK_BOT_TOKEN", err)
	}
	if _, err := Start(t.Context(), Config{APIURL: srv.URL}); err == nil || !strings.Contains(err.Error(), "VOCBOT_SLACK_BOT_TOKEN") {
		t.Errorf("Start without a token: %v, want an error naming VOCBOT_SLACK_BOT_TOKEN", err)
	}
	b, err := Start(t.Context(), Config{BotToken: slacktest.DefaultToken, APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if b.Name() != surveys.Slack {
		t.Errorf("Name() = %q, want slack", b.Name())
	}
	if l := b.Limits(); l.Global.Interval <= 0 || l.PerChat.Interval < l.Global.Interval {
		t.Errorf("Limits() = %+v, want a global bucket and a slower one per channel", l)
	}
}

// Socket Mode is a receiver only with an app token, and never exclusive:
// every replica may hold a connection.
func TestReceivers(t *testing.T) {
	t.Parallel()
	srv, plain := newFake(t, slacktest.Options{})
	if got := plain.Receivers(); len(got) != 0 {
		t.Errorf("without an app token: %d receivers, want none", len(got))
	}
	b, err := New(Config{BotToken: slacktest.DefaultToken, SigningSecret: secret, AppToken: slacktest.DefaultAppToken, APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	rs := b.Receivers()
	if len(rs) != 1 || rs[0].Exclusive || rs[0].Name == "" {
		t.Fatalf("with an app token: %+v, want one non-exclusive receiver", rs)
	}
	h, cmds := &recorder{}, &commander{reply: "ok"}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- rs[0].Run(ctx, inbox{h, cmds}) }()
	id, err := srv.PushCommand(t.Context(), slacktest.Command{User: "U0AMB", Channel: channel, Text: "stats"})
	ack := waitAck(t, srv, id, err)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("receiver after cancel: %v, want nil", err)
	}
	if len(cmds.texts) != 1 || cmds.texts[0] != "stats" || !strings.Contains(string(ack.Payload), "ok") {
		t.Errorf("command over the socket: texts %q, ack %s; want stats answered ok", cmds.texts, ack.Payload)
	}
}
