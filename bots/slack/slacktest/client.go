package slacktest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// Target is where a Client delivers a request: a URL or an http.Handler.
type Target func(*http.Request) (*http.Response, error)

// URL delivers over HTTP to the full endpoint URL (…/slack/events);
// client nil means http.DefaultClient.
func URL(client *http.Client, endpoint string) Target {
	if client == nil {
		client = http.DefaultClient
	}
	return func(r *http.Request) (*http.Response, error) {
		u, err := url.Parse(endpoint)
		if err != nil {
			return nil, err
		}
		r.URL, r.Host = u, u.Host
		return client.Do(r)
	}
}

// Handler delivers in-process; the response is fully recorded.
func Handler(h http.Handler) Target {
	return func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result(), nil
	}
}

// Client plays Slack towards vocbot's Request URLs, signing every request.
// Use a wrong SigningSecret to forge, an old Now to go stale.
type Client struct {
	SigningSecret string
	// Now is the signing time; nil means time.Now.
	Now    func() time.Time
	TeamID string // default "T0VOCBOT"
	// HooksURL is where response_url points, ending in "/"; set it to
	// Server.HooksURL to have the fake take the replies. Default
	// "https://hooks.slack.invalid/".
	HooksURL string
	seq      atomic.Int64
}

// Sign returns Slack's X-Slack-Request-Timestamp and X-Slack-Signature for
// a body sent at t.
func Sign(secret string, t time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", timestamp)
	mac.Write(body)
	return timestamp, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// Post signs body and delivers it with the given content type and extra headers.
func (c *Client) Post(ctx context.Context, t Target, contentType string, body []byte, header http.Header) (*http.Response, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://slack.invalid/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		r.Header[k] = v
	}
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	ts, sig := Sign(c.SigningSecret, c.now(), body)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", sig)
	return t(r)
}

func (c *Client) team() string {
	if c.TeamID == "" {
		return "T0VOCBOT"
	}
	return c.TeamID
}

