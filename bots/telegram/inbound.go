package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vocbot/vocbot/surveys"
)

// allowedUpdates is always sent: Telegram remembers the last list, and a
// list without callback_query silently drops every button press (#753).
// my_chat_member tells of blocks: a customer who blocks the bot is marked
// unreachable at once instead of failing at the next send.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// errSkip marks an update with nothing for the handler (an edit, a photo, a
// command for another bot).
var errSkip = errors.New("telegram: nothing to handle in this update")

// decode turns an update into what vocbot understands. A button press is
// accepted only with a MAC made for this chat (and user).
func (b *Bot) decode(u tgbotapi.Update) (surveys.Incoming, error) {
	id := "tg:" + strconv.Itoa(u.UpdateID)
	switch {
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		if cq.From == nil || cq.From.ID == 0 {
			return surveys.Incoming{}, fmt.Errorf("%w: no sender", errBadCallback)
		}
		// Never u.FromChat(): it panics on callbacks without a message (#645).
		chat := cq.From.ID // a private chat's id is the user's
		if cq.Message != nil && cq.Message.Chat != nil {
			chat = cq.Message.Chat.ID
		}
		chatID, userID := strconv.FormatInt(chat, 10), strconv.FormatInt(cq.From.ID, 10)
		ref, value, err := callbacks.Verify(b.key, chatID, userID, cq.Data)
		if err != nil {
			return surveys.Incoming{}, err
		}
		in := surveys.Incoming{
			ID:     id,
			From:   surveys.Address{Platform: surveys.Telegram, ChatID: chatID, UserID: userID},
			Value:  value,
			Ref:    ref,
			Locale: cq.From.LanguageCode,
		}
		// The message the buttons are on: the Engine edits it even when the
		// press beats the delivery job's record of the sent message.
		if cq.Message != nil && cq.Message.Chat != nil && cq.Message.MessageID > 0 {
			in.Message = messageRef(cq.Message.Chat.ID, cq.Message.MessageID)
		}
		return in.Clean(), nil
	case u.Message != nil:
		m := u.Message
		if m.Chat == nil || m.Chat.ID == 0 || strings.TrimSpace(m.Text) == "" {
			return surveys.Incoming{}, errSkip
		}
		text, ok := normalizeCommand(m.Text, b.api.Self.UserName)
		if !ok {
			return surveys.Incoming{}, errSkip
		}
		in := surveys.Incoming{
			ID:   id,
			From: surveys.Address{Platform: surveys.Telegram, ChatID: strconv.FormatInt(m.Chat.ID, 10)},
			Text: text,
		}
		if m.From != nil {
			in.From.UserID = strconv.FormatInt(m.From.ID, 10)
			in.Locale = m.From.LanguageCode
		}
		// Telegram's clients send no NUL, but a self-hosted Bot API or a
		// forged webhook might: clean, never a storage error.
		return in.Clean(), nil
	case u.MyChatMember != nil:
		return chatEvent(id, u.MyChatMember)
	}
	return surveys.Incoming{}, errSkip
}

// chatEvent reads the bot's own membership change in a private chat: the
// person blocked the bot ("kicked") or allowed it again ("member", sent
// when they unblock and restart it). Groups and channels are not customers'
// chats and are skipped.
func chatEvent(id string, m *tgbotapi.ChatMemberUpdated) (surveys.Incoming, error) {
	if !m.Chat.IsPrivate() || m.Chat.ID <= 0 {
		return surveys.Incoming{}, errSkip
	}
	var ev surveys.Event
	switch m.NewChatMember.Status {
	case "kicked":
		ev = surveys.EventBlocked
	case "member":
		ev = surveys.EventUnblocked
	default:
		return surveys.Incoming{}, errSkip
	}
	in := surveys.Incoming{
		ID:    id,
		From:  surveys.Address{Platform: surveys.Telegram, ChatID: strconv.FormatInt(m.Chat.ID, 10)},
		Event: ev,
	}
	if m.From.ID != 0 {
		in.From.UserID = strconv.FormatInt(m.From.ID, 10)
	}
	return in.Clean(), nil
}

// commandPattern is "/name" or "/name@bot" at the start of a message.
var commandPattern = regexp.MustCompile(`^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s|$)`)

