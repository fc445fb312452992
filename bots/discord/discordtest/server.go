// Package discordtest is an in-process fake of the parts of Discord vocbot
// uses, strict where vocbot depends on Discord's rules.
//
// Server fakes REST API v9 (users/@me, applications/@me, DM channels,
// messages with nonce and enforce_nonce, multipart uploads with
// payload_json, interaction callbacks, the interaction webhook, and bulk
// command overwrites), answering with Discord's error shapes: 401 for a
// wrong token, 400 code 50035 "Invalid Form Body" for anything over
// Discord's limits, 403 code 50007 for users whose DMs are closed, 404
// 10003/10008/10013 for unknown channels, messages and users, 429 with
// retry_after and X-RateLimit headers, and scripted faults (5xx, delays
// for timeouts, connections dropped before or after the request was
// applied). It also serves the gateway over a websocket (hello, identify,
// READY, heartbeat ACKs, dispatches with increasing sequence numbers,
// resume with replay).
//
// Client plays Discord towards vocbot's interactions endpoint: it signs
// interactions (PING, button presses, modal submits, slash commands) with
// the Server's Ed25519 key and applies vocbot's answer as Discord would.
package discordtest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The defaults a Server uses unless Options say otherwise.
const (
	DefaultToken   = "MTAwMDAwMDAwMDAwMDAwMDAy.discordtest.not-a-real-token"
	DefaultAppID   = "100000000000000001"
	DefaultBotID   = "100000000000000002"
	DefaultBotName = "vocbot"
)

// Options configure a Server; the zero value is a working application.
type Options struct {
	Token, AppID, BotID string
	// NonceWindow is how long a nonce with enforce_nonce returns the first
	// message; 0 means 5 minutes ("the past few minutes").
	NonceWindow time.Duration
	// HeartbeatInterval is sent in the gateway's hello; 0 means 41.25 s.
	HeartbeatInterval time.Duration
	// Now is the fake's clock (interaction deadlines, nonce windows); nil
	// means time.Now.
	Now func() time.Time
}

// Server is a fake Discord; see the package doc.
type Server struct {
	http *httptest.Server
	opts Options
	key  ed25519.PrivateKey

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every change
	seq          int64
	users        map[string]*User
	channels     map[string]*channel
	messages     []*Message
	byID         map[string]*Message
	nonces       map[string]nonceEntry
	interactions map[string]*interaction // by id
	byToken      map[string]*interaction
	commands     map[string][]json.RawMessage // "" global, else guild id
	faults       map[string][]*Fault
	calls        []Call
	gw           gateway
}

// User is someone the bot may DM.
type User struct {
	ID, Name string
	// ClosedDMs: the user shares no server with the bot or turned DMs off;
	// messages to them fail with 50007.
	ClosedDMs bool
	dm        string
}

// Channel is a server text channel the bot may post in.
type Channel struct{ ID, GuildID, Name string }

type channel struct {
	Channel
	dmUser string // set for DM channels
}

type nonceEntry struct {
	message string
	at      time.Time
}

// Call is one REST request the fake answered.
type Call struct {
	Method, Route string // Route as a template: "POST /channels/{channel}/messages"
	Status        int
}

// Button is an interactive button in a message.
type Button struct {
	Label, CustomID string
	Style           int
	Disabled        bool
}

// Field is an embed field.
type Field struct {
	Name, Value string
	Inline      bool
}

// Embed is a rich embed as the fake stored it.
type Embed struct {
	Title, Description, URL string
	Color                   int
	Fields                  []Field
	Footer                  string
	Timestamp               string
	Image                   string // image.url, e.g. attachment://trend.png
}

// File is a file uploaded with a message.
type File struct {
	Name, ContentType string
	Data              []byte
}

// Message is a message in the fake, in its current state.
type Message struct {
	ID, ChannelID, AuthorID string
	Content                 string
	Embeds                  []Embed
	Rows                    [][]Button
	Files                   []File
	Nonce                   string
	Flags                   int
	Edits                   int
	// Interaction is the id of the interaction this message answers, and
	// Ephemeral whether only its invoker sees it.
	Interaction string
	Ephemeral   bool
	// Deferred: "thinking…", until the interaction's webhook edits it.
	Deferred bool
	// ReplyTo is the id of the message this one replies to.
	ReplyTo string
}

// Buttons lists the message's buttons row by row.
func (m Message) Buttons() []Button {
	var out []Button
	for _, r := range m.Rows {
		out = append(out, r...)
	}
	return out
}

