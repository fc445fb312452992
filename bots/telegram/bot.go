package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vocbot/vocbot/surveys"
)

// Config holds what the Telegram adapter needs; only Token is required.
type Config struct {
	// Token is the bot token from BotFather (VOCBOT_TELEGRAM_TOKEN).
	Token string
	// APIURL is the Bot API endpoint as a format string with two %s, the
	// token and the method: "http://host:port/bot%s/%s"
	// (VOCBOT_TELEGRAM_API_URL). "" means the official
	// https://api.telegram.org/bot%s/%s.
	APIURL string
	// HTTPClient makes the API calls; nil means a client with a 60 s
	// timeout. Its Timeout, if set, must exceed PollTimeout.
	HTTPClient *http.Client
	// Logger receives inbound problems; nil discards. Message text is never
	// logged. The caller adds platform=telegram to it (vocbot serve does),
	// so the attribute appears once per line.
	Logger *slog.Logger
	// CallbackSecret keys the MAC in button data; every replica needs the
	// same one. Empty derives it from Token, so buttons already sent stop
	// working when the token is rotated.
	CallbackSecret []byte
	// PollTimeout is getUpdates' long-poll timeout (whole seconds); 0 means 25 s.
	PollTimeout time.Duration
}

// Bot talks to the Telegram Bot API as one bot.
type Bot struct {
	api         *tgbotapi.BotAPI // never used directly: see call
	client      *http.Client
	key         []byte
	log         *slog.Logger
	pollTimeout time.Duration
	// ackAfter is how long a callback query waits for the handler before
	// it is answered anyway; Telegram shows a spinner until then.
	ackAfter time.Duration
	// backoff is the first wait after a failed poll; it doubles up to 30×.
	backoff time.Duration
}

var (
	_ surveys.Sender = (*Bot)(nil)
	_ surveys.Editor = (*Bot)(nil)
)

const (
	defaultPollTimeout = 25 * time.Second
	defaultHTTPTimeout = 60 * time.Second
	defaultAckAfter    = 2 * time.Second
)

// New checks the token with getMe (the SDK's constructor calls it at once),
// so the endpoint must be up: start the fake first, or retry at boot.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no bot token: set VOCBOT_TELEGRAM_TOKEN to the token from @BotFather")
	}
	endpoint := cfg.APIURL
	if endpoint == "" {
		endpoint = tgbotapi.APIEndpoint
	}
	if strings.Count(endpoint, "%s") != 2 {
		return nil, fmt.Errorf("telegram: API URL %q must be a format string with two %%s, e.g. https://api.telegram.org/bot%%s/%%s", endpoint)
	}
	pollTimeout := cfg.PollTimeout
	if pollTimeout <= 0 {
		pollTimeout = defaultPollTimeout
	}
	pollTimeout = max(pollTimeout.Truncate(time.Second), time.Second)
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultHTTPTimeout}
	}
	if client.Timeout != 0 && client.Timeout <= pollTimeout {
		return nil, fmt.Errorf("telegram: HTTP client timeout %s must be longer than the poll timeout %s", client.Timeout, pollTimeout)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tc := &tracedClient{ctx: ctx, client: client}
	api, err := tgbotapi.NewBotAPIWithClient(cfg.Token, endpoint, tc)
	if err != nil {
		var tgErr *tgbotapi.Error
		if errors.As(err, &tgErr) && tgErr.Code == http.StatusUnauthorized {
			return nil, fmt.Errorf("telegram: the Bot API rejected the token (getMe: %w): check VOCBOT_TELEGRAM_TOKEN", err)
		}
		return nil, fmt.Errorf("telegram: getMe: %w (is the Bot API at %q reachable?)", err, redact(endpoint))
	}
	api.Client = client
	return &Bot{
		api:         api,
		client:      client,
		key:         callbackKey(cfg.CallbackSecret, cfg.Token),
		log:         log, // the caller's logger names the platform already
		pollTimeout: pollTimeout,
		ackAfter:    defaultAckAfter,
		backoff:     time.Second,
	}, nil
}

// redact shows the endpoint's host only.
func redact(endpoint string) string {
	before, _, _ := strings.Cut(endpoint, "%s")
	return before + "…"
}

// Username is the bot's @username, for t.me/<username>?start=<token> links.
func (b *Bot) Username() string { return b.api.Self.UserName }

// Send posts the prompt to to.ChatID (or, without one, the private chat
// with to.UserID). The MessageRef is "chatID:messageID".
func (b *Bot) Send(ctx context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	chatID, bind, err := target(to)
	if err != nil {
		return "", &surveys.SendError{Kind: surveys.Unreachable, Err: err}
	}
	r, err := render(b.key, bind, p)
	if err != nil {
		return "", &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	msg := tgbotapi.NewMessage(chatID, r.html)
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	if r.keyboard != nil {
		msg.ReplyMarkup = *r.keyboard
	}
	res, err := b.call(ctx, "sendMessage", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) { return api.Request(msg) })
	if err != nil {
		return "", err
	}
	var sent tgbotapi.Message
	if err := json.Unmarshal(res.Result, &sent); err != nil || sent.MessageID == 0 {
		// Telegram said ok: the customer has the prompt, we just can't name it.
		return "", &surveys.SendError{Kind: surveys.Ambiguous, Err: fmt.Errorf("telegram sendMessage: unreadable result: %v", err)}
	}
	return messageRef(chatID, sent.MessageID), nil
}

