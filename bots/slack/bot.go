package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/vocbot/vocbot/surveys"
)

// Config holds what the Slack adapter needs; only BotToken is required.
type Config struct {
	// BotToken is the xoxb- token (VOCBOT_SLACK_BOT_TOKEN).
	BotToken string
	// SigningSecret verifies Slack's HTTP requests (VOCBOT_SLACK_SIGNING_SECRET).
	// Without it every inbound request is rejected with 401.
	SigningSecret string
	// AppToken is the app-level xapp- token (VOCBOT_SLACK_APP_TOKEN); when
	// set, Receivers holds a Socket Mode connection besides the HTTP
	// Request URLs.
	AppToken string
	// APIURL is the Web API base URL ending in "/" (VOCBOT_SLACK_API_URL);
	// "" means https://slack.com/api/.
	APIURL string
	// HTTPClient makes the Web API calls; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Logger receives inbound problems; nil discards. The caller adds
	// platform=slack to it (vocbot serve does), so the attribute appears
	// once per line.
	Logger *slog.Logger
}

// Bot talks to one Slack workspace through its bot token.
type Bot struct {
	api      *slackgo.Client
	secret   string
	token    string // only to scrub it from errors
	appToken string
	log      *slog.Logger
	// patience is how long a slash command runs before the answer moves
	// to response_url (command_async.go).
	patience time.Duration
}

var (
	_ surveys.Sender = (*Bot)(nil)
	_ surveys.Editor = (*Bot)(nil)
)

// New builds a Bot; it makes no network call (see Identity).
func New(cfg Config) (*Bot, error) {
	if cfg.BotToken == "" {
		return nil, errors.New("slack: no bot token: set VOCBOT_SLACK_BOT_TOKEN to the app's xoxb- token")
	}
	apiURL := cfg.APIURL
	if apiURL == "" {
		apiURL = slackgo.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		return nil, fmt.Errorf("slack: API URL %q must end with \"/\" (e.g. https://slack.com/api/)", apiURL)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// No OptionRetry: 429s and failures go back to the worker, which snoozes
	// on the rate bucket all replicas share.
	api := slackgo.New(cfg.BotToken, slackgo.OptionAPIURL(apiURL), slackgo.OptionHTTPClient(scrubbingClient{client}))
	return &Bot{api: api, secret: cfg.SigningSecret, token: cfg.BotToken, appToken: cfg.AppToken, log: log, patience: commandPatience}, nil
}

// scrubbingClient keeps credentials out of failed requests' errors. The
// tokens travel in headers, but a response_url (hooks.slack.com/commands/…)
// is itself a credential for 30 minutes, and Go's *url.Error quotes the URL
// of a request that timed out or was refused.
type scrubbingClient struct{ c *http.Client }

func (s scrubbingClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := s.c.Do(req)
	var ue *url.Error
	if err != nil && errors.As(err, &ue) {
		clean := *ue
		clean.URL = safeURL(ue.URL)
		return resp, &clean
	}
	return resp, err
}

// safeURL is u without anything that may be secret: Web API method URLs
// keep their path (they name the method), hooks lose theirs.
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	if strings.HasPrefix(u.Host, "hooks.") || !strings.Contains(u.Path, "/api/") {
		u.Path, u.RawPath = "/…", ""
	}
	return u.String()
}

// Identity is who the bot token belongs to.
type Identity struct {
	TeamID, Team string
	UserID       string // the bot's user id (U…)
	BotID        string // the bot id (B…)
}

// Identity calls auth.test: run it at start to fail fast on a bad token.
func (b *Bot) Identity(ctx context.Context) (Identity, error) {
	r, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return Identity{}, fmt.Errorf("slack auth.test: %w", err)
	}
	return Identity{TeamID: r.TeamID, Team: r.Team, UserID: r.UserID, BotID: r.BotID}, nil
}

// metadataEventType marks vocbot's prompts in Slack message metadata.
const metadataEventType = "vocbot_delivery"

