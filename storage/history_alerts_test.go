package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// Past alerts are read like live ones: the alert with its timeline and
// recovery answer, the digest's alerts with their timings, the recovery
// survey under the live path's key (so importing again or resolving again
// never makes a second one); bad entries are refused with what to fix.
func TestImportAlerts(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		at := time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)
		rs := []surveys.Response{pastAnswer("cus_a", 2, at), pastAnswer("cus_b", 5, at), pastAnswer("cus_c", 3, at)}
		if err := f.store.ImportHistory(ctx, "history", rs); err != nil {
			t.Fatal(err)
		}
		maya := surveys.Address{Platform: surveys.Slack, UserID: "U1"}
		h := func(n float64) time.Time { return at.Add(time.Duration(n * float64(time.Hour))) }
		resolved := surveys.Alert{ResponseID: rs[0].ID, To: recoveryAlerts, State: surveys.AlertResolved, Assignee: maya,
			Resolution: "refund", Replies: 1, CreatedAt: h(0), ClaimedAt: h(0.5), FirstReplyAt: h(1), LastAgentAt: h(1),
			RelayUntil: h(49), ResolvedAt: h(3),
			Timeline: []surveys.AlertEvent{
				{At: h(0.5), Kind: surveys.EventClaimed, From: surveys.FromAgent, Who: maya},
				{At: h(1), Kind: surveys.EventAgentReply, From: surveys.FromAgent, Who: maya, Text: "Sorry: a refund is on its way"},
				{At: h(2), Kind: surveys.EventCustomerReply, From: surveys.FromCustomer, Locale: "he", Text: "תודה"},
				{At: h(3), Kind: surveys.EventResolved, From: surveys.FromAgent, Who: maya, Text: "refund"},
			},
			Recovery: &surveys.AlertRecovery{SurveyID: "csat-recovery", DueAt: h(51), SentAt: h(51),
				Answered: true, Metric: surveys.CSAT, Score: 5, Comment: "much better", AnsweredAt: h(52)}}
		waiting := surveys.Alert{ResponseID: rs[1].ID, To: recoveryAlerts, State: surveys.AlertOpen, CreatedAt: h(0),
			Timeline: []surveys.AlertEvent{{At: h(4), Kind: surveys.EventReminder, From: surveys.FromVocbot, Text: "nobody replied"}}}
		unanswered := surveys.Alert{ResponseID: rs[2].ID, To: recoveryAlerts, State: surveys.AlertResolved, Assignee: maya,
			Resolution: "fixed", CreatedAt: h(0), ResolvedAt: h(8),
			Recovery: &surveys.AlertRecovery{SurveyID: "csat-recovery", SentAt: h(56)}}
		alerts := []surveys.Alert{resolved, waiting, unanswered}
		if err := f.store.ImportAlerts(ctx, alerts); err != nil {
			t.Fatal(err)
		}

		v, err := f.store.AlertView(ctx, alerts[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		a := v.Alert
		if a.State != surveys.AlertResolved || a.Resolution != "refund" || a.Assignee != maya || !a.FirstReplyAt.Equal(h(1)) ||
			!a.ResolvedAt.Equal(h(3)) || len(a.Timeline) != 4 || a.Timeline[2].Text != "תודה" || v.Response.Score != 2 {
			t.Errorf("imported alert reads %+v", v)
		}
		if r := a.Recovery; r == nil || !r.Answered || r.Score != 5 || r.Comment != "much better" || !r.Recovered() ||
			r.To.Platform != surveys.Telegram || !r.AnsweredAt.Equal(h(52)) {
			t.Errorf("imported recovery reads %+v", a.Recovery)
		}
		if v, _ := f.store.AlertView(ctx, alerts[2].ID); v.Alert.Recovery == nil || v.Alert.Recovery.Answered || v.Alert.Recovery.Invitation != surveys.Sent {
			t.Errorf("a recovery survey sent and not answered reads %+v", v.Alert.Recovery)
		}
		open, _, err := f.store.Alerts(ctx, storage.AlertFilter{Status: surveys.StatusOpen})
		if err != nil || len(open) != 1 || open[0].Alert.ID != alerts[1].ID || len(open[0].Alert.Timeline) != 1 {
			t.Errorf("open alerts: %+v, %v; want the one nobody replied to, with its reminder", open, err)
		}

		window := scoring.Window{Start: at.Add(-time.Hour), End: at.Add(time.Hour)}
		got, err := f.store.DigestAlerts(ctx, surveys.DigestQuery{DigestID: "daily", Surveys: []string{"nps"}, Current: window})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || !got[0].ClaimedAt.Equal(h(0.5)) || got[0].Recovery == nil || got[0].Recovery.Score != 5 ||
			got[1].Recovery != nil || got[2].Recovery != nil || !got[2].ResolvedAt.Equal(h(8)) {
			t.Errorf("digest alerts: %+v", got)
		}
		var recoveries int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM touchpoints WHERE source = 'vocbot' AND type = 'alert_recovery'`).Scan(&recoveries); err != nil || recoveries != 2 {
			t.Errorf("%d recovery touchpoints, %v; want 2", recoveries, err)
		}

		// Again: nothing doubled, the ids are the same.
		again := []surveys.Alert{resolved, waiting, unanswered}
		if err := f.store.ImportAlerts(ctx, again); err != nil {
			t.Fatal(err)
		}
		for i := range again {
			if again[i].ID != alerts[i].ID {
				t.Errorf("imported again, alert %d has id %d, want %d", i, again[i].ID, alerts[i].ID)
			}
		}
		var n, events, answers int
		if err := db.SQL().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM alerts), (SELECT count(*) FROM alert_events),
			(SELECT count(*) FROM responses WHERE touchpoint_type = 'alert_recovery')`).Scan(&n, &events, &answers); err != nil {
			t.Fatal(err)
		}
		if n != 3 || events != 5 || answers != 1 {
			t.Errorf("after a second import: %d alerts, %d steps, %d recovery answers; want 3, 5, 1", n, events, answers)
		}

		// Backdated with the answers, as the demo does.
		if err := f.store.BackdateAlerts(ctx, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		v, err = f.store.AlertView(ctx, alerts[0].ID)
		if err != nil || !v.Alert.CreatedAt.Equal(h(-24)) || !v.Alert.ResolvedAt.Equal(h(-21)) || !v.Alert.Timeline[0].At.Equal(h(-23.5)) {
			t.Errorf("backdated: %+v, %v", v.Alert, err)
		}

		for _, tt := range []struct {
			name string
			a    surveys.Alert
			want string
		}{
			{"no response", surveys.Alert{To: recoveryAlerts, State: surveys.AlertOpen, CreatedAt: at}, "no response"},
			{"unknown response", surveys.Alert{ResponseID: 999, To: recoveryAlerts, State: surveys.AlertOpen, CreatedAt: at}, "response 999"},
			{"no channel", surveys.Alert{ResponseID: rs[0].ID, State: surveys.AlertOpen, CreatedAt: at}, "no channel"},
			{"bad state", surveys.Alert{ResponseID: rs[0].ID, To: recoveryAlerts, State: "done", CreatedAt: at}, `state "done"`},
			{"resolved without time", surveys.Alert{ResponseID: rs[0].ID, To: recoveryAlerts, State: surveys.AlertResolved, Assignee: maya, CreatedAt: at}, "a resolved alert has one"},
			{"claimed before raised", surveys.Alert{ResponseID: rs[0].ID, To: recoveryAlerts, State: surveys.AlertClaimed, Assignee: maya, CreatedAt: at, ClaimedAt: h(-1)}, "before the alert was raised"},
			{"stored opened", surveys.Alert{ResponseID: rs[0].ID, To: recoveryAlerts, State: surveys.AlertOpen, CreatedAt: at,
				Timeline: []surveys.AlertEvent{{At: at, Kind: surveys.EventOpened, From: surveys.FromVocbot}}}, `timeline step "opened"`},
			{"recovery while open", surveys.Alert{ResponseID: rs[0].ID, To: recoveryAlerts, State: surveys.AlertOpen, CreatedAt: at,
				Recovery: &surveys.AlertRecovery{SurveyID: "csat-recovery", SentAt: h(1)}}, "not resolved"},
			{"recovery score", surveys.Alert{ResponseID: rs[0].ID, To: recoveryAlerts, State: surveys.AlertResolved, Assignee: maya, CreatedAt: at, ResolvedAt: h(1),
				Recovery: &surveys.AlertRecovery{SurveyID: "csat-recovery", SentAt: h(2), Answered: true, Metric: surveys.CSAT, Score: 9, AnsweredAt: h(3)}}, "csat 9"},
		} {
			err := f.store.ImportAlerts(ctx, []surveys.Alert{tt.a})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
			}
		}
		if err := f.store.ImportAlerts(ctx, nil); err != nil {
			t.Errorf("nothing to import: %v", err)
		}
	})
}