// Button finds the button labelled label.
func (m Message) Button(label string) (Button, bool) {
	for _, b := range m.Buttons() {
		if b.Label == label {
			return b, true
		}
	}
	return Button{}, false
}

// NewServer starts a fake; Close it when done.
func NewServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.AppID == "" {
		opts.AppID = DefaultAppID
	}
	if opts.BotID == "" {
		opts.BotID = DefaultBotID
	}
	if opts.NonceWindow <= 0 {
		opts.NonceWindow = 5 * time.Minute
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		panic(fmt.Sprintf("discordtest: ed25519 key: %v", err))
	}
	s := &Server{
		opts: opts, key: key, changed: make(chan struct{}), seq: 200000000000000000,
		users: map[string]*User{}, channels: map[string]*channel{}, byID: map[string]*Message{},
		nonces: map[string]nonceEntry{}, interactions: map[string]*interaction{}, byToken: map[string]*interaction{},
		commands: map[string][]json.RawMessage{}, faults: map[string][]*Fault{},
	}
	s.gw.sessions = map[string]*gwSession{}
	s.http = httptest.NewServer(s.routes())
	return s
}

// Close stops the server and drops gateway connections.
func (s *Server) Close() {
	s.closeGateway()
	s.http.CloseClientConnections()
	s.http.Close()
}

// URL is the REST base as VOCBOT_DISCORD_API_URL takes it: scheme and host.
func (s *Server) URL() string { return s.http.URL }

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.opts.Token }

// AppID is the application's id.
func (s *Server) AppID() string { return s.opts.AppID }

// BotID is the bot user's id.
func (s *Server) BotID() string { return s.opts.BotID }

// PublicKey verifies the interactions Client signs (VOCBOT_DISCORD_PUBLIC_KEY).
func (s *Server) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// SigningKey is the private half, for tests that sign requests by hand
// (Sign) to tamper with them.
func (s *Server) SigningKey() ed25519.PrivateKey { return s.key }

// PublicKeyHex is PublicKey as the Developer Portal shows it.
func (s *Server) PublicKeyHex() string { return fmt.Sprintf("%x", []byte(s.PublicKey())) }

// Env is the environment that points vocbot at this fake (for run() in
// tests and vocbot demo): token, application id and API URL, and with
// httpMode the public key, so interactions come over HTTP from a Client.
func (s *Server) Env(httpMode bool) map[string]string {
	env := map[string]string{
		"VOCBOT_DISCORD_TOKEN":   s.opts.Token,
		"VOCBOT_DISCORD_APP_ID":  s.opts.AppID,
		"VOCBOT_DISCORD_API_URL": s.URL(),
	}
	if httpMode {
		env["VOCBOT_DISCORD_PUBLIC_KEY"] = s.PublicKeyHex()
	}
	return env
}

// AddUser adds (or replaces) a user the bot may DM.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.users[u.ID]; ok {
		u.dm = old.dm
	}
	s.users[u.ID] = &u
	s.notify()
}

// AddChannel adds a server channel.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[c.ID] = &channel{Channel: c}
	s.notify()
}

// DM is the id of the DM channel with user, opening it if needed.
func (s *Server) DM(user string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.openDM(user)
}

func (s *Server) openDM(user string) (string, bool) {
	u, ok := s.users[user]
	if !ok {
		return "", false
	}
	if u.dm == "" {
		u.dm = s.nextID()
		s.channels[u.dm] = &channel{Channel: Channel{ID: u.dm}, dmUser: user}
	}
	return u.dm, true
}

func (s *Server) nextID() string {
	s.seq++
	return strconv.FormatInt(s.seq, 10)
}

// notify wakes Wait; the caller holds mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until cond (called with the fake locked: use only the
// argument-free inspection below through the closure's own copies) holds
// or ctx ends.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("discordtest: waited in vain: %w", ctx.Err())
		}
	}
}

// Messages returns the messages in channel, oldest first, in their
// current state (ephemeral interaction replies included).
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.ChannelID == channel {
			out = append(out, copyMessage(m))
		}
	}
	return out
}

// AllMessages returns every message, oldest first.
func (s *Server) AllMessages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages))
	for _, m := range s.messages {
		out = append(out, copyMessage(m))
	}
	return out
}

// Message returns the message with id.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[id]
	if !ok {
		return Message{}, false
	}
	return copyMessage(m), true
}

