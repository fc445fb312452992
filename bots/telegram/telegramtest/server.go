// Package telegramtest is an in-process fake of the Telegram Bot API for
// tests and vocbot demo. It serves /bot<token>/<method> over HTTP like the
// real one, as strict where vocbot depends on it: unknown tokens get 401,
// callback data over 64 bytes, text over 4,096 characters and HTML that
// does not parse get 400, blocked and unknown chats get 403 and 400 with
// Telegram's descriptions, methods returning True return true (so a client
// using Send for them fails as it would in production), and getUpdates
// long-polls with real offsets and answers 409 while a webhook is set.
// sendPhoto takes uploads only as multipart/form-data and refuses what
// Telegram refuses: over 10 MB, width+height over 10,000, a side ratio over
// 20, a caption over 1,024 characters after entity parsing, a reply to a
// message that is not there. Sends over Telegram's flood limits get 429
// with retry_after (see Limits; SetLimits turns them off).
//
// The Server also plays the users: SendText, Command and PressButton
// produce updates, delivered through getUpdates or POSTed to the webhook;
// Sent, Answer and Commands show what the bot did. Wait blocks on a
// condition instead of sleeping.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// DefaultToken is the token New uses when given "".
const DefaultToken = "123456:TEST-fake-token"

// BotID is the fake bot's user id; its username is BotUsername.
const (
	BotID       = 123456
	BotUsername = "vocbot_test_bot"
)

// Button is one inline keyboard button.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data,omitempty"`
}

// Message is a message in a chat in its current (possibly edited) state.
type Message struct {
	ID      int
	ChatID  int64
	FromBot bool
	// Text is what the user sees (entities parsed); HTML is the text
	// parameter as the bot sent it, ParseMode the mode it named.
	Text      string
	HTML      string
	ParseMode string
	Keyboard  [][]Button
	Edits     int
	// Photo is set on a photo message; Text and HTML are then its caption.
	Photo *Photo
	// ReplyTo is the id of the message this one answers (0: none).
	ReplyTo int
}

// Photo is an image the bot sent, as uploaded.
type Photo struct {
	FileID        string
	Width, Height int
	Data          []byte
}

// Limits of sendPhoto (core.telegram.org/bots/api#sendphoto).
const (
	maxPhotoBytes   = 10 << 20
	maxPhotoSides   = 10000 // width + height
	maxPhotoRatio   = 20
	maxCaptionLen   = 1024 // UTF-16 code units after entity parsing
	maxRequestBytes = 50 << 20
)

// Fault is a scripted failure of the next call of one method.
type Fault struct {
	// Code and Description are the error answered ({"ok":false,...}).
	Code        int
	Description string
	// RetryAfter is parameters.retry_after in seconds (for 429s).
	RetryAfter int
	// Hang keeps the request open until the client gives up or the
	// Server closes: a timeout after the request was written.
	Hang bool
	// Drop applies the call, then closes the connection without an answer.
	Drop bool
}

// person is a simulated Telegram user; their private chat has their id.
type person struct {
	ID           int64
	FirstName    string
	LanguageCode string
	blocked      bool
}

// BotCommand is one entry of a command menu set with setMyCommands.
type BotCommand struct{ Command, Description string }

type chat struct {
	user     *person
	messages []*Message
	nextID   int
}

type update struct {
	id   int
	kind string // "message", "callback_query", …
	body map[string]any
}

type callbackQuery struct {
	answered bool
	text     string
	pressed  time.Time // when the press was queued
	answerAt time.Time // when answerCallbackQuery arrived
}

// Server is the fake Bot API.
type Server struct {
	srv   *httptest.Server
	token string

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every change
	closed     chan struct{}
	users      map[int64]*person
	chats      map[int64]*chat
	updates    []update
	nextUpdate int
	allowed    []string // sticky allowed_updates; nil means all but chat_member
	poller     int      // generation of the current getUpdates request
	webhook    webhook
	faults     map[string][]Fault
	queries    map[string]*callbackQuery
	nextQuery  int
	commands   map[string][]BotCommand // by language_code
	calls      map[string]int
	photos     map[string]*Photo // by file_id, for sends that reuse one
	limits     limiter
	deliveries sync.WaitGroup
}

