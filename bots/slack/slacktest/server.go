// Package slacktest is an in-process fake of the parts of Slack vocbot uses,
// for tests and vocbot demo.
//
// Server fakes the Web API (auth.test, conversations.open, chat.postMessage,
// chat.update, conversations.history) over HTTP, and Socket Mode
// (apps.connections.open and the websocket, see PushEvent), as strict as Slack where
// vocbot depends on it: token check, channel_not_found, Block Kit limits
// (invalid_blocks), a per-channel rate limit answered with 429 and
// Retry-After, and scripted faults. It records every call and message.
//
// Client plays Slack towards vocbot's Request URLs: it signs and POSTs
// Events API deliveries, button presses (block_actions) and slash commands,
// to a URL or straight into an http.Handler.
//
// slack-go has a package of the same name; this one records chat.postMessage,
// mints unique message timestamps and knows the methods above.
package slacktest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Options configure a Server; the zero value is a working workspace.
type Options struct {
	Token     string // the bot token accepted; default DefaultToken
	TeamID    string // default "T0VOCBOT"
	Team      string // default "Vocbot Test"
	BotUserID string // default "U0VOCBOT"
	BotID     string // default "B0VOCBOT"
	// AppToken is the app-level token apps.connections.open accepts for
	// Socket Mode; default DefaultAppToken.
	AppToken string
	// PostInterval is the per-channel chat.postMessage limit (Slack: about
	// one message per second per channel). 0 means 1 s; negative disables.
	PostInterval time.Duration
	// Now is the server's clock; default time.Now. A fixed clock makes the
	// rate limit deterministic in tests.
	Now func() time.Time
}

// DefaultToken is the bot token a Server accepts unless Options.Token is set.
const DefaultToken = "xoxb-vocbot-test-token"

// Server is a fake Slack Web API; see the package doc.
type Server struct {
	// URL is the Web API base URL, ending in "/" as slack-go requires.
	URL string

	opts     Options
	http     *httptest.Server
	mu       sync.Mutex
	users    map[string]User
	channels map[string]*channel
	order    []string // channel ids in creation order
	lastPost map[string]time.Time
	lastTS   int64 // microseconds of the last minted ts
	faults   map[string][]Fault
	calls    []Call
	posted   []Message
	changed  chan struct{}

	files     map[string]*File // by id
	fileOrder []string
	views     []View

	sock  sockets      // Socket Mode (socket.go)
	hooks responseURLs // response_url (responseurl.go)
}

// User is a workspace member.
type User struct {
	ID, Name string
	Locale   string // e.g. "he-IL", as users.info reports it
	Disabled bool   // deactivated: conversations.open answers user_disabled
	Bot      bool   // another bot: conversations.open answers cannot_dm_bot
}

// Channel is a conversation the bot may post in.
type Channel struct {
	ID, Name string
	Archived bool // chat.postMessage answers is_archived
	Outsider bool // the bot is not a member: not_in_channel
}

type channel struct {
	Channel
	user     string // for DMs
	messages []Message
}

// Metadata is Slack message metadata.
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// Message is a message in the fake workspace, in its current state.
type Message struct {
	Channel  string
	TS       string
	Text     string
	User     string // the poster's user id (the bot's for posts)
	BotID    string
	Blocks   json.RawMessage // as posted; nil without blocks
	Metadata *Metadata
	Edited   bool
	// ThreadTS is the ts of the message this one replies to in its thread.
	ThreadTS string
}

// Call is one Web API request as the server saw it (token removed).
type Call struct {
	Method string
	Params url.Values
}

// NewServer starts a fake; Close it when done.
func NewServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.TeamID == "" {
		opts.TeamID = "T0VOCBOT"
	}
	if opts.Team == "" {
		opts.Team = "Vocbot Test"
	}
	if opts.BotUserID == "" {
		opts.BotUserID = "U0VOCBOT"
	}
	if opts.BotID == "" {
		opts.BotID = "B0VOCBOT"
	}
	if opts.AppToken == "" {
		opts.AppToken = DefaultAppToken
	}
	if opts.PostInterval == 0 {
		opts.PostInterval = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:     opts,
		users:    map[string]User{opts.BotUserID: {ID: opts.BotUserID, Name: "vocbot", Bot: true}},
		channels: map[string]*channel{},
		lastPost: map[string]time.Time{},
		faults:   map[string][]Fault{},
		changed:  make(chan struct{}),
	}
	s.sock.client.TeamID = opts.TeamID
	s.sock.client.Now = opts.Now
	s.http = httptest.NewServer(http.HandlerFunc(s.serve))
	s.sock.client.HooksURL = s.HooksURL()
	s.URL = s.http.URL + "/api/"
	return s
}