// WaitMessage blocks until a message matching pred exists and returns the
// newest such.
func (s *Server) WaitMessage(ctx context.Context, pred func(Message) bool) (Message, error) {
	var found Message
	err := s.Wait(ctx, func() bool {
		ms := s.AllMessages()
		for i := len(ms) - 1; i >= 0; i-- {
			if pred(ms[i]) {
				found = ms[i]
				return true
			}
		}
		return false
	})
	return found, err
}

func copyMessage(m *Message) Message {
	c := *m
	c.Embeds = slices.Clone(m.Embeds)
	c.Rows = make([][]Button, len(m.Rows))
	for i, r := range m.Rows {
		c.Rows[i] = slices.Clone(r)
	}
	c.Files = slices.Clone(m.Files)
	return c
}

// Calls returns the REST requests answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallCount counts the answered requests to route ("POST /channels/{channel}/messages").
func (s *Server) CallCount(route string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Method+" "+c.Route == route {
			n++
		}
	}
	return n
}

// Commands returns the commands registered globally (guild "") or in a guild.
func (s *Server) Commands(guild string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[guild])
}

// Fault scripts the next answers to a route: Status with Discord's error
// body (Code, Message), or a 429 with RetryAfter, or Delay before
// answering (past the client's timeout), or Drop: close the connection
// without an answer. With Apply the request takes effect first (the
// ambiguous case: done, but the client never hears). Times is how many
// requests it hits; 0 means 1.
type Fault struct {
	Status     int
	Code       int
	Message    string
	RetryAfter time.Duration
	Global     bool
	Delay      time.Duration
	Drop       bool
	Apply      bool
	Times      int
}

// Inject queues a fault for route, e.g. "POST /channels/{channel}/messages".
func (s *Server) Inject(route string, f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], &f)
}

// RateLimit makes the next request to route answer 429 with retry_after.
func (s *Server) RateLimit(route string, retryAfter time.Duration, global bool) {
	s.Inject(route, Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Global: global})
}

func (s *Server) takeFault(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.faults[route]
	if len(fs) == 0 {
		return nil
	}
	f := *fs[0]
	fs[0].Times--
	if fs[0].Times <= 0 {
		s.faults[route] = fs[1:]
	}
	return &f
}

// apiError is Discord's error body.
type apiError struct {
	status  int
	Code    int    `json:"code"`
	Message string `json:"message"`
	Errors  any    `json:"errors,omitempty"`
}

func errorf(status, code int, format string, args ...any) *apiError {
	return &apiError{status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

var (
	errUnauthorized   = errorf(http.StatusUnauthorized, 0, "401: Unauthorized")
	errUnknownChannel = errorf(http.StatusNotFound, 10003, "Unknown Channel")
	errUnknownMessage = errorf(http.StatusNotFound, 10008, "Unknown Message")
	errUnknownUser    = errorf(http.StatusNotFound, 10013, "Unknown User")
	errCannotDM       = errorf(http.StatusForbidden, 50007, "Cannot send messages to this user")
	errUnknownInter   = errorf(http.StatusNotFound, 10062, "Unknown interaction")
	errAcknowledged   = errorf(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	errUnknownWebhook = errorf(http.StatusNotFound, 10015, "Unknown Webhook")
	errEmptyMessage   = errorf(http.StatusBadRequest, 50006, "Cannot send an empty message")
)

// invalidForm is 400 50035 with the failing fields as Discord nests them.
func invalidForm(problems map[string]string) *apiError {
	root := map[string]any{}
	for path, msg := range problems {
		node := root
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := node[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[p] = next
			}
			node = next
		}
		node[parts[len(parts)-1]] = map[string]any{"_errors": []map[string]string{{"code": "BASE_TYPE_INVALID", "message": msg}}}
	}
	return &apiError{status: http.StatusBadRequest, Code: 50035, Message: "Invalid Form Body", Errors: root}
}

// handler is one REST route: it returns the answer's JSON (nil for 204).
type handler func(r *http.Request, body []byte, files []File) (any, *apiError)

// routes maps Discord's REST paths, and the gateway, onto the fake.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	const v = "/api/v9"
	add := func(method, route string, auth bool, h handler) {
		pattern := method + " " + v + strings.NewReplacer("{application}", "{app}").Replace(route)
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, method+" "+route, auth, h) })
	}
	add("GET", "/users/@me", true, s.me)
	add("GET", "/applications/@me", true, s.application)
	add("POST", "/users/@me/channels", true, s.createDM)
	add("POST", "/channels/{channel}/messages", true, s.createMessage)
	add("PATCH", "/channels/{channel}/messages/{message}", true, s.editMessage)
	add("POST", "/interactions/{interaction}/{token}/callback", false, s.callback)
	add("PATCH", "/webhooks/{application}/{token}/messages/@original", false, s.editOriginal)
	add("POST", "/webhooks/{application}/{token}", false, s.followUp)
	add("PUT", "/applications/{application}/commands", true, s.putCommands)
	add("PUT", "/applications/{application}/guilds/{guild}/commands", true, s.putCommands)
	add("GET", "/gateway", false, s.gatewayURL)
	add("GET", "/gateway/bot", true, s.gatewayURL)
	mux.HandleFunc("/gw", s.serveGateway)
	mux.HandleFunc("/gw/", s.serveGateway)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(http.StatusNotFound, 0, "404: Not Found"))
	})
	return mux
}

