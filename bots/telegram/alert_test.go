package telegram

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

func staffAlert(state surveys.AlertState) surveys.AlertView {
	a := surveys.Alert{ID: 12, To: surveys.Address{Platform: surveys.Telegram, ChatID: "900"}, State: state}
	if state == surveys.AlertResolved {
		a.Assignee, a.Resolution = surveys.Address{Platform: surveys.Telegram, UserID: "555"}, surveys.AlertReasonNoAction
	}
	return surveys.AlertView{
		Alert: a,
		Response: surveys.Response{CustomerID: "cus_1", SurveyID: "csat", Metric: surveys.CSAT, Score: 1,
			Comment: "<b>awful</b> write me: dana@example.com", CommentState: surveys.CommentGiven, Locale: "en",
			TouchpointType: "ticket_closed", AnsweredAt: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)},
		Customer: surveys.Address{Platform: surveys.Telegram, ChatID: "42"},
		Locale:   "en",
	}
}

// A staff chat gets the alert with its buttons, which any member may
// press; resolving redraws the message without them.
func TestPostAlertToStaffChat(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(900, "en")
	ctx := context.Background()
	to := surveys.Address{Platform: surveys.Telegram, ChatID: "900"}
	ref, err := bot.PostAlert(ctx, to, staffAlert(surveys.AlertOpen))
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(900)
	if len(sent) != 1 {
		t.Fatalf("messages: %d, want 1", len(sent))
	}
	m := sent[0]
	if !strings.Contains(m.Text, "<b>awful</b>") || strings.Contains(m.Text, "dana@example.com") || strings.Contains(m.HTML, "<b>awful") {
		t.Errorf("alert text %q (HTML %q): want the comment escaped and redacted", m.Text, m.HTML)
	}
	var labels []string
	for _, row := range m.Keyboard {
		for _, b := range row {
			labels = append(labels, b.Text)
			ref, value, err := callbacks.Verify(bot.key, "900", "555", b.Data)
			if err != nil || ref != "a12" || value == "" {
				t.Errorf("button %q: ref %q value %q err %v; want an a12 button any member may press", b.Text, ref, value, err)
			}
		}
	}
	if got := strings.Join(labels, "|"); got != "Claim|Reply to customer|Resolve: handled|Resolve: no action needed" {
		t.Errorf("buttons: %s", got)
	}
	if err := bot.UpdateAlert(ctx, to, ref, staffAlert(surveys.AlertResolved)); err != nil {
		t.Fatal(err)
	}
	m = fake.Sent(900)[0]
	if m.Edits != 1 || len(m.Keyboard) != 0 || !strings.Contains(m.Text, "Resolved by #555: no action needed") {
		t.Errorf("after resolve: %d edits, keyboard %v, text %q", m.Edits, m.Keyboard, m.Text)
	}
}

// A customer's answer is posted as a reply to the alert message, escaped;
// a reply to a message that is gone still lands in the chat.
func TestPostInThread(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(900, "en")
	ctx := context.Background()
	to := surveys.Address{Platform: surveys.Telegram, ChatID: "900"}
	ref, err := bot.PostAlert(ctx, to, staffAlert(surveys.AlertOpen))
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.PostInThread(ctx, to, ref, "Customer cus_1 wrote (he):\n<i>when?</i>"); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(900)
	if len(sent) != 2 || sent[1].ReplyTo != sent[0].ID || sent[1].Text != "Customer cus_1 wrote (he):\n<i>when?</i>" {
		t.Fatalf("thread message: %+v, want a reply to %d with the text as written", sent[len(sent)-1], sent[0].ID)
	}
	if err := bot.PostInThread(ctx, to, "900:999", "late"); err != nil {
		t.Fatalf("reply to a deleted alert: %v", err)
	}
	if sent := fake.Sent(900); len(sent) != 3 || sent[2].ReplyTo != 0 {
		t.Errorf("reply to a deleted alert: %+v", sent[len(sent)-1])
	}
}
