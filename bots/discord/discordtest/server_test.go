package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// call makes a raw REST call to the fake and returns status and body.
func call(t *testing.T, s *Server, method, path, token string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL()+"/api/v9"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bot "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, resp.Header, out
}

func buttons(n int) []any {
	var bs []any
	for i := range n {
		bs = append(bs, map[string]any{"type": 2, "style": 2, "label": "b", "custom_id": strings.Repeat("x", i+1)})
	}
	return bs
}

// The fake refuses what Discord refuses, with Discord's codes.
func TestStrictMessages(t *testing.T) {
	t.Parallel()
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	s.AddChannel(Channel{ID: "9", GuildID: "8"})
	s.AddUser(User{ID: "5", ClosedDMs: true})
	tok := s.Token()
	for _, tc := range []struct {
		name   string
		token  string
		path   string
		body   any
		status int
		code   float64
	}{
		{"wrong token", "nope", "/channels/9/messages", map[string]any{"content": "x"}, 401, 0},
		{"unknown channel", tok, "/channels/1/messages", map[string]any{"content": "x"}, 404, 10003},
		{"empty", tok, "/channels/9/messages", map[string]any{"content": ""}, 400, 50006},
		{"content too long", tok, "/channels/9/messages", map[string]any{"content": strings.Repeat("a", 2001)}, 400, 50035},
		{"six buttons", tok, "/channels/9/messages", map[string]any{"content": "x", "components": []any{map[string]any{"type": 1, "components": buttons(6)}}}, 400, 50035},
		{"six rows", tok, "/channels/9/messages", map[string]any{"content": "x", "components": []any{
			map[string]any{"type": 1, "components": buttons(1)}, map[string]any{"type": 1, "components": buttons(1)},
			map[string]any{"type": 1, "components": buttons(1)}, map[string]any{"type": 1, "components": buttons(1)},
			map[string]any{"type": 1, "components": buttons(1)}, map[string]any{"type": 1, "components": buttons(1)}}}, 400, 50035},
		{"button outside a row", tok, "/channels/9/messages", map[string]any{"content": "x", "components": buttons(1)}, 400, 50035},
		{"custom_id too long", tok, "/channels/9/messages", map[string]any{"content": "x", "components": []any{map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 2, "style": 1, "label": "b", "custom_id": strings.Repeat("x", 101)}}}}}, 400, 50035},
		{"nonce too long", tok, "/channels/9/messages", map[string]any{"content": "x", "nonce": strings.Repeat("n", 26), "enforce_nonce": true}, 400, 50035},
		{"embed too big", tok, "/channels/9/messages", map[string]any{"embeds": []any{map[string]any{"description": strings.Repeat("d", 4000),
			"fields": []any{map[string]any{"name": "n", "value": strings.Repeat("v", 1024)}, map[string]any{"name": "n", "value": strings.Repeat("v", 1024)}}}}}, 400, 50035},
		{"unknown field", tok, "/channels/9/messages", map[string]any{"content": "x", "contnet": "y"}, 400, 50109},
		{"dm closed", tok, "/users/@me/channels", map[string]any{"recipient_id": "5"}, 200, 0},
	} {
		status, _, out := call(t, s, http.MethodPost, tc.path, tc.token, tc.body)
		code, _ := out["code"].(float64)
		if status != tc.status || code != tc.code {
			t.Errorf("%s: %d %v, want %d code %v", tc.name, status, out, tc.status, tc.code)
		}
	}
	dm, _ := s.DM("5")
	if status, _, out := call(t, s, http.MethodPost, "/channels/"+dm+"/messages", tok, map[string]any{"content": "hi"}); status != 403 || out["code"] != float64(50007) {
		t.Errorf("closed DM: %d %v, want 403 50007", status, out)
	}
}

func TestNonceAndRateLimit(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := NewServer(Options{Now: func() time.Time { return now }})
	t.Cleanup(s.Close)
	s.AddChannel(Channel{ID: "9", GuildID: "8"})
	body := map[string]any{"content": "x", "nonce": "n1", "enforce_nonce": true}
	_, h, first := call(t, s, http.MethodPost, "/channels/9/messages", s.Token(), body)
	_, _, second := call(t, s, http.MethodPost, "/channels/9/messages", s.Token(), body)
	if first["id"] != second["id"] || len(s.Messages("9")) != 1 || h.Get("X-RateLimit-Remaining") == "" {
		t.Errorf("same nonce: %v then %v, %d messages", first["id"], second["id"], len(s.Messages("9")))
	}
	now = now.Add(6 * time.Minute)
	call(t, s, http.MethodPost, "/channels/9/messages", s.Token(), body)
	if n := len(s.Messages("9")); n != 2 {
		t.Errorf("same nonce after the window: %d messages, want 2", n)
	}
	s.RateLimit("POST /channels/{channel}/messages", 1500*time.Millisecond, true)
	status, h, out := call(t, s, http.MethodPost, "/channels/9/messages", s.Token(), map[string]any{"content": "y"})
	if status != 429 || out["retry_after"] != 1.5 || out["global"] != true || h.Get("Retry-After") != "2" || h.Get("X-RateLimit-Scope") != "global" {
		t.Errorf("429: %d %v %v", status, out, h)
	}
}

