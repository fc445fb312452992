package slack

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/surveys"
)

func TestRowSizes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int
		want []int
	}{
		{0, nil}, {1, []int{1}}, {5, []int{5}}, {6, []int{6}}, {7, []int{4, 3}},
		{10, []int{5, 5}}, {11, []int{6, 5}}, {13, []int{5, 4, 4}}, {25, []int{5, 5, 5, 5, 5}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, rowSizes(tt.n, buttonsPerRow)); diff != "" {
			t.Errorf("rowSizes(%d) (-want +got):\n%s", tt.n, diff)
		}
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	in := "Q&A <b> *bold* 1 > 0"
	if got, want := escape(in), "Q&amp;A &lt;b&gt; *bold* 1 &gt; 0"; got != want {
		t.Errorf("escape = %q, want %q", got, want)
	}
	if got := unescape(escape(in)); got != in {
		t.Errorf("unescape(escape(x)) = %q, want %q", got, in)
	}
	if got, want := unescape("&amp;lt;"), "&lt;"; got != want {
		t.Errorf("unescape(&amp;lt;) = %q, want %q", got, want)
	}
}

func TestSplitLongText(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("א", 2000)
	chunks := split(line+"\n"+line, maxSectionText)
	if diff := cmp.Diff([]string{line, line}, chunks); diff != "" {
		t.Errorf("split at the line break (-want +got):\n%s", diff)
	}
	// One long line of base letters with combining marks: cut between graphemes.
	g := "e\u0301"
	chunks = split(strings.Repeat(g, 2000), maxSectionText)
	for _, c := range chunks {
		if strings.HasPrefix(c, "\u0301") {
			t.Fatalf("a chunk starts with a combining mark")
		}
	}
	if got := strings.Join(chunks, ""); got != strings.Repeat(g, 2000) {
		t.Error("chunks lost text")
	}
	// Escaped entities stay whole.
	for _, c := range split(escape(strings.Repeat("a&", 2000)), maxSectionText) {
		if strings.Count(c, "&") != strings.Count(c, "&amp;") {
			t.Fatalf("a chunk cuts an entity: …%q", c[len(c)-8:])
		}
	}
	if split("", 10) != nil {
		t.Error("split of empty text is not empty")
	}
}

func TestLongPromptStaysValid(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	p := surveys.Prompt{
		Text: strings.Repeat("Tell us more & why. ", 400), // 8,000 characters, more after escaping
		Ref:  "inv_long",
	}
	for i := range 25 {
		p.Choices = append(p.Choices, surveys.Choice{Label: strings.Repeat("x", 100), Value: string(rune('a' + i))})
	}
	if _, err := b.Send(t.Context(), surveys.Address{Platform: surveys.Slack, ChatID: channel}, p); err != nil {
		t.Fatalf("the fake rejected the rendering: %v", err)
	}
	m := srv.Posted()[0]
	for _, btn := range m.Buttons() {
		if n := utf8.RuneCountInString(btn.Text); n > maxButtonText {
			t.Errorf("button text has %d characters", n)
		}
	}
}

func TestUnrenderablePrompts(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	for _, p := range []surveys.Prompt{{}, {Text: strings.Repeat("x", 51*maxSectionText)}} {
		_, err := b.Send(t.Context(), surveys.Address{Platform: surveys.Slack, ChatID: channel}, p)
		if kind, _ := surveys.FailureOf(err); err == nil || kind != surveys.Failed {
			t.Errorf("%d characters: got %v, want a definite failure", len(p.Text), err)
		}
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("got %d calls, want none: nothing renderable is sent", n)
	}
}

func TestButtonValueTooLong(t *testing.T) {
	t.Parallel()
	_, err := encodeButton(button{Ref: strings.Repeat("r", maxButtonValue), Value: "1"})
	if err == nil {
		t.Error("got no error for a button value over 2,000 characters")
	}
}

// The inbound decoders get whatever the Internet sends once the signature
// passes (or a signed but buggy payload): they must never panic, and what
// they accept must be well formed.

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"type":"url_verification","challenge":"abc"}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel_type":"im","user":"U1","channel":"D1","text":"&lt;9&gt;"}}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":null}`))
	f.Add([]byte(`{"type":"event_callback","event":{"type":"message","subtype":"message_changed","message":{"text":"x"}}}`))
	f.Add([]byte(`{"type":"app_rate_limited","minute_rate_limited":1518467820}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := decodeEvent(body)
		if err != nil || ev.incoming == nil {
			return
		}
		in := ev.incoming
		if !strings.HasPrefix(in.ID, "slack:") || in.From.Platform != surveys.Slack || in.From.UserID == "" || in.From.ChatID == "" {
			t.Errorf("malformed incoming %+v", in)
		}
	})
}

func FuzzDecodeInteraction(f *testing.F) {
	v, _ := encodeButton(button{Ref: "inv_1", Value: "9"})
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U1"},
		"container": map[string]any{"channel_id": "D1", "message_ts": "1.2"},
		"actions":   []map[string]any{{"action_id": "vocbot_choice_9", "value": v, "action_ts": "3.4"}},
	})
	f.Add([]byte(url.Values{"payload": {string(payload)}}.Encode()))
	f.Add([]byte("payload=%7B%22type%22%3A%22view_submission%22%7D"))
	f.Add([]byte("payload="))
	f.Add([]byte("%zz"))
	f.Fuzz(func(t *testing.T, body []byte) {
		ins, err := decodeInteraction(body)
		if err != nil {
			return
		}
		for _, in := range ins {
			if in.Value == "" || in.From.UserID == "" || !strings.HasPrefix(in.ID, "slack:action:") {
				t.Errorf("malformed incoming %+v", in)
			}
		}
	})
}

func FuzzDecodeCommand(f *testing.F) {
	f.Add([]byte("command=%2Fsurvey&text=send+nps+%3C%40U0123ABC%7Cdana%3E&user_id=U1&channel_id=C1"))
	f.Add([]byte("text=%zz"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := decodeCommand(body)
		if err == nil && cmd.UserID == "" {
			t.Error("accepted a command without a user")
		}
	})
}

func FuzzButtonValue(f *testing.F) {
	f.Add("inv_01HZX3", "10")
	f.Add(`"|:`, "۹")
	f.Fuzz(func(t *testing.T, ref, value string) {
		v, err := encodeButton(button{Ref: ref, Value: value})
		if err != nil {
			return
		}
		got, ok := decodeButton(v)
		if value == "" {
			if ok {
				t.Error("decoded a button without value")
			}
			return
		}
		if !utf8.ValidString(ref) || !utf8.ValidString(value) {
			return // JSON replaces invalid bytes; refs and values are ours and valid
		}
		want := button{Ref: ref, Value: value}
		if !ok || got != want {
			t.Errorf("decodeButton(encodeButton(%q, %q)) = %+v, %v", ref, value, got, ok)
		}
	})
}

func FuzzSplit(f *testing.F) {
	f.Add("a&b\nc<d>e\u0301f", 4)
	f.Add(strings.Repeat("א\n", 10), 3)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 6 || limit > 100 || !utf8.ValidString(s) {
			return
		}
		text := escape(s)
		chunks := split(text, limit)
		for _, c := range chunks {
			if n := utf8.RuneCountInString(c); n > limit {
				t.Fatalf("chunk of %d characters, limit %d", n, limit)
			}
		}
		strip := func(x string) string { return strings.ReplaceAll(x, "\n", "") }
		if got, want := strip(strings.Join(chunks, "")), strip(text); got != want {
			t.Fatalf("chunks lost or changed text: %q vs %q", got, want)
		}
	})
}