// Send posts the prompt to to.ChatID, or to the DM with to.UserID when no
// chat is given. The message carries p.Ref as delivery metadata.
func (b *Bot) Send(ctx context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	blocks, fallback, err := render(p)
	if err != nil {
		return "", &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	channel, err := b.channel(ctx, to)
	if err != nil {
		return "", err
	}
	opts := []slackgo.MsgOption{slackgo.MsgOptionBlocks(blocks...), slackgo.MsgOptionText(fallback, false)}
	if p.Ref != "" {
		opts = append(opts, slackgo.MsgOptionMetadata(deliveryMetadata(p.Ref)))
	}
	var ch, ts string
	err = b.call(ctx, func(ctx context.Context) (err error) {
		ch, ts, err = b.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("slack chat.postMessage: %w", err)
	}
	return messageRef(ch, ts), nil
}

// Edit replaces a sent prompt (chat.update) with p rendered like Send;
// usually p has no Choices and its text names the recorded choice. The
// delivery metadata is kept so Delivered still recognizes the message.
func (b *Bot) Edit(ctx context.Context, to surveys.Address, ref surveys.MessageRef, p surveys.Prompt) error {
	channel, ts, ok := parseMessageRef(ref)
	if !ok {
		return &surveys.SendError{Kind: surveys.Failed, Err: fmt.Errorf("slack: message ref %q is not channel:ts", ref)}
	}
	if channel == "" {
		channel = to.ChatID
	}
	blocks, fallback, err := render(p)
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	opts := []slackgo.MsgOption{slackgo.MsgOptionBlocks(blocks...), slackgo.MsgOptionText(fallback, false)}
	if p.Ref != "" {
		opts = append(opts, slackgo.MsgOptionMetadata(deliveryMetadata(p.Ref)))
	}
	err = b.call(ctx, func(ctx context.Context) error {
		_, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
	if err != nil {
		return fmt.Errorf("slack chat.update: %w", err)
	}
	return nil
}

// historyPages bounds how far back Delivered looks: 2 × 100 messages is
// far more than a DM or survey channel gets between an attempt and its check.
const historyPages = 2

// Delivered looks for a message of ours tagged with delivery ref in the
// recent history of channel (a channel id, or a user id whose DM is opened
// first). The worker calls it after an Ambiguous send: found means sent,
// not found means send again.
func (b *Bot) Delivered(ctx context.Context, channel, ref string) (surveys.MessageRef, bool, error) {
	if isUserID(channel) {
		ch, err := b.channel(ctx, surveys.Address{Platform: surveys.Slack, UserID: channel})
		if err != nil {
			return "", false, err
		}
		channel = ch
	}
	params := &slackgo.GetConversationHistoryParameters{ChannelID: channel, Limit: 100, IncludeAllMetadata: true}
	for range historyPages {
		var h *slackgo.GetConversationHistoryResponse
		err := b.call(ctx, func(ctx context.Context) (err error) {
			h, err = b.api.GetConversationHistoryContext(ctx, params)
			return err
		})
		if err != nil {
			return "", false, fmt.Errorf("slack conversations.history: %w", err)
		}
		for _, m := range h.Messages {
			if m.Metadata.EventType != metadataEventType {
				continue
			}
			if id, _ := m.Metadata.EventPayload["delivery_id"].(string); id == ref {
				return messageRef(channel, m.Timestamp), true, nil
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	return "", false, nil
}

// DeliveredTo is Delivered for an address (surveys.DeliveryChecker).
func (b *Bot) DeliveredTo(ctx context.Context, to surveys.Address, ref string) (surveys.MessageRef, bool, error) {
	ch, err := b.channel(ctx, to)
	if err != nil {
		return "", false, err
	}
	return b.Delivered(ctx, ch, ref)
}

var _ surveys.DeliveryChecker = (*Bot)(nil)

// channel is where a message to the address goes: the chat, or the DM
// opened with the user (conversations.open is idempotent).
func (b *Bot) channel(ctx context.Context, to surveys.Address) (string, error) {
	if to.ChatID != "" {
		return to.ChatID, nil
	}
	if to.UserID == "" {
		return "", &surveys.SendError{Kind: surveys.Failed, Err: errors.New("slack: address has neither chat nor user")}
	}
	var ch *slackgo.Channel
	err := b.call(ctx, func(ctx context.Context) (err error) {
		ch, _, _, err = b.api.OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{to.UserID}})
		return err
	})
	if err != nil {
		var se *surveys.SendError
		if errors.As(err, &se) && se.Kind == surveys.Ambiguous {
			se.Kind = surveys.Failed // opening a DM posts nothing: safe to repeat
		}
		return "", fmt.Errorf("slack conversations.open: %w", err)
	}
	if ch == nil || ch.ID == "" {
		return "", &surveys.SendError{Kind: surveys.Failed, Err: errors.New("slack conversations.open: no channel in the answer")}
	}
	return ch.ID, nil
}

func deliveryMetadata(ref string) slackgo.SlackMetadata {
	return slackgo.SlackMetadata{EventType: metadataEventType, EventPayload: map[string]any{"delivery_id": ref}}
}

func messageRef(channel, ts string) surveys.MessageRef {
	return surveys.MessageRef(channel + ":" + ts)
}

func parseMessageRef(ref surveys.MessageRef) (channel, ts string, ok bool) {
	channel, ts, ok = strings.Cut(string(ref), ":")
	return channel, ts, ok && ts != ""
}

func isUserID(id string) bool {
	return len(id) > 1 && (id[0] == 'U' || id[0] == 'W')
}

// call runs one Web API call and classifies its error as a *surveys.SendError.
// It traces the connection to tell a request that never left (definite)
// from one that may have been applied (ambiguous).
func (b *Bot) call(ctx context.Context, do func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	var gotConn, wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		GetConn: func(string) { gotConn.Store(true) },
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	err := do(httptrace.WithClientTrace(ctx, trace))
	if err == nil {
		return nil
	}
	return surveys.Scrub(classify(err, gotConn.Load() && !wrote.Load()), b.token, b.appToken, b.secret)
}

// defaultRetryAfter is assumed for a 429 without Retry-After.
const defaultRetryAfter = 60 * time.Second

// unreachable are Slack errors that no retry can fix for this recipient.
var unreachable = map[string]bool{
	"channel_not_found":     true,
	"user_not_found":        true,
	"user_disabled":         true,
	"user_not_visible":      true,
	"account_inactive":      true,
	"cannot_dm_bot":         true,
	"is_archived":           true,
	"not_in_channel":        true,
	"messages_tab_disabled": true,
}

// ambiguousCodes may have been applied before Slack failed (its docs say so
// for internal_error); Delivered then decides.
var ambiguousCodes = map[string]bool{
	"internal_error":      true,
	"fatal_error":         true,
	"request_timeout":     true,
	"service_unavailable": true,
}

// classify maps slack-go errors to send failures; notSent is true when the
// trace shows the request was never written.
func classify(err error, notSent bool) error {
	var (
		rl     *slackgo.RateLimitedError
		status slackgo.StatusCodeError
		api    slackgo.SlackErrorResponse
		kind   = surveys.Ambiguous
		after  time.Duration
	)
	switch {
	case errors.As(err, &rl):
		kind, after = surveys.RateLimited, rl.RetryAfter
		if after <= 0 {
			after = time.Second
		}
	case errors.As(err, &status):
		switch {
		case status.Code == http.StatusTooManyRequests:
			kind, after = surveys.RateLimited, defaultRetryAfter
		case status.Code >= 500:
			kind = surveys.Ambiguous
		default:
			kind = surveys.Failed
		}
	case errors.As(err, &api):
		switch {
		case unreachable[api.Err]:
			kind = surveys.Unreachable
		case api.Err == "ratelimited":
			kind, after = surveys.RateLimited, defaultRetryAfter
		case ambiguousCodes[api.Err]:
			kind = surveys.Ambiguous
		default:
			kind = surveys.Failed
		}
	case notSent: // e.g. dial or TLS errors: nothing left
		kind = surveys.Failed
	}
	return &surveys.SendError{Kind: kind, RetryAfter: after, Err: err}
}
