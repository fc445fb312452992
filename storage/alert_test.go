package storage_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// alertRecorder is an AlertPoster that records posts and can fail once.
type alertRecorder struct {
	mu      sync.Mutex
	posts   []surveys.AlertView
	updates []surveys.AlertView
	thread  []string
	fail    error
}

func (p *alertRecorder) PostAlert(_ context.Context, _ surveys.Address, v surveys.AlertView) (surveys.MessageRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		err := p.fail
		p.fail = nil
		return "", err
	}
	p.posts = append(p.posts, v)
	return "C0ALERTS:1700000000.000100", nil
}

func (p *alertRecorder) UpdateAlert(_ context.Context, _ surveys.Address, _ surveys.MessageRef, v surveys.AlertView) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.updates = append(p.updates, v)
	return nil
}

var alertNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// alertFixture records a detractor's response answered at answered and
// returns the store, the alert settings at alertNow, the poster and the
// response id.
func alertFixture(t *testing.T, db *storage.DB, answered time.Time, state surveys.CommentState) (*storage.Store, storage.Alerts, *alertRecorder, int64) {
	t.Helper()
	st := storage.NewStore(db, nil)
	r := surveys.Response{CustomerID: "cus_alert", SurveyID: "nps", Metric: surveys.NPS, Score: 2, Locale: "en",
		Platform: surveys.Telegram, TouchpointType: "order_delivered", AnsweredAt: answered, CommentState: state}
	if state == surveys.CommentGiven {
		r.Comment, r.CommentAt = "cold food", answered
	}
	if err := st.ImportHistory(t.Context(), "test", []surveys.Response{r}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.Gorm().Table("responses").Select("id").Take(&id).Error; err != nil {
		t.Fatal(err)
	}
	p := &alertRecorder{}
	a := storage.Alerts{
		Targets: []surveys.Address{{Platform: surveys.Slack, ChatID: "C0ALERTS"}},
		Posters: map[surveys.Platform]surveys.AlertPoster{surveys.Slack: p},
		Now:     func() time.Time { return alertNow },
	}
	return st, a, p, id
}

func TestAlertPostedOnce(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		st, a, p, id := alertFixture(t, db, alertNow.Add(-time.Minute), surveys.CommentGiven)
		for range 2 { // a rerun (River's at-least-once) posts nothing more
			if err := storage.AlertWork(t.Context(), db, a, id, 1); err != nil {
				t.Fatal(err)
			}
		}
		if len(p.posts) != 1 || p.posts[0].Response.Comment != "cold food" {
			t.Fatalf("posts: %+v, want one with the comment", p.posts)
		}
		v, err := st.AlertView(t.Context(), p.posts[0].Alert.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Alert.MessageRef != "C0ALERTS:1700000000.000100" || v.Alert.State != surveys.AlertOpen || v.Customer.Platform != surveys.Telegram {
			t.Errorf("alert after post: %+v", v)
		}
	})
}

func TestAlertWaitsForTheComment(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, a, p, id := alertFixture(t, db, alertNow.Add(-10*time.Second), surveys.CommentAwaiting)
		var snooze *river.JobSnoozeError
		if err := storage.AlertWork(t.Context(), db, a, id, 1); !errors.As(err, &snooze) || len(p.posts) != 0 {
			t.Fatalf("within the comment wait: %v and %d posts, want a snooze and none", err, len(p.posts))
		}
		a.Now = func() time.Time { return alertNow.Add(surveys.AlertCommentWait) }
		if err := storage.AlertWork(t.Context(), db, a, id, 2); !errors.As(err, &snooze) || len(p.posts) != 1 {
			t.Fatalf("after the wait: %v and %d posts, want one post without the comment and a snooze to look for it", err, len(p.posts))
		}

		// The comment comes later: the next run redraws the alert with it.
		commented := alertNow.Add(5 * time.Minute)
		if err := db.Gorm().Exec("UPDATE responses SET comment = ?, comment_state = 'given', comment_at = ? WHERE id = ?",
			"late but honest", commented, id).Error; err != nil {
			t.Fatal(err)
		}
		a.Now = func() time.Time { return commented.Add(time.Minute) }
		if err := storage.AlertWork(t.Context(), db, a, id, 3); err != nil {
			t.Fatalf("after the comment: %v", err)
		}
		if len(p.posts) != 1 || len(p.updates) != 1 || p.updates[0].Response.Comment != "late but honest" {
			t.Fatalf("%d posts and updates %+v; want the one alert redrawn with the comment", len(p.posts), p.updates)
		}
	})
}

