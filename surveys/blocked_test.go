package surveys_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// Chat events are recorded without a word to the chat: a person who
// blocked the bot cannot be written to, one who unblocked it said nothing.
// An event the Engine does not know is an error, not a silent success.
func TestChatEventsSayNothing(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(7101)
		f.invite("cus_b", chat, "en", "order_delivered")
		before := len(f.sender.Calls())
		f.handle(surveys.Incoming{ID: f.nextID(), From: chat, Event: surveys.EventBlocked})
		f.handle(surveys.Incoming{ID: f.nextID(), From: chat, Event: surveys.EventUnblocked})
		f.handle(surveys.Incoming{ID: f.nextID(), From: tgChat(7102), Event: surveys.EventBlocked}) // not linked
		if calls := f.sender.Calls(); len(calls) != before {
			t.Errorf("chat events made %d sender calls, want none: %+v", len(calls)-before, calls[before:])
		}
		err := f.engine.Handle(context.Background(), surveys.Incoming{ID: f.nextID(), From: chat, Event: "archived"})
		if err == nil || !strings.Contains(err.Error(), `unknown chat event "archived"`) {
			t.Errorf("unknown event: got %v, want an error naming it", err)
		}
	})
}
