package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/surveys"
)

// runSocket starts RunSocketMode against srv until the test ends and
// returns a channel with its result.
func runSocket(t *testing.T, srv *slacktest.Server, b *Bot, h surveys.Handler, c surveys.Commander) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.RunSocketMode(ctx, slacktest.DefaultAppToken, h, c) }()
	stopped := false
	var err error
	stop = func() error {
		if !stopped {
			cancel()
			err, stopped = <-done, true
		}
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func waitAck(t *testing.T, srv *slacktest.Server, id string, err error) slacktest.Ack {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	a, err := srv.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Every envelope type arrives as the same Incoming or command as over
// HTTP, and every envelope is acked with its own id.
func TestSocketMode(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	h, cmds := &recorder{}, &commander{reply: "Sent NPS to <@U0123ABC> & logged"}
	stop := runSocket(t, srv, b, h, cmds)
	ctx := t.Context()

	if _, err := b.Send(ctx, surveys.Address{Platform: surveys.Slack, UserID: dana}, prompt(surveys.CES, "ru")); err != nil {
		t.Fatal(err)
	}
	m, err := srv.WaitMessage(ctx, func(m slacktest.Message) bool { return m.Channel == slacktest.DM(dana) })
	if err != nil {
		t.Fatal(err)
	}

	id, err := srv.PushInteraction(ctx, dana, m, m.Buttons()[6])
	press := waitAck(t, srv, id, err)
	id, err = srv.PushEvent(ctx, slacktest.IM{EventID: "Ev0SOCKET1", User: dana, Channel: m.Channel, Text: "Быстро & <ok>"})
	event := waitAck(t, srv, id, err)
	id, err = srv.PushEvent(ctx, slacktest.IM{User: "U0OTHERBOT", Channel: m.Channel, Text: "beep", BotID: "B0OTHER"})
	ignored := waitAck(t, srv, id, err)
	id, err = srv.PushCommand(ctx, slacktest.Command{User: "U0AMB", Channel: channel, Text: "send nps <@U0123ABC|dana> & more"})
	command := waitAck(t, srv, id, err)

	for _, a := range []slacktest.Ack{press, event, ignored} {
		if a.Payload != nil || a.Late {
			t.Errorf("ack %+v: want prompt and without payload", a)
		}
	}
	var reply map[string]string
	if err := json.Unmarshal(command.Payload, &reply); err != nil {
		t.Fatalf("command ack payload %s: %v", command.Payload, err)
	}
	if diff := cmp.Diff(map[string]string{"response_type": "ephemeral", "text": "Sent NPS to &lt;@U0123ABC&gt; &amp; logged"}, reply); diff != "" {
		t.Errorf("command reply (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"send nps <@U0123ABC|dana> & more"}, cmds.texts); diff != "" {
		t.Errorf("command text (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]surveys.Address{{Platform: surveys.Slack, ChatID: channel, UserID: "U0AMB"}}, cmds.from); diff != "" {
		t.Errorf("command from (-want +got):\n%s", diff)
	}

	got := h.incoming()
	if len(got) != 2 {
		t.Fatalf("got %d incoming %+v, want the press and the DM", len(got), got)
	}
	if got[0].Value != "7" || got[0].Ref == "" || got[0].From != (surveys.Address{Platform: surveys.Slack, ChatID: m.Channel, UserID: dana}) ||
		!strings.HasPrefix(got[0].ID, "slack:action:"+dana+":") {
		t.Errorf("press: got %+v", got[0])
	}
	want := surveys.Incoming{ID: "slack:Ev0SOCKET1", From: surveys.Address{Platform: surveys.Slack, ChatID: m.Channel, UserID: dana}, Text: "Быстро & <ok>"}
	if diff := cmp.Diff(want, got[1]); diff != "" {
		t.Errorf("DM (-want +got):\n%s", diff)
	}
	if p := srv.SocketProblems(); len(p) > 0 {
		t.Errorf("socket problems: %q", p)
	}
	if err := stop(); err != nil {
		t.Errorf("RunSocketMode after cancel: %v, want nil", err)
	}
}

// A dropped websocket and Slack's disconnect request both end in a new
// connection that carries the next envelopes.
func TestSocketModeReconnects(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	h := &recorder{}
	runSocket(t, srv, b, h, &commander{})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	id, err := srv.PushEvent(ctx, slacktest.IM{User: dana, Channel: slacktest.DM(dana), Text: "one"})
	waitAck(t, srv, id, err)
	if n := srv.DropSockets(); n != 1 {
		t.Fatalf("dropped %d connections, want 1", n)
	}
	if err := srv.WaitSockets(ctx, 2); err != nil {
		t.Fatal(err)
	}
	id, err = srv.PushEvent(ctx, slacktest.IM{User: dana, Channel: slacktest.DM(dana), Text: "two"})
	waitAck(t, srv, id, err)
	srv.Disconnect()
	if err := srv.WaitSockets(ctx, 3); err != nil {
		t.Fatal(err)
	}
	id, err = srv.PushEvent(ctx, slacktest.IM{User: dana, Channel: slacktest.DM(dana), Text: "three"})
	waitAck(t, srv, id, err)

	var texts []string
	for _, in := range h.incoming() {
		texts = append(texts, in.Text)
	}
	if diff := cmp.Diff([]string{"one", "two", "three"}, texts); diff != "" {
		t.Errorf("incoming (-want +got):\n%s", diff)
	}
	if p := srv.SocketProblems(); len(p) > 0 {
		t.Errorf("socket problems: %q", p)
	}
}

// A token Slack refuses stops RunSocketMode with an error naming the
// variable; so does a token that is not an app-level one.
func TestSocketModeBadToken(t *testing.T) {
	t.Parallel()
	_, b := newFake(t, slacktest.Options{})
	for _, token := range []string{"xapp-1-A0VOCBOT-1-wrong", slacktest.DefaultToken} {
		err := b.RunSocketMode(t.Context(), token, &recorder{}, &commander{})
		if err == nil || !strings.Contains(err.Error(), "VOCBOT_SLACK_APP_TOKEN") && !strings.Contains(err.Error(), "xapp-") {
			t.Errorf("RunSocketMode(%q) = %v, want an error about the app token", token, err)
		}
	}
}