// responseURL is a response_url for request n; it carries its issue time,
// so the fake knows when it expires.
func (c *Client) responseURL(kind string, n int64) string {
	base := c.HooksURL
	if base == "" {
		base = "https://hooks.slack.invalid/"
	}
	return fmt.Sprintf("%s%s/%s/%d/%d", base, kind, c.team(), n, c.now().Unix())
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// next returns a fresh number for ids.
func (c *Client) next() int64 { return c.seq.Add(1) }

// URLVerification sends the challenge Slack sends when a Request URL is saved.
func (c *Client) URLVerification(ctx context.Context, t Target, challenge string) (*http.Response, error) {
	body, _ := json.Marshal(map[string]string{"token": "legacy-verification-token", "challenge": challenge, "type": "url_verification"})
	return c.Post(ctx, t, "application/json", body, nil)
}

// IM is a message a person writes in their DM with the bot.
type IM struct {
	EventID  string // default: a fresh "Ev…" id
	User     string
	Channel  string // the DM channel (see DM)
	Text     string // as typed; escaped here like Slack does
	TS       string // default: derived from the event number
	RetryNum int    // > 0 sends X-Slack-Retry-Num/-Reason like a redelivery
	BotID    string // set to simulate a bot's message
	SubType  string // e.g. "message_changed"
}

// MessageIM delivers a message.im event_callback and returns the event id used.
func (c *Client) MessageIM(ctx context.Context, t Target, m IM) (string, *http.Response, error) {
	eventID, body := c.messageIM(m)
	var h http.Header
	if m.RetryNum > 0 {
		h = http.Header{"X-Slack-Retry-Num": {strconv.Itoa(m.RetryNum)}, "X-Slack-Retry-Reason": {"http_timeout"}}
	}
	res, err := c.Post(ctx, t, "application/json", body, h)
	return eventID, res, err
}

// messageIM is the event_callback body of m (the Socket Mode payload too).
func (c *Client) messageIM(m IM) (eventID string, body []byte) {
	n := c.next()
	if m.EventID == "" {
		m.EventID = fmt.Sprintf("Ev%08d", n)
	}
	if m.TS == "" {
		m.TS = fmt.Sprintf("1700000000.%06d", n)
	}
	inner := map[string]any{
		"type": "message", "user": m.User, "text": escape(m.Text), "ts": m.TS, "event_ts": m.TS,
		"channel": m.Channel, "channel_type": "im", "client_msg_id": fmt.Sprintf("msg-%d", n),
	}
	if m.BotID != "" {
		inner["bot_id"] = m.BotID
		inner["subtype"] = "bot_message"
	}
	if m.SubType != "" {
		inner["subtype"] = m.SubType
	}
	body, _ = json.Marshal(map[string]any{
		"token": "legacy-verification-token", "team_id": c.team(), "api_app_id": "A0VOCBOT",
		"event": inner, "type": "event_callback", "event_id": m.EventID, "event_time": 1700000000,
		"authorizations": []map[string]any{{"team_id": c.team(), "user_id": "U0VOCBOT", "is_bot": true}},
	})
	return m.EventID, body
}

// Button is an interactive button in a posted message.
type Button struct {
	BlockID, ActionID, Text, Value string
}

// Buttons lists the message's buttons in order.
func (m Message) Buttons() []Button {
	var blocks []struct {
		Type     string `json:"type"`
		BlockID  string `json:"block_id"`
		Elements []struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Text     struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"elements"`
	}
	if json.Unmarshal(m.Blocks, &blocks) != nil {
		return nil
	}
	var out []Button
	for _, b := range blocks {
		if b.Type != "actions" {
			continue
		}
		for _, e := range b.Elements {
			if e.Type == "button" {
				out = append(out, Button{BlockID: b.BlockID, ActionID: e.ActionID, Text: e.Text.Text, Value: e.Value})
			}
		}
	}
	return out
}

// Button finds the button labelled text.
func (m Message) Button(text string) (Button, bool) {
	for _, b := range m.Buttons() {
		if b.Text == text {
			return b, true
		}
	}
	return Button{}, false
}

// Press sends the block_actions payload of user pressing b on message m,
// as Slack does; b must be one of m's buttons.
func (c *Client) Press(ctx context.Context, t Target, user string, m Message, b Button) (*http.Response, error) {
	payload, err := c.press(user, m, b)
	if err != nil {
		return nil, err
	}
	body := []byte(url.Values{"payload": {string(payload)}}.Encode())
	return c.Post(ctx, t, "application/x-www-form-urlencoded", body, nil)
}

// press is the block_actions JSON of a press (the form field payload over
// HTTP, the envelope payload in Socket Mode).
func (c *Client) press(user string, m Message, b Button) ([]byte, error) {
	found := false
	for _, mb := range m.Buttons() {
		found = found || mb == b
	}
	if !found {
		return nil, errors.New("slacktest: the button is not on the message")
	}
	n := c.next()
	actionTS := fmt.Sprintf("1700000001.%06d", n)
	msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User, "bot_id": m.BotID}
	if m.Blocks != nil {
		msg["blocks"] = m.Blocks
	}
	payload, _ := json.Marshal(map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": user, "username": "user-" + user, "team_id": c.team()},
		"api_app_id":   "A0VOCBOT",
		"token":        "legacy-verification-token",
		"container":    map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": false},
		"trigger_id":   fmt.Sprintf("%d.1700000001.trigger", n),
		"team":         map[string]any{"id": c.team(), "domain": "vocbot-test"},
		"channel":      map[string]any{"id": m.Channel, "name": "directmessage"},
		"message":      msg,
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": c.responseURL("actions", n),
		"actions": []map[string]any{{
			"action_id": b.ActionID, "block_id": b.BlockID, "value": b.Value, "type": "button",
			"text": map[string]any{"type": "plain_text", "text": b.Text}, "action_ts": actionTS,
		}},
	})
	return payload, nil
}

// Command is a slash command invocation.
type Command struct {
	User, Channel string
	Command       string // default "/survey"
	Text          string // as typed; escaped here like Slack does
}

// SlashCommand sends the form Slack posts for a slash command.
func (c *Client) SlashCommand(ctx context.Context, t Target, cmd Command) (*http.Response, error) {
	body := []byte(c.slashCommand(cmd).Encode())
	return c.Post(ctx, t, "application/x-www-form-urlencoded", body, nil)
}

// slashCommand is the form of a slash command; Socket Mode sends the same
// fields as a JSON object of strings.
func (c *Client) slashCommand(cmd Command) url.Values {
	if cmd.Command == "" {
		cmd.Command = "/survey"
	}
	n := c.next()
	return url.Values{
		"token": {"legacy-verification-token"}, "team_id": {c.team()}, "team_domain": {"vocbot-test"},
		"channel_id": {cmd.Channel}, "channel_name": {"cx-team"}, "user_id": {cmd.User}, "user_name": {"user-" + cmd.User},
		"command": {cmd.Command}, "text": {escape(cmd.Text)}, "api_app_id": {"A0VOCBOT"}, "is_enterprise_install": {"false"},
		"response_url": {c.responseURL("commands", n)},
		"trigger_id":   {fmt.Sprintf("%d.1700000002.trigger", n)},
	}
}

// escape applies Slack's escaping of typed text: &, < and >. Mentions in
// the form Slack writes them (<@U123|dana>) pass through.
func escape(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		if m := mentionAt(s[i:]); m > 0 {
			b.WriteString(s[i : i+m])
			i += m - 1
			continue
		}
		switch s[i] {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// mentionAt is the length of a <@U…> or <@U…|name> mention at the start of s, or 0.
func mentionAt(s string) int {
	if len(s) < 4 || s[0] != '<' || s[1] != '@' || (s[2] != 'U' && s[2] != 'W') {
		return 0
	}
	for i := 3; i < len(s); i++ {
		switch c := s[i]; {
		case c == '>':
			return i + 1
		case c == '|':
			for j := i + 1; j < len(s); j++ {
				if s[j] == '>' {
					return j + 1
				}
				if s[j] == '<' {
					return 0
				}
			}
			return 0
		case (c < 'A' || c > 'Z') && (c < '0' || c > '9'):
			return 0
		}
	}
	return 0
}
