package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Socket Mode: apps.connections.open (app-level token only) answers a
// single-use ws:// URL on the fake's own server; the websocket sends hello,
// pings, carries the envelopes tests push (PushEvent, PushInteraction,
// PushCommand) and takes their acks. The fake is strict where Slack is:
// at most 10 connections per app, acks must name an envelope that was
// sent on that connection and not yet acked, ack payloads under 20 KB;
// anything else is a SocketProblem.

// DefaultAppToken is the app-level token apps.connections.open accepts
// unless Options.AppToken is set.
const DefaultAppToken = "xapp-1-A0VOCBOT-1-vocbot-test-app-token"

const (
	maxSockets     = 10               // Slack: up to 10 connections per app
	maxAckPayload  = 20 * 1024        // Slack drops bigger acks
	ackWindow      = 3 * time.Second  // Slack's time to ack
	socketPingEach = 5 * time.Second  // Slack pings; slack-go reconnects after 30 s without
	socketWrite    = 10 * time.Second // write deadline per frame
)

// Ack is an envelope acknowledgement the fake received.
type Ack struct {
	EnvelopeID string
	Type       string          // the envelope's: events_api, interactive, slash_commands
	Payload    json.RawMessage // nil when the ack carried none
	Late       bool            // after Slack's 3 s: Slack would have redelivered or warned
}

// sockets is the Socket Mode state of a Server, under Server.mu.
type sockets struct {
	tickets  map[string]bool // issued, not yet used
	live     []*socketConn
	opened   int
	seq      int
	pending  map[string]pending // sent, not yet acked
	acks     []Ack
	problems []string
	client   Client // builds payloads exactly as Client does over HTTP
}

type pending struct {
	typ  string
	conn *socketConn
	sent time.Time
}

type socketConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex // gorilla allows one writer at a time
}

func (c *socketConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(socketWrite))
	return c.ws.WriteJSON(v)
}

// openConnection serves apps.connections.open.
func (s *Server) openConnection(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		_ = r.ParseForm()
		token = r.Form.Get("token")
	}
	switch {
	case token == "":
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "not_authed"})
		return
	case token == s.opts.Token:
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "not_allowed_token_type"})
		return
	case token != s.opts.AppToken:
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "invalid_auth"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Method: "apps.connections.open"})
	if len(s.sock.live) >= maxSockets {
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "too_many_websockets"})
		return
	}
	s.sock.seq++
	ticket := "t" + strconv.Itoa(s.sock.seq)
	if s.sock.tickets == nil {
		s.sock.tickets = map[string]bool{}
	}
	s.sock.tickets[ticket] = true
	u := "ws" + strings.TrimPrefix(s.http.URL, "http") + "/socket/?ticket=" + ticket + "&app_id=A0VOCBOT"
	writeJSON(w, http.StatusOK, answer{"ok": true, "url": u})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// socket serves the websocket of one Socket Mode connection.
func (s *Server) socket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	ok := s.sock.tickets[ticket]
	delete(s.sock.tickets, ticket)
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown or used ticket: call apps.connections.open for each connection", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &socketConn{ws: ws}
	s.mu.Lock()
	n := len(s.sock.live) + 1
	s.mu.Unlock()
	hello := answer{"type": "hello", "num_connections": n,
		"debug_info":      answer{"host": "slacktest", "approximate_connection_time": 18060},
		"connection_info": answer{"app_id": "A0VOCBOT"}}
	if c.write(hello) != nil {
		_ = ws.Close()
		return
	}
	s.mu.Lock()
	s.sock.live = append(s.sock.live, c)
	s.sock.opened++
	s.notify()
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		t := time.NewTicker(socketPingEach)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(socketWrite))
			}
		}
	}()
	defer func() {
		close(done)
		_ = ws.Close()
		s.mu.Lock()
		for i, l := range s.sock.live {
			if l == c {
				s.sock.live = append(s.sock.live[:i], s.sock.live[i+1:]...)
				break
			}
		}
		s.notify()
		s.mu.Unlock()
	}()
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		s.takeAck(c, msg)
	}
}

// takeAck records one message from the app: only acks are expected.
func (s *Server) takeAck(c *socketConn, msg []byte) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notify()
	if err := json.Unmarshal(msg, &a); err != nil || a.EnvelopeID == "" {
		s.sock.problems = append(s.sock.problems, fmt.Sprintf("not an ack: %s", msg))
		return
	}
	p, ok := s.sock.pending[a.EnvelopeID]
	switch {
	case !ok:
		s.sock.problems = append(s.sock.problems, fmt.Sprintf("ack for an envelope not pending (unknown or acked already): %s", a.EnvelopeID))
		return
	case p.conn != c:
		s.sock.problems = append(s.sock.problems, fmt.Sprintf("ack on another connection than the envelope's: %s", a.EnvelopeID))
	}
	delete(s.sock.pending, a.EnvelopeID)
	ack := Ack{EnvelopeID: a.EnvelopeID, Type: p.typ, Late: s.opts.Now().Sub(p.sent) > ackWindow}
	if len(a.Payload) > 0 && string(a.Payload) != "null" {
		ack.Payload = a.Payload
	}
	if len(msg) >= maxAckPayload {
		s.sock.problems = append(s.sock.problems, fmt.Sprintf("ack of %d bytes for %s: Slack drops acks of 20 KB or more", len(msg), a.EnvelopeID))
		ack.Payload = nil
	}
	s.sock.acks = append(s.sock.acks, ack)
}