func TestInteractionRules(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := NewServer(Options{Now: func() time.Time { return now }})
	t.Cleanup(s.Close)
	s.AddUser(User{ID: "5"})
	c := &Client{Server: s}
	// An endpoint that answers nothing: vocbot would answer over REST.
	silent := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	res, err := c.Command(context.Background(), silent, Invoker{UserID: "5"}, "help", "")
	if err != nil {
		t.Fatal(err)
	}
	path := "/interactions/" + res.ID + "/" + tokenOf(s, res.ID) + "/callback"
	if status, _, out := call(t, s, http.MethodPost, path, "", map[string]any{"type": 6}); status != 400 || out["code"] != float64(50035) {
		t.Errorf("deferred update to a command: %d %v, want 400", status, out)
	}
	if status, _, _ := call(t, s, http.MethodPost, path, "", map[string]any{"type": 4, "data": map[string]any{"content": "hi", "flags": 64}}); status != 204 {
		t.Errorf("answer: %d, want 204", status)
	}
	if status, _, out := call(t, s, http.MethodPost, path, "", map[string]any{"type": 4, "data": map[string]any{"content": "again"}}); status != 400 || out["code"] != float64(40060) {
		t.Errorf("second answer: %d %v, want 40060", status, out)
	}
	res, _ = c.Command(context.Background(), silent, Invoker{UserID: "5"}, "help", "")
	now = now.Add(4 * time.Second)
	if status, _, out := call(t, s, http.MethodPost, "/interactions/"+res.ID+"/"+tokenOf(s, res.ID)+"/callback", "", map[string]any{"type": 5}); status != 404 || out["code"] != float64(10062) {
		t.Errorf("late answer: %d %v, want 10062", status, out)
	}
}

func TestCommandValidation(t *testing.T) {
	t.Parallel()
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	path := "/applications/" + s.AppID() + "/commands"
	good := []any{map[string]any{"name": "stop", "description": "Stop", "type": 1}}
	if status, _, _ := call(t, s, http.MethodPut, path, s.Token(), good); status != 200 || len(s.Commands("")) != 1 {
		t.Errorf("good commands: %d", status)
	}
	for name, cmds := range map[string][]any{
		"upper case":   {map[string]any{"name": "Stop", "description": "x"}},
		"no desc":      {map[string]any{"name": "stop", "description": ""}},
		"duplicate":    {map[string]any{"name": "a", "description": "x"}, map[string]any{"name": "a", "description": "x"}},
		"required 2nd": {map[string]any{"name": "a", "description": "x", "options": []any{map[string]any{"name": "o", "description": "x", "type": 3}, map[string]any{"name": "p", "description": "x", "type": 3, "required": true}}}},
	} {
		if status, _, out := call(t, s, http.MethodPut, path, s.Token(), cmds); status != 400 || out["code"] != float64(50035) {
			t.Errorf("%s: %d %v, want 50035", name, status, out)
		}
	}
	if status, _, _ := call(t, s, http.MethodPut, "/applications/"+s.AppID()+"/guilds/77/commands", s.Token(), good); status != 403 {
		t.Errorf("unknown guild: %d, want 403", status)
	}
}

func tokenOf(s *Server, id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interactions[id].token
}

func TestEnvAndPressLabel(t *testing.T) {
	t.Parallel()
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	env := s.Env(true)
	if env["VOCBOT_DISCORD_API_URL"] != s.URL() || len(env["VOCBOT_DISCORD_PUBLIC_KEY"]) != 64 || env["VOCBOT_DISCORD_TOKEN"] != s.Token() {
		t.Errorf("env %v", env)
	}
	if _, ok := s.Env(false)["VOCBOT_DISCORD_PUBLIC_KEY"]; ok {
		t.Error("gateway env has a public key")
	}
	s.AddUser(User{ID: "5"})
	dm, _ := s.DM("5")
	_, _, out := call(t, s, http.MethodPost, "/channels/"+dm+"/messages", s.Token(), map[string]any{"content": "q",
		"components": []any{map[string]any{"type": 1, "components": []any{map[string]any{"type": 2, "style": 2, "label": "9", "custom_id": "c9"}}}}})
	var got string
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var it struct {
			Data struct {
				CustomID string `json:"custom_id"`
			} `json:"data"`
		}
		_ = json.NewDecoder(r.Body).Decode(&it)
		got = it.Data.CustomID
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"type":6}`))
	}))
	c := &Client{Server: s}
	if _, err := c.PressLabel(context.Background(), h, Invoker{UserID: "5"}, out["id"].(string), "9"); err != nil || got != "c9" {
		t.Errorf("press: %v, custom_id %q", err, got)
	}
	if _, err := c.PressLabel(context.Background(), h, Invoker{UserID: "5"}, out["id"].(string), "10"); err == nil {
		t.Error("pressed a button that does not exist")
	}
}