func TestAlertRateLimitedSnoozesThenPosts(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, a, p, id := alertFixture(t, db, alertNow.Add(-time.Minute), surveys.CommentSkipped)
		p.fail = &surveys.SendError{Kind: surveys.RateLimited, RetryAfter: 30 * time.Second, Err: errors.New("429")}
		var snooze *river.JobSnoozeError
		if err := storage.AlertWork(t.Context(), db, a, id, 1); !errors.As(err, &snooze) || snooze.Duration != 30*time.Second {
			t.Fatalf("429: got %v, want a 30s snooze", err)
		}
		if err := storage.AlertWork(t.Context(), db, a, id, 1); err != nil || len(p.posts) != 1 {
			t.Fatalf("after the snooze: %v and %d posts", err, len(p.posts))
		}
	})
}

func TestAlertAmbiguousNeverReposted(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, a, p, id := alertFixture(t, db, alertNow.Add(-time.Minute), surveys.CommentNone)
		p.fail = &surveys.SendError{Kind: surveys.Ambiguous, Err: errors.New("connection reset")}
		for range 2 {
			if err := storage.AlertWork(t.Context(), db, a, id, 1); err != nil {
				t.Fatal(err)
			}
		}
		if len(p.posts) != 0 {
			t.Fatalf("posts after an ambiguous failure: %d, want none", len(p.posts))
		}
		if status, err := storage.AlertStatus(t.Context(), db, id); err != nil || status != "unknown" {
			t.Fatalf("alert status: %q %v, want unknown", status, err)
		}
	})
}

// The desk's transitions through the store: a repeated claim changes and
// audits nothing; claimed alerts still count as waiting, resolved ones not.
func TestAlertDeskClaimTwiceAndWaitingCount(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		st, a, p, id := alertFixture(t, db, alertNow.Add(-48*time.Hour), surveys.CommentNone)
		a.Now = func() time.Time { return alertNow.Add(-47 * time.Hour) }
		if err := storage.AlertWork(t.Context(), db, a, id, 1); err != nil || len(p.posts) != 1 {
			t.Fatalf("post: %v, %d posts", err, len(p.posts))
		}
		alertID := p.posts[0].Alert.ID
		engine := surveys.NewEngine(&surveys.Settings{}, st, alertClock{alertNow})
		desk := surveys.NewAlertDesk(engine, st, nil, nil)
		dana := surveys.Address{Platform: surveys.Slack, ChatID: "C0ALERTS", UserID: "U0DANA"}
		for range 2 {
			v, err := desk.Claim(t.Context(), alertID, dana)
			if err != nil || v.Alert.State != surveys.AlertClaimed || v.Alert.Assignee.UserID != "U0DANA" {
				t.Fatalf("claim: %+v %v", v.Alert, err)
			}
		}
		elsewhere := surveys.Address{Platform: surveys.Slack, ChatID: "C0OTHER", UserID: "U0EVE"}
		if _, err := desk.Claim(t.Context(), alertID, elsewhere); !errors.Is(err, surveys.ErrAlertElsewhere) {
			t.Errorf("claim from another channel: %v, want ErrAlertElsewhere", err)
		}
		entries, _, err := st.Audit(t.Context(), storage.AuditFilter{})
		if err != nil || len(entries) != 1 || entries[0].Action != "alert.claim" || entries[0].Actor != "slack:U0DANA" {
			t.Fatalf("audit: %+v %v, want one claim by slack:U0DANA", entries, err)
		}

		for _, c := range []struct {
			since time.Time
			want  int
		}{{alertNow.Add(-surveys.DefaultAlertWaitTarget), 1}, {alertNow.Add(-72 * time.Hour), 0}} {
			if n, err := st.WaitingAlerts(t.Context(), c.since); err != nil || n != c.want {
				t.Errorf("waiting since %s: %d %v, want %d", c.since, n, err, c.want)
			}
		}
		if _, err := desk.Resolve(t.Context(), alertID, dana, ""); err != nil {
			t.Fatal(err)
		}
		if n, err := st.WaitingAlerts(t.Context(), alertNow); err != nil || n != 0 {
			t.Errorf("waiting after resolve: %d %v, want 0", n, err)
		}
		if _, err := desk.Claim(t.Context(), alertID+100, dana); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("unknown alert: %v, want ErrNotFound", err)
		}
	})
}

