package surveys

import (
	"strings"
	"testing"
	"time"
)

func TestParseAlertRef(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		id   int64
		want bool
	}{
		{"a1", 1, true},
		{"a9223372036854775807", 9223372036854775807, true},
		{"a0", 0, false},
		{"a01", 0, false},
		{"a", 0, false},
		{"a-1", 0, false},
		{"a9223372036854775808", 0, false},
		{"s12", 0, false},
		{"w12", 0, false},
		{"delete", 0, false},
		{"", 0, false},
	} {
		id, ok := ParseAlertRef(c.in)
		if id != c.id || ok != c.want {
			t.Errorf("ParseAlertRef(%q) = %d, %v; want %d, %v", c.in, id, ok, c.id, c.want)
		}
	}
	if _, err := ParseRef(Alert{ID: 12}.Ref()); err == nil {
		t.Error("ParseRef takes an alert ref for a survey ref")
	}
}

func TestIsAlertCommand(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"reply a12 Sorry about that": true,
		"reply a12":                  true,
		"resolve a3 refunded":        true,
		"resolve a3":                 true,
		"reply 12 text":              false,
		"send nps cus_1":             false,
		"stats":                      false,
		"":                           false,
	} {
		if got := IsAlertCommand(in); got != want {
			t.Errorf("IsAlertCommand(%q) = %v, want %v", in, got, want)
		}
	}
}

// Every locale has every alert wording, and the customer's reply names the
// team in their language.
func TestAlertWordings(t *testing.T) {
	t.Parallel()
	en := alertCatalog()["en"]
	if en == nil {
		t.Fatal("no English alert catalog")
	}
	prefixes := map[string]string{
		"en": "Reply from the Acme team:",
		"he": "תשובה מצוות Acme:",
		"fa": "پاسخ از تیم Acme:",
		"ar": "رد من فريق Acme:",
		"ru": "Ответ от команды Acme:",
	}
	for _, l := range Locales {
		p := AlertReplyText(l, "Acme", "We are on it")
		if !strings.Contains(p.Text, prefixes[l]) || !strings.HasSuffix(p.Text, "We are on it") {
			t.Errorf("%s reply: %q", l, p.Text)
		}
		v := AlertView{Alert: Alert{ID: 5, State: AlertOpen}, Response: Response{Metric: NPS, Score: 1, CommentState: CommentNone}, Locale: l}
		c := v.Card(AlertStyle{})
		for _, s := range append([]string{c.Title, c.Comment, c.Status, c.Hint}, labels(c.Choices)...) {
			if strings.HasPrefix(s, "alert.") {
				t.Errorf("%s: wording %q missing", l, s)
			}
		}
		if line := WaitingAlertsLine(l, 3, 24*time.Hour); line == "" || strings.HasPrefix(line, "alert.") {
			t.Errorf("%s waiting line: %q", l, line)
		}
	}
	if got := WaitingAlertsLine("en", 3, 24*time.Hour); got != "Unhappy customers waiting more than 24 h: 3" {
		t.Errorf("waiting line: %q", got)
	}
	if got := WaitingAlertsLine("en", 0, 24*time.Hour); got != "" {
		t.Errorf("no waiting alerts: %q, want no line", got)
	}
}

func labels(cs []Choice) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Label)
	}
	return out
}

func TestDigestCardCountsWaitingAlerts(t *testing.T) {
	t.Parallel()
	d := Digest{Locale: "en", WaitingAlerts: 3, AlertWaitTarget: DefaultAlertWaitTarget}
	if c := d.Card(); !strings.HasPrefix(c.Footer, "Unhappy customers waiting more than 24 h: 3\n") {
		t.Errorf("digest footer: %q", c.Footer)
	}
	d.WaitingAlerts = 0
	if c := d.Card(); strings.Contains(c.Footer, "waiting") {
		t.Errorf("digest footer without waiting alerts: %q", c.Footer)
	}
}

// The card's buttons follow the state: Claim only while open, none once
// resolved; the staff's outside text goes through the adapter's escaping.
func TestAlertCardByState(t *testing.T) {
	t.Parallel()
	esc := AlertStyle{Escape: func(s string) string { return strings.ReplaceAll(s, "<", "&lt;") },
		Mention: func(a Address) string { return "@" + a.UserID }}
	dana := Address{Platform: Slack, UserID: "U0DANA"}
	for _, c := range []struct {
		alert   Alert
		buttons int
		status  string
	}{
		{Alert{ID: 1, State: AlertOpen}, 4, "Open"},
		{Alert{ID: 1, State: AlertClaimed, Assignee: dana}, 3, "Claimed by @U0DANA"},
		{Alert{ID: 1, State: AlertResolved, Assignee: dana, Resolution: "refund <sent>"}, 0, "Resolved by @U0DANA: refund &lt;sent>"},
	} {
		v := AlertView{Alert: c.alert, Response: Response{Metric: CSAT, Score: 1, Comment: "<b>bad</b>", CommentState: CommentGiven}}
		card := v.Card(esc)
		if len(card.Choices) != c.buttons || !strings.HasPrefix(card.Status, c.status) {
			t.Errorf("%s: %d buttons, status %q; want %d, %q…", c.alert.State, len(card.Choices), card.Status, c.buttons, c.status)
		}
		if strings.Contains(card.Comment, "<b>") {
			t.Errorf("comment not escaped: %q", card.Comment)
		}
	}
}

// The card names the survey by its display title when the team gave one.
func TestAlertCardTitle(t *testing.T) {
	t.Parallel()
	r := Response{SurveyID: "nps-delivery", Metric: NPS, Score: 3}
	if got := (AlertView{Response: r}).Card(AlertStyle{}).Title; !strings.HasSuffix(got, "· nps-delivery") {
		t.Errorf("without a title: %q", got)
	}
	if got := (AlertView{Response: r, Title: "Delivery NPS"}).Card(AlertStyle{}).Title; got != "Unhappy customer · NPS 3 · Delivery NPS" {
		t.Errorf("with a title: %q", got)
	}
}