type webhook struct {
	url, secret string
	gen         int
}

// New starts a fake Bot API that accepts token ("" means DefaultToken).
// Close it when done.
func New(token string) *Server {
	if token == "" {
		token = DefaultToken
	}
	s := &Server{
		token:      token,
		changed:    make(chan struct{}),
		closed:     make(chan struct{}),
		users:      map[int64]*person{},
		chats:      map[int64]*chat{},
		nextUpdate: 100000,
		faults:     map[string][]Fault{},
		queries:    map[string]*callbackQuery{},
		commands:   map[string][]BotCommand{},
		calls:      map[string]int{},
		photos:     map[string]*Photo{},
		limits:     newLimiter(TelegramLimits),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the server; hanging and long-polling requests return.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.webhook.gen++
	s.notify()
	s.mu.Unlock()
	s.deliveries.Wait()
	s.srv.Close()
}

// APIURL is the endpoint format string for the bot's Config.APIURL.
func (s *Server) APIURL() string { return s.srv.URL + "/bot%s/%s" }

// Token is the token the server accepts.
func (s *Server) Token() string { return s.token }

// notify wakes waiters; s.mu is held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until cond (which may call the Server's accessors) holds or
// ctx is done; it re-checks after every change.
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
			return ctx.Err()
		}
	}
}

// WaitSent waits until the bot has sent at least n messages to chatID and
// returns them (see Sent).
func (s *Server) WaitSent(ctx context.Context, chatID int64, n int) ([]Message, error) {
	var sent []Message
	err := s.Wait(ctx, func() bool {
		sent = s.Sent(chatID)
		return len(sent) >= n
	})
	return sent, err
}

// WaitAnswer waits until the bot has answered the callback query and
// returns the answer's text.
func (s *Server) WaitAnswer(ctx context.Context, queryID string) (string, error) {
	var text string
	err := s.Wait(ctx, func() bool {
		var ok bool
		text, ok = s.Answer(queryID)
		return ok
	})
	return text, err
}

// AddUser makes a user known with a private chat the bot may write to (as
// if they had pressed Start). SendText adds unknown users itself.
func (s *Server) AddUser(id int64, languageCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user(id).LanguageCode = languageCode
	s.notify()
}

// user finds or creates a user and their private chat; s.mu is held.
func (s *Server) user(id int64) *person {
	u, ok := s.users[id]
	if !ok {
		u = &person{ID: id, FirstName: "User" + strconv.FormatInt(id, 10), LanguageCode: "en"}
		s.users[id] = u
		s.chats[id] = &chat{user: u}
	}
	return u
}

// Block makes the user block the bot: sends to them get 403.
func (s *Server) Block(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user(userID).blocked = true
	s.notify()
}

// BlockByUser has the user block the bot in their private chat, as a
// person does from their client: sends to them get 403 from now on, and a
// my_chat_member update (status "member" to "kicked") is queued, shaped
// like Telegram's. It returns the update id.
func (s *Server) BlockByUser(chatID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(chatID)
	u.blocked = true
	return s.push("my_chat_member", map[string]any{"my_chat_member": memberUpdate(u, "member", "kicked")})
}

// UnblockByUser has the user unblock the bot (and restart it): sends reach
// them again, and a my_chat_member update ("kicked" to "member") is
// queued. It returns the update id.
func (s *Server) UnblockByUser(chatID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(chatID)
	u.blocked = false
	return s.push("my_chat_member", map[string]any{"my_chat_member": memberUpdate(u, "kicked", "member")})
}

// memberUpdate is a ChatMemberUpdated about the bot in u's private chat.
func memberUpdate(u *person, from, to string) map[string]any {
	member := func(status string) map[string]any {
		m := map[string]any{"user": botJSON(), "status": status}
		if status == "kicked" {
			m["until_date"] = 0
		}
		return m
	}
	return map[string]any{
		"chat":            chatJSON(u),
		"from":            userJSON(u),
		"date":            time.Now().Unix(),
		"old_chat_member": member(from),
		"new_chat_member": member(to),
	}
}