// Edit replaces a sent prompt with p: its text, and its keyboard, or none
// when p has no Choices (the usual edit: the prompt now shows the recorded
// choice). An edit that changes nothing is not an error.
func (b *Bot) Edit(ctx context.Context, to surveys.Address, ref surveys.MessageRef, p surveys.Prompt) error {
	chatID, messageID, err := parseMessageRef(ref)
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	_, bind, err := target(surveys.Address{Platform: to.Platform, ChatID: strconv.FormatInt(chatID, 10), UserID: to.UserID})
	if err != nil {
		return &surveys.SendError{Kind: surveys.Unreachable, Err: err}
	}
	r, err := render(b.key, bind, p)
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	edit := tgbotapi.NewEditMessageText(chatID, messageID, r.html)
	edit.ParseMode = tgbotapi.ModeHTML
	edit.DisableWebPagePreview = true
	edit.ReplyMarkup = r.keyboard // nil: Telegram removes the keyboard
	_, err = b.call(ctx, "editMessageText", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) { return api.Request(edit) })
	var tgErr *tgbotapi.Error
	if errors.As(err, &tgErr) && strings.Contains(tgErr.Message, "message is not modified") {
		return nil
	}
	return err
}

// target is the chat a message to the address goes to, and who its
// buttons are for.
func target(to surveys.Address) (int64, binding, error) {
	raw := to.ChatID
	if raw == "" {
		raw = to.UserID // a private chat's id is the user's
	}
	chat, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || chat == 0 {
		return 0, binding{}, fmt.Errorf("telegram: address %s has no numeric chat id", to)
	}
	b := binding{chat: strconv.FormatInt(chat, 10)}
	if to.UserID != "" {
		user, err := strconv.ParseInt(to.UserID, 10, 64)
		if err != nil || user <= 0 {
			return 0, binding{}, fmt.Errorf("telegram: address %s has a user id that is not a number", to)
		}
		b.user = strconv.FormatInt(user, 10)
	}
	return chat, b, nil
}

func messageRef(chat int64, message int) surveys.MessageRef {
	return surveys.MessageRef(strconv.FormatInt(chat, 10) + ":" + strconv.Itoa(message))
}

func parseMessageRef(ref surveys.MessageRef) (chat int64, message int, err error) {
	c, m, ok := strings.Cut(string(ref), ":")
	chat, err1 := strconv.ParseInt(c, 10, 64)
	message, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || chat == 0 || message <= 0 {
		return 0, 0, fmt.Errorf("telegram: message ref %q is not chatID:messageID", ref)
	}
	return chat, message, nil
}

// tracedClient gives one SDK call the caller's context (the SDK builds its
// requests without one) and records whether the request got a connection
// and what status came back, to tell definite failures from ambiguous ones.
type tracedClient struct {
	ctx     context.Context
	client  *http.Client
	gotConn atomic.Bool
	status  int
}

func (c *tracedClient) Do(req *http.Request) (*http.Response, error) {
	// GotConn, not WroteRequest: the server may read the request before the
	// client's write hook runs, so "written" cannot be observed race-free.
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { c.gotConn.Store(true) }}
	resp, err := c.client.Do(req.WithContext(httptrace.WithClientTrace(c.ctx, trace)))
	if resp != nil {
		c.status = resp.StatusCode
	}
	return resp, err
}

// call runs one SDK call with ctx and classifies its error as a
// *surveys.SendError. The BotAPI is copied per call (it is a plain struct)
// so concurrent calls each get their own context.
func (b *Bot) call(ctx context.Context, method string, do func(*tgbotapi.BotAPI) (*tgbotapi.APIResponse, error)) (*tgbotapi.APIResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, &surveys.SendError{Kind: surveys.Failed, Err: fmt.Errorf("telegram %s: %w", method, err)}
	}
	tc := &tracedClient{ctx: ctx, client: b.client}
	api := *b.api
	api.Client = tc
	res, err := do(&api)
	if err != nil {
		return nil, classify(fmt.Errorf("telegram %s: %w", method, err), tc.status, tc.gotConn.Load())
	}
	return res, nil
}

// unreachable are 400 descriptions that no retry fixes for this chat.
var unreachable = regexp.MustCompile(`(?i)chat not found|user not found|PEER_ID_INVALID|user is deactivated|bot was blocked|bot was kicked|CHAT_WRITE_FORBIDDEN|not enough rights|have no rights|chat was upgraded`)

// defaultRetryAfter is used for a 429 that names no wait.
const defaultRetryAfter = 5 * time.Second

// classify maps an SDK error to a send failure: Telegram's
// own errors are definite, and so is a request that never got a connection
// (dial, DNS, TLS, proxy errors); one that did, but got no readable answer
// (timeout, connection lost), may have been applied. Go's transport itself
// retries a request on a stale connection when nothing was written.
func classify(err error, status int, connected bool) *surveys.SendError {
	var tgErr *tgbotapi.Error
	kind, after := surveys.Failed, time.Duration(0)
	switch {
	case errors.As(err, &tgErr) && tgErr.Code != 0:
		switch {
		case tgErr.Code == http.StatusTooManyRequests:
			kind, after = surveys.RateLimited, time.Duration(tgErr.RetryAfter)*time.Second
			if after <= 0 {
				after = defaultRetryAfter
			}
		case tgErr.Code == http.StatusForbidden:
			kind = surveys.Unreachable
		case tgErr.MigrateToChatID != 0:
			kind = surveys.Unreachable
			err = fmt.Errorf("%w (the group is now supergroup %d)", err, tgErr.MigrateToChatID)
		case tgErr.Code == http.StatusBadRequest && unreachable.MatchString(tgErr.Message):
			kind = surveys.Unreachable
		}
	case status != 0:
		// An answer that is not Telegram's (a proxy's error page, a body cut
		// off): a 5xx or a 2xx may hide an applied request.
		if status >= 500 || status < 300 {
			kind = surveys.Ambiguous
		}
	case connected:
		kind = surveys.Ambiguous
	}
	return &surveys.SendError{Kind: kind, RetryAfter: after, Err: err}
}
