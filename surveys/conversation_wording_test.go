package surveys_test

import (
	"testing"

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
