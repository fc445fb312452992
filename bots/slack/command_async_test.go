package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/surveys"
)

// slowCommander replies only once released.
type slowCommander struct {
	release chan struct{}
	reply   string
}

func (c *slowCommander) Command(ctx context.Context, _ surveys.CommandRequest) (surveys.CommandReply, error) {
	select {
	case <-c.release:
	case <-ctx.Done():
		return surveys.CommandReply{}, ctx.Err()
	}
	return surveys.CommandReply{Text: c.reply}, nil
}

// A command that outlasts the patience is answered "Working on it…" at
// once, over HTTP and in the Socket Mode ack, and its reply arrives
// through response_url.
func TestSlowCommandAnswersThroughResponseURL(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	b.patience = time.Millisecond // the commander below waits for the test, whatever the patience
	http1 := &slowCommander{release: make(chan struct{}), reply: "Sent NPS to 40 customers & counting"}
	socket1 := &slowCommander{release: make(chan struct{}), reply: "Digest posted"}
	runSocket(t, srv, b, &recorder{}, socket1)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	working := map[string]string{"response_type": "ephemeral", "text": "Working on it…"}

	c := &slacktest.Client{SigningSecret: secret, HooksURL: srv.HooksURL()}
	res, err := c.SlashCommand(ctx, slacktest.Handler(b.CommandsHandler(http1)), slacktest.Command{User: "U0AMB", Channel: channel, Text: "send nps all"})
	var got map[string]string
	if err := json.Unmarshal([]byte(mustStatus(t, res, err, http.StatusOK)), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(working, got); diff != "" {
		t.Errorf("HTTP answer (-want +got):\n%s", diff)
	}
	close(http1.release)
	r, err := srv.WaitResponse(ctx, func(r slacktest.Response) bool { return r.Text == "Sent NPS to 40 customers &amp; counting" })
	if err != nil {
		t.Fatalf("%v; posted: %+v", err, srv.Responses())
	}
	if r.ResponseType != "ephemeral" || r.ReplaceOriginal {
		t.Errorf("response_url post: got %+v, want ephemeral, not replacing", r)
	}

	id, err := srv.PushCommand(ctx, slacktest.Command{User: "U0AMB", Channel: channel, Text: "digest"})
	ack := waitAck(t, srv, id, err)
	got = nil
	if err := json.Unmarshal(ack.Payload, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(working, got); diff != "" {
		t.Errorf("Socket Mode ack (-want +got):\n%s", diff)
	}
	close(socket1.release)
	if _, err := srv.WaitResponse(ctx, func(r slacktest.Response) bool { return r.Text == "Digest posted" }); err != nil {
		t.Fatalf("%v; posted: %+v", err, srv.Responses())
	}
}

// A command within the patience answers directly; response_url stays unused.
func TestQuickCommandAnswersDirectly(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	b.patience = time.Hour // the commander answers at once
	c := &slacktest.Client{SigningSecret: secret, HooksURL: srv.HooksURL()}
	res, err := c.SlashCommand(t.Context(), slacktest.Handler(b.CommandsHandler(&commander{reply: "usage"})), slacktest.Command{User: "U0AMB", Channel: channel, Text: "help"})
	var got map[string]string
	if err := json.Unmarshal([]byte(mustStatus(t, res, err, http.StatusOK)), &got); err != nil {
		t.Fatal(err)
	}
	if got["text"] != "usage" {
		t.Errorf("answer %v, want the reply", got)
	}
	if r := srv.Responses(); len(r) > 0 {
		t.Errorf("response_url posts: %+v, want none", r)
	}
}