// normalizeCommand drops "@ourbot" from "/start@ourbot TOKEN" so the Engine
// sees "/start TOKEN"; a command addressed to another bot is not ours. The
// SDK's Command helpers slice by the entity's UTF-16 length and panic on
// some inputs, so commands are read from the text.
func normalizeCommand(text, self string) (string, bool) {
	m := commandPattern.FindStringSubmatchIndex(text)
	if m == nil || m[4] < 0 {
		return text, true
	}
	if !strings.EqualFold(text[m[4]:m[5]], self) {
		return "", false
	}
	return text[:m[4]-1] + text[m[5]:], true
}

// Callback answers: a mark, no words, so no translation is needed.
const (
	ackOK     = "✓"
	ackFailed = "⚠"
)

// answerTimeout bounds answerCallbackQuery; Telegram drops the spinner and
// the query after about 10 s.
const answerTimeout = 3 * time.Second

// dispatch decodes one update and gives it to h. A callback query is
// answered as soon as h has committed the press (surveys.Committed: the
// prompt edit and any follow-up come after), when h returns, or after
// ackAfter, whichever is first, so the customer's spinner always stops
// within 3 s, and also when the button was forged or h failed.
func (b *Bot) dispatch(ctx context.Context, h surveys.Handler, u tgbotapi.Update) error {
	in, err := b.decode(u)
	cq := u.CallbackQuery
	if cq == nil || cq.ID == "" {
		if err != nil {
			if !errors.Is(err, errSkip) {
				b.log.Warn("update refused", "update_id", u.UpdateID, "err", err)
			}
			return nil
		}
		return h.Handle(ctx, in)
	}
	if err != nil {
		b.log.Warn("button press refused", "update_id", u.UpdateID, "err", err)
		b.answer(ctx, cq.ID, ackFailed)
		return nil
	}
	// One answer per query: at the handler's commit (surveys.Committed),
	// when it returns, or after ackAfter, whichever comes first.
	var once sync.Once
	ack := func(mark string) { once.Do(func() { b.answer(ctx, cq.ID, mark) }) }
	hctx := surveys.WithCommitted(ctx, func() { ack(ackOK) })
	done := make(chan error, 1)
	go func() { done <- h.Handle(hctx, in) }()
	timer := time.NewTimer(b.ackAfter)
	defer timer.Stop()
	select {
	case err = <-done:
		mark := ackOK
		if err != nil {
			mark = ackFailed
		}
		ack(mark)
	case <-timer.C:
		ack("")
		err = <-done
	}
	return err
}

// answer stops the button's spinner. It goes through Request: Send would
// fail to decode the True that Telegram returns (#491).
func (b *Bot) answer(ctx context.Context, queryID, text string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), answerTimeout)
	defer cancel()
	_, err := b.call(ctx, "answerCallbackQuery", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return api.Request(tgbotapi.NewCallback(queryID, text))
	})
	if err != nil {
		b.log.Warn("answer callback query", "err", err)
	}
}

// pollWorkers bounds how many chats' updates are handled at once.
const pollWorkers = 16

// busyPoll is how long the poller waits between fetches while updates are
// being handled (each such fetch returns at once, with the updates still
// being handled: fetching on every handled update cost the handlers more
// CPU than it saved, p50 262 ms against 20 ms at 200 presses a second on
// SQLite).
const busyPoll = 10 * time.Millisecond

// maxUnconfirmed is the backlog of taken updates (from the first not yet
// handled on) above which the poller fetches no more until it shrinks.
const maxUnconfirmed = 2 * pollWorkers

// pipeline handles polled updates as they arrive. Updates of one chat are
// handled one after another, in order; different chats side by side (at
// most pollWorkers at a time), as Telegram's webhook delivers them over
// several connections. One at a time, a busy bot's answers queued behind
// each other's commits (p50 0.56 s at 200 presses a second on PostgreSQL);
// a batch at a time, each batch waited for its slowest chat before the
// next was fetched. Telegram is told an update is done (the getUpdates
// offset) only once it and every earlier one are handled, so the updates
// still being handled are delivered again with each fetch: they are
// recognised by id and not handled twice, and after a crash they arrive
// again and are recognised as repeats by the handler.
type pipeline struct {
	ctx context.Context
	b   *Bot
	h   surveys.Handler
	sem chan struct{}
	wg  sync.WaitGroup

	mu      sync.Mutex
	pending []int                       // ids taken and not yet confirmed, ascending
	handled map[int]bool                // which of pending are handled
	queues  map[int64][]tgbotapi.Update // a chat's updates waiting; a key while its worker runs
	next    int                         // the id after the last one taken
}

func newPipeline(ctx context.Context, b *Bot, h surveys.Handler, offset int) *pipeline {
	return &pipeline{ctx: ctx, b: b, h: h, sem: make(chan struct{}, pollWorkers),
		handled: map[int]bool{}, queues: map[int64][]tgbotapi.Update{}, next: offset}
}

