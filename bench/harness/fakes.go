package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Fakes is the platform fakes process (cmd/vocbot-fakes) and its control API.
type Fakes struct {
	*Process
	TelegramAPIURL string
	SlackAPIURL    string
	ControlURL     string
	http           *http.Client
}

// FakesOptions are the tokens the fakes accept.
type FakesOptions struct {
	TelegramToken string
	SlackToken    string
}

// StartFakes runs the fakes program and reads its endpoints.
func StartFakes(ctx context.Context, dir, bin string, opts FakesOptions) (*Fakes, error) {
	args := []string{}
	if opts.TelegramToken != "" {
		args = append(args, "-telegram-token", opts.TelegramToken)
	}
	if opts.SlackToken != "" {
		args = append(args, "-slack-token", opts.SlackToken)
	}
	p, err := Start("fakes", dir, bin, args, nil)
	if err != nil {
		return nil, err
	}
	f := &Fakes{Process: p, http: &http.Client{Timeout: 60 * time.Second}}
	err = Eventually(ctx, 20*time.Second, 20*time.Millisecond, "fakes endpoints", func() bool {
		file, err := os.Open(p.LogPath)
		if err != nil {
			return false
		}
		defer file.Close()
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			var ep struct {
				TelegramAPIURL string `json:"telegram_api_url"`
				SlackAPIURL    string `json:"slack_api_url"`
				ControlURL     string `json:"control_url"`
			}
			if json.Unmarshal(sc.Bytes(), &ep) == nil && ep.ControlURL != "" {
				f.TelegramAPIURL, f.SlackAPIURL, f.ControlURL = ep.TelegramAPIURL, ep.SlackAPIURL, ep.ControlURL
				return true
			}
		}
		return p.Exited()
	})
	if err == nil && f.ControlURL == "" {
		err = fmt.Errorf("fakes exited:\n%s", p.Tail(10))
	}
	if err != nil {
		p.Kill()
		return nil, err
	}
	return f, nil
}

