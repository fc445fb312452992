package discord

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vocbot/vocbot/surveys"
)

// Config holds what the Discord adapter needs; Token and AppID are required.
type Config struct {
	// Token is the bot token from the Developer Portal's Bot tab
	// (VOCBOT_DISCORD_TOKEN), with or without the "Bot " prefix.
	Token string
	// AppID is the application id (VOCBOT_DISCORD_APP_ID), for command
	// registration and interaction follow-ups.
	AppID string
	// PublicKey verifies HTTP interactions (VOCBOT_DISCORD_PUBLIC_KEY).
	// With it, Mount serves POST /discord/interactions and no gateway runs;
	// without it, Receivers holds the gateway open instead.
	PublicKey ed25519.PublicKey
	// APIURL is the REST base, scheme and host only (VOCBOT_DISCORD_API_URL);
	// "" means https://discord.com. vocbot adds /api/v9/….
	APIURL string
	// GuildID registers /survey in that guild only (it appears at once)
	// instead of globally (VOCBOT_DISCORD_GUILD_ID).
	GuildID string
	// HTTPClient makes the REST calls; nil means a client with a 20 s timeout.
	// Its Transport is wrapped, not replaced.
	HTTPClient *http.Client
	// Logger receives inbound problems; nil discards. Message text and
	// tokens are never logged.
	Logger *slog.Logger
	// CallbackSecret keys the MAC in buttons' custom_id; every replica needs
	// the same one. Empty derives it from Token, so buttons already sent
	// stop working when the token is rotated.
	CallbackSecret []byte
	// Surveys are offered as the typed choices of /survey's survey option.
	Surveys []SurveyChoice
}

// SurveyChoice is a survey as /survey offers it: its id and display name.
type SurveyChoice struct{ ID, Name string }

// Bot talks to Discord's REST API as one bot, and receives interactions
// over HTTP (Mount) or the gateway (Receivers).
type Bot struct {
	s *discordgo.Session // REST through call only; the gateway in gateway.go
	// hooks makes the interaction callbacks and webhook calls: its own
	// rate limiter, so a global 429 on messages never delays an answer
	// that is due within 3 seconds (Discord exempts these from its global limit).
	hooks     *discordgo.Session
	token     string // without "Bot ", for redaction
	appID     string
	self      string // the bot's user id
	guildID   string
	publicKey ed25519.PublicKey
	key       []byte
	log       *slog.Logger
	surveys   []SurveyChoice
	now       func() time.Time
	// patience is how long an interaction waits for vocbot before it is
	// deferred (Discord wants the first answer within 3 s).
	patience time.Duration
}

var (
	_ surveys.Sender    = (*Bot)(nil)
	_ surveys.Editor    = (*Bot)(nil)
	_ surveys.RetrySafe = (*Bot)(nil)
)

const (
	defaultAPIURL      = "https://discord.com"
	defaultHTTPTimeout = 20 * time.Second
	defaultPatience    = 2 * time.Second
)

// New checks the configuration and the token (GET /users/@me, and the
// application's id with GET /applications/@me), so the API must be up:
// start the fake first, or retry at boot. Errors name the variable to fix.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "))
	if token == "" {
		return nil, errors.New("discord: no bot token: set VOCBOT_DISCORD_TOKEN to the token from the Developer Portal (your application → Bot → Reset Token)")
	}
	if !isSnowflake(cfg.AppID) {
		return nil, fmt.Errorf("discord: application id %q is not a Discord id: set VOCBOT_DISCORD_APP_ID to the Application ID from the Developer Portal (General Information)", cfg.AppID)
	}
	if cfg.GuildID != "" && !isSnowflake(cfg.GuildID) {
		return nil, fmt.Errorf("discord: guild id %q is not a Discord id: set VOCBOT_DISCORD_GUILD_ID to the server's id (Developer Mode → right-click the server → Copy Server ID), or leave it empty", cfg.GuildID)
	}
	if cfg.PublicKey != nil && len(cfg.PublicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("discord: the public key has %d bytes, not %d: set VOCBOT_DISCORD_PUBLIC_KEY to the 64 hex digits of Public Key in the Developer Portal", len(cfg.PublicKey), ed25519.PublicKeySize)
	}
	base, err := parseAPIURL(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: defaultHTTPTimeout}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		client = &c
	}
	client.Transport = &rewrite{base: base, next: client.Transport}
	s, hooks := restSession(token, client), restSession(token, client)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bot{
		s: s, hooks: hooks, token: token, appID: cfg.AppID, guildID: cfg.GuildID, publicKey: cfg.PublicKey,
		key: callbackKey(cfg.CallbackSecret, token), log: log,
		surveys: cfg.Surveys, now: time.Now, patience: defaultPatience,
	}
	var me discordgo.User
	if err := b.call(ctx, http.MethodGet, discordgo.EndpointUser("@me"), "/users/@me", nil, &me); err != nil {
		return nil, startError(err, base)
	}
	b.self = me.ID
	var app discordgo.Application
	if err := b.call(ctx, http.MethodGet, discordgo.EndpointApplication("@me"), "/applications/@me", nil, &app); err != nil {
		return nil, startError(err, base)
	}
	if app.ID != cfg.AppID {
		return nil, fmt.Errorf("discord: the token belongs to application %s, not %s: set VOCBOT_DISCORD_APP_ID to %s or use that application's bot token", app.ID, cfg.AppID, app.ID)
	}
	return b, nil
}