// add takes the updates not taken before and returns how many were new.
func (p *pipeline) add(ups []tgbotapi.Update) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, u := range ups {
		if u.UpdateID < p.next {
			continue // being handled, or handled and not yet confirmed
		}
		p.next = u.UpdateID + 1
		p.pending = append(p.pending, u.UpdateID)
		n++
		c := updateChat(u)
		q, running := p.queues[c]
		p.queues[c] = append(q, u)
		if !running {
			p.wg.Add(1)
			go p.run(c)
		}
	}
	return n
}

// run handles chat c's updates until none are waiting.
func (p *pipeline) run(c int64) {
	defer p.wg.Done()
	select {
	case p.sem <- struct{}{}:
	case <-p.ctx.Done():
		p.mu.Lock()
		delete(p.queues, c) // unconfirmed: delivered again next time
		p.mu.Unlock()
		return
	}
	defer func() { <-p.sem }()
	for {
		p.mu.Lock()
		q := p.queues[c]
		if len(q) == 0 || p.ctx.Err() != nil {
			delete(p.queues, c)
			p.mu.Unlock()
			return
		}
		u := q[0]
		p.queues[c] = q[1:]
		p.mu.Unlock()
		if err := p.b.dispatch(p.ctx, p.h, u); err != nil {
			p.b.log.Error("handle update", "update_id", u.UpdateID, "err", err)
		}
		p.mu.Lock()
		p.handled[u.UpdateID] = true
		p.mu.Unlock()
	}
}

// offset is the getUpdates offset to send: the first update not handled,
// or the one after the last taken when all are. busy says some are not.
func (p *pipeline) offset() (offset int, busy bool) {
	offset, unconfirmed := p.unconfirmed()
	return offset, unconfirmed > 0
}

// unconfirmed is offset's answer and how many updates from the first not
// handled on have been taken (a fetch would return them all again).
func (p *pipeline) unconfirmed() (offset, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := 0
	for i < len(p.pending) && p.handled[p.pending[i]] {
		delete(p.handled, p.pending[i])
		i++
	}
	p.pending = append(p.pending[:0], p.pending[i:]...)
	if len(p.pending) > 0 {
		return p.pending[0], len(p.pending)
	}
	return p.next, 0
}

