package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
)

// Fault breaks the next Count calls of one platform method at the front.
type Fault struct {
	Platform string `json:"platform"` // telegram | slack
	Method   string `json:"method"`   // e.g. sendMessage, chat.postMessage
	// Kind is status (an HTTP error, default 502), ratelimit (429 with
	// retry_after), hang (never answers; the client times out), slow
	// (answers after DelayMS) or drop (applied, then the connection closes).
	Kind       string `json:"kind"`
	Count      int    `json:"count"`
	Status     int    `json:"status,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"` // seconds
	DelayMS    int    `json:"delay_ms,omitempty"`
}

func (f Fault) validate() error {
	if f.Platform != "telegram" && f.Platform != "slack" {
		return fmt.Errorf("platform %q: use telegram or slack", f.Platform)
	}
	if f.Method == "" {
		return fmt.Errorf("method is required (e.g. sendMessage, chat.postMessage)")
	}
	if f.Count < 1 {
		return fmt.Errorf("count %d: give how many calls to break (≥ 1)", f.Count)
	}
	switch f.Kind {
	case "status", "ratelimit", "hang", "slow", "drop":
	default:
		return fmt.Errorf("kind %q: use status, ratelimit, hang, slow or drop", f.Kind)
	}
	return nil
}

// fakes is the process state: the two fakes, the faults waiting at the
// fronts, and what the fronts saw.
type fakes struct {
	tg     *telegramtest.Server
	slk    *slacktest.Server
	client *http.Client
	done   chan struct{}

	mu      sync.Mutex
	faults  []Fault
	calls   map[string]int // "telegram.sendMessage" → calls at the front
	faulted map[string]int // "telegram.sendMessage.ratelimit" → faults applied
	users   []int64
	surveys map[int64][]int // Telegram chat → ids of score questions sent (isSurvey)
}

func newFakes(tg *telegramtest.Server, slk *slacktest.Server) *fakes {
	return &fakes{
		tg:  tg,
		slk: slk,
		client: &http.Client{Transport: &http.Transport{
			MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute,
		}},
		done:    make(chan struct{}),
		calls:   map[string]int{},
		faulted: map[string]int{},
		surveys: map[int64][]int{},
	}
}

// take returns the fault for this call, if one is waiting.
func (f *fakes) take(platform, method string) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[platform+"."+method]++
	for i := range f.faults {
		ft := &f.faults[i]
		if ft.Platform == platform && ft.Method == method && ft.Count > 0 {
			ft.Count--
			out := *ft
			if ft.Count == 0 {
				f.faults = slices.Delete(f.faults, i, i+1)
			}
			f.faulted[platform+"."+method+"."+out.Kind]++
			return &out
		}
	}
	return nil
}