// Close stops the server.
func (s *Server) Close() {
	s.DropSockets() // hijacked: httptest would leave them open
	s.http.Close()
}

// Options returns the effective options (defaults filled in).
func (s *Server) Options() Options { return s.opts }

// AddUser adds a workspace member the bot can open a DM with.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// AddChannel adds a channel; the bot is a member unless Outsider.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addChannel(&channel{Channel: c})
}

func (s *Server) addChannel(c *channel) {
	if _, ok := s.channels[c.ID]; !ok {
		s.order = append(s.order, c.ID)
	}
	s.channels[c.ID] = c
}

// DM is the id of the direct-message channel conversations.open gives for
// a user: "D" + the user id without its first letter.
func DM(userID string) string {
	if userID == "" {
		return ""
	}
	return "D" + userID[1:]
}

// Messages returns a channel's messages in their current (edited) state,
// oldest first.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channelID]
	if !ok {
		return nil
	}
	return append([]Message(nil), c.messages...)
}

// Posted returns every chat.postMessage that succeeded, as posted, in order.
func (s *Server) Posted() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.posted...)
}

// Calls returns every request that passed the token check, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// WaitMessage blocks until some channel holds a message matching pred (in
// its current state) and returns it, or until ctx ends.
func (s *Server) WaitMessage(ctx context.Context, pred func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		for _, id := range s.order {
			for _, m := range s.channels[id].messages {
				if pred(m) {
					s.mu.Unlock()
					return m, nil
				}
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("slacktest: no matching message: %w", ctx.Err())
		}
	}
}

// notify wakes WaitMessage; call with s.mu held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Fault is a scripted failure for one call of a Web API method.
type Fault struct {
	status     int
	retryAfter string
	err        string
	drop       bool
}

// RateLimited answers HTTP 429 with Retry-After in whole seconds (at
// least 1), as Slack does.
func RateLimited(retryAfter time.Duration) Fault {
	secs := int(math.Ceil(retryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return Fault{status: http.StatusTooManyRequests, retryAfter: strconv.Itoa(secs), err: "ratelimited"}
}

// RateLimitedNoHeader answers 429 without Retry-After (slack-go then
// returns a StatusCodeError, not a RateLimitedError).
func RateLimitedNoHeader() Fault {
	return Fault{status: http.StatusTooManyRequests, err: "ratelimited"}
}

// Error answers 200 {"ok":false,"error":code}.
func Error(code string) Fault { return Fault{err: code} }

// Status answers with an HTTP status and an HTML body, like Slack's 5xx.
func Status(code int) Fault { return Fault{status: code} }

// DropAfterApply performs the call, then closes the connection without an
// answer: the caller cannot know it was applied (the "ambiguous" case).
func DropAfterApply() Fault { return Fault{drop: true} }

// Fail scripts faults for the next calls of method ("chat.postMessage"),
// one fault per call, in order.
func (s *Server) Fail(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// apiError is an ok:false answer.
type apiError struct {
	status     int
	code       string
	retryAfter string
	messages   []string // response_metadata.messages
}

type answer map[string]any

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/socket/" {
		s.socket(w, r)
		return
	}
	if hook, ok := strings.CutPrefix(r.URL.Path, "/hooks/"); ok {
		s.hook(w, r, hook)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if method == "apps.connections.open" {
		s.openConnection(w, r)
		return
	}
	if id, ok := strings.CutPrefix(method, "upload/"); ok {
		s.upload(w, r, id)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		// Methods like views.open take a JSON body: its fields become form
		// values, nested objects as their JSON text.
		if err := jsonForm(r); err != nil {
			writeJSON(w, http.StatusOK, answer{"ok": false, "error": "invalid_json"})
			return
		}
	} else if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "invalid_form_data"})
		return
	}
	token := r.Form.Get("token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = bearer
	}
	switch {
	case token == "":
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "not_authed"})
		return
	case token != s.opts.Token:
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "invalid_auth"})
		return
	}
	params := url.Values{}
	for k, v := range r.Form {
		if k != "token" {
			params[k] = v
		}
	}

	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Params: params})
	var fault *Fault
	if q := s.faults[method]; len(q) > 0 {
		f := q[0]
		fault, s.faults[method] = &f, q[1:]
	}
	if fault != nil && !fault.drop {
		s.mu.Unlock()
		writeFault(w, *fault)
		return
	}
	res, aerr := s.dispatch(method, params)
	s.mu.Unlock()

	if fault != nil && fault.drop {
		hijackAndClose(w)
		return
	}
	if aerr != nil {
		body := answer{"ok": false, "error": aerr.code}
		if len(aerr.messages) > 0 {
			body["response_metadata"] = answer{"messages": aerr.messages}
		}
		if aerr.retryAfter != "" {
			w.Header().Set("Retry-After", aerr.retryAfter)
		}
		status := aerr.status
		if status == 0 {
			status = http.StatusOK
		}
		writeJSON(w, status, body)
		return
	}
	res["ok"] = true
	writeJSON(w, http.StatusOK, res)
}

