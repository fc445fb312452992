package surveys_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// TestConversationOwnWording: the team's follow-up question for the
// answer's band, else its question for every band, else the built-in one
// (in a locale the team did not word); the team's thank-you.
func TestConversationOwnWording(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		locale, score string
		wantFollowUp  string // "" means the built-in question
		wantThanks    string // "" means the built-in thanks
	}{
		{"detractor", "en", "3", "What should we fix first, Acme?", "Thank you!"},
		{"promoter", "en", "10", "What did you like most?", "Thank you!"},
		{"passive falls back to every band", "en", "7", "Anything else?", "Thank you!"},
		{"hebrew detractor", "he", "0", "מה לתקן קודם ב־\u2068Acme\u2069?", "תודה רבה!"},
		{"hebrew line opening with the brand is anchored", "he", "9", "\u200f\u2068Acme\u2069 תודה!", "תודה רבה!"},
		{"a locale the team did not word", "ru", "3", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				f := newConvFixture(t, db)
				sv := &f.settings.Surveys[0] // nps
				sv.FollowUpQuestion = map[scoring.Bucket]map[string]string{
					scoring.Detractor: {"en": "What should we fix first, [X]?", "he": "מה לתקן קודם ב־[X]?"},
					scoring.Promoter:  {"en": "What did you like most?", "he": "[X] תודה!"},
					0:                 {"en": "Anything else?"},
				}
				sv.Thanks = map[string]string{"en": "Thank you!", "he": "תודה רבה!"}
				chat := tgChat(7001)
				inv := f.invite("cus_1", chat, tt.locale, "order_delivered")
				f.press(chat, surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), tt.score)
				want := tt.wantFollowUp
				if want == "" {
					want = f.settings.Text(tt.locale, surveys.MsgFollowUp, nil)
				}
				if got := f.lastText(chat); got != want {
					t.Errorf("follow-up: got %q, want %q", got, want)
				}
				f.say(chat, "The courier was late")
				want = tt.wantThanks
				if want == "" {
					want = f.settings.Text(tt.locale, surveys.MsgThanks, nil)
				}
				if got := f.lastText(chat); got != want {
					t.Errorf("thanks: got %q, want %q", got, want)
				}
			})
		})
	}
}

// TestConversationReasons: after the score the reason buttons come, in the
// customer's locale; the tapped one is stored with the response and the
// band's follow-up question follows; a second tap keeps the first reason;
// skip stores none; a survey without follow-up thanks right after.
func TestConversationReasons(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		reasons := []surveys.Reason{
			{ID: "speed", Labels: map[string]string{"en": "Speed", "he": "מהירות"}},
			{ID: "staff", Labels: map[string]string{"en": "Staff"}},
		}
		f.settings.Surveys[0].Reasons = reasons // nps, follow-up
		f.settings.Surveys[0].FollowUpQuestion = map[scoring.Bucket]map[string]string{scoring.Detractor: {"en": "What should we fix first?"}}
		f.settings.Surveys[2].Reasons = reasons // ces, no follow-up
		f.settings.Surveys[2].Thanks = map[string]string{"en": "Thanks for the reason!"}

		chat := tgChat(7101)
		inv := f.invite("cus_1", chat, "he", "order_delivered")
		f.press(chat, surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), "4")
		sent := f.sender.Sent(chat)
		ask := sent[len(sent)-1]
		wantChoices := []surveys.Choice{{Label: "מהירות", Value: "speed"}, {Label: "Staff", Value: "staff"}, {Label: f.settings.Text("he", surveys.MsgSkip, nil), Value: "skip"}}
		if diff := cmp.Diff(wantChoices, ask.Choices); diff != "" {
			t.Errorf("reason buttons (-want +got):\n%s", diff)
		}
		reasonRef := surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionReason}.String()
		if ask.Ref != reasonRef || ask.Text != f.settings.Text("he", surveys.MsgReasonAsk, nil) {
			t.Errorf("reason prompt: ref %q text %q", ask.Ref, ask.Text)
		}
		f.press(chat, reasonRef, "speed")
		if r, _ := f.response(inv.ID); r.Reason != "speed" || r.CommentState != surveys.CommentAwaiting {
			t.Errorf("after the reason: response %+v, want reason speed, comment awaited", r)
		}
		f.wantLast(chat, surveys.MsgFollowUp, "he", nil) // no Hebrew detractor question: built-in
		f.press(chat, reasonRef, "staff")
		f.wantLast(chat, surveys.MsgAlreadyAnswer, "he", map[string]any{"Score": 4})
		f.say(chat, "השליח איחר")
		if r, _ := f.response(inv.ID); r.Reason != "speed" || r.Comment != "השליח איחר" {
			t.Errorf("after the comment: response %+v, want reason speed kept and the comment", r)
		}

		// English detractor: the band question after the reason.
		chat2 := tgChat(7102)
		inv2 := f.invite("cus_2", chat2, "en", "order_delivered")
		f.press(chat2, surveys.Ref{InvitationID: inv2.ID, Question: surveys.QuestionScore}.String(), "2")
		f.press(chat2, surveys.Ref{InvitationID: inv2.ID, Question: surveys.QuestionReason}.String(), "skip")
		if got := f.lastText(chat2); got != "What should we fix first?" {
			t.Errorf("follow-up after skipping the reason: %q", got)
		}
		if r, _ := f.response(inv2.ID); r.Reason != "" {
			t.Errorf("skip stored reason %q", r.Reason)
		}

		// No follow-up: the reason, then thanks; a reason not configured is none.
		chat3 := tgChat(7103)
		ces := f.invite("cus_3", chat3, "en", "issue_resolved")
		f.press(chat3, surveys.Ref{InvitationID: ces.ID, Question: surveys.QuestionScore}.String(), "6")
		f.press(chat3, surveys.Ref{InvitationID: ces.ID, Question: surveys.QuestionReason}.String(), "price")
		if got := f.lastText(chat3); got != "Thanks for the reason!" {
			t.Errorf("thanks after the reason: %q", got)
		}
		if r, _ := f.response(ces.ID); r.Reason != "" {
			t.Errorf("an unknown reason was stored: %q", r.Reason)
		}
	})
}