// restSession is a discordgo Session for REST calls. Every failure goes
// back to the caller: the delivery worker snoozes on 429 (discordgo would
// sleep and retry without bound) and decides on 502.
func restSession(token string, client *http.Client) *discordgo.Session {
	s, _ := discordgo.New("Bot " + token) // never fails
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	s.Client = client
	s.LogLevel = -1 // discordgo's own log prints the IDENTIFY packet, token included
	s.StateEnabled = false
	s.Identify.Intents = discordgo.IntentsDirectMessages
	return s
}

// startError words a failed start check for the operator.
func startError(err error, base string) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return fmt.Errorf("discord: %v (is the API at %s reachable? check VOCBOT_DISCORD_API_URL)", err, base)
	}
	if ae.status == http.StatusUnauthorized {
		return fmt.Errorf("discord: Discord rejected the bot token (%v): check VOCBOT_DISCORD_TOKEN", ae)
	}
	return fmt.Errorf("discord: %v (is the API at %s reachable? check VOCBOT_DISCORD_API_URL)", ae, base)
}

// parseAPIURL checks VOCBOT_DISCORD_API_URL: scheme and host, no path.
func parseAPIURL(raw string) (string, error) {
	if raw == "" {
		return defaultAPIURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", fmt.Errorf("discord: API URL %q must be a scheme and host only, e.g. https://discord.com: fix VOCBOT_DISCORD_API_URL (vocbot adds /api/v%s/ itself)", raw, discordgo.APIVersion)
	}
	return u.Scheme + "://" + u.Host, nil
}

