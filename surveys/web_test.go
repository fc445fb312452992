package surveys_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

func TestDecideWebLink(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC) // inside the quiet hours below
	s := &surveys.Settings{
		DefaultLocale: "en", Timezone: time.UTC, MinGap: 24 * time.Hour,
		Surveys: []surveys.Survey{
			{ID: "web", Metric: surveys.CSAT, ExpiresAfter: 48 * time.Hour, WebLink: true},
			{ID: "chat", Metric: surveys.CSAT},
		},
		Rules: []surveys.Rule{
			{Type: "delivered", SurveyID: "web", Delay: 2 * time.Hour, Sample: 1, Quiet: surveys.QuietHours{Start: 21 * 60, End: 9 * 60}},
			{Type: "closed", SurveyID: "chat", Sample: 1},
		},
		Enabled: []surveys.Platform{surveys.Telegram},
	}
	slack := surveys.Address{Platform: surveys.Slack, UserID: "U0123"}
	tg := surveys.Address{Platform: surveys.Telegram, ChatID: "42", UserID: "42"}
	tests := []struct {
		name   string
		typ    string
		st     surveys.CustomerState
		to     surveys.Platform
		skip   surveys.SkipReason
		detail string
	}{
		{"no chat: a web link, now, whatever the delay and quiet hours", "delivered", surveys.CustomerState{}, surveys.Web, "", "a web link for the customer to answer in a browser (no chat to send to: no chat identity"},
		{"only on a platform without credentials", "delivered", surveys.CustomerState{Identities: []surveys.Address{slack}}, surveys.Web, "", "a web link for the customer to answer in a browser (no chat to send to: reachable only on [slack]"},
		{"reachable in a chat: the chat", "delivered", surveys.CustomerState{Identities: []surveys.Address{tg}}, surveys.Telegram, "", "scheduled for"},
		{"survey without web_link", "closed", surveys.CustomerState{}, "", surveys.SkipUnreachable, "no chat identity"},
		{"opted out", "delivered", surveys.CustomerState{OptedOut: true}, "", surveys.SkipOptedOut, "opted out"},
		{"fatigue holds", "delivered", surveys.CustomerState{LastSurveyAt: now.Add(-time.Hour)}, "", surveys.SkipFatigue, "surveyed"},
	}
	for _, tt := range tests {
		d := s.Decide(surveys.Touchpoint{Type: tt.typ, OccurredAt: now, Customer: surveys.Customer{ExternalID: "cus_1"}}, tt.st, now)
		if (tt.skip == "" && d.To.Platform != tt.to) || d.Skip != tt.skip || !strings.Contains(d.Detail, tt.detail) {
			t.Errorf("%s: got to %q skip %q detail %q, want to %q skip %q detail with %q", tt.name, d.To.Platform, d.Skip, d.Detail, tt.to, tt.skip, tt.detail)
		}
		if tt.to == surveys.Web {
			if d.To.UserID != "cus_1" || !d.DueAt.Equal(now) || !d.ExpiresAt.Equal(now.Add(48*time.Hour)) {
				t.Errorf("%s: got to %+v due %s expires %s, want the customer, now, 48h", tt.name, d.To, d.DueAt, d.ExpiresAt)
			}
		}
	}
}