// serve runs one REST request: auth, faults, body decoding, rate limit
// headers, the call log.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, route string, auth bool, h handler) {
	// The call is logged before any answer leaves (or the connection is
	// cut): a client that has heard back, or seen the connection drop,
	// finds its request in Calls. Logging after the handler returned let a
	// test count a dropped request that the server goroutine had not yet
	// logged.
	logged := false
	record := func(status int) {
		logged = true
		s.mu.Lock()
		s.calls = append(s.calls, Call{Method: r.Method, Route: strings.TrimPrefix(route, r.Method+" "), Status: status})
		s.notify()
		s.mu.Unlock()
	}
	defer func() {
		if !logged { // a panic in a handler: still a call
			record(http.StatusInternalServerError)
		}
	}()
	if auth && r.Header.Get("Authorization") != "Bot "+s.opts.Token {
		record(http.StatusUnauthorized)
		writeError(w, errUnauthorized)
		return
	}
	body, files, err := readBody(r)
	if err != nil {
		record(http.StatusBadRequest)
		writeError(w, errorf(http.StatusBadRequest, 50109, "The request body contains invalid JSON: %v", err))
		return
	}
	f := s.takeFault(route)
	if f != nil && f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
		}
	}
	if f != nil && (f.Drop || f.Status != 0) && !f.Apply {
		s.fail(w, f, record)
		return
	}
	out, apiErr := h(r, body, files)
	if f != nil && (f.Drop || f.Status != 0) {
		s.fail(w, f, record)
		return
	}
	if apiErr != nil {
		record(apiErr.status)
		writeError(w, apiErr)
		return
	}
	setRateHeaders(w.Header(), route, 5, 4, time.Second)
	if out == nil {
		record(http.StatusNoContent)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	record(http.StatusOK)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// fail answers a scripted fault, logging the call (status 0: dropped)
// before anything reaches the client.
func (s *Server) fail(w http.ResponseWriter, f *Fault, record func(status int)) {
	if f.Drop {
		record(0)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f.Status == http.StatusTooManyRequests {
		record(http.StatusTooManyRequests)
		after := f.RetryAfter.Seconds()
		setRateHeaders(w.Header(), "fault", 5, 0, f.RetryAfter)
		w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter.Seconds()+0.999)))
		scope := "user"
		if f.Global {
			w.Header().Set("X-RateLimit-Global", "true")
			scope = "global"
		}
		w.Header().Set("X-RateLimit-Scope", scope)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_ = json.NewEncoder(w).Encode(map[string]any{"message": "You are being rate limited.", "retry_after": after, "global": f.Global, "code": 0})
		return
	}
	record(f.Status)
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	writeError(w, &apiError{status: f.Status, Code: f.Code, Message: msg})
}

func setRateHeaders(h http.Header, bucket string, limit, remaining int, resetAfter time.Duration) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(resetAfter.Seconds(), 'f', 3, 64))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(resetAfter).UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", fmt.Sprintf("%x", bucket))
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(e)
}

// readBody reads JSON, or multipart with payload_json and files[n].
func readBody(r *http.Request) ([]byte, []File, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 26<<20))
	if err != nil {
		return nil, nil, err
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if len(raw) > 0 && !json.Valid(raw) {
			return nil, nil, errors.New("not JSON")
		}
		return raw, nil, nil
	}
	mr := multipart.NewReader(strings.NewReader(string(raw)), params["boundary"])
	var body []byte
	var files []File
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, err
		}
		switch name := p.FormName(); {
		case name == "payload_json":
			if !json.Valid(data) {
				return nil, nil, errors.New("payload_json is not JSON")
			}
			body = data
		case strings.HasPrefix(name, "files["):
			files = append(files, File{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		default:
			return nil, nil, fmt.Errorf("unknown form field %q", name)
		}
	}
	if body == nil {
		return nil, nil, errors.New("multipart without payload_json")
	}
	return body, files, nil
}

