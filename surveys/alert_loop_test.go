package surveys

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAlertStatus(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		a     Alert
		want  AlertStatus
		relay bool
	}{
		{"open", Alert{State: AlertOpen}, StatusOpen, false},
		{"claimed", Alert{State: AlertClaimed}, StatusClaimed, false},
		{"replied", Alert{State: AlertClaimed, FirstReplyAt: now.Add(-time.Hour), RelayUntil: now.Add(time.Hour)}, StatusReplied, true},
		{"relay ends exactly now", Alert{State: AlertClaimed, FirstReplyAt: now.Add(-time.Hour), RelayUntil: now}, StatusExpired, false},
		{"expired", Alert{State: AlertClaimed, FirstReplyAt: now.Add(-200 * time.Hour), RelayUntil: now.Add(-time.Hour)}, StatusExpired, false},
		{"resolved inside the window", Alert{State: AlertResolved, FirstReplyAt: now.Add(-time.Hour), RelayUntil: now.Add(time.Hour)}, StatusResolved, false},
		{"resolved without a reply", Alert{State: AlertResolved}, StatusResolved, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Status(now); got != tt.want {
				t.Errorf("Status: got %s, want %s", got, tt.want)
			}
			if got := tt.a.Relaying(now); got != tt.relay {
				t.Errorf("Relaying: got %v, want %v", got, tt.relay)
			}
		})
	}
}

func TestFullTimelineAddsOpenedAndExpired(t *testing.T) {
	t.Parallel()
	opened := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	reply := AlertEvent{At: opened.Add(time.Hour), Kind: EventAgentReply, From: FromAgent, Text: "sorry"}
	a := Alert{State: AlertClaimed, CreatedAt: opened, FirstReplyAt: reply.At, RelayUntil: reply.At.Add(48 * time.Hour), Timeline: []AlertEvent{reply}}
	got := a.FullTimeline(reply.At.Add(72 * time.Hour))
	want := []AlertEvent{
		{At: opened, Kind: EventOpened, From: FromVocbot},
		reply,
		{At: reply.At.Add(48 * time.Hour), Kind: EventExpired, From: FromVocbot},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("timeline (-want +got):\n%s", d)
	}
}

// Configured reasons are one button each, with values that fit Telegram's
// callback data, and read back to the reason; without them the card keeps
// handled / no action.
func TestCardReasons(t *testing.T) {
	t.Parallel()
	reasons := []string{"refund", "fixed", "explained", "no_action"}
	v := AlertView{Alert: Alert{ID: 7, State: AlertClaimed}, Locale: "he", Reasons: reasons}
	var values, labels []string
	for _, c := range v.Card(AlertStyle{}).Choices {
		values, labels = append(values, c.Value), append(labels, c.Label)
		if len(c.Value) > 8 {
			t.Errorf("button value %q is longer than 8 bytes", c.Value)
		}
	}
	if d := cmp.Diff([]string{AlertReplyValue, "r0", "r1", "r2", "r3"}, values); d != "" {
		t.Errorf("values (-want +got):\n%s", d)
	}
	if labels[1] != "סגירה: refund" {
		t.Errorf("label: %q", labels[1])
	}
	for i, r := range reasons {
		if got, ok := parseReasonValue(reasonValue(i), reasons); !ok || got != r {
			t.Errorf("reason %d: got %q %v", i, got, ok)
		}
	}
	for _, bad := range []string{"r4", "r-1", "r", "x0", "r01x"} {
		if got, ok := parseReasonValue(bad, reasons); ok {
			t.Errorf("%q read as %q", bad, got)
		}
	}
	v.Reasons = nil
	values = nil
	for _, c := range v.Card(AlertStyle{}).Choices {
		values = append(values, c.Value)
	}
	if d := cmp.Diff([]string{AlertReplyValue, alertHandledValue, alertNoActionValue}, values); d != "" {
		t.Errorf("values without reasons (-want +got):\n%s", d)
	}
}

func TestRelayedAndReminderText(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{RelayedText("en", "cus_42", "he", "מתי?"), "Customer cus_42 wrote (he):\nמתי?"},
		{RelayedText("en", "cus_42", "", "hi"), "Customer cus_42 wrote (?):\nhi"},
		{ReminderText("en", 4*time.Hour), "No reply to the customer yet: the target is 4 h. Claim it and reply."},
		{ReminderText("en", 90*time.Minute), "No reply to the customer yet: the target is 1.5 h. Claim it and reply."},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if got := RelayedText("he", "cus_42", "he", "x"); got == "" || got[len(got)-1] != 'x' {
		t.Errorf("he: %q", got)
	}
}
