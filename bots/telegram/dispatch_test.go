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

// handleBatch gives ups to a pipeline, waits until they are handled and
// returns the offset it would confirm.
func handleBatch(ctx context.Context, b *Bot, h surveys.Handler, ups []tgbotapi.Update, offset int) int {
	p := newPipeline(ctx, b, h, offset)
	p.add(ups)
	p.wg.Wait()
	offset, _ = p.offset()
	return offset
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
	if got := handleBatch(ctx, b, h, ups, 10); got != 15 {
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
	if got := handleBatch(ctx, b, h, ups, 20); got != 22 {
		t.Errorf("offset %d, want 22 (update 22 was not handled)", got)
	}
	if got := strings.Join(h.byChat["3"], ","); got != "3a,3b" {
		t.Errorf("chat 3 handled %s, want 3a,3b", got)
	}
	if len(h.byChat["1"]) != 0 {
		t.Errorf("chat 1 handled %v after its first update failed", h.byChat["1"])
	}
}

// gateHandler holds chat 1's updates until chat 2 has one handled, and
// records what each chat got, in order.
type gateHandler struct {
	started chan struct{} // chat 1's first update began
	open    chan struct{} // chat 2 had one handled
	once    sync.Once
	mu      sync.Mutex
	byChat  map[string][]string
}

func (h *gateHandler) Handle(ctx context.Context, in surveys.Incoming) error {
	if in.From.ChatID == "1" {
		h.once.Do(func() { close(h.started) })
		select {
		case <-h.open:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h.mu.Lock()
	h.byChat[in.From.ChatID] = append(h.byChat[in.From.ChatID], in.Text)
	h.mu.Unlock()
	if in.From.ChatID == "2" {
		close(h.open)
	}
	return nil
}

// TestPollFetchesWhileAChatIsBusy: an update that arrives while another
// chat's is still being handled is fetched and handled at once (polling
// used to wait for a whole batch before fetching the next, and chat 1
// here waits for chat 2); chat 1's later update keeps its place, and on a
// graceful stop every handled update is confirmed and none is handled
// twice although the busy one was fetched again meanwhile.
func TestPollFetchesWhileAChatIsBusy(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(1, "en")
	fake.AddUser(2, "en")
	h := &gateHandler{started: make(chan struct{}), open: make(chan struct{}), byChat: map[string][]string{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Poll(ctx, h) }()
	fake.SendText(1, "1a")
	select {
	case <-h.started:
	case <-time.After(10 * time.Second):
		t.Fatal("chat 1's update was not handled")
	}
	fake.SendText(1, "1b")
	fake.SendText(2, "2a")
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		n := len(h.byChat["1"])
		h.mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("chat 2's update was not fetched while chat 1's was being handled")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Poll: %v", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if got := strings.Join(h.byChat["1"], ","); got != "1a,1b" {
		t.Errorf("chat 1 handled %s, want 1a,1b once each, in order", got)
	}
	if got := strings.Join(h.byChat["2"], ","); got != "2a" {
		t.Errorf("chat 2 handled %s, want 2a once", got)
	}
	if n := fake.Pending(); n != 0 {
		t.Errorf("%d updates left unconfirmed after a graceful stop", n)
	}
}