func (f *Fakes) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, f.ControlURL+path, body)
	if err != nil {
		return err
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return fmt.Errorf("fakes %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("fakes %s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Fault breaks the next Count calls of a platform method; see cmd/vocbot-fakes.
type Fault struct {
	Platform   string `json:"platform"`
	Method     string `json:"method"`
	Kind       string `json:"kind"` // status | ratelimit | hang | slow | drop
	Count      int    `json:"count"`
	Status     int    `json:"status,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
	DelayMS    int    `json:"delay_ms,omitempty"`
}

// Inject queues a fault.
func (f *Fakes) Inject(ctx context.Context, ft Fault) error {
	return f.call(ctx, http.MethodPost, "/faults", ft, nil)
}

// ClearFaults drops the faults not yet applied.
func (f *Fakes) ClearFaults(ctx context.Context) error {
	return f.call(ctx, http.MethodDelete, "/faults", nil, nil)
}

// Stats are the fronts' counters.
type Stats struct {
	Calls         map[string]int `json:"calls"`   // "telegram.sendMessage" → calls
	Faulted       map[string]int `json:"faulted"` // "telegram.sendMessage.hang" → faults applied
	Limited       map[string]int `json:"limited"` // "telegram.sendMessage" → 429s for going over Telegram's limits
	PendingFaults int            `json:"pending_faults"`
}

// Stats reads the fronts' counters.
func (f *Fakes) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	err := f.call(ctx, http.MethodGet, "/stats", nil, &s)
	return s, err
}

// AddTelegramUsers makes users known to the fake Telegram (as if they had
// pressed Start); blocked ones have blocked the bot.
func (f *Fakes) AddTelegramUsers(ctx context.Context, ids []int64, language string, blocked bool) error {
	for start := 0; start < len(ids); start += 5000 {
		end := min(start+5000, len(ids))
		if err := f.call(ctx, http.MethodPost, "/telegram/users", map[string]any{"ids": ids[start:end], "language": language, "blocked": blocked}, nil); err != nil {
			return err
		}
	}
	return nil
}

// ChatCount is what one Telegram chat received.
type ChatCount struct {
	Messages int `json:"messages"`
	Surveys  int `json:"surveys"`
}

// TelegramChats is what every added user's chat received, by chat id.
func (f *Fakes) TelegramChats(ctx context.Context) (map[int64]ChatCount, error) {
	var out struct {
		Chats map[string]ChatCount `json:"chats"`
	}
	if err := f.call(ctx, http.MethodGet, "/telegram/chats", nil, &out); err != nil {
		return nil, err
	}
	m := make(map[int64]ChatCount, len(out.Chats))
	for k, v := range out.Chats {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, err
		}
		m[id] = v
	}
	return m, nil
}

// Press is one button press on the survey in a chat.
type Press struct {
	Chat   int64  `json:"chat"`
	Button string `json:"button,omitempty"`
	Data   string `json:"data,omitempty"`
}

// PressResult says whether the fake could press.
type PressResult struct {
	Chat    int64  `json:"chat"`
	QueryID string `json:"query_id"`
	Error   string `json:"error"`
}

// PressTelegram has users press a button of the first survey in their chat.
func (f *Fakes) PressTelegram(ctx context.Context, presses []Press) ([]PressResult, error) {
	var out struct {
		Results []PressResult `json:"results"`
	}
	err := f.call(ctx, http.MethodPost, "/telegram/press", map[string]any{"presses": presses}, &out)
	return out.Results, err
}

// Answer is how the bot answered one button press (callback query).
type Answer struct {
	Answered bool    `json:"answered"`
	Text     string  `json:"text"`
	DelayMS  float64 `json:"delay_ms"` // from the press to answerCallbackQuery
}

// TelegramAnswers reads how the bot answered the given callback queries.
func (f *Fakes) TelegramAnswers(ctx context.Context, ids []string) (map[string]Answer, error) {
	var out struct {
		Answers map[string]Answer `json:"answers"`
	}
	err := f.call(ctx, http.MethodPost, "/telegram/answers", map[string]any{"ids": ids}, &out)
	return out.Answers, err
}

// TelegramLimits turns the fake Telegram's flood limits on or off.
func (f *Fakes) TelegramLimits(ctx context.Context, enabled bool) error {
	return f.call(ctx, http.MethodPost, "/telegram/limits", map[string]any{"enabled": enabled}, nil)
}

// SendTelegramText has a user write text to the bot.
func (f *Fakes) SendTelegramText(ctx context.Context, chat int64, text string) error {
	return f.call(ctx, http.MethodPost, "/telegram/text", map[string]any{"chat": chat, "text": text}, nil)
}

// TelegramWebhook is the webhook the bot registered.
type TelegramWebhook struct {
	URL       string `json:"url"`
	SecretSet bool   `json:"secret_set"`
	Pending   int    `json:"pending"`
}

// TelegramWebhook reads the registered webhook and the updates not yet delivered.
func (f *Fakes) TelegramWebhook(ctx context.Context) (TelegramWebhook, error) {
	var w TelegramWebhook
	err := f.call(ctx, http.MethodGet, "/telegram/webhook", nil, &w)
	return w, err
}

// AddSlackUsers adds workspace members the bot may DM.
func (f *Fakes) AddSlackUsers(ctx context.Context, ids []string) error {
	return f.call(ctx, http.MethodPost, "/slack/users", map[string]any{"ids": ids}, nil)
}

// AddSlackChannels adds channels the bot is a member of.
func (f *Fakes) AddSlackChannels(ctx context.Context, ids []string) error {
	return f.call(ctx, http.MethodPost, "/slack/channels", map[string]any{"ids": ids}, nil)
}

// SlackCount is what chat.postMessage put in one channel.
type SlackCount struct {
	Posts   int `json:"posts"`
	Surveys int `json:"surveys"`
}

// SlackPosts counts applied chat.postMessage calls per channel.
func (f *Fakes) SlackPosts(ctx context.Context) (map[string]SlackCount, error) {
	var out struct {
		Channels map[string]SlackCount `json:"channels"`
	}
	err := f.call(ctx, http.MethodGet, "/slack/posts", nil, &out)
	return out.Channels, err
}

// SlackDM is the DM channel id the fake gives a user (see slacktest.DM).
func SlackDM(userID string) string { return "D" + strings.TrimPrefix(userID, userID[:1]) }
