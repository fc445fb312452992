package surveys_test

import (
	"testing"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

func TestDecideRecovery(t *testing.T) {
	t.Parallel()
	s := decideSettings(t)
	s.Surveys = append(s.Surveys, surveys.Survey{ID: "csat-web", Metric: surveys.CSAT, WebLink: true})
	p := surveys.RecoveryPolicy{SurveyID: "csat", After: 48 * time.Hour}
	// Resolved on Monday at 20:00 in Israel (18:00 UTC): 48 h later is
	// Wednesday 20:00, outside order_delivered's quiet hours 21:00–09:00.
	resolved := time.Date(2026, time.November, 23, 18, 0, 0, 0, time.UTC)
	jerusalem := surveys.CustomerState{TimeZone: "Asia/Jerusalem", Identities: []surveys.Address{sl, tg},
		LastSurveyAt: resolved.Add(-time.Hour)} // surveyed an hour ago: fatigue would skip anything else
	in := surveys.RecoveryInput{Customer: jerusalem, Chat: sl, TouchpointType: "order_delivered", CustomerID: "cus_1", Locale: "he"}

	d := s.DecideRecovery(p, in, resolved)
	if !d.Invited() || d.To != sl || !d.DueAt.Equal(resolved.Add(48*time.Hour)) || d.SurveyID != "csat" || d.Locale != "he" {
		t.Errorf("recovery within the fatigue gap: %+v, want scheduled 48 h later to the alert's chat (Slack, though Telegram comes first)", d)
	}
	if !d.ExpiresAt.Equal(d.DueAt.Add(surveys.DefaultExpiry)) {
		t.Errorf("expires %s, want the survey's expiry after the due time", d.ExpiresAt)
	}

	// Resolved at 23:00 Israel time: 48 h later is inside the quiet hours,
	// so it waits for 09:00 their time.
	late := time.Date(2026, time.November, 23, 21, 0, 0, 0, time.UTC)
	d = s.DecideRecovery(p, in, late)
	if want := time.Date(2026, time.November, 26, 7, 0, 0, 0, time.UTC); !d.DueAt.Equal(want) {
		t.Errorf("inside quiet hours: due %s, want %s (09:00 in Jerusalem): %s", d.DueAt, want, d.Detail)
	}

	// A touchpoint type without quiet hours uses the first rule that asks
	// the recovery survey (ticket_closed asks csat, none; lunch has 12–14).
	noon := time.Date(2026, time.November, 23, 10, 30, 0, 0, time.UTC) // 12:30 in Israel, 48 h later
	in2 := in
	in2.TouchpointType = "api_only"
	if d := s.DecideRecovery(p, in2, noon); !d.DueAt.Equal(time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("fallback quiet hours: due %s, want 14:00 in Jerusalem", d.DueAt)
	}

	// The alert's chat is gone: the preferred reachable chat.
	in3 := in
	in3.Chat = surveys.Address{Platform: surveys.Slack, UserID: "U0GONE"}
	if d := s.DecideRecovery(p, in3, resolved); d.To != tg {
		t.Errorf("alert chat gone: to %v, want Telegram", d.To)
	}

	optedOut := in
	optedOut.Customer.OptedOut = true
	if d := s.DecideRecovery(p, optedOut, resolved); d.Skip != surveys.SkipOptedOut {
		t.Errorf("opted out: %+v, want skipped opted_out", d)
	}

	nowhere := in
	nowhere.Customer.Identities = nil
	if d := s.DecideRecovery(p, nowhere, resolved); d.Skip != surveys.SkipUnreachable {
		t.Errorf("no chat: %+v, want skipped unreachable", d)
	}
	web := surveys.RecoveryPolicy{SurveyID: "csat-web", After: 48 * time.Hour}
	d = s.DecideRecovery(web, nowhere, resolved)
	if !d.Invited() || d.To != (surveys.Address{Platform: surveys.Web, UserID: "cus_1"}) || !d.DueAt.Equal(resolved.Add(48*time.Hour)) {
		t.Errorf("no chat, web_link survey: %+v, want a web link due 48 h later", d)
	}

	if d := s.DecideRecovery(surveys.RecoveryPolicy{SurveyID: "gone", After: time.Hour}, in, resolved); d.Invited() {
		t.Errorf("unknown survey: %+v, want a skip", d)
	}
}

func TestRecoveryStatusAndRecovered(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.November, 23, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		r    surveys.AlertRecovery
		want surveys.RecoveryStatus
	}{
		{surveys.AlertRecovery{Invitation: surveys.Scheduled}, surveys.RecoveryScheduled},
		{surveys.AlertRecovery{Invitation: surveys.Sending}, surveys.RecoveryScheduled},
		{surveys.AlertRecovery{Invitation: surveys.Sent}, surveys.RecoverySent},
		{surveys.AlertRecovery{Invitation: surveys.Sent, To: surveys.Address{Platform: surveys.Web}, DueAt: now.Add(time.Hour)}, surveys.RecoveryScheduled},
		{surveys.AlertRecovery{Invitation: surveys.Sent, To: surveys.Address{Platform: surveys.Web}, DueAt: now}, surveys.RecoverySent},
		{surveys.AlertRecovery{Invitation: surveys.Skipped, SkipReason: surveys.SkipOptedOut}, surveys.RecoverySkipped},
		{surveys.AlertRecovery{Invitation: surveys.Undeliverable}, surveys.RecoveryFailed},
		{surveys.AlertRecovery{Invitation: surveys.Expired}, surveys.RecoveryFailed},
		{surveys.AlertRecovery{Invitation: surveys.Unknown}, surveys.RecoveryFailed},
		{surveys.AlertRecovery{Invitation: surveys.Sent, Answered: true}, surveys.RecoveryAnswered},
	} {
		if got := c.r.Status(now); got != c.want {
			t.Errorf("%+v: %s, want %s", c.r, got, c.want)
		}
	}
	for _, c := range []struct {
		metric surveys.Metric
		score  int
		want   bool
	}{
		{surveys.NPS, 9, true}, {surveys.NPS, 8, false}, {surveys.NPS, 6, false},
		{surveys.CSAT, 4, true}, {surveys.CSAT, 3, false},
		{surveys.CES, 5, true}, {surveys.CES, 4, false},
	} {
		r := surveys.AlertRecovery{Answered: true, Metric: c.metric, Score: c.score}
		if got := r.Recovered(); got != c.want {
			t.Errorf("%s %d recovered: %v, want %v", c.metric, c.score, got, c.want)
		}
	}
	if (surveys.AlertRecovery{Metric: surveys.CSAT, Score: 5}).Recovered() {
		t.Error("an unanswered recovery counts as recovered")
	}
}