type alertClock struct{ t time.Time }

func (c alertClock) Now() time.Time { return c.t }

// eNPS answers are anonymous: a low one raises no alert.
func TestAlertNotForENPS(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		st := storage.NewStore(db, nil)
		r := surveys.Response{CustomerID: "emp_1", SurveyID: "enps", Metric: surveys.ENPS, Score: 1, Locale: "en",
			Platform: surveys.Slack, AnsweredAt: alertNow.Add(-time.Hour), CommentState: surveys.CommentNone}
		if err := st.ImportHistory(t.Context(), "test", []surveys.Response{r}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.Gorm().Table("responses").Select("id").Take(&id).Error; err != nil {
			t.Fatal(err)
		}
		p := &alertRecorder{}
		a := storage.Alerts{Targets: []surveys.Address{{Platform: surveys.Slack, ChatID: "C0ALERTS"}},
			Posters: map[surveys.Platform]surveys.AlertPoster{surveys.Slack: p}, Now: func() time.Time { return alertNow }}
		if err := storage.AlertWork(t.Context(), db, a, id, 1); err != nil || len(p.posts) != 0 {
			t.Fatalf("eNPS alert: %v, %d posts; want none", err, len(p.posts))
		}
	})
}

// The next digest counts the unhappy customers whose alert has waited past
// the target (24 h by default), in its footer.
func TestDigestCountsWaitingAlerts(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		st, a, p, id := alertFixture(t, db, alertNow.Add(-30*time.Hour), surveys.CommentNone)
		a.Now = func() time.Time { return alertNow.Add(-30 * time.Hour) }
		if err := storage.AlertWork(t.Context(), db, a, id, 1); err != nil || len(p.posts) != 1 {
			t.Fatalf("post: %v, %d posts", err, len(p.posts))
		}
		spec := surveys.DigestSpec{ID: "daily", To: surveys.Address{Platform: surveys.Slack, ChatID: "C1"}, At: 9 * 60,
			Timezone: time.UTC, Surveys: []string{"nps"}, Locale: "en"}
		settings := &surveys.Settings{Product: "Acme", DefaultLocale: "en", Timezone: time.UTC,
			Surveys: []surveys.Survey{{ID: "nps", Metric: surveys.NPS}}}
		for _, c := range []struct {
			target time.Duration
			want   string
		}{
			{0, "Unhappy customers waiting more than 24 h: 1\n"},
			{48 * time.Hour, ""},
		} {
			spec.AlertWaitTarget = c.target
			d, err := surveys.ComposeDigest(t.Context(), st, spec, settings, surveys.DigestThresholds{}, alertNow)
			if err != nil {
				t.Fatal(err)
			}
			footer := d.Card().Footer
			if c.want != "" && !strings.HasPrefix(footer, c.want) || c.want == "" && strings.Contains(footer, "waiting") {
				t.Errorf("target %s: footer %q, want %q", c.target, footer, c.want)
			}
		}
	})
}
