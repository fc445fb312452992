package discordtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// dispatchTimeout is how long the fake waits for a gateway client to read
// an event before it cuts the connection.
const dispatchTimeout = 2 * time.Second

// Gateway close codes the fake uses.
const (
	CloseAuthenticationFailed = 4004
	CloseUnknownError         = 4000
)

type gateway struct {
	sessions   map[string]*gwSession
	conns      map[*websocket.Conn]*gwConn
	identifies int
	resumes    int
	heartbeats int
	closed     bool
}

// gwSession is a gateway session: its dispatches, kept for replay on resume.
type gwSession struct {
	id     string
	seq    int64
	events []json.RawMessage
	conn   *gwConn
}

type gwConn struct {
	ws      *websocket.Conn
	write   sync.Mutex
	session *gwSession
}

func (c *gwConn) send(v any) error {
	c.write.Lock()
	defer c.write.Unlock()
	return c.ws.WriteJSON(v)
}

// sendWithin writes v unless the client stops reading for d; the deadline
// is set under the write lock, since it belongs to the write it bounds.
func (c *gwConn) sendWithin(v any, d time.Duration) error {
	c.write.Lock()
	defer c.write.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(d)); err != nil {
		return err
	}
	defer func() { _ = c.ws.SetWriteDeadline(time.Time{}) }()
	return c.ws.WriteJSON(v)
}

// GatewayStats is what the gateway saw.
type GatewayStats struct {
	Identifies, Resumes, Heartbeats, Connected int
}

// Gateway reports the gateway's counters.
func (s *Server) Gateway() GatewayStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return GatewayStats{Identifies: s.gw.identifies, Resumes: s.gw.resumes, Heartbeats: s.gw.heartbeats, Connected: len(s.gw.conns)}
}

func (s *Server) gatewayURL(*http.Request, []byte, []File) (any, *apiError) {
	u := "ws" + s.http.URL[len("http"):] + "/gw"
	return map[string]any{"url": u, "shards": 1, "session_start_limit": map[string]int{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}, nil
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway speaks the gateway protocol: hello, then identify (READY)
// or resume (replay, RESUMED), heartbeats answered with ACKs.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("v") != "9" || r.URL.Query().Get("encoding") != "json" {
		http.Error(w, "want ?v=9&encoding=json", http.StatusBadRequest)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	if s.gw.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	if s.gw.conns == nil {
		s.gw.conns = map[*websocket.Conn]*gwConn{}
	}
	s.gw.conns[ws] = c
	s.notify()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.gw.conns, ws)
		if c.session != nil && c.session.conn == c {
			c.session.conn = nil
		}
		s.notify()
		s.mu.Unlock()
		ws.Close()
	}()
	if c.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}}) != nil {
		return
	}
	for {
		var msg struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := ws.ReadJSON(&msg); err != nil {
			return
		}
		switch msg.Op {
		case 1:
			s.mu.Lock()
			s.gw.heartbeats++
			s.notify()
			s.mu.Unlock()
			if c.send(map[string]any{"op": 11}) != nil {
				return
			}
		case 2:
			var id struct {
				Token   string `json:"token"`
				Intents int    `json:"intents"`
			}
			_ = json.Unmarshal(msg.D, &id)
			if id.Token != "Bot "+s.opts.Token {
				s.closeConn(c, CloseAuthenticationFailed, "Authentication failed.")
				return
			}
			if s.identify(c) != nil {
				return
			}
		case 6:
			var rs struct {
				Token     string `json:"token"`
				SessionID string `json:"session_id"`
				Seq       int64  `json:"seq"`
			}
			_ = json.Unmarshal(msg.D, &rs)
			if rs.Token != "Bot "+s.opts.Token {
				s.closeConn(c, CloseAuthenticationFailed, "Authentication failed.")
				return
			}
			if s.resume(c, rs.SessionID, rs.Seq) != nil {
				return
			}
		}
	}
}

func (s *Server) closeConn(c *gwConn, code int, text string) {
	c.write.Lock()
	defer c.write.Unlock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
}