func (s *Server) me(*http.Request, []byte, []File) (any, *apiError) {
	return map[string]any{"id": s.opts.BotID, "username": DefaultBotName, "discriminator": "0", "bot": true}, nil
}

func (s *Server) application(*http.Request, []byte, []File) (any, *apiError) {
	return map[string]any{"id": s.opts.AppID, "name": DefaultBotName, "bot_public": true,
		"verify_key": s.PublicKeyHex(), "bot": map[string]any{"id": s.opts.BotID, "username": DefaultBotName}}, nil
}

func (s *Server) createDM(_ *http.Request, body []byte, _ []File) (any, *apiError) {
	var req struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.RecipientID == "" {
		return nil, invalidForm(map[string]string{"recipient_id": "This field is required"})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dm, ok := s.openDM(req.RecipientID)
	if !ok {
		return nil, errUnknownUser
	}
	u := s.users[req.RecipientID]
	return map[string]any{"id": dm, "type": 1, "recipients": []map[string]any{{"id": u.ID, "username": u.Name}}}, nil
}

// messageBody is what vocbot may send in a message or an edit.
type messageBody struct {
	Content         *string           `json:"content"`
	Embeds          []json.RawMessage `json:"embeds"`
	Components      *[]map[string]any `json:"components"`
	Attachments     []json.RawMessage `json:"attachments"`
	AllowedMentions json.RawMessage   `json:"allowed_mentions"`
	Flags           int               `json:"flags"`
	Nonce           json.RawMessage   `json:"nonce"`
	EnforceNonce    bool              `json:"enforce_nonce"`
	TTS             bool              `json:"tts"`
	StickerIDs      []string          `json:"sticker_ids"`
	// MessageReference makes the message a reply.
	MessageReference *struct {
		Type            int    `json:"type"`
		MessageID       string `json:"message_id"`
		ChannelID       string `json:"channel_id"`
		GuildID         string `json:"guild_id"`
		FailIfNotExists *bool  `json:"fail_if_not_exists"`
	} `json:"message_reference"`
}

func (s *Server) createMessage(r *http.Request, body []byte, files []File) (any, *apiError) {
	var mb messageBody
	if err := strictJSON(body, &mb); err != nil {
		return nil, errorf(http.StatusBadRequest, 50109, "The request body contains invalid JSON: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[r.PathValue("channel")]
	if !ok {
		return nil, errUnknownChannel
	}
	if ch.dmUser != "" && s.users[ch.dmUser].ClosedDMs {
		return nil, errCannotDM
	}
	m, apiErr := buildMessage(mb, files, true)
	if apiErr != nil {
		return nil, apiErr
	}
	if ref := mb.MessageReference; ref != nil {
		to, ok := s.byID[ref.MessageID]
		switch {
		case ok && to.ChannelID == ch.ID && (ref.ChannelID == "" || ref.ChannelID == ch.ID):
			m.ReplyTo = to.ID
		case ref.FailIfNotExists != nil && !*ref.FailIfNotExists:
		default:
			return nil, errorf(http.StatusBadRequest, 50035, "Invalid Form Body: message_reference: Unknown message")
		}
	}
	now := s.opts.Now()
	if m.Nonce != "" && mb.EnforceNonce {
		key := s.opts.BotID + "\x00" + m.Nonce
		if e, ok := s.nonces[key]; ok && now.Sub(e.at) < s.opts.NonceWindow {
			return messageJSON(s.byID[e.message], s.opts.BotID), nil
		}
		defer func() { s.nonces[key] = nonceEntry{message: m.ID, at: now} }()
	}
	m.ID, m.ChannelID, m.AuthorID = s.nextID(), ch.ID, s.opts.BotID
	s.add(m)
	if ch.dmUser != "" {
		s.dispatchLocked("MESSAGE_CREATE", messageJSON(m, s.opts.BotID))
	}
	return messageJSON(m, s.opts.BotID), nil
}

func (s *Server) add(m *Message) {
	s.messages = append(s.messages, m)
	s.byID[m.ID] = m
	s.notify()
}

func (s *Server) editMessage(r *http.Request, body []byte, files []File) (any, *apiError) {
	var mb messageBody
	if err := strictJSON(body, &mb); err != nil {
		return nil, errorf(http.StatusBadRequest, 50109, "The request body contains invalid JSON: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[r.PathValue("channel")]; !ok {
		return nil, errUnknownChannel
	}
	m, ok := s.byID[r.PathValue("message")]
	if !ok || m.ChannelID != r.PathValue("channel") || m.Interaction != "" {
		return nil, errUnknownMessage
	}
	if m.AuthorID != s.opts.BotID {
		return nil, errorf(http.StatusForbidden, 50005, "Cannot edit a message authored by another user")
	}
	if apiErr := applyEdit(m, mb, files); apiErr != nil {
		return nil, apiErr
	}
	return messageJSON(m, s.opts.BotID), nil
}

// applyEdit changes what the edit names, keeping the rest.
func applyEdit(m *Message, mb messageBody, files []File) *apiError {
	if mb.Nonce != nil || mb.EnforceNonce {
		return invalidForm(map[string]string{"nonce": "Unknown field for an edit"})
	}
	edited, apiErr := buildMessage(mb, files, false)
	if apiErr != nil {
		return apiErr
	}
	if mb.Content != nil {
		m.Content = edited.Content
	}
	if mb.Embeds != nil {
		m.Embeds = edited.Embeds
	}
	if mb.Components != nil {
		m.Rows = edited.Rows
	}
	if len(files) > 0 {
		m.Files = append(m.Files, files...)
	}
	if m.Content == "" && len(m.Embeds) == 0 && len(m.Rows) == 0 && len(m.Files) == 0 {
		return errEmptyMessage
	}
	m.Edits++
	m.Deferred = false
	return nil
}

func (s *Server) putCommands(r *http.Request, body []byte, _ []File) (any, *apiError) {
	if r.PathValue("app") != s.opts.AppID {
		return nil, errorf(http.StatusForbidden, 50001, "Missing Access")
	}
	var cmds []json.RawMessage
	if err := json.Unmarshal(body, &cmds); err != nil {
		return nil, invalidForm(map[string]string{"_root": "Must be an array of commands"})
	}
	if problems := validateCommands(cmds); len(problems) > 0 {
		return nil, invalidForm(problems)
	}
	guild := r.PathValue("guild")
	s.mu.Lock()
	defer s.mu.Unlock()
	if guild != "" && !s.knownGuild(guild) {
		return nil, errorf(http.StatusForbidden, 50001, "Missing Access")
	}
	s.commands[guild] = cmds
	s.notify()
	out := make([]map[string]any, len(cmds))
	for i, c := range cmds {
		var m map[string]any
		_ = json.Unmarshal(c, &m)
		m["id"], m["application_id"], m["version"] = s.nextID(), s.opts.AppID, s.nextID()
		if guild != "" {
			m["guild_id"] = guild
		}
		out[i] = m
	}
	return out, nil
}

// knownGuild: a guild of an added channel; the bot is in those only.
func (s *Server) knownGuild(id string) bool {
	for _, c := range s.channels {
		if c.GuildID == id {
			return true
		}
	}
	return false
}

// strictJSON decodes, refusing fields Discord would not take.
func strictJSON(body []byte, v any) error {
	if len(body) == 0 {
		return errors.New("empty body")
	}
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// messageJSON is a message as Discord returns it.
func messageJSON(m *Message, bot string) map[string]any {
	author := map[string]any{"id": m.AuthorID, "username": "user"}
	if m.AuthorID == bot {
		author = map[string]any{"id": bot, "username": DefaultBotName, "bot": true}
	}
	out := map[string]any{"id": m.ID, "channel_id": m.ChannelID, "author": author, "content": m.Content,
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "type": 0, "flags": m.Flags,
		"components": rowsJSON(m.Rows), "embeds": []any{}}
	if m.Nonce != "" {
		out["nonce"] = m.Nonce
	}
	return out
}

func rowsJSON(rows [][]Button) []any {
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		bs := make([]any, 0, len(r))
		for _, b := range r {
			bs = append(bs, map[string]any{"type": 2, "label": b.Label, "style": b.Style, "custom_id": b.CustomID, "disabled": b.Disabled})
		}
		out = append(out, map[string]any{"type": 1, "components": bs})
	}
	return out
}