// Inject makes the next call of method fail as f says; faults queue up.
// A Fault without Code, Hang or Drop is a 500.
func (s *Server) Inject(method string, f Fault) {
	if f.Code == 0 && !f.Hang && !f.Drop {
		f.Code, f.Description = http.StatusInternalServerError, "Internal Server Error"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], f)
}

// RateLimit makes the next call of method answer 429 with retry_after.
func (s *Server) RateLimit(method string, retryAfter int) {
	s.Inject(method, Fault{Code: http.StatusTooManyRequests, Description: "Too Many Requests: retry after " + strconv.Itoa(retryAfter), RetryAfter: retryAfter})
}

// Calls is how many requests for method arrived (with a valid token).
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// SendText has the user write text in their private chat and returns the
// update id. Text starting with "/" carries a bot_command entity.
func (s *Server) SendText(chatID int64, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(chatID)
	c := s.chats[chatID]
	c.nextID++
	c.messages = append(c.messages, &Message{ID: c.nextID, ChatID: chatID, Text: text})
	msg := map[string]any{
		"message_id": c.nextID,
		"from":       userJSON(u),
		"chat":       chatJSON(u),
		"date":       time.Now().Unix(),
		"text":       text,
	}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		msg["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": len(utf16.Encode([]rune(cmd)))}}
	}
	return s.push("message", map[string]any{"message": msg})
}

// Command has the user send "/name args…".
func (s *Server) Command(chatID int64, name string, args ...string) int {
	return s.SendText(chatID, strings.Join(append([]string{"/" + name}, args...), " "))
}

// PressButton has the user press the button of a bot message whose
// callback data or label is button; it returns the callback query id.
func (s *Server) PressButton(chatID int64, messageID int, button string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.message(chatID, messageID)
	if m == nil || !m.FromBot {
		return "", fmt.Errorf("telegramtest: no bot message %d in chat %d", messageID, chatID)
	}
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Data != "" && (b.Data == button || b.Text == button) {
				return s.press(chatID, m, b.Data), nil
			}
		}
	}
	return "", fmt.Errorf("telegramtest: message %d in chat %d has no button %q", messageID, chatID, button)
}

// PressData sends a callback query with any data for a bot message, as a
// modified client can: for forgery tests.
func (s *Server) PressData(chatID int64, messageID int, data string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.message(chatID, messageID)
	if m == nil || !m.FromBot {
		return "", fmt.Errorf("telegramtest: no bot message %d in chat %d", messageID, chatID)
	}
	return s.press(chatID, m, data), nil
}

// press queues a callback query; s.mu is held.
func (s *Server) press(chatID int64, m *Message, data string) string {
	u := s.user(chatID)
	s.nextQuery++
	id := "cq" + strconv.Itoa(s.nextQuery)
	s.queries[id] = &callbackQuery{pressed: time.Now()}
	s.push("callback_query", map[string]any{"callback_query": map[string]any{
		"id":            id,
		"from":          userJSON(u),
		"message":       s.messageJSON(m),
		"chat_instance": "ci" + strconv.FormatInt(chatID, 10),
		"data":          data,
	}})
	return id
}

// push queues an update; s.mu is held.
func (s *Server) push(kind string, body map[string]any) int {
	id := s.nextUpdate
	s.nextUpdate++
	body["update_id"] = id
	s.updates = append(s.updates, update{id: id, kind: kind, body: body})
	s.notify()
	return id
}

// message finds a message; s.mu is held.
func (s *Server) message(chatID int64, id int) *Message {
	c, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	for _, m := range c.messages {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Sent is what the bot sent to a chat, in order, in the current state.
func (s *Server) Sent(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	if c, ok := s.chats[chatID]; ok {
		for _, m := range c.messages {
			if m.FromBot {
				cp := *m
				cp.Keyboard = cloneKeyboard(m.Keyboard)
				out = append(out, cp)
			}
		}
	}
	return out
}

// Answer is the text the bot answered a callback query with, and whether it did.
func (s *Server) Answer(queryID string) (text string, answered bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queries[queryID]; ok {
		return q.text, q.answered
	}
	return "", false
}

// AnswerDelay is how long after the press the bot answered the callback
// query (vocbot answers once the press is handled), its text, and whether
// it has answered.
func (s *Server) AnswerDelay(queryID string) (delay time.Duration, text string, answered bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queries[queryID]; ok && q.answered {
		return q.answerAt.Sub(q.pressed), q.text, true
	}
	return 0, "", false
}

// Commands is the command menu set for a language ("" = default).
func (s *Server) Commands(languageCode string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[languageCode])
}

// Webhook is the URL and secret token set with setWebhook ("" when none).
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}