func (s *Server) identify(c *gwConn) error {
	s.mu.Lock()
	s.gw.identifies++
	sess := &gwSession{id: "session-" + s.nextID(), conn: c}
	s.gw.sessions[sess.id] = sess
	c.session = sess
	ready := map[string]any{
		"v": 9, "session_id": sess.id, "resume_gateway_url": "ws" + s.http.URL[len("http"):] + "/gw",
		"user":        map[string]any{"id": s.opts.BotID, "username": DefaultBotName, "bot": true, "discriminator": "0"},
		"application": map[string]any{"id": s.opts.AppID, "flags": 0},
		"guilds":      []any{}, "private_channels": []any{},
	}
	// READY goes out under mu, as dispatches do: an event dispatched
	// meanwhile can neither precede it nor be written at the same time.
	defer s.mu.Unlock()
	s.notify()
	return c.sendWithin(s.event(sess, "READY", ready), dispatchTimeout)
}

func (s *Server) resume(c *gwConn, id string, seq int64) error {
	s.mu.Lock()
	sess, ok := s.gw.sessions[id]
	if !ok {
		s.mu.Unlock()
		return c.send(map[string]any{"op": 9, "d": false})
	}
	s.gw.resumes++
	sess.conn, c.session = c, sess
	var replay []json.RawMessage
	for _, e := range sess.events {
		var head struct {
			S int64 `json:"s"`
		}
		_ = json.Unmarshal(e, &head)
		if head.S > seq {
			replay = append(replay, e)
		}
	}
	// The replay and RESUMED go out under mu, before any new dispatch.
	defer s.mu.Unlock()
	s.notify()
	for _, e := range replay {
		if err := c.sendWithin(e, dispatchTimeout); err != nil {
			return err
		}
	}
	return c.sendWithin(s.event(sess, "RESUMED", map[string]any{}), dispatchTimeout)
}

// event numbers a dispatch for sess and keeps it for replay; mu is held.
func (s *Server) event(sess *gwSession, typ string, d any) json.RawMessage {
	sess.seq++
	raw, _ := json.Marshal(map[string]any{"op": 0, "s": sess.seq, "t": typ, "d": d})
	if typ != "READY" && typ != "RESUMED" {
		sess.events = append(sess.events, raw)
	}
	return raw
}

// Dispatch sends an event to every gateway session; sessions that are
// disconnected get it when they resume.
func (s *Server) Dispatch(typ string, d any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatchLocked(typ, d)
}

func (s *Server) dispatchLocked(typ string, d any) {
	for _, sess := range s.gw.sessions {
		ev := s.event(sess, typ, d)
		if c := sess.conn; c != nil {
			// In order, under mu; a client that stops reading is cut off.
			if c.sendWithin(ev, dispatchTimeout) != nil {
				_ = c.ws.UnderlyingConn().Close()
			}
		}
	}
}

// DropGateway cuts every gateway connection without a close frame, as a
// network failure would; clients reconnect and resume.
func (s *Server) DropGateway() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ws := range s.gw.conns {
		_ = ws.UnderlyingConn().Close()
	}
}

func (s *Server) closeGateway() {
	s.mu.Lock()
	s.gw.closed = true
	conns := make([]*gwConn, 0, len(s.gw.conns))
	for _, c := range s.gw.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.UnderlyingConn().Close()
	}
}

// UserMessage is user typing text in their DM with the bot: the message is
// stored and dispatched as MESSAGE_CREATE (no guild_id).
func (s *Server) UserMessage(user, text string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dm, ok := s.openDM(user)
	if !ok {
		return Message{}, false
	}
	m := &Message{ID: s.nextID(), ChannelID: dm, AuthorID: user, Content: text}
	s.add(m)
	s.dispatchLocked("MESSAGE_CREATE", map[string]any{"id": m.ID, "channel_id": dm, "content": text, "type": 0,
		"author":    map[string]any{"id": user, "username": s.users[user].Name, "discriminator": "0"},
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "nonce": strconv.FormatInt(time.Now().UnixNano(), 10)})
	return copyMessage(m), true
}