// decode reads a getUpdates result, skipping (without decoding them in
// full) the updates already taken: while some are being handled, every
// fetch returns them again.
func (p *pipeline) decode(result json.RawMessage) ([]tgbotapi.Update, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(result, &raws); err != nil {
		return nil, err
	}
	p.mu.Lock()
	next := p.next
	p.mu.Unlock()
	var ups []tgbotapi.Update
	for _, raw := range raws {
		var id struct {
			UpdateID int `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &id); err != nil {
			return nil, err
		}
		if id.UpdateID < next {
			continue
		}
		var u tgbotapi.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			return nil, err
		}
		ups = append(ups, u)
	}
	return ups, nil
}

// wait returns after d, or when ctx ends.
func (p *pipeline) wait(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.ctx.Done():
	}
}

// updateChat is the chat an update belongs to (0 when it names none);
// the SDK's FromChat panics on a callback query without its message.
func updateChat(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil && u.EditedMessage.Chat != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	default:
		return 0
	}
}

// Poll receives updates by long polling and gives them to h until ctx is
// cancelled; then it returns nil. Only one process may poll a bot token
// (a second one gets 409): run it on one replica, or use the webhook. It
// deletes any webhook first, sends allowed_updates on every call and
// confirms updates by offset; failures back off (429: retry_after).
// Updates whose handler fails are logged and not retried: the handler is
// idempotent by Incoming.ID, and a redelivered batch after a restart is safe.
func (b *Bot) Poll(ctx context.Context, h surveys.Handler) error {
	for attempt := 0; ; attempt++ {
		_, err := b.call(ctx, "deleteWebhook", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
			return api.Request(tgbotapi.DeleteWebhookConfig{})
		})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		b.log.Warn("delete webhook before polling", "err", err)
		if !sleep(ctx, retryDelay(err, attempt, b.backoff)) {
			return nil
		}
	}
	cfg := tgbotapi.UpdateConfig{AllowedUpdates: allowedUpdates}
	p := newPipeline(ctx, b, h, 0)
	for attempt := 0; ctx.Err() == nil; {
		// While updates are being handled, Telegram has them ready for
		// every fetch (they are not confirmed yet), so a fetch returns at
		// once: wait a moment between fetches.
		// With a backlog (the handlers slower than the updates for a while)
		// more updates would only queue, and every fetch would carry the
		// whole backlog again: wait until it shrinks.
		offset, unconfirmed := p.unconfirmed()
		if unconfirmed >= maxUnconfirmed {
			p.wait(busyPoll)
			continue
		}
		busy := unconfirmed > 0
		cfg.Offset, cfg.Timeout = offset, int(b.pollTimeout/time.Second)
		if busy {
			cfg.Timeout = 0
		}
		var ups []tgbotapi.Update
		pctx, cancel := context.WithTimeout(ctx, b.pollTimeout+defaultHTTPTimeout)
		res, err := b.call(pctx, "getUpdates", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) { return api.Request(cfg) })
		cancel()
		if err == nil {
			ups, err = p.decode(res.Result)
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			b.log.Warn("get updates", "err", err, "attempt", attempt+1)
			if !sleep(ctx, retryDelay(err, attempt, b.backoff)) {
				break
			}
			attempt++
			continue
		}
		attempt = 0
		p.add(ups)
		if busy {
			p.wait(busyPoll)
		}
	}
	p.wg.Wait()
	cfg.Offset, _ = p.offset()
	b.confirm(ctx, cfg)
	return nil
}

// confirm tells Telegram, on the way out, which updates were handled:
// getUpdates confirms an offset only when it is next called, so without
// this a graceful restart would see the last batch again (answers are
// deduplicated, but a command would be run and answered twice).
func (b *Bot) confirm(ctx context.Context, cfg tgbotapi.UpdateConfig) {
	if cfg.Offset == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	cfg.Timeout, cfg.Limit = 0, 1
	if _, err := b.call(cctx, "getUpdates", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) { return api.Request(cfg) }); err != nil {
		b.log.Warn("confirm handled updates before stopping; the last ones may arrive again after a restart", "err", err)
	}
}

// retryDelay is how long to wait after a failed call: Telegram's
// retry_after on a 429, else exponential from base to 30 base.
func retryDelay(err error, attempt int, base time.Duration) time.Duration {
	if kind, after := surveys.FailureOf(err); kind == surveys.RateLimited && after > 0 {
		return after
	}
	return min(base<<min(attempt, 5), 30*base)
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// WebhookPath is where Telegram posts updates.
const WebhookPath = "/telegram/webhook"

const (
	secretHeader = "X-Telegram-Bot-Api-Secret-Token"
	maxBody      = 1 << 20
)

// secretPattern is what Telegram accepts as secret_token.
var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// WebhookHandler serves POST /telegram/webhook. Requests without the
// secret token registered with RegisterWebhook get 401 (so does every
// request when secret is empty). The update goes to h at once; 200 tells
// Telegram it was taken, 500 (h failed) makes Telegram deliver it again.
// Replicas may receive updates concurrently: h dedupes by Incoming.ID.
func (b *Bot) WebhookHandler(h surveys.Handler, secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(secretHeader)
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		u, err := b.api.HandleUpdate(r)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		// Telegram may hang up; the update is still ours to finish.
		ctx := context.WithoutCancel(r.Context())
		if err := b.dispatch(ctx, h, *u); err != nil {
			b.log.Error("handle update", "update_id", u.UpdateID, "err", err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// RegisterWebhook points Telegram at publicURL + WebhookPath (HTTPS on port
// 443, 80, 88 or 8443) with secret as secret_token (1–256 of
// [A-Za-z0-9_-]; the same on every replica). The SDK predates
// secret_token, hence MakeRequest.
func (b *Bot) RegisterWebhook(ctx context.Context, publicURL, secret string) error {
	if !secretPattern.MatchString(secret) {
		return errors.New("telegram: webhook secret must be 1–256 characters of A–Z, a–z, 0–9, _ and -: set VOCBOT_TELEGRAM_WEBHOOK_SECRET")
	}
	if publicURL == "" {
		return errors.New("telegram: webhook mode needs a public URL: set VOCBOT_PUBLIC_URL")
	}
	allowed, err := json.Marshal(allowedUpdates)
	if err != nil {
		return err
	}
	params := tgbotapi.Params{
		"url":             strings.TrimRight(publicURL, "/") + WebhookPath,
		"secret_token":    secret,
		"max_connections": "40",
		"allowed_updates": string(allowed),
	}
	_, err = b.call(ctx, "setWebhook", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return api.MakeRequest("setWebhook", params)
	})
	return err
}