// front forwards to the fake at backend (a URL whose scheme and host are
// used) and applies faults on the way.
func (f *fakes) front(platform, backend string) http.Handler {
	u, err := url.Parse(strings.ReplaceAll(backend, "%s", "x"))
	if err != nil {
		panic(err) // the fakes' own URLs always parse
	}
	base := u.Scheme + "://" + u.Host
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := methodOf(platform, r.URL.Path)
		fault := f.take(platform, method)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if fault != nil {
			switch fault.Kind {
			case "hang":
				select {
				case <-r.Context().Done():
				case <-f.done:
				}
				return
			case "slow":
				select {
				case <-time.After(time.Duration(fault.DelayMS) * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			case "status", "ratelimit":
				writeFault(w, platform, *fault)
				return
			}
		}
		resp, respBody, err := f.forward(r, base, body)
		if err != nil {
			http.Error(w, "fake backend: "+err.Error(), http.StatusBadGateway)
			return
		}
		if platform == "telegram" && method == "sendMessage" {
			f.recordTelegramSend(r.Header.Get("Content-Type"), body, resp.StatusCode, respBody)
		}
		if fault != nil && fault.Kind == "drop" {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(respBody)
	})
}

func (f *fakes) forward(r *http.Request, base string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.Header.Clone()
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func methodOf(platform, path string) string {
	if platform == "slack" {
		m, _ := strings.CutPrefix(path, "/api/")
		return m
	}
	return path[strings.LastIndexByte(path, '/')+1:]
}

func writeFault(w http.ResponseWriter, platform string, ft Fault) {
	status := ft.Status
	if ft.Kind == "ratelimit" {
		status = http.StatusTooManyRequests
	}
	if status == 0 {
		status = http.StatusBadGateway
	}
	if platform == "slack" {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(max(ft.RetryAfter, 1)))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body>%d %s</body></html>", status, http.StatusText(status))
		return
	}
	out := map[string]any{"ok": false, "error_code": status}
	if status == http.StatusTooManyRequests {
		out["description"] = "Too Many Requests: retry after " + strconv.Itoa(ft.RetryAfter)
		out["parameters"] = map[string]any{"retry_after": ft.RetryAfter}
	} else {
		out["description"] = http.StatusText(status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

// recordTelegramSend notes a survey (a score question, see isSurvey) the
// fake applied, whether or not its answer reached the bot.
func (f *fakes) recordTelegramSend(contentType string, body []byte, status int, respBody []byte) {
	if status != http.StatusOK {
		return
	}
	var params map[string]string
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/json" {
		var obj map[string]any
		if json.Unmarshal(body, &obj) == nil {
			params = map[string]string{}
			for k, v := range obj {
				if s, ok := v.(string); ok {
					params[k] = s
				} else {
					b, _ := json.Marshal(v)
					params[k] = string(b)
				}
			}
		}
	} else if vals, err := url.ParseQuery(string(body)); err == nil {
		params = map[string]string{}
		for k := range vals {
			params[k] = vals.Get(k)
		}
	}
	if !isSurvey(params["reply_markup"]) {
		return
	}
	var res struct {
		OK     bool `json:"ok"`
		Result struct {
			MessageID int `json:"message_id"`
			Chat      struct {
				ID int64 `json:"id"`
			} `json:"chat"`
		} `json:"result"`
	}
	if json.Unmarshal(respBody, &res) != nil || !res.OK {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.surveys[res.Result.Chat.ID] = append(f.surveys[res.Result.Chat.ID], res.Result.MessageID)
}

// isSurvey reports whether an inline keyboard is a score question: at
// least five buttons labelled with numbers (CSAT 1–5, CES 1–7, NPS 0–10),
// unlike the follow-ups (reasons, skip) that also carry buttons.
func isSurvey(markup string) bool {
	var m struct {
		InlineKeyboard [][]struct {
			Text string `json:"text"`
		} `json:"inline_keyboard"`
	}
	if markup == "" || json.Unmarshal([]byte(markup), &m) != nil {
		return false
	}
	numeric := 0
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if _, err := strconv.Atoi(strings.TrimSpace(b.Text)); err == nil {
				numeric++
			}
		}
	}
	return numeric >= 5
}

// routes is the control API.
func (f *fakes) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /faults", f.postFaults)
	mux.HandleFunc("DELETE /faults", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		f.faults = nil
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /stats", f.getStats)
	mux.HandleFunc("POST /telegram/users", f.postTelegramUsers)
	mux.HandleFunc("GET /telegram/chats", f.getTelegramChats)
	mux.HandleFunc("POST /telegram/press", f.postTelegramPress)
	mux.HandleFunc("POST /telegram/text", f.postTelegramText)
	mux.HandleFunc("POST /telegram/answers", f.postTelegramAnswers)
	mux.HandleFunc("POST /telegram/limits", f.postTelegramLimits)
	mux.HandleFunc("GET /telegram/webhook", func(w http.ResponseWriter, _ *http.Request) {
		u, secret := f.tg.Webhook()
		reply(w, http.StatusOK, map[string]any{"url": u, "secret_set": secret != "", "pending": f.tg.Pending()})
	})
	mux.HandleFunc("POST /slack/users", f.postSlackUsers)
	mux.HandleFunc("POST /slack/channels", f.postSlackChannels)
	mux.HandleFunc("GET /slack/posts", f.getSlackPosts)
	return mux
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": "bad JSON: " + err.Error()})
		return false
	}
	return true
}

func (f *fakes) postFaults(w http.ResponseWriter, r *http.Request) {
	var ft Fault
	if !decode(w, r, &ft) {
		return
	}
	if err := ft.validate(); err != nil {
		reply(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	f.mu.Lock()
	f.faults = append(f.faults, ft)
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakes) getStats(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	pending := 0
	for _, ft := range f.faults {
		pending += ft.Count
	}
	// limited: calls the fake Telegram answered 429 for going over its
	// flood limits (telegramtest.Limits), apart from injected faults.
	limited := map[string]int{}
	for _, m := range []string{"sendMessage", "sendPhoto"} {
		if n := f.tg.RateLimited(m); n > 0 {
			limited["telegram."+m] = n
		}
	}
	reply(w, http.StatusOK, map[string]any{"calls": f.calls, "faulted": f.faulted, "limited": limited, "pending_faults": pending})
}

func (f *fakes) postTelegramUsers(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDs      []int64 `json:"ids"`
		Language string  `json:"language"`
		Blocked  bool    `json:"blocked"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Language == "" {
		req.Language = "en"
	}
	for _, id := range req.IDs {
		f.tg.AddUser(id, req.Language)
		if req.Blocked {
			f.tg.Block(id)
		}
	}
	f.mu.Lock()
	f.users = append(f.users, req.IDs...)
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// ChatCount is what one Telegram chat received.
type ChatCount struct {
	Messages int `json:"messages"` // bot messages in the chat now
	Surveys  int `json:"surveys"`  // score questions the fake applied (see isSurvey)
}

func (f *fakes) getTelegramChats(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	users := slices.Clone(f.users)
	surveys := make(map[int64]int, len(f.surveys))
	for c, ids := range f.surveys {
		surveys[c] = len(ids)
	}
	f.mu.Unlock()
	out := make(map[string]ChatCount, len(users))
	for _, id := range users {
		out[strconv.FormatInt(id, 10)] = ChatCount{Messages: len(f.tg.Sent(id)), Surveys: surveys[id]}
	}
	reply(w, http.StatusOK, map[string]any{"chats": out})
}

func (f *fakes) postTelegramPress(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Presses []struct {
			Chat   int64  `json:"chat"`
			Button string `json:"button"`
			Data   string `json:"data"` // raw callback data instead of a button (forgery)
		} `json:"presses"`
	}
	if !decode(w, r, &req) {
		return
	}
	type result struct {
		Chat    int64  `json:"chat"`
		QueryID string `json:"query_id,omitempty"`
		Error   string `json:"error,omitempty"`
	}
	out := make([]result, 0, len(req.Presses))
	for _, p := range req.Presses {
		f.mu.Lock()
		ids := f.surveys[p.Chat]
		f.mu.Unlock()
		if len(ids) == 0 {
			out = append(out, result{Chat: p.Chat, Error: "no survey in this chat"})
			continue
		}
		var qid string
		var err error
		if p.Data != "" {
			qid, err = f.tg.PressData(p.Chat, ids[0], p.Data)
		} else {
			qid, err = f.tg.PressButton(p.Chat, ids[0], p.Button)
		}
		res := result{Chat: p.Chat, QueryID: qid}
		if err != nil {
			res.Error = err.Error()
		}
		out = append(out, res)
	}
	reply(w, http.StatusOK, map[string]any{"results": out})
}

// postTelegramAnswers reports, for each callback query id, whether the bot
// answered it, with what, and how long after the press.
func (f *fakes) postTelegramAnswers(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDs []string `json:"ids"`
	}
	if !decode(w, r, &req) {
		return
	}
	type answer struct {
		Answered bool    `json:"answered"`
		Text     string  `json:"text,omitempty"`
		DelayMS  float64 `json:"delay_ms,omitempty"`
	}
	out := make(map[string]answer, len(req.IDs))
	for _, id := range req.IDs {
		d, text, ok := f.tg.AnswerDelay(id)
		out[id] = answer{Answered: ok, Text: text, DelayMS: float64(d.Microseconds()) / 1000}
	}
	reply(w, http.StatusOK, map[string]any{"answers": out})
}

// postTelegramLimits turns the fake Telegram's flood limits on
// (telegramtest.TelegramLimits) or off.
func (f *fakes) postTelegramLimits(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Enabled bool `json:"enabled"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Enabled {
		f.tg.SetLimits(telegramtest.TelegramLimits)
	} else {
		f.tg.SetLimits(telegramtest.Limits{})
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakes) postTelegramText(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Chat int64  `json:"chat"`
		Text string `json:"text"`
	}
	if !decode(w, r, &req) {
		return
	}
	reply(w, http.StatusOK, map[string]int{"update_id": f.tg.SendText(req.Chat, req.Text)})
}

func (f *fakes) postSlackUsers(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDs []string `json:"ids"`
	}
	if !decode(w, r, &req) {
		return
	}
	for _, id := range req.IDs {
		f.slk.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id)})
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakes) postSlackChannels(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDs []string `json:"ids"`
	}
	if !decode(w, r, &req) {
		return
	}
	for _, id := range req.IDs {
		f.slk.AddChannel(slacktest.Channel{ID: id, Name: strings.ToLower(id)})
	}
	w.WriteHeader(http.StatusNoContent)
}

// getSlackPosts counts chat.postMessage calls Slack applied, per channel:
// all of them and those carrying buttons (surveys).
func (f *fakes) getSlackPosts(w http.ResponseWriter, _ *http.Request) {
	type count struct {
		Posts   int `json:"posts"`
		Surveys int `json:"surveys"`
	}
	out := map[string]*count{}
	for _, m := range f.slk.Posted() {
		c := out[m.Channel]
		if c == nil {
			c = &count{}
			out[m.Channel] = c
		}
		c.Posts++
		if len(m.Buttons()) > 0 {
			c.Surveys++
		}
	}
	reply(w, http.StatusOK, map[string]any{"channels": out})
}
