package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/surveys"
)

// A customer who blocks the bot and later unblocks it: both arrive as
// chat events through the real SDK, and the fake refuses sends meanwhile.
func TestPollDecodesBlocks(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "en")
	rec := newRecorder()
	poll(t, bot, rec)
	from42 := surveys.Address{Platform: surveys.Telegram, ChatID: "42", UserID: "42"}

	id := fake.BlockByUser(42)
	want := surveys.Incoming{ID: "tg:" + strconv.Itoa(id), From: from42, Event: surveys.EventBlocked}
	if diff := cmp.Diff(want, rec.next(t)); diff != "" {
		t.Errorf("block (-want +got):\n%s", diff)
	}
	_, err := bot.Send(context.Background(), to("42"), npsPrompt)
	if kind, _ := surveys.FailureOf(err); err == nil || kind != surveys.Unreachable {
		t.Errorf("send after the block: %v, want unreachable", err)
	}

	id = fake.UnblockByUser(42)
	want = surveys.Incoming{ID: "tg:" + strconv.Itoa(id), From: from42, Event: surveys.EventUnblocked}
	if diff := cmp.Diff(want, rec.next(t)); diff != "" {
		t.Errorf("unblock (-want +got):\n%s", diff)
	}
	if _, err := bot.Send(context.Background(), to("42"), npsPrompt); err != nil {
		t.Errorf("send after the unblock: %v", err)
	}
}

func TestDecodeMyChatMember(t *testing.T) {
	t.Parallel()
	const bot = `"user":{"id":1,"is_bot":true,"first_name":"vocbot"}`
	update := func(chat, from, oldStatus, newStatus string) string {
		return `{"update_id":9,"my_chat_member":{"chat":` + chat + `,"from":` + from + `,"date":1,` +
			`"old_chat_member":{` + bot + `,"status":"` + oldStatus + `"},"new_chat_member":{` + bot + `,"status":"` + newStatus + `"}}}`
	}
	private := `{"id":42,"type":"private","first_name":"A"}`
	person := `{"id":42,"is_bot":false,"first_name":"A"}`
	from42 := surveys.Address{Platform: surveys.Telegram, ChatID: "42", UserID: "42"}
	tests := []struct {
		name string
		raw  string
		want surveys.Incoming // zero: skipped
	}{
		{"blocked", update(private, person, "member", "kicked"), surveys.Incoming{ID: "tg:9", From: from42, Event: surveys.EventBlocked}},
		{"unblocked", update(private, person, "kicked", "member"), surveys.Incoming{ID: "tg:9", From: from42, Event: surveys.EventUnblocked}},
		{"removed from a group", update(`{"id":-100,"type":"group","title":"G"}`, person, "member", "kicked"), surveys.Incoming{}},
		{"made admin of a channel", update(`{"id":-1001,"type":"channel","title":"C"}`, person, "member", "administrator"), surveys.Incoming{}},
		{"left status in private", update(private, person, "member", "left"), surveys.Incoming{}},
		{"empty", `{"update_id":9,"my_chat_member":{}}`, surveys.Incoming{}},
	}
	b := fuzzBot()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var u tgbotapi.Update
			if err := json.Unmarshal([]byte(tc.raw), &u); err != nil {
				t.Fatal(err)
			}
			got, err := b.decode(u)
			if tc.want == (surveys.Incoming{}) {
				if !errors.Is(err, errSkip) {
					t.Errorf("decode = %+v, %v; want skipped", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decode (-want +got):\n%s", diff)
			}
		})
	}
}