func writeFault(w http.ResponseWriter, f Fault) {
	if f.retryAfter != "" {
		w.Header().Set("Retry-After", f.retryAfter)
	}
	switch {
	case f.status >= 500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.status)
		_, _ = fmt.Fprintf(w, "<html><body>%d %s</body></html>", f.status, http.StatusText(f.status))
	case f.status != 0:
		writeJSON(w, f.status, answer{"ok": false, "error": f.err})
	default:
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": f.err})
	}
}

func hijackAndClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("slacktest: connection cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// dispatch runs one method; call with s.mu held.
func (s *Server) dispatch(method string, p url.Values) (answer, *apiError) {
	switch method {
	case "auth.test":
		return answer{
			"url": "https://vocbot-test.slack.com/", "team": s.opts.Team, "user": "vocbot",
			"team_id": s.opts.TeamID, "user_id": s.opts.BotUserID, "bot_id": s.opts.BotID,
		}, nil
	case "conversations.open":
		return s.open(p)
	case "chat.postMessage":
		return s.postMessage(p)
	case "chat.update":
		return s.update(p)
	case "conversations.history":
		return s.history(p)
	case "views.open":
		return s.openView(p)
	case "files.getUploadURLExternal":
		return s.getUploadURL(p)
	case "files.completeUploadExternal":
		return s.completeUpload(p)
	}
	return nil, &apiError{code: "unknown_method"}
}

func (s *Server) open(p url.Values) (answer, *apiError) {
	if id := p.Get("channel"); id != "" && p.Get("users") == "" {
		if _, ok := s.channels[id]; !ok {
			return nil, &apiError{code: "channel_not_found"}
		}
		return answer{"channel": answer{"id": id}, "no_op": true, "already_open": true}, nil
	}
	users := strings.Split(p.Get("users"), ",")
	switch {
	case p.Get("users") == "":
		return nil, &apiError{code: "users_list_not_supplied"}
	case len(users) > 1:
		return nil, &apiError{code: "method_not_supported_for_channel_type", messages: []string{"slacktest: multi-person DMs are not faked"}}
	}
	u, ok := s.users[users[0]]
	switch {
	case !ok:
		return nil, &apiError{code: "user_not_found"}
	case u.Disabled:
		return nil, &apiError{code: "user_disabled"}
	case u.Bot:
		return nil, &apiError{code: "cannot_dm_bot"}
	}
	id := DM(u.ID)
	_, open := s.channels[id]
	if !open {
		s.addChannel(&channel{Channel: Channel{ID: id}, user: u.ID})
	}
	return answer{"channel": answer{"id": id}, "no_op": open, "already_open": open}, nil
}

func (s *Server) postMessage(p url.Values) (answer, *apiError) {
	c, aerr := s.postable(p.Get("channel"))
	if aerr != nil {
		return nil, aerr
	}
	now := s.opts.Now()
	if last, ok := s.lastPost[c.ID]; ok && s.opts.PostInterval > 0 {
		if wait := s.opts.PostInterval - now.Sub(last); wait > 0 {
			secs := int(math.Ceil(wait.Seconds()))
			return nil, &apiError{status: http.StatusTooManyRequests, code: "ratelimited", retryAfter: strconv.Itoa(secs)}
		}
	}
	m := Message{Channel: c.ID, User: s.opts.BotUserID, BotID: s.opts.BotID, ThreadTS: p.Get("thread_ts")}
	if aerr := fill(&m, p, true); aerr != nil {
		return nil, aerr
	}
	if m.ThreadTS != "" && !c.has(m.ThreadTS) {
		return nil, &apiError{code: "thread_not_found"}
	}
	m.TS = s.mintTS(now)
	s.lastPost[c.ID] = now
	c.messages = append(c.messages, m)
	s.posted = append(s.posted, m)
	s.notify()
	return answer{"channel": c.ID, "ts": m.TS, "message": wire(m, true)}, nil
}

func (s *Server) update(p url.Values) (answer, *apiError) {
	c, aerr := s.postable(p.Get("channel"))
	if aerr != nil {
		return nil, aerr
	}
	ts := p.Get("ts")
	for i := range c.messages {
		m := &c.messages[i]
		if m.TS != ts {
			continue
		}
		if m.BotID != s.opts.BotID {
			return nil, &apiError{code: "cant_update_message"}
		}
		next := *m
		if aerr := fill(&next, p, false); aerr != nil {
			return nil, aerr
		}
		next.Edited = true
		*m = next
		s.notify()
		return answer{"channel": c.ID, "ts": ts, "text": next.Text, "message": wire(next, true)}, nil
	}
	return nil, &apiError{code: "message_not_found"}
}

// postable finds a channel the bot can write to.
func (s *Server) postable(id string) (*channel, *apiError) {
	c, ok := s.channels[id]
	switch {
	case !ok:
		return nil, &apiError{code: "channel_not_found"}
	case c.Archived:
		return nil, &apiError{code: "is_archived"}
	case c.Outsider:
		return nil, &apiError{code: "not_in_channel"}
	}
	return c, nil
}

// maxText is where Slack refuses a message's text (msg_too_long).
const maxText = 40000

// fill applies text, blocks and metadata parameters to m, validating them;
// a new message needs text or blocks, an update keeps what is not given.
func fill(m *Message, p url.Values, create bool) *apiError {
	if _, ok := p["text"]; ok || create {
		m.Text = p.Get("text")
	}
	if _, ok := p["blocks"]; ok || create {
		raw := p.Get("blocks")
		m.Blocks = nil
		if raw != "" {
			if msgs := validateBlocks(raw); len(msgs) > 0 {
				code := "invalid_blocks"
				if msgs[0] == errBlocksFormat {
					code = "invalid_blocks_format"
				}
				return &apiError{code: code, messages: msgs}
			}
			if raw != "[]" {
				m.Blocks = json.RawMessage(raw)
			}
		}
	}
	if m.Text == "" && m.Blocks == nil {
		return &apiError{code: "no_text"}
	}
	if utf8.RuneCountInString(m.Text) > maxText {
		return &apiError{code: "msg_too_long"}
	}
	if raw := p.Get("metadata"); raw != "" {
		var md Metadata
		if err := json.Unmarshal([]byte(raw), &md); err != nil || md.EventType == "" {
			return &apiError{code: "invalid_metadata_format"}
		}
		m.Metadata = &md
	}
	return nil
}

// mintTS returns a unique, increasing ts like "1700000000.000100".
func (s *Server) mintTS(now time.Time) string {
	us := now.UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// wire is a message as the Web API returns it.
func wire(m Message, withMetadata bool) answer {
	a := answer{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User}
	if m.BotID != "" {
		a["bot_id"] = m.BotID
	}
	if m.Blocks != nil {
		a["blocks"] = m.Blocks
	}
	if m.Edited {
		a["edited"] = answer{"user": m.User, "ts": m.TS}
	}
	if withMetadata && m.Metadata != nil {
		a["metadata"] = m.Metadata
	}
	return a
}

func (s *Server) history(p url.Values) (answer, *apiError) {
	c, ok := s.channels[p.Get("channel")]
	switch {
	case !ok:
		return nil, &apiError{code: "channel_not_found"}
	case c.Outsider:
		return nil, &apiError{code: "not_in_channel"}
	}
	limit := 100
	if l := p.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return nil, &apiError{code: "invalid_arguments"}
		}
		limit = min(max(n, 1), 999)
	}
	offset := 0
	if cur := p.Get("cursor"); cur != "" {
		b, err := base64.StdEncoding.DecodeString(cur)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || perr != nil || n < 0 {
			return nil, &apiError{code: "invalid_cursor"}
		}
		offset = n
	}
	withMetadata := p.Get("include_all_metadata") == "1" || p.Get("include_all_metadata") == "true"
	var msgs []answer
	for i := len(c.messages) - 1 - offset; i >= 0 && len(msgs) < limit; i-- {
		msgs = append(msgs, wire(c.messages[i], withMetadata))
	}
	res := answer{"messages": msgs, "has_more": false, "pin_count": 0}
	if next := offset + len(msgs); next < len(c.messages) {
		res["has_more"] = true
		res["response_metadata"] = answer{"next_cursor": base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(next)))}
	}
	if msgs == nil {
		res["messages"] = []answer{}
	}
	return res, nil
}

// Say records a message a person wrote in a channel (typically their DM
// with the bot), so history shows it; deliver the matching event with
// Client.MessageIM.
func (s *Server) Say(channelID, userID, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channelID]
	if !ok {
		c = &channel{Channel: Channel{ID: channelID}, user: userID}
		s.addChannel(c)
	}
	m := Message{Channel: channelID, User: userID, Text: text, TS: s.mintTS(s.opts.Now())}
	c.messages = append(c.messages, m)
	s.notify()
	return m
}

// has reports whether the channel holds a message with ts.
func (c *channel) has(ts string) bool {
	for _, m := range c.messages {
		if m.TS == ts {
			return true
		}
	}
	return false
}