func isSnowflake(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// rewrite sends discordgo's requests, built for https://discord.com, to
// the configured base instead: per session, so tests run in parallel.
type rewrite struct {
	base string
	next http.RoundTripper
}

func (t *rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.base != defaultAPIURL && r.URL.Host == "discord.com" {
		u, _ := url.Parse(t.base) // checked by parseAPIURL
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, u.Host
	}
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(r)
	if tr, ok := r.Context().Value(traceKey{}).(*trace); ok {
		if resp != nil {
			tr.status.Store(int32(resp.StatusCode))
		}
	}
	return resp, err
}

// Name is the platform this adapter serves.
func (b *Bot) Name() surveys.Platform { return surveys.Discord }

// Limits are Discord's: 50 requests a second for the whole bot, and about
// 5 messages per 5 seconds in a channel; vocbot stays a little under both.
func (b *Bot) Limits() surveys.SendLimits {
	return surveys.SendLimits{
		Global:  surveys.Rate{Interval: time.Second / 45, Burst: 45},
		PerChat: surveys.Rate{Interval: 1200 * time.Millisecond, Burst: 4},
	}
}

// RetrySafe is true: every message carries a nonce with enforce_nonce, so
// Discord answers a resent prompt with the message it already created.
func (b *Bot) RetrySafe() bool { return true }

// UserID is the bot's own user id.
func (b *Bot) UserID() string { return b.self }

// message is what vocbot posts or edits; discordgo's MessageSend has no
// nonce and its MessageEdit cannot clear components, hence our own.
type message struct {
	Content         *string                           `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	Components      *[]discordgo.MessageComponent     `json:"components,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions,omitempty"`
	Attachments     []attachment                      `json:"attachments,omitempty"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	Nonce           string                            `json:"nonce,omitempty"`
	EnforceNonce    bool                              `json:"enforce_nonce,omitempty"`
	// Reference makes the message a reply (to an alert, in its channel).
	Reference *discordgo.MessageReference `json:"message_reference,omitempty"`
}

type attachment struct {
	ID       int    `json:"id"`
	Filename string `json:"filename"`
}

// noMentions keeps outside text (a comment with "@everyone") from pinging anyone.
var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

// Send posts the prompt to to.ChatID, or to the DM with to.UserID when no
// chat is given. The MessageRef is "channelID:messageID". The nonce is made
// from the channel and p.Ref, so the delivery worker's retry of a prompt
// whose first attempt timed out gets Discord's first message back.
func (b *Bot) Send(ctx context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	channel, err := b.channel(ctx, to)
	if err != nil {
		return "", err
	}
	m, err := renderPrompt(b.key, binding{channel: channel, user: to.UserID}, p)
	if err != nil {
		return "", &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	m.Nonce, m.EnforceNonce = nonce(channel, p.Ref, ""), true
	return b.post(ctx, channel, m, nil)
}

// Edit replaces a sent prompt with p: its text, and its buttons, or none
// when p has no Choices (usually: the prompt now shows the recorded choice).
func (b *Bot) Edit(ctx context.Context, to surveys.Address, ref surveys.MessageRef, p surveys.Prompt) error {
	channel, id, err := parseMessageRef(ref)
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	m, err := renderPrompt(b.key, binding{channel: channel, user: to.UserID}, p)
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	return b.patch(ctx, channel, id, m)
}

// post creates a message (multipart when files are attached) and returns its ref.
func (b *Bot) post(ctx context.Context, channel string, m message, files []*discordgo.File) (surveys.MessageRef, error) {
	var sent discordgo.Message
	ep := discordgo.EndpointChannelMessages(channel)
	if err := b.callFiles(ctx, http.MethodPost, ep, "/channels/{channel}/messages", m, files, &sent); err != nil {
		return "", err
	}
	if sent.ID == "" {
		// Discord said yes: the message is there, we just can't name it.
		return "", &surveys.SendError{Kind: surveys.Ambiguous, Err: errors.New("discord POST /channels/{channel}/messages: no message id in the answer")}
	}
	return messageRef(channel, sent.ID), nil
}

func (b *Bot) patch(ctx context.Context, channel, id string, m message) error {
	if m.Components == nil {
		m.Components = &[]discordgo.MessageComponent{}
	}
	return b.call(ctx, http.MethodPatch, discordgo.EndpointChannelMessage(channel, id), "/channels/{channel}/messages/{message}", m, nil)
}

// channel is where a message to the address goes: the chat, or the DM
// opened with the user (POST /users/@me/channels returns the same DM again).
func (b *Bot) channel(ctx context.Context, to surveys.Address) (string, error) {
	if to.ChatID != "" {
		if !isSnowflake(to.ChatID) {
			return "", &surveys.SendError{Kind: surveys.Unreachable, Err: fmt.Errorf("discord: channel %q is not a Discord id", to.ChatID)}
		}
		return to.ChatID, nil
	}
	if !isSnowflake(to.UserID) {
		return "", &surveys.SendError{Kind: surveys.Unreachable, Err: fmt.Errorf("discord: address %s has neither a channel nor a Discord user id", to)}
	}
	var ch discordgo.Channel
	err := b.call(ctx, http.MethodPost, discordgo.EndpointUserChannels("@me"), "/users/@me/channels", map[string]string{"recipient_id": to.UserID}, &ch)
	if err != nil {
		var se *surveys.SendError
		if errors.As(err, &se) && se.Kind == surveys.Ambiguous {
			se.Kind = surveys.Failed // opening a DM posts nothing: safe to repeat
		}
		return "", err
	}
	if ch.ID == "" {
		return "", &surveys.SendError{Kind: surveys.Failed, Err: errors.New("discord POST /users/@me/channels: no channel in the answer")}
	}
	return ch.ID, nil
}

// nonce is Discord's idempotency key (≤ 25 characters) for a message to
// channel: from ref when the message has one (prompts, alerts), else from
// extra (a digest's date), else random (replies, which nobody resends).
func nonce(channel, ref, extra string) string {
	if ref == "" && extra == "" {
		var r [18]byte
		_, _ = rand.Read(r[:])
		return base64.RawURLEncoding.EncodeToString(r[:])[:24]
	}
	h := sha256.Sum256([]byte("vocbot-nonce-v1\x00" + channel + "\x00" + ref + "\x00" + extra))
	return base64.RawURLEncoding.EncodeToString(h[:])[:24]
}

func messageRef(channel, id string) surveys.MessageRef {
	return surveys.MessageRef(channel + ":" + id)
}

func parseMessageRef(ref surveys.MessageRef) (channel, id string, err error) {
	c, m, ok := strings.Cut(string(ref), ":")
	if !ok || !isSnowflake(c) || !isSnowflake(m) {
		return "", "", fmt.Errorf("discord: message ref %q is not channelID:messageID", ref)
	}
	return c, m, nil
}

// callbackKey is the HMAC key for custom_ids: the configured secret, or one
// derived from the bot token.
func callbackKey(secret []byte, token string) []byte {
	if len(secret) > 0 {
		return secret
	}
	m := hmac.New(sha256.New, []byte("vocbot discord custom_id key v1"))
	m.Write([]byte(token))
	return m.Sum(nil)
}

// jsonBody marshals a request body; nil stays nil (GET).
func jsonBody(body any) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	return json.Marshal(body)
}
