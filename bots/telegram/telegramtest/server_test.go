package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func newAPI(t *testing.T) (*Server, *tgbotapi.BotAPI) {
	t.Helper()
	s := New("")
	t.Cleanup(s.Close)
	api, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.APIURL(), &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	return s, api
}

func apiCode(err error) (int, string) {
	var e *tgbotapi.Error
	if errors.As(err, &e) {
		return e.Code, e.Message
	}
	return 0, ""
}

func TestValidation(t *testing.T) {
	t.Parallel()
	s, api := newAPI(t)
	s.AddUser(42, "en")
	long := tgbotapi.NewMessage(42, strings.Repeat("я", 4097))
	html := tgbotapi.NewMessage(42, "1 <2")
	html.ParseMode = tgbotapi.ModeHTML
	unclosed := tgbotapi.NewMessage(42, "<b>bold")
	unclosed.ParseMode = tgbotapi.ModeHTML
	data := tgbotapi.NewMessage(42, "q")
	data.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("x", strings.Repeat("d", 65))))
	for _, tc := range []struct {
		name string
		c    tgbotapi.Chattable
		code int
		desc string
	}{
		{"text over 4096", long, 400, "message is too long"},
		{"bad HTML", html, 400, "can't parse entities"},
		{"unclosed tag", unclosed, 400, "can't parse entities"},
		{"callback data over 64 bytes", data, 400, "BUTTON_DATA_INVALID"},
		{"empty text", tgbotapi.NewMessage(42, ""), 400, "message text is empty"},
		{"unknown chat", tgbotapi.NewMessage(7, "hi"), 400, "chat not found"},
		{"unknown callback query", tgbotapi.NewCallback("nope", ""), 400, "query ID is invalid"},
	} {
		_, err := api.Request(tc.c)
		if code, desc := apiCode(err); code != tc.code || !strings.Contains(desc, tc.desc) {
			t.Errorf("%s: got %v (%d), want %d %q", tc.name, err, code, tc.code, tc.desc)
		}
	}
	ok := tgbotapi.NewMessage(42, strings.Repeat("я", 4096))
	if _, err := api.Send(ok); err != nil {
		t.Errorf("4096 characters: %v", err)
	}
	s.Block(42)
	if _, err := api.Send(ok); !strings.Contains(fmt.Sprint(err), "bot was blocked by the user") {
		t.Errorf("blocked: got %v", err)
	}
}

func TestUnknownToken(t *testing.T) {
	t.Parallel()
	s := New("")
	t.Cleanup(s.Close)
	_, err := tgbotapi.NewBotAPIWithClient("1:nope", s.APIURL(), &http.Client{})
	if code, _ := apiCode(err); code != http.StatusUnauthorized {
		t.Fatalf("got %v, want 401", err)
	}
}

// Methods returning True break the SDK's Send (#491): the fake returns
// true like Telegram, so a client that uses Send for them fails here too.
func TestTrueResults(t *testing.T) {
	t.Parallel()
	s, api := newAPI(t)
	s.AddUser(42, "en")
	m, err := api.Send(func() tgbotapi.MessageConfig {
		m := tgbotapi.NewMessage(42, "q")
		m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("1", "d1")))
		return m
	}())
	if err != nil {
		t.Fatal(err)
	}
	q1, err := s.PressButton(42, m.MessageID, "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Send(tgbotapi.NewCallback(q1, "✓")); err == nil {
		t.Error("Send(answerCallbackQuery) decoded true as a Message")
	}
	q2, _ := s.PressButton(42, m.MessageID, "d1")
	if _, err := api.Request(tgbotapi.NewCallback(q2, "✓")); err != nil {
		t.Fatal(err)
	}
	if text, ok := s.Answer(q2); !ok || text != "✓" {
		t.Errorf("answer %q, %v", text, ok)
	}
	none := tgbotapi.NewEditMessageReplyMarkup(42, m.MessageID, tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}})
	if _, err := api.Request(none); err != nil {
		t.Fatal(err)
	}
	if sent := s.Sent(42); len(sent[0].Keyboard) != 0 || sent[0].Edits != 1 || sent[0].Text != "q" {
		t.Errorf("after removing the keyboard: %+v", sent[0])
	}
	if _, err := api.Request(none); !strings.Contains(fmt.Sprint(err), "message is not modified") {
		t.Errorf("same edit again: got %v", err)
	}
}

func TestJSONBodyAndUpdates(t *testing.T) {
	t.Parallel()
	s, api := newAPI(t)
	s.AddUser(42, "en")
	body, _ := json.Marshal(map[string]any{"chat_id": 42, "text": "<b>hi</b>", "parse_mode": "HTML",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "ok", "callback_data": "d"}}}}})
	url := strings.Replace(strings.Replace(s.APIURL(), "%s", s.Token(), 1), "%s", "sendMessage", 1)
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if sent := s.Sent(42); resp.StatusCode != 200 || len(sent) != 1 || sent[0].Text != "hi" || sent[0].Keyboard[0][0].Data != "d" {
		t.Fatalf("JSON send: %d, %+v", resp.StatusCode, sent)
	}

	id := s.SendText(42, "/start abc")
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{"message"}})
	if err != nil || len(ups) != 1 || ups[0].UpdateID != id || !ups[0].Message.IsCommand() || ups[0].Message.CommandArguments() != "abc" {
		t.Fatalf("got %+v, %v", ups, err)
	}
	// Callbacks are not in the sticky allowed_updates: dropped.
	if _, err := s.PressButton(42, s.Sent(42)[0].ID, "ok"); err != nil {
		t.Fatal(err)
	}
	ups, err = api.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1})
	if err != nil || len(ups) != 0 || s.Pending() != 0 {
		t.Fatalf("got %+v, %v, %d pending", ups, err, s.Pending())
	}
	// A second poller terminates the first.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := make(chan error, 1)
	go func() {
		_, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1, Timeout: 30})
		first <- err
	}()
	if err := s.Wait(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.poller == 3 // the first is waiting
	}); err != nil {
		t.Fatal(err)
	}
	_, err = api.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1})
	if code, _ := apiCode(<-first); code != http.StatusConflict || err != nil {
		t.Errorf("first poller: got %d, want 409; second: %v", code, err)
	}
}