// Pending is how many updates are not yet confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

func cloneKeyboard(k [][]Button) [][]Button {
	out := make([][]Button, len(k))
	for i, row := range k {
		out[i] = slices.Clone(row)
	}
	return out
}

func userJSON(u *person) map[string]any {
	return map[string]any{"id": u.ID, "is_bot": false, "first_name": u.FirstName, "language_code": u.LanguageCode}
}

func chatJSON(u *person) map[string]any {
	return map[string]any{"id": u.ID, "type": "private", "first_name": u.FirstName}
}

func botJSON() map[string]any {
	return map[string]any{"id": BotID, "is_bot": true, "first_name": "vocbot", "username": BotUsername}
}

// messageJSON is a bot message as the API returns it; s.mu is held.
func (s *Server) messageJSON(m *Message) map[string]any {
	c := s.chats[m.ChatID]
	out := map[string]any{
		"message_id": m.ID,
		"from":       botJSON(),
		"chat":       chatJSON(c.user),
		"date":       time.Now().Unix(),
	}
	switch {
	case m.Photo != nil:
		out["photo"] = []map[string]any{{"file_id": m.Photo.FileID, "file_unique_id": "u" + m.Photo.FileID,
			"width": m.Photo.Width, "height": m.Photo.Height, "file_size": len(m.Photo.Data)}}
		if m.Text != "" {
			out["caption"] = m.Text
		}
	default:
		out["text"] = m.Text
	}
	if r := s.message(m.ChatID, m.ReplyTo); r != nil && m.ReplyTo != 0 {
		out["reply_to_message"] = map[string]any{"message_id": r.ID, "chat": chatJSON(c.user), "date": time.Now().Unix()}
	}
	if m.Edits > 0 {
		out["edit_date"] = time.Now().Unix()
	}
	if len(m.Keyboard) > 0 {
		out["reply_markup"] = map[string]any{"inline_keyboard": m.Keyboard}
	}
	return out
}

// apiError is Telegram's error shape.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": e.retryAfter}
	}
	writeJSON(w, e.code, body)
}

// params reads a request's parameters from the query, a form, multipart or
// a JSON object (non-string JSON values are kept as JSON text). Files come
// only from multipart/form-data, as with Telegram.
func params(r *http.Request) (map[string]string, map[string][]byte, error) {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	if r.Method != http.MethodPost {
		return out, nil, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 10<<20)).Decode(&obj); err != nil {
			return nil, nil, err
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				out[k] = str
			} else if string(raw) != "null" {
				out[k] = string(raw)
			}
		}
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(nil, r.Body, maxRequestBytes)
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			return nil, nil, err
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
		files := map[string][]byte{}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, nil, err
			}
			files[k] = b
		}
		return out, files, nil
	default:
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.PostForm {
			out[k] = v[0]
		}
	}
	return out, nil, nil
}

// uploadsKey carries a request's uploaded files to the method that reads them.
type uploadsKey struct{}

func uploads(ctx context.Context) map[string][]byte {
	files, _ := ctx.Value(uploadsKey{}).(map[string][]byte)
	return files
}

