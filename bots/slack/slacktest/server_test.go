package slacktest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
)

func newServer(t *testing.T) (*slacktest.Server, *slackgo.Client) {
	t.Helper()
	srv := slacktest.NewServer(slacktest.Options{PostInterval: -1})
	t.Cleanup(srv.Close)
	srv.AddChannel(slacktest.Channel{ID: "C1"})
	return srv, slackgo.New(slacktest.DefaultToken, slackgo.OptionAPIURL(srv.URL))
}

func apiError(err error) string {
	var e slackgo.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	if err == nil {
		return ""
	}
	return "other: " + err.Error()
}

func button(id, text, value string) slackgo.BlockElement {
	return slackgo.NewButtonBlockElement(id, value, slackgo.NewTextBlockObject(slackgo.PlainTextType, text, false, false))
}

func section(text string) slackgo.Block {
	return slackgo.NewSectionBlock(slackgo.NewTextBlockObject(slackgo.MarkdownType, text, false, false), nil, nil)
}

func TestPostMessageValidation(t *testing.T) {
	t.Parallel()
	many := func(n int) []slackgo.BlockElement {
		var es []slackgo.BlockElement
		for i := range n {
			es = append(es, button(fmt.Sprint("a", i), fmt.Sprint(i), "v"))
		}
		return es
	}
	var fifty1 []slackgo.Block
	for range 51 {
		fifty1 = append(fifty1, section("x"))
	}
	tests := []struct {
		name string
		opts []slackgo.MsgOption
		want string
	}{
		{"ok", []slackgo.MsgOption{slackgo.MsgOptionBlocks(section("hi"), slackgo.NewActionBlock("b", many(25)...)), slackgo.MsgOptionText("hi", false)}, ""},
		{"text only", []slackgo.MsgOption{slackgo.MsgOptionText("hi", false)}, ""},
		{"no text", nil, "no_text"},
		{"51 blocks", []slackgo.MsgOption{slackgo.MsgOptionBlocks(fifty1...)}, "invalid_blocks"},
		{"26 elements", []slackgo.MsgOption{slackgo.MsgOptionBlocks(slackgo.NewActionBlock("b", many(26)...))}, "invalid_blocks"},
		{"button text 76", []slackgo.MsgOption{slackgo.MsgOptionBlocks(slackgo.NewActionBlock("b", button("a", strings.Repeat("x", 76), "v")))}, "invalid_blocks"},
		{"button text 75", []slackgo.MsgOption{slackgo.MsgOptionBlocks(slackgo.NewActionBlock("b", button("a", strings.Repeat("ü", 75), "v")))}, ""},
		{"value 2001", []slackgo.MsgOption{slackgo.MsgOptionBlocks(slackgo.NewActionBlock("b", button("a", "x", strings.Repeat("v", 2001))))}, "invalid_blocks"},
		{"duplicate action_id", []slackgo.MsgOption{slackgo.MsgOptionBlocks(
			slackgo.NewActionBlock("b1", button("a", "1", "1")), slackgo.NewActionBlock("b2", button("a", "2", "2")))}, "invalid_blocks"},
		{"duplicate block_id", []slackgo.MsgOption{slackgo.MsgOptionBlocks(
			slackgo.NewActionBlock("b", button("a1", "1", "1")), slackgo.NewActionBlock("b", button("a2", "2", "2")))}, "invalid_blocks"},
		{"section 3001", []slackgo.MsgOption{slackgo.MsgOptionBlocks(section(strings.Repeat("x", 3001)))}, "invalid_blocks"},
		{"text 40001", []slackgo.MsgOption{slackgo.MsgOptionText(strings.Repeat("x", 40001), false)}, "msg_too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, api := newServer(t)
			_, _, err := api.PostMessageContext(t.Context(), "C1", tt.opts...)
			if got := apiError(err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInvalidBlocksNamesTheProblem(t *testing.T) {
	t.Parallel()
	_, api := newServer(t)
	_, _, err := api.PostMessageContext(t.Context(), "C1", slackgo.MsgOptionBlocks(slackgo.NewActionBlock("b", button("a", strings.Repeat("x", 76), "v"))))
	var e slackgo.SlackErrorResponse
	if !errors.As(err, &e) || len(e.ResponseMetadata.Messages) == 0 ||
		!strings.Contains(e.ResponseMetadata.Messages[0], "[json-pointer:/blocks/0/elements/0/text/text]") {
		t.Errorf("got %#v, want response_metadata.messages with a json-pointer", err)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	for token, want := range map[string]string{"": "not_authed", "xoxb-wrong": "invalid_auth"} {
		_, err := slackgo.New(token, slackgo.OptionAPIURL(srv.URL)).AuthTestContext(t.Context())
		if got := apiError(err); got != want {
			t.Errorf("token %q: got %q, want %q", token, got, want)
		}
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("rejected calls were recorded: %d", n)
	}
}

func TestUniqueTimestampsAndHistory(t *testing.T) {
	t.Parallel()
	srv, api := newServer(t)
	ctx := t.Context()
	seen := map[string]bool{}
	for i := range 5 {
		md := slackgo.SlackMetadata{EventType: "vocbot_delivery", EventPayload: map[string]any{"delivery_id": fmt.Sprint("inv_", i)}}
		_, ts, err := api.PostMessageContext(ctx, "C1", slackgo.MsgOptionText(fmt.Sprint("m", i), false), slackgo.MsgOptionMetadata(md))
		if err != nil {
			t.Fatal(err)
		}
		if seen[ts] {
			t.Fatalf("ts %s reused", ts)
		}
		seen[ts] = true
	}
	// Without include_all_metadata Slack leaves metadata out.
	h, err := api.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{ChannelID: "C1", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Messages) != 2 || h.Messages[0].Text != "m4" || h.Messages[0].Metadata.EventType != "" || !h.HasMore {
		t.Fatalf("first page: %+v", h)
	}
	var texts []string
	params := &slackgo.GetConversationHistoryParameters{ChannelID: "C1", Limit: 2, IncludeAllMetadata: true}
	for {
		h, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range h.Messages {
			texts = append(texts, m.Text+"/"+fmt.Sprint(m.Metadata.EventPayload["delivery_id"]))
		}
		if !h.HasMore {
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	if got, want := strings.Join(texts, " "), "m4/inv_4 m3/inv_3 m2/inv_2 m1/inv_1 m0/inv_0"; got != want {
		t.Errorf("history = %s, want %s", got, want)
	}
	if len(srv.Posted()) != 5 {
		t.Errorf("got %d posted, want 5", len(srv.Posted()))
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	srv, api := newServer(t)
	ctx := t.Context()
	_, ts, err := api.PostMessageContext(ctx, "C1", slackgo.MsgOptionBlocks(slackgo.NewActionBlock("b", button("a", "9", "9"))), slackgo.MsgOptionText("q", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slackgo.MsgOptionBlocks(section("answered: 9")), slackgo.MsgOptionText("answered", false)); err != nil {
		t.Fatal(err)
	}
	m := srv.Messages("C1")[0]
	if !m.Edited || m.Text != "answered" || len(m.Buttons()) != 0 {
		t.Errorf("after update: %+v", m)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", "1.000000", slackgo.MsgOptionText("x", false)); apiError(err) != "message_not_found" {
		t.Errorf("unknown ts: got %v, want message_not_found", err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C404", ts, slackgo.MsgOptionText("x", false)); apiError(err) != "channel_not_found" {
		t.Errorf("unknown channel: got %v, want channel_not_found", err)
	}
}

func TestFaultsAndRateLimit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	srv := slacktest.NewServer(slacktest.Options{Now: func() time.Time { return now }})
	t.Cleanup(srv.Close)
	srv.AddChannel(slacktest.Channel{ID: "C1"})
	api := slackgo.New(slacktest.DefaultToken, slackgo.OptionAPIURL(srv.URL))
	ctx := t.Context()

	srv.Fail("chat.postMessage", slacktest.RateLimited(1500*time.Millisecond), slacktest.RateLimitedNoHeader(), slacktest.Status(502))
	var rl *slackgo.RateLimitedError
	if _, _, err := api.PostMessageContext(ctx, "C1", slackgo.MsgOptionText("a", false)); !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Errorf("scripted 429: got %v, want RateLimitedError after 2s", err)
	}
	var sc slackgo.StatusCodeError
	if _, _, err := api.PostMessageContext(ctx, "C1", slackgo.MsgOptionText("a", false)); !errors.As(err, &sc) || sc.Code != http.StatusTooManyRequests {
		t.Errorf("429 without header: got %v, want StatusCodeError 429", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slackgo.MsgOptionText("a", false)); !errors.As(err, &sc) || sc.Code != http.StatusBadGateway {
		t.Errorf("502: got %v", err)
	}
	// The default 1/s per channel, on a frozen clock.
	if _, _, err := api.PostMessageContext(ctx, "C1", slackgo.MsgOptionText("a", false)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slackgo.MsgOptionText("b", false)); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Errorf("second post in a second: got %v, want RateLimitedError after 1s", err)
	}
	if got := len(srv.Messages("C1")); got != 1 {
		t.Errorf("got %d messages, want 1", got)
	}
}

func TestWaitMessage(t *testing.T) {
	t.Parallel()
	srv, api := newServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan slacktest.Message)
	go func() {
		m, _ := srv.WaitMessage(ctx, func(m slacktest.Message) bool { return m.Text == "second" })
		done <- m
	}()
	for _, text := range []string{"first", "second"} {
		if _, _, err := api.PostMessageContext(ctx, "C1", slackgo.MsgOptionText(text, false)); err != nil {
			t.Fatal(err)
		}
	}
	if m := <-done; m.Text != "second" {
		t.Errorf("got %+v", m)
	}
	cancel()
	if _, err := srv.WaitMessage(ctx, func(slacktest.Message) bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestSignMatchesSlackGo(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type":"url_verification","challenge":"x"}`)
	ts, sig := slacktest.Sign("s3cret", time.Now(), body)
	sv, err := slackgo.NewSecretsVerifier(http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {sig}}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = sv.Write(body)
	if err := sv.Ensure(); err != nil {
		t.Errorf("slack-go rejects our signature: %v", err)
	}
}
