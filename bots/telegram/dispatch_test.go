package telegram

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vocbot/vocbot/surveys"
)

func textUpdate(id int, chat int64, text string) tgbotapi.Update {
	return tgbotapi.Update{UpdateID: id, Message: &tgbotapi.Message{MessageID: id, Text: text,
		From: &tgbotapi.User{ID: chat}, Chat: &tgbotapi.Chat{ID: chat, Type: "private"}}}
}

type orderHandler struct {
	mu      sync.Mutex
	byChat  map[string][]string
	release chan struct{} // the first message of chat 1 waits for it
}

func (h *orderHandler) Handle(ctx context.Context, in surveys.Incoming) error {
	if in.Text == "1a" {
		select {
		case <-h.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if in.Text == "2a" {
		close(h.release)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.byChat[in.From.ChatID] = append(h.byChat[in.From.ChatID], in.Text)
	return nil
}

// TestDispatchAllChatsSideBySideInOrder: a slow update of one chat does
// not hold up another chat's (chat 2 is handled while chat 1's first
// update waits for it), each chat's updates keep their order, and the
// offset confirms the whole batch.
func TestDispatchAllChatsSideBySideInOrder(t *testing.T) {
	t.Parallel()
	b := fuzzBot()
	b.log = slog.New(slog.DiscardHandler)
	h := &orderHandler{byChat: map[string][]string{}, release: make(chan struct{})}
	ups := []tgbotapi.Update{textUpdate(10, 1, "1a"), textUpdate(11, 2, "2a"), textUpdate(12, 1, "1b"), textUpdate(13, 2, "2b"), textUpdate(14, 1, "1c")}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if got := b.dispatchAll(ctx, h, ups, 10); got != 15 {
		t.Errorf("offset %d, want 15", got)
	}
	if got := strings.Join(h.byChat["1"], ","); got != "1a,1b,1c" {
		t.Errorf("chat 1 handled %s, want 1a,1b,1c in order", got)
	}
	if got := strings.Join(h.byChat["2"], ","); got != "2a,2b" {
		t.Errorf("chat 2 handled %s, want 2a,2b", got)
	}
}

// TestDispatchAllStopsAtFirstUnhandled: when the context ends midway, the
// offset stops at the first update not handled (1b; 1a was handled, if
// only to fail), so it is delivered again.
func TestDispatchAllStopsAtFirstUnhandled(t *testing.T) {
	t.Parallel()
	b := fuzzBot()
	b.log = slog.New(slog.DiscardHandler)
	h := &orderHandler{byChat: map[string][]string{}, release: make(chan struct{})} // never released: 1a waits
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	ups := []tgbotapi.Update{textUpdate(20, 3, "3a"), textUpdate(21, 1, "1a"), textUpdate(22, 1, "1b"), textUpdate(23, 3, "3b")}
	if got := b.dispatchAll(ctx, h, ups, 20); got != 22 {
		t.Errorf("offset %d, want 22 (update 22 was not handled)", got)
	}
	if got := strings.Join(h.byChat["3"], ","); got != "3a,3b" {
		t.Errorf("chat 3 handled %s, want 3a,3b", got)
	}
	if len(h.byChat["1"]) != 0 {
		t.Errorf("chat 1 handled %v after its first update failed", h.byChat["1"])
	}
}