// PushEvent delivers a message.im event_callback over Socket Mode (like
// Client.MessageIM over HTTP) and returns the envelope id. It waits for a
// connection if none is open.
func (s *Server) PushEvent(ctx context.Context, m IM) (envelopeID string, err error) {
	s.mu.Lock()
	_, body := s.sock.client.messageIM(m)
	s.mu.Unlock()
	return s.push(ctx, "events_api", body, false, m.RetryNum)
}

// PushInteraction delivers user's press of b on m (block_actions) over
// Socket Mode, like Client.Press over HTTP.
func (s *Server) PushInteraction(ctx context.Context, user string, m Message, b Button) (envelopeID string, err error) {
	s.mu.Lock()
	payload, err := s.sock.client.press(user, m, b)
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	return s.push(ctx, "interactive", payload, false, 0)
}

// PushCommand delivers a slash command over Socket Mode, like
// Client.SlashCommand over HTTP; the reply comes back as the ack's payload.
func (s *Server) PushCommand(ctx context.Context, cmd Command) (envelopeID string, err error) {
	s.mu.Lock()
	form := s.sock.client.slashCommand(cmd)
	s.mu.Unlock()
	fields := map[string]string{}
	for k := range form {
		fields[k] = form.Get(k) // Slack sends every field as a string, is_enterprise_install too
	}
	payload, _ := json.Marshal(fields)
	return s.push(ctx, "slash_commands", payload, true, 0)
}

// push sends one envelope on the newest open connection.
func (s *Server) push(ctx context.Context, typ string, payload []byte, acceptsResponse bool, retry int) (string, error) {
	for {
		s.mu.Lock()
		if n := len(s.sock.live); n > 0 {
			c := s.sock.live[n-1]
			s.sock.seq++
			id := fmt.Sprintf("e%04d-socket-envelope", s.sock.seq)
			if s.sock.pending == nil {
				s.sock.pending = map[string]pending{}
			}
			s.sock.pending[id] = pending{typ: typ, conn: c, sent: s.opts.Now()}
			s.mu.Unlock()
			env := answer{"envelope_id": id, "type": typ, "payload": json.RawMessage(payload),
				"accepts_response_payload": acceptsResponse, "retry_attempt": retry, "retry_reason": ""}
			if retry > 0 {
				env["retry_reason"] = "timeout"
			}
			if err := c.write(env); err != nil {
				s.mu.Lock()
				delete(s.sock.pending, id)
				s.mu.Unlock()
				return "", fmt.Errorf("slacktest: push %s: %w", typ, err)
			}
			return id, nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return "", fmt.Errorf("slacktest: no Socket Mode connection to push %s on: %w", typ, ctx.Err())
		}
	}
}

// WaitAck blocks until the envelope is acked and returns the ack, or until
// ctx ends.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	for {
		s.mu.Lock()
		for _, a := range s.sock.acks {
			if a.EnvelopeID == envelopeID {
				s.mu.Unlock()
				return a, nil
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Ack{}, fmt.Errorf("slacktest: envelope %s not acked: %w", envelopeID, ctx.Err())
		}
	}
}

// WaitSockets blocks until n Socket Mode connections have been opened in
// all (reconnects count), or until ctx ends.
func (s *Server) WaitSockets(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		opened, changed := s.sock.opened, s.changed
		s.mu.Unlock()
		if opened >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("slacktest: %d of %d Socket Mode connections opened: %w", opened, n, ctx.Err())
		}
	}
}

// Acks returns every ack received, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.sock.acks...)
}

// Pending returns the ids of envelopes sent and not acked.
func (s *Server) Pending() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.sock.pending {
		ids = append(ids, id)
	}
	return ids
}

// SocketProblems lists what the app sent over Socket Mode that Slack would
// ignore or refuse: a test expects none.
func (s *Server) SocketProblems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sock.problems...)
}

// DropSockets cuts every open Socket Mode connection without a close
// frame, as a network failure does; it returns how many it cut.
func (s *Server) DropSockets() int {
	s.mu.Lock()
	live := append([]*socketConn(nil), s.sock.live...)
	s.mu.Unlock()
	for _, c := range live {
		_ = c.ws.NetConn().Close()
	}
	return len(live)
}

// Disconnect asks every open connection to reconnect, as Slack does
// before it rotates its servers ({"type":"disconnect","reason":"refresh_requested"}).
func (s *Server) Disconnect() {
	s.mu.Lock()
	live := append([]*socketConn(nil), s.sock.live...)
	s.mu.Unlock()
	for _, c := range live {
		_ = c.write(answer{"type": "disconnect", "reason": "refresh_requested",
			"debug_info": answer{"host": "slacktest"}})
	}
}
