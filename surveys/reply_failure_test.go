package surveys_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// A reply that cannot be sent after the answer is recorded (the chat is
// gone, the platform rate-limits) is not an error of Handle: the update is
// marked handled, so a platform that redelivered it after an error (Slack
// retries on a 500) would only find it done.
func TestReplyFailureAfterCommitIsNotAnError(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(77)
		inv := f.invite("cus_77", chat, "en", "ticket_closed")
		f.sender.FailTo(chat, &surveys.SendError{Kind: surveys.Unreachable, Err: errors.New("channel_not_found")})
		in := surveys.Incoming{ID: "tg:reply-fails", From: chat, Text: "5"}
		if err := f.engine.Handle(context.Background(), in); err != nil {
			t.Fatalf("Handle with a failing reply: %v, want nil (the answer is recorded)", err)
		}
		if r, ok := f.response(inv.ID); !ok || r.Score != 5 {
			t.Fatalf("response: %+v (found %v); want the 5 recorded", r, ok)
		}
	})
}