// serve routes /bot<token>/<method>.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	i := strings.LastIndexByte(rest, '/')
	if !ok || i < 0 {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	token, method := rest[:i], rest[i+1:]
	if token != s.token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	h, ok := methods[method]
	if !ok {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found: method not found"})
		return
	}
	p, files, err := params(r)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, &apiError{code: http.StatusRequestEntityTooLarge, desc: "Request Entity Too Large"})
			return
		}
		writeError(w, badRequest("invalid request body: "+err.Error()))
		return
	}
	s.mu.Lock()
	s.calls[method]++
	var fault *Fault
	if fs := s.faults[method]; len(fs) > 0 {
		fault = &fs[0]
		s.faults[method] = fs[1:]
	}
	var limited *apiError
	var refund func()
	if fault == nil {
		refund, limited = s.limits.admit(method, p["chat_id"], time.Now())
	}
	s.notify()
	s.mu.Unlock()
	if limited != nil {
		writeError(w, limited)
		return
	}

	if fault != nil && fault.Hang {
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		return
	}
	if fault != nil && !fault.Drop {
		writeError(w, &apiError{code: fault.Code, desc: fault.Description, retryAfter: fault.RetryAfter})
		return
	}
	result, apiErr := h(s, context.WithValue(r.Context(), uploadsKey{}, files), p)
	if fault != nil && fault.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if apiErr != nil {
		if refund != nil {
			s.mu.Lock()
			refund()
			s.mu.Unlock()
		}
		writeError(w, apiErr)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

type method func(s *Server, ctx context.Context, p map[string]string) (any, *apiError)

var methods = map[string]method{
	"getMe":                  func(*Server, context.Context, map[string]string) (any, *apiError) { return botJSON(), nil },
	"getUpdates":             (*Server).getUpdates,
	"sendMessage":            (*Server).sendMessage,
	"sendPhoto":              (*Server).sendPhoto,
	"editMessageText":        (*Server).editMessageText,
	"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
	"answerCallbackQuery":    (*Server).answerCallbackQuery,
	"setWebhook":             (*Server).setWebhook,
	"deleteWebhook":          (*Server).deleteWebhook,
	"getWebhookInfo":         (*Server).getWebhookInfo,
	"setMyCommands":          (*Server).setMyCommands,
	"deleteMessage":          (*Server).deleteMessage,
	"sendChatAction":         func(*Server, context.Context, map[string]string) (any, *apiError) { return true, nil },
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) (any, *apiError) {
	offset, _ := strconv.Atoi(p["offset"])
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	allowed, hasAllowed, e := allowedUpdates(p)
	if e != nil {
		return nil, e
	}
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook.url != "" {
		return nil, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if hasAllowed {
		s.allowed = allowed
	}
	s.poller++
	gen := s.poller
	s.notify() // an older poller returns 409
	if offset > 0 {
		s.confirm(offset)
	}
	for {
		if gen != s.poller {
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		if s.webhook.url != "" {
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
		}
		if out := s.deliverable(limit); len(out) > 0 || timeout <= 0 {
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
			s.mu.Lock()
		case <-deadline.C:
			s.mu.Lock()
			return s.deliverable(limit), nil
		case <-ctx.Done():
			s.mu.Lock()
			return nil, &apiError{code: http.StatusGatewayTimeout, desc: "client went away"}
		case <-s.closed:
			s.mu.Lock()
			return []any{}, nil
		}
	}
}

// allowedUpdates reads the optional allowed_updates list; null (which
// the SDK sends for an unset list) counts as not specified.
func allowedUpdates(p map[string]string) ([]string, bool, *apiError) {
	raw, ok := p["allowed_updates"]
	if !ok || raw == "" || raw == "null" {
		return nil, false, nil
	}
	var allowed []string
	if err := json.Unmarshal([]byte(raw), &allowed); err != nil {
		return nil, false, badRequest("can't parse allowed_updates JSON")
	}
	return allowed, true, nil
}

// confirm forgets updates below offset; s.mu is held.
func (s *Server) confirm(offset int) {
	s.updates = slices.DeleteFunc(s.updates, func(u update) bool { return u.id < offset })
}

// deliverable drops updates of kinds not allowed and returns up to limit
// others; s.mu is held.
func (s *Server) deliverable(limit int) []any {
	s.updates = slices.DeleteFunc(s.updates, func(u update) bool { return !s.allows(u.kind) })
	out := []any{}
	for _, u := range s.updates {
		if len(out) == limit {
			break
		}
		out = append(out, u.body)
	}
	return out
}

func (s *Server) allows(kind string) bool {
	if len(s.allowed) == 0 {
		return kind != "chat_member"
	}
	return slices.Contains(s.allowed, kind)
}

// chatFor checks the target chat of a send; s.mu is held.
func (s *Server) chatFor(raw string) (*chat, *apiError) {
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c, ok := s.chats[id]
	if !ok {
		return nil, badRequest("chat not found")
	}
	if c.user.blocked {
		return nil, &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
	}
	return c, nil
}

// content validates text, parse_mode and reply_markup of a send or edit.
func content(p map[string]string) (text string, keyboard [][]Button, e *apiError) {
	text = p["text"]
	switch mode := p["parse_mode"]; mode {
	case "HTML":
		plain, err := parseHTML(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: " + err.Error())
		}
		text = plain
	case "":
	default:
		return "", nil, badRequest("unsupported parse_mode " + strconv.Quote(mode) + " in this fake")
	}
	if strings.TrimSpace(text) == "" {
		return "", nil, badRequest("message text is empty")
	}
	if len(utf16.Encode([]rune(text))) > 4096 {
		return "", nil, badRequest("message is too long")
	}
	keyboard, e = markup(p["reply_markup"])
	return text, keyboard, e
}

// markup validates an inline keyboard.
func markup(raw string) ([][]Button, *apiError) {
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var m struct {
		InlineKeyboard [][]map[string]json.RawMessage `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	var out [][]Button
	for _, row := range m.InlineKeyboard {
		if len(row) > 8 {
			return nil, badRequest("too many buttons in a row")
		}
		var r []Button
		for _, raw := range row {
			var b Button
			_ = json.Unmarshal(raw["text"], &b.Text)
			_ = json.Unmarshal(raw["callback_data"], &b.Data)
			if b.Text == "" {
				return nil, badRequest("text buttons are unallowed in the inline keyboard")
			}
			if _, ok := raw["callback_data"]; ok && (len(b.Data) < 1 || len(b.Data) > 64) {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
			if len(raw) == 1 {
				return nil, badRequest("can't find field \"callback_data\"")
			}
			r = append(r, b)
		}
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *Server) sendMessage(_ context.Context, p map[string]string) (any, *apiError) {
	text, keyboard, e := content(p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chatFor(p["chat_id"])
	if e != nil {
		return nil, e
	}
	replyTo, _ := strconv.Atoi(p["reply_to_message_id"])
	if replyTo != 0 && s.message(c.user.ID, replyTo) == nil {
		if p["allow_sending_without_reply"] != "true" {
			return nil, badRequest("message to be replied not found")
		}
		replyTo = 0
	}
	c.nextID++
	m := &Message{ID: c.nextID, ChatID: c.user.ID, FromBot: true, Text: text, HTML: p["text"], ParseMode: p["parse_mode"], Keyboard: keyboard, ReplyTo: replyTo}
	c.messages = append(c.messages, m)
	s.notify()
	return s.messageJSON(m), nil
}

// sendPhoto posts an image: an upload (multipart/form-data, the file in the
// photo field or named by "attach://<field>") or the file_id of a photo sent
// before. Photo URLs, which Telegram would download, are not supported here.
func (s *Server) sendPhoto(ctx context.Context, p map[string]string) (any, *apiError) {
	caption, e := captionOf(p)
	if e != nil {
		return nil, e
	}
	keyboard, e := markup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	files := uploads(ctx)
	var data []byte
	ref := p["photo"]
	if name, ok := strings.CutPrefix(ref, "attach://"); ok {
		ref = ""
		if data, ok = files[name]; !ok {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
	} else if b, ok := files["photo"]; ok {
		data = b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var photo *Photo
	switch {
	case data != nil:
		var e *apiError
		if photo, e = decodePhoto(data); e != nil {
			return nil, e
		}
	case ref == "":
		return nil, badRequest("there is no photo in the request")
	case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
		return nil, badRequest("photo URLs are not supported by this fake; upload the file")
	default:
		if photo = s.photos[ref]; photo == nil {
			// Bytes sent as a plain form value land here too: uploads
			// must be multipart/form-data.
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
	}
	c, e := s.chatFor(p["chat_id"])
	if e != nil {
		return nil, e
	}
	replyTo, _ := strconv.Atoi(p["reply_to_message_id"])
	if replyTo != 0 && s.message(c.user.ID, replyTo) == nil {
		if p["allow_sending_without_reply"] != "true" {
			return nil, badRequest("message to be replied not found")
		}
		replyTo = 0
	}
	if photo.FileID == "" {
		photo.FileID = "photo-" + strconv.Itoa(len(s.photos)+1)
		s.photos[photo.FileID] = photo
	}
	c.nextID++
	m := &Message{ID: c.nextID, ChatID: c.user.ID, FromBot: true, Text: caption, HTML: p["caption"], ParseMode: p["parse_mode"],
		Keyboard: keyboard, Photo: photo, ReplyTo: replyTo}
	c.messages = append(c.messages, m)
	s.notify()
	return s.messageJSON(m), nil
}

// captionOf validates a media caption: parse_mode and its length after
// entity parsing. A caption may be empty.
func captionOf(p map[string]string) (string, *apiError) {
	caption := p["caption"]
	switch mode := p["parse_mode"]; mode {
	case "HTML":
		plain, err := parseHTML(caption)
		if err != nil {
			return "", badRequest("can't parse entities: " + err.Error())
		}
		caption = plain
	case "":
	default:
		return "", badRequest("unsupported parse_mode " + strconv.Quote(mode) + " in this fake")
	}
	if len(utf16.Encode([]rune(caption))) > maxCaptionLen {
		return "", badRequest("message caption is too long")
	}
	return caption, nil
}

// decodePhoto checks an uploaded image against sendPhoto's limits. The fake
// reads PNG and JPEG, the formats vocbot sends.
func decodePhoto(data []byte) (*Photo, *apiError) {
	if len(data) > maxPhotoBytes {
		return nil, badRequest("PHOTO_SAVE_FILE_INVALID")
	}
	var cfg image.Config
	var err error
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	default:
		err = errors.New("not a PNG or JPEG")
	}
	if err != nil || cfg.Width < 1 || cfg.Height < 1 {
		return nil, badRequest("IMAGE_PROCESS_FAILED")
	}
	w, h := cfg.Width, cfg.Height
	if w+h > maxPhotoSides || w > maxPhotoRatio*h || h > maxPhotoRatio*w {
		return nil, badRequest("PHOTO_INVALID_DIMENSIONS")
	}
	return &Photo{Width: w, Height: h, Data: bytes.Clone(data)}, nil
}

// editTarget finds the bot message an edit names; s.mu is held.
func (s *Server) editTarget(p map[string]string) (*Message, *apiError) {
	if p["inline_message_id"] != "" {
		return nil, badRequest("inline messages are not supported by this fake")
	}
	c, e := s.chatFor(p["chat_id"])
	if e != nil {
		return nil, e
	}
	id, _ := strconv.Atoi(p["message_id"])
	for _, m := range c.messages {
		if m.ID == id {
			if !m.FromBot {
				return nil, badRequest("message can't be edited")
			}
			return m, nil
		}
	}
	return nil, badRequest("message to edit not found")
}

var errNotModified = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

func (s *Server) editMessageText(_ context.Context, p map[string]string) (any, *apiError) {
	text, keyboard, e := content(p)
	if e != nil {
		return nil, e
	}
	return s.edit(p, &text, keyboard)
}

func (s *Server) editMessageReplyMarkup(_ context.Context, p map[string]string) (any, *apiError) {
	keyboard, e := markup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	return s.edit(p, nil, keyboard)
}

// edit replaces a bot message's keyboard and, unless text is nil, its text.
func (s *Server) edit(p map[string]string, text *string, keyboard [][]Button) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.editTarget(p)
	if e != nil {
		return nil, e
	}
	if text != nil && m.Photo != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	if (text == nil || *text == m.Text) && keyboardsEqual(m.Keyboard, keyboard) {
		return nil, errNotModified
	}
	if text != nil {
		m.Text, m.HTML, m.ParseMode = *text, p["text"], p["parse_mode"]
	}
	m.Keyboard = keyboard
	m.Edits++
	s.notify()
	return s.messageJSON(m), nil
}

func keyboardsEqual(a, b [][]Button) bool {
	return slices.EqualFunc(a, b, func(x, y []Button) bool { return slices.Equal(x, y) })
}

func (s *Server) answerCallbackQuery(_ context.Context, p map[string]string) (any, *apiError) {
	text := p["text"]
	if len([]rune(text)) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queries[p["callback_query_id"]]
	if !ok || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered, q.text, q.answerAt = true, text, time.Now()
	s.notify()
	return true, nil
}

func (s *Server) deleteMessage(_ context.Context, p map[string]string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chatFor(p["chat_id"])
	if e != nil {
		return nil, e
	}
	id, _ := strconv.Atoi(p["message_id"])
	n := len(c.messages)
	c.messages = slices.DeleteFunc(c.messages, func(m *Message) bool { return m.ID == id })
	if len(c.messages) == n {
		return nil, badRequest("message to delete not found")
	}
	s.notify()
	return true, nil
}

func (s *Server) setMyCommands(_ context.Context, p map[string]string) (any, *apiError) {
	var cmds []struct{ Command, Description string }
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	lang := p["language_code"]
	if lang != "" && (len(lang) != 2 || strings.ToLower(lang) != lang) {
		return nil, badRequest("invalid language code specified")
	}
	var out []BotCommand
	for _, c := range cmds {
		if !validCommand(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := len([]rune(c.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
		out = append(out, BotCommand{Command: c.Command, Description: c.Description})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[lang] = out
	s.notify()
	return true, nil
}

func validCommand(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func (s *Server) setWebhook(_ context.Context, p map[string]string) (any, *apiError) {
	target := p["url"]
	secret := p["secret_token"]
	if secret != "" && !validSecret(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	if target != "" {
		u, err := url.Parse(target)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, badRequest("bad webhook: invalid URL")
		}
	}
	allowed, hasAllowed, e := allowedUpdates(p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if hasAllowed {
		s.allowed = allowed
	}
	s.webhook = webhook{url: target, secret: secret, gen: s.webhook.gen + 1}
	s.notify()
	if target != "" {
		s.deliveries.Add(1)
		go s.deliver(s.webhook)
	}
	return true, nil
}

func validSecret(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func (s *Server) deleteWebhook(_ context.Context, p map[string]string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhook{gen: s.webhook.gen + 1}
	if p["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	s.notify()
	return true, nil
}

func (s *Server) getWebhookInfo(_ context.Context, _ map[string]string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]any{"url": s.webhook.url, "has_custom_certificate": false, "pending_update_count": len(s.updates)}, nil
}

// webhookAttempts is how often one update is POSTed before it is dropped.
const webhookAttempts = 3

// deliver POSTs updates to the webhook one at a time, in order, until the
// webhook changes; a non-2xx answer is retried.
func (s *Server) deliver(wh webhook) {
	defer s.deliveries.Done()
	client := &http.Client{Timeout: 10 * time.Second}
	failures := 0
	for {
		s.mu.Lock()
		for s.webhook.gen == wh.gen && len(s.deliverable(1)) == 0 {
			ch := s.changed
			s.mu.Unlock()
			<-ch
			s.mu.Lock()
		}
		if s.webhook.gen != wh.gen {
			s.mu.Unlock()
			return
		}
		u := s.updates[0]
		body, _ := json.Marshal(u.body)
		s.mu.Unlock()

		ok := post(client, wh, body)
		s.mu.Lock()
		if ok || failures+1 >= webhookAttempts {
			s.updates = slices.DeleteFunc(s.updates, func(x update) bool { return x.id == u.id })
			failures = 0
			s.notify()
		} else {
			failures++
		}
		s.mu.Unlock()
	}
}

func post(client *http.Client, wh webhook, body []byte) bool {
	req, err := http.NewRequest(http.MethodPost, wh.url, strings.NewReader(string(body)))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	if wh.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", wh.secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}
