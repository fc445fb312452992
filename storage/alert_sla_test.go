package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

func (p *alertRecorder) PostInThread(_ context.Context, _ surveys.Address, ref surveys.MessageRef, text string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.thread = append(p.thread, string(ref)+" "+text)
	return nil
}

// The first-reply target passes: exactly one reminder is posted in the
// alert's thread, however many ticks run (later ticks, a restarted
// process, replicas ticking at once), and it is on the timeline. An alert
// answered in time gets none.
func TestAlertSLAReminderOnce(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		st, a, p, id := alertFixture(t, db, alertNow.Add(-time.Minute), surveys.CommentSkipped)
		if err := storage.AlertWork(t.Context(), db, a, id, 1); err != nil {
			t.Fatal(err)
		}
		a.Policy = func(to surveys.Address) surveys.AlertPolicy {
			return surveys.AlertPolicy{To: to, FirstReplyWithin: 4 * time.Hour}
		}
		a.Locale = "en"
		tick := func(at time.Time) {
			t.Helper()
			a := a
			a.Now = func() time.Time { return at }
			if err := storage.AlertSLAWork(t.Context(), db, a); err != nil {
				t.Fatal(err)
			}
		}
		tick(alertNow.Add(3 * time.Hour))
		if len(p.thread) != 0 {
			t.Fatalf("reminded before the target passed: %q", p.thread)
		}
		var wg sync.WaitGroup
		for i := range 4 { // replicas at once, then later ticks
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := a
				a.Now = func() time.Time { return alertNow.Add(4*time.Hour + time.Duration(i)*time.Minute) }
				if err := storage.AlertSLAWork(context.Background(), db, a); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		tick(alertNow.Add(10 * time.Hour))
		want := "C0ALERTS:1700000000.000100 No reply to the customer yet: the target is 4 h. Claim it and reply."
		if len(p.thread) != 1 || p.thread[0] != want {
			t.Fatalf("thread posts: %q, want one: %q", p.thread, want)
		}
		v, err := st.AlertView(t.Context(), p.posts[0].Alert.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(v.Alert.Timeline); n != 1 || v.Alert.Timeline[0].Kind != surveys.EventReminder || v.Alert.Timeline[0].From != surveys.FromVocbot {
			t.Errorf("timeline: %+v, want the reminder", v.Alert.Timeline)
		}
	})
}

func TestAlertSLANoReminderAfterAReply(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		st, a, p, id := alertFixture(t, db, alertNow.Add(-time.Minute), surveys.CommentSkipped)
		if err := storage.AlertWork(t.Context(), db, a, id, 1); err != nil {
			t.Fatal(err)
		}
		_, _, err := st.ChangeAlert(t.Context(), p.posts[0].Alert.ID, func(al *surveys.Alert) (surveys.AuditEntry, bool) {
			al.FirstReplyAt, al.LastAgentAt, al.Replies = alertNow.Add(time.Hour), alertNow.Add(time.Hour), 1
			return surveys.AuditEntry{At: alertNow, Actor: "slack:U1", Action: "alert.reply", Target: "alert:1", Result: "ok"}, true
		})
		if err != nil {
			t.Fatal(err)
		}
		a.Policy = func(to surveys.Address) surveys.AlertPolicy {
			return surveys.AlertPolicy{To: to, FirstReplyWithin: 4 * time.Hour}
		}
		a.Now = func() time.Time { return alertNow.Add(5 * time.Hour) }
		if err := storage.AlertSLAWork(t.Context(), db, a); err != nil {
			t.Fatal(err)
		}
		if len(p.thread) != 0 {
			t.Errorf("reminded an answered alert: %q", p.thread)
		}
	})
}

// Forgetting the customer erases what was said on their alert's timeline
// and stops relaying their messages.
func TestForgetErasesAlertConversation(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		st, a, p, id := alertFixture(t, db, alertNow.Add(-time.Minute), surveys.CommentSkipped)
		if err := storage.AlertWork(t.Context(), db, a, id, 1); err != nil {
			t.Fatal(err)
		}
		alertID := p.posts[0].Alert.ID
		_, _, err := st.ChangeAlert(t.Context(), alertID, func(al *surveys.Alert) (surveys.AuditEntry, bool) {
			al.FirstReplyAt, al.LastAgentAt, al.RelayUntil = alertNow, alertNow, alertNow.Add(time.Hour)
			al.Timeline = append(al.Timeline, surveys.AlertEvent{At: alertNow, Kind: surveys.EventAgentReply, From: surveys.FromAgent,
				Who: surveys.Address{Platform: surveys.Slack, UserID: "U1"}, Text: "Dear cus_alert, sorry"})
			return surveys.AuditEntry{At: alertNow, Actor: "slack:U1", Action: "alert.reply", Target: "alert:1", Result: "ok"}, true
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ForgetBy(t.Context(), "cus_alert", surveys.AuditEntry{Actor: "cli"}); err != nil {
			t.Fatal(err)
		}
		v, err := st.AlertView(t.Context(), alertID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Alert.Timeline) != 1 || v.Alert.Timeline[0].Text != "" || !v.Alert.RelayUntil.IsZero() {
			t.Errorf("after forgetting: timeline %+v, relay until %v; want the text erased and no relay", v.Alert.Timeline, v.Alert.RelayUntil)
		}
	})
}
