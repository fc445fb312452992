package discordtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"time"
)

// Target is where a Client delivers an interaction.
type Target struct {
	do      func(*http.Request) (*http.Response, error)
	gateway *Server
}

// URL delivers over HTTP to the full endpoint URL (…/discord/interactions);
// client nil means http.DefaultClient.
func URL(client *http.Client, endpoint string) Target {
	if client == nil {
		client = http.DefaultClient
	}
	return Target{do: func(r *http.Request) (*http.Response, error) {
		u, err := url.Parse(endpoint)
		if err != nil {
			return nil, err
		}
		r.URL, r.Host = u, u.Host
		return client.Do(r)
	}}
}

// Handler delivers in-process to vocbot's interactions handler.
func Handler(h http.Handler) Target {
	return Target{do: func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result(), nil
	}}
}

// Gateway delivers as INTERACTION_CREATE over s's gateway; vocbot answers
// through the REST callback.
func Gateway(s *Server) Target { return Target{gateway: s} }

// Client plays Discord towards vocbot: it builds interactions, signs them
// with Key (the Server's by default) and delivers them. Use another Key to
// forge, an old Now to go stale.
type Client struct {
	Server *Server
	// Key signs; nil means the Server's key.
	Key ed25519.PrivateKey
	// Now is the signing time; nil means time.Now.
	Now func() time.Time
}

// Invoker is who runs an interaction, and where.
type Invoker struct {
	UserID string
	// ChannelID: "" means the user's DM with the bot.
	ChannelID string
	// GuildID and Roles: set for a server channel (the member's roles).
	GuildID string
	Roles   []string
	Locale  string // Discord locale, e.g. "en-US", "he"; "" means "en-US"
}

// Result is how vocbot answered an interaction.
type Result struct {
	// Status is the HTTP status of the POST (0 over the gateway).
	Status int
	// ID is the interaction's id.
	ID string
	// Response is vocbot's first answer, applied to the fake; nil when
	// there was none (a 401, say).
	Response *Response
}

