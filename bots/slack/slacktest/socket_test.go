package slacktest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// openSocket calls apps.connections.open with token and returns the answer.
func openSocket(t *testing.T, s *Server, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"apps.connections.open", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestConnectionsOpenTokens(t *testing.T) {
	t.Parallel()
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	for _, tc := range []struct{ token, want string }{
		{"", "not_authed"},
		{DefaultToken, "not_allowed_token_type"},
		{"xapp-1-other", "invalid_auth"},
	} {
		if got := openSocket(t, s, tc.token); got["ok"] != false || got["error"] != tc.want {
			t.Errorf("apps.connections.open with %q: got %v, want error %s", tc.token, got, tc.want)
		}
	}
}

// The websocket says hello, carries pushed envelopes, takes acks by
// envelope id and reports anything else; its URL works once.
func TestSocketEnvelopesAndAcks(t *testing.T) {
	t.Parallel()
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	open := openSocket(t, s, DefaultAppToken)
	wsURL, _ := open["url"].(string)
	if !strings.HasPrefix(wsURL, "ws://") {
		t.Fatalf("apps.connections.open: got %v, want a ws:// url", open)
	}
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, res, err := websocket.DefaultDialer.DialContext(ctx, wsURL, nil); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("second dial with the same URL: %v, want 401", err)
	}
	var hello map[string]any
	if err := ws.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
		t.Fatalf("first frame %v, %v: want hello", hello, err)
	}

	id, err := s.PushCommand(ctx, Command{User: "U0AMB", Channel: "C0CX", Text: "help <now>"})
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		EnvelopeID             string            `json:"envelope_id"`
		Type                   string            `json:"type"`
		AcceptsResponsePayload bool              `json:"accepts_response_payload"`
		Payload                map[string]string `json:"payload"`
	}
	if err := ws.ReadJSON(&env); err != nil {
		t.Fatal(err)
	}
	if env.EnvelopeID != id || env.Type != "slash_commands" || !env.AcceptsResponsePayload ||
		env.Payload["command"] != "/survey" || env.Payload["text"] != "help &lt;now&gt;" || env.Payload["is_enterprise_install"] != "false" {
		t.Errorf("envelope: got %+v", env)
	}
	if err := ws.WriteJSON(map[string]any{"envelope_id": "nonsense"}); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteJSON(map[string]any{"envelope_id": id, "payload": map[string]string{"text": "usage"}}); err != nil {
		t.Fatal(err)
	}
	a, err := s.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Type != "slash_commands" || string(a.Payload) != `{"text":"usage"}` {
		t.Errorf("ack: got %+v", a)
	}
	if err := ws.WriteJSON(map[string]any{"envelope_id": id}); err != nil { // twice
		t.Fatal(err)
	}
	for {
		if p := s.SocketProblems(); len(p) == 2 {
			if !strings.Contains(p[0], "nonsense") || !strings.Contains(p[1], id) {
				t.Errorf("problems: %q", p)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("problems: got %q, want the unknown and the repeated ack", s.SocketProblems())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestPushWaitsForAConnection(t *testing.T) {
	t.Parallel()
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.PushEvent(ctx, IM{User: "U1", Channel: "D1", Text: "hi"}); err == nil {
		t.Error("push without a connection succeeded")
	}
}