// Sign returns Discord's X-Signature-Timestamp and X-Signature-Ed25519 for
// a body sent at t.
func Sign(key ed25519.PrivateKey, t time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(t.Unix(), 10)
	return timestamp, hex.EncodeToString(ed25519.Sign(key, append([]byte(timestamp), body...)))
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Ping sends the PING Discord sends when the endpoint URL is saved.
func (c *Client) Ping(ctx context.Context, t Target) (Result, error) {
	id := c.Server.newID()
	it := &interaction{id: id, token: "ping-" + id, typ: typePing}
	return c.deliver(ctx, t, it, map[string]any{"id": id, "application_id": c.Server.opts.AppID, "type": typePing, "token": it.token, "version": 1})
}

// Press is inv pressing the button with customID on message m.
func (c *Client) Press(ctx context.Context, t Target, inv Invoker, m Message, customID string) (Result, error) {
	it, base := c.base(inv, typeComponent)
	it.message = m.ID
	base["message"] = messageJSON(&m, c.Server.opts.BotID)
	base["data"] = map[string]any{"custom_id": customID, "component_type": 2}
	return c.deliver(ctx, t, it, base)
}

// PressLabel is inv pressing the button labelled label on the message
// with id (as the fake holds it now).
func (c *Client) PressLabel(ctx context.Context, t Target, inv Invoker, messageID, label string) (Result, error) {
	m, ok := c.Server.Message(messageID)
	if !ok {
		return Result{}, fmt.Errorf("discordtest: no message %s", messageID)
	}
	b, ok := m.Button(label)
	if !ok {
		return Result{}, fmt.Errorf("discordtest: message %s has no button %q", messageID, label)
	}
	return c.Press(ctx, t, inv, m, b.CustomID)
}

// Submit is inv submitting modal mo (opened from message m) with values,
// one per text input in order.
func (c *Client) Submit(ctx context.Context, t Target, inv Invoker, m Message, mo Modal, values ...string) (Result, error) {
	it, base := c.base(inv, typeModal)
	it.message = m.ID
	base["message"] = messageJSON(&m, c.Server.opts.BotID)
	rows := make([]any, 0, len(mo.Inputs))
	for i, in := range mo.Inputs {
		v := ""
		if i < len(values) {
			v = values[i]
		}
		rows = append(rows, map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": in.CustomID, "value": v}}})
	}
	base["data"] = map[string]any{"custom_id": mo.CustomID, "components": rows}
	return c.deliver(ctx, t, it, base)
}

// Option is a slash command option as Discord sends it.
type Option struct {
	Name  string
	Value any
}

// Command is inv running /name [sub] with options.
func (c *Client) Command(ctx context.Context, t Target, inv Invoker, name, sub string, opts ...Option) (Result, error) {
	it, base := c.base(inv, typeCommand)
	options := make([]any, 0, len(opts))
	for _, o := range opts {
		options = append(options, map[string]any{"name": o.Name, "type": 3, "value": o.Value})
	}
	data := map[string]any{"id": c.Server.newID(), "name": name, "type": 1, "options": options}
	if sub != "" {
		data["options"] = []any{map[string]any{"name": sub, "type": 1, "options": options}}
	}
	base["data"] = data
	return c.deliver(ctx, t, it, base)
}

// base is the common part of an interaction.
func (c *Client) base(inv Invoker, typ int) (*interaction, map[string]any) {
	s := c.Server
	id := s.newID()
	it := &interaction{id: id, token: "itoken-" + id + "-" + strconv.FormatInt(time.Now().UnixNano(), 36), typ: typ, user: inv.UserID, channel: inv.ChannelID}
	if it.channel == "" {
		it.channel, _ = s.DM(inv.UserID)
	}
	locale := inv.Locale
	if locale == "" {
		locale = "en-US"
	}
	user := map[string]any{"id": inv.UserID, "username": "user" + inv.UserID, "discriminator": "0", "global_name": nil}
	base := map[string]any{"id": id, "application_id": s.opts.AppID, "type": typ, "token": it.token, "version": 1,
		"channel_id": it.channel, "locale": locale, "app_permissions": "0", "entitlements": []any{},
		"authorizing_integration_owners": map[string]any{"0": "0"}}
	if inv.GuildID != "" {
		roles := inv.Roles
		if roles == nil {
			roles = []string{}
		}
		base["guild_id"], base["guild_locale"], base["context"] = inv.GuildID, "en-US", 0
		base["member"] = map[string]any{"user": user, "roles": roles, "permissions": "0", "joined_at": "2026-01-01T00:00:00Z"}
		base["channel"] = map[string]any{"id": it.channel, "type": 0, "guild_id": inv.GuildID}
	} else {
		base["user"], base["context"] = user, 1
		base["channel"] = map[string]any{"id": it.channel, "type": 1}
	}
	return it, base
}

func (s *Server) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextID()
}

// deliver registers, signs and delivers an interaction, then applies an
// inline answer as Discord would (a 2xx with a response body).
func (c *Client) deliver(ctx context.Context, t Target, it *interaction, payload map[string]any) (Result, error) {
	s := c.Server
	it.created = s.opts.Now()
	s.register(it)
	res := Result{ID: it.id}
	body, err := json.Marshal(payload)
	if err != nil {
		return res, err
	}
	if t.gateway != nil {
		t.gateway.Dispatch("INTERACTION_CREATE", json.RawMessage(body))
		err := s.Wait(ctx, func() bool { _, ok := s.ResponseTo(it.id); return ok })
		if r, ok := s.ResponseTo(it.id); ok {
			res.Response = &r
		}
		return res, err
	}
	key := c.Key
	if key == nil {
		key = s.key
	}
	ts, sig := Sign(key, c.now(), body)
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://vocbot.invalid/discord/interactions", bytes.NewReader(body))
	if err != nil {
		return res, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	r.Header.Set("X-Signature-Timestamp", ts)
	r.Header.Set("X-Signature-Ed25519", sig)
	resp, err := t.do(r)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode/100 != 2 {
		return res, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		// Answered (or to be answered) through the REST callback instead.
		if r, ok := s.ResponseTo(it.id); ok {
			res.Response = &r
		}
		return res, nil
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		return res, fmt.Errorf("discordtest: interaction answered with Content-Type %q; Discord wants application/json", ct)
	}
	if err := s.respond(it.id, it.token, raw); err != nil {
		return res, fmt.Errorf("discordtest: Discord would refuse vocbot's answer: %d %s %v", err.Code, err.Message, err.Errors)
	}
	r2, ok := s.ResponseTo(it.id)
	if !ok {
		return res, errors.New("discordtest: no response recorded")
	}
	res.Response = &r2
	return res, nil
}
