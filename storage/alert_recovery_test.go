package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

var recoveryAlerts = surveys.Address{Platform: surveys.Slack, ChatID: "C0ALERTS"}

func recoverySettings() *surveys.Settings {
	s := testSettings()
	s.Rules[0].Delay = 0
	s.Surveys = append(s.Surveys, surveys.Survey{ID: "csat-recovery", Metric: surveys.CSAT, ExpiresAfter: 72 * time.Hour})
	s.Alerts = []surveys.AlertPolicy{{To: recoveryAlerts, Reasons: []string{"refund", "fixed"},
		Recovery: &surveys.RecoveryPolicy{SurveyID: "csat-recovery", After: 48 * time.Hour}}}
	return s
}

// replica is one process's view of the database: its own store, job
// client, engine and alert desk.
type replica struct {
	store *storage.Store
	desk  *surveys.AlertDesk
	eng   *surveys.Engine
}

func newReplica(t *testing.T, db *storage.DB, settings *surveys.Settings, clock surveys.Clock) replica {
	t.Helper()
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	st := storage.NewStore(db, jobs)
	eng := surveys.NewEngine(settings, st, clock)
	eng.SetSenders(map[surveys.Platform]surveys.Sender{surveys.Telegram: &surveystest.Sender{}})
	return replica{store: st, eng: eng, desk: surveys.NewAlertDesk(eng, st, nil, nil)}
}

// detractorAlert surveys a customer on Telegram, records a score of 2 and
// posts its alert; it returns the alert's id.
func detractorAlert(t *testing.T, db *storage.DB, r replica, customer string, chat int64) int64 {
	t.Helper()
	res, err := r.eng.Ingest(t.Context(), touchpoint("evt_"+customer, customer, chat))
	if err != nil || res.Invitation.Status != surveys.Scheduled {
		t.Fatalf("ingest: %+v %v", res.Invitation, err)
	}
	if err := storage.InsertTestResponse(t.Context(), db, res.Invitation.ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm().Exec("UPDATE responses SET touchpoint_type = 'order_delivered' WHERE invitation_id = ?", res.Invitation.ID).Error; err != nil {
		t.Fatal(err)
	}
	var respID int64
	if err := db.Gorm().Table("responses").Select("id").Where("invitation_id = ?", res.Invitation.ID).Take(&respID).Error; err != nil {
		t.Fatal(err)
	}
	p := &alertRecorder{}
	a := storage.Alerts{Targets: []surveys.Address{recoveryAlerts}, Posters: map[surveys.Platform]surveys.AlertPoster{surveys.Slack: p}}
	if err := storage.AlertWork(t.Context(), db, a, respID, 1); err != nil {
		t.Fatal(err)
	}
	var alertID int64
	if err := db.Gorm().Table("alerts").Select("id").Where("response_id = ?", respID).Take(&alertID).Error; err != nil {
		t.Fatal(err)
	}
	return alertID
}

func count(t *testing.T, db *storage.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

var staffDana = surveys.Address{Platform: surveys.Slack, ChatID: "C0ALERTS", UserID: "U0DANA"}

// Resolving an alert makes exactly one recovery invitation and one
// delivery job, due 48 h later: whether two replicas resolve it at the same
// moment (each its own database handle on PostgreSQL), a button is pressed
// again, or a restarted process resolves it once more.
func TestRecoveryScheduledOnce(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			url := storagetest.URL(t, e)
			open := func() *storage.DB {
				db, err := storage.Open(context.Background(), url, storage.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				return db
			}
			db := open()
			if _, err := db.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			other := db
			if e == storage.Postgres {
				other = open() // a second process's connections
			}
			settings := recoverySettings()
			clock := surveystest.NewClock(alertNow)
			a, b := newReplica(t, db, settings, clock), newReplica(t, other, settings, clock)
			id := detractorAlert(t, db, a, "cus_rec", 4401)
			clock.Set(alertNow.Add(3 * time.Hour))
			resolvedAt := clock.Now()

			var wg sync.WaitGroup
			for i := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := []replica{a, b}[i%2]
					if _, err := r.desk.Resolve(context.Background(), id, staffDana, "refund"); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if e == storage.SQLite {
				// One process per SQLite file: the restart comes after it.
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
			}
			db = open()
			restarted := newReplica(t, db, settings, clock)
			if _, err := restarted.desk.Resolve(t.Context(), id, staffDana, "fixed"); err != nil {
				t.Fatal(err)
			}
			if err := restarted.desk.Handle(t.Context(), surveys.Incoming{ID: "press-again", From: staffDana,
				Ref: fmt.Sprintf("a%d", id), Value: "r0"}); err != nil {
				t.Fatal(err)
			}

			if n := count(t, db, "SELECT count(*) FROM touchpoints WHERE source = 'vocbot' AND type = ?", surveys.RecoveryTouchpointType); n != 1 {
				t.Errorf("recovery touchpoints: %d, want 1", n)
			}
			if n := count(t, db, "SELECT count(*) FROM invitations WHERE survey_id = 'csat-recovery'"); n != 1 {
				t.Errorf("recovery invitations: %d, want 1", n)
			}
			// The customer's first survey and the recovery survey.
			if n := count(t, db, "SELECT count(*) FROM river_job WHERE kind = 'send_survey'"); n != 2 {
				t.Errorf("delivery jobs: %d, want 2 (the first survey and one recovery survey)", n)
			}
			v, err := restarted.store.AlertView(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			r := v.Alert.Recovery
			if r == nil {
				t.Fatal("the resolved alert has no recovery survey")
			}
			if r.SurveyID != "csat-recovery" || r.Status(clock.Now()) != surveys.RecoveryScheduled || !r.DueAt.Equal(resolvedAt.Add(48*time.Hour)) ||
				r.To != (surveys.Address{Platform: surveys.Telegram, ChatID: "4401", UserID: "4401"}) {
				t.Errorf("recovery: %+v, want csat-recovery scheduled at %s to the survey's chat", r, resolvedAt.Add(48*time.Hour))
			}
			if v.Alert.Resolution != "refund" {
				t.Errorf("resolution %q, want the first one", v.Alert.Resolution)
			}
		})
	}
}

func recoveryInvitation(t *testing.T, db *storage.DB, alertID int64) int64 {
	t.Helper()
	var id *int64
	if err := db.Gorm().Raw("SELECT recovery_invitation_id FROM alerts WHERE id = ?", alertID).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	if id == nil {
		t.Fatalf("alert %d has no recovery invitation", alertID)
	}
	return *id
}

// A customer who opted out before the resolution gets no recovery survey:
// it is recorded as skipped with the reason. One who says /stop while it
// waits has it skipped too. Fatigue does not apply: the customer was
// surveyed hours ago.
func TestRecoveryOptOut(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		clock := surveystest.NewClock(alertNow)
		r := newReplica(t, db, recoverySettings(), clock)
		before := detractorAlert(t, db, r, "cus_out", 4402)
		waiting := detractorAlert(t, db, r, "cus_later", 4403)
		if err := db.Gorm().Exec("UPDATE customers SET opted_out_at = ? WHERE external_id = 'cus_out'", alertNow).Error; err != nil {
			t.Fatal(err)
		}
		clock.Set(alertNow.Add(time.Hour))
		for _, id := range []int64{before, waiting} {
			if _, err := r.desk.Resolve(t.Context(), id, staffDana, "fixed"); err != nil {
				t.Fatal(err)
			}
		}
		v, err := r.store.AlertView(t.Context(), before)
		if err != nil {
			t.Fatal(err)
		}
		if rec := v.Alert.Recovery; rec == nil || rec.Status(clock.Now()) != surveys.RecoverySkipped || rec.SkipReason != surveys.SkipOptedOut {
			t.Fatalf("opted-out customer's recovery: %+v, want skipped (opted_out)", rec)
		}
		v, _ = r.store.AlertView(t.Context(), waiting)
		if rec := v.Alert.Recovery; rec == nil || rec.Status(clock.Now()) != surveys.RecoveryScheduled {
			t.Fatalf("recovery within the fatigue gap: %+v, want scheduled (no fatigue)", rec)
		}
		clock.Set(alertNow.Add(2 * time.Hour))
		if err := r.eng.Handle(t.Context(), surveys.Incoming{ID: "stop-4403", From: surveys.Address{Platform: surveys.Telegram, ChatID: "4403", UserID: "4403"},
			Text: "/stop"}); err != nil {
			t.Fatal(err)
		}
		v, _ = r.store.AlertView(t.Context(), waiting)
		if rec := v.Alert.Recovery; rec == nil || rec.Status(clock.Now()) != surveys.RecoverySkipped || rec.SkipReason != surveys.SkipOptedOut {
			t.Fatalf("recovery after /stop: %+v, want skipped (opted_out)", rec)
		}
	})
}

// The recovery answer is an ordinary response to the recovery invitation;
// the alert shows it, and its own alert (a low recovery answer) asks no
// second recovery survey. An alert whose relay window passed unresolved
// gets none when resolved late.
func TestRecoveryAnsweredAndNoSecondRound(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		clock := surveystest.NewClock(alertNow)
		r := newReplica(t, db, recoverySettings(), clock)
		id := detractorAlert(t, db, r, "cus_ans", 4404)
		if _, err := r.desk.Resolve(t.Context(), id, staffDana, "refund"); err != nil {
			t.Fatal(err)
		}
		inv := recoveryInvitation(t, db, id)
		if err := storage.InsertTestResponse(t.Context(), db, inv, 5); err != nil {
			t.Fatal(err)
		}
		if err := db.Gorm().Exec("UPDATE responses SET metric = 'csat', touchpoint_type = ?, comment = 'much better', comment_state = 'given' WHERE invitation_id = ?",
			surveys.RecoveryTouchpointType, inv).Error; err != nil {
			t.Fatal(err)
		}
		v, err := r.store.AlertView(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		rec := v.Alert.Recovery
		if rec == nil || rec.Status(clock.Now()) != surveys.RecoveryAnswered || rec.Score != 5 || rec.Comment != "much better" || !rec.Recovered() {
			t.Fatalf("answered recovery: %+v", rec)
		}

		// The recovery answer of another customer is low: its alert, once
		// resolved, asks nothing more.
		second := detractorAlert(t, db, r, "cus_again", 4405)
		if err := db.Gorm().Exec("UPDATE responses SET touchpoint_type = ? WHERE id = (SELECT response_id FROM alerts WHERE id = ?)",
			surveys.RecoveryTouchpointType, second).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := r.desk.Resolve(t.Context(), second, staffDana, "fixed"); err != nil {
			t.Fatal(err)
		}
		if v, _ := r.store.AlertView(t.Context(), second); v.Alert.Recovery != nil {
			t.Errorf("a recovery answer's alert got a recovery survey: %+v", v.Alert.Recovery)
		}

		// Expired: a staff reply opened a relay window that passed.
		expired := detractorAlert(t, db, r, "cus_gone", 4406)
		if err := db.Gorm().Exec("UPDATE alerts SET first_reply_at = ?, last_agent_at = ?, relay_until = ? WHERE id = ?",
			alertNow, alertNow, alertNow.Add(time.Hour), expired).Error; err != nil {
			t.Fatal(err)
		}
		clock.Set(alertNow.Add(2 * time.Hour))
		if _, err := r.desk.Resolve(t.Context(), expired, staffDana, "fixed"); err != nil {
			t.Fatal(err)
		}
		if v, _ := r.store.AlertView(t.Context(), expired); v.Alert.Recovery != nil {
			t.Errorf("an expired alert got a recovery survey: %+v", v.Alert.Recovery)
		}
	})
}

type fakeLinks struct{}

func (fakeLinks) WebURL(inv surveys.Invitation) string {
	return fmt.Sprintf("https://vocbot.example/a/%d", inv.ID)
}

// A customer with no chat left gets the recovery survey as a web link when
// the survey allows one: scheduled until its due time, then handed out
// through the alert (nothing is sent, no job is queued).
func TestRecoveryWebLink(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		clock := surveystest.NewClock(alertNow)
		settings := recoverySettings()
		settings.Surveys[1].WebLink = true
		r := newReplica(t, db, settings, clock)
		r.eng.SetWebLinks(fakeLinks{})
		id := detractorAlert(t, db, r, "cus_web", 4407)
		if err := db.Gorm().Exec("DELETE FROM identities").Error; err != nil {
			t.Fatal(err)
		}
		if _, err := r.desk.Resolve(t.Context(), id, staffDana, "fixed"); err != nil {
			t.Fatal(err)
		}
		v, err := r.store.AlertView(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		rec := v.Alert.Recovery
		due := alertNow.Add(48 * time.Hour)
		if rec == nil || rec.To.Platform != surveys.Web || !rec.DueAt.Equal(due) || rec.Status(clock.Now()) != surveys.RecoveryScheduled {
			t.Fatalf("web recovery: %+v, want a web link due %s", rec, due)
		}
		if u := r.eng.RecoveryURL(v); u != "" {
			t.Errorf("link handed out before its due time: %s", u)
		}
		if n := count(t, db, "SELECT count(*) FROM river_job WHERE kind = 'send_survey'"); n != 1 {
			t.Errorf("delivery jobs: %d, want only the first survey's", n)
		}
		clock.Set(due)
		if rec.Status(clock.Now()) != surveys.RecoverySent {
			t.Errorf("at its due time: %s, want sent", rec.Status(clock.Now()))
		}
		if u := r.eng.RecoveryURL(v); u != fmt.Sprintf("https://vocbot.example/a/%d", rec.InvitationID) {
			t.Errorf("link %q", u)
		}
	})
}

// The digest reads the alerts of its surveys raised in its window, with
// their timings and recovery answers.
func TestDigestAlerts(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		clock := surveystest.NewClock(alertNow)
		r := newReplica(t, db, recoverySettings(), clock)
		id := detractorAlert(t, db, r, "cus_dg", 4408)
		clock.Set(alertNow.Add(90 * time.Minute))
		if _, err := r.desk.Resolve(t.Context(), id, staffDana, "fixed"); err != nil {
			t.Fatal(err)
		}
		if err := storage.InsertTestResponse(t.Context(), db, recoveryInvitation(t, db, id), 4); err != nil {
			t.Fatal(err)
		}
		if err := db.Gorm().Exec("UPDATE responses SET metric = 'csat' WHERE invitation_id = ?", recoveryInvitation(t, db, id)).Error; err != nil {
			t.Fatal(err)
		}
		created := count(t, db, "SELECT count(*) FROM alerts")
		var at time.Time
		if err := db.Gorm().Raw("SELECT created_at FROM alerts WHERE id = ?", id).Scan(&at).Error; err != nil {
			t.Fatal(err)
		}
		q := surveys.DigestQuery{DigestID: "d", Surveys: []string{"nps"}, Current: scoringWindow(at.Add(-time.Hour), at.Add(time.Hour))}
		got, err := r.store.DigestAlerts(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if created != 1 || len(got) != 1 {
			t.Fatalf("digest alerts: %+v", got)
		}
		a := got[0]
		if a.To != recoveryAlerts || a.ResolvedAt.IsZero() || a.ClaimedAt.IsZero() || !a.FirstReplyAt.IsZero() ||
			a.Recovery == nil || !a.Recovery.Recovered() {
			t.Errorf("digest alert: %+v (recovery %+v)", a, a.Recovery)
		}
		for _, q := range []surveys.DigestQuery{
			{Surveys: []string{"csat"}, Current: q.Current},
			{Surveys: []string{"nps"}, Current: scoringWindow(at.Add(time.Second), at.Add(time.Hour))},
		} {
			if got, err := r.store.DigestAlerts(t.Context(), q); err != nil || len(got) != 0 {
				t.Errorf("outside the digest (%v): %+v %v", q.Surveys, got, err)
			}
		}
	})
}

func scoringWindow(start, end time.Time) scoring.Window {
	return scoring.Window{Start: start, End: end}
}

// Resolving an alert takes its customer's row lock before it reads the
// customer, as ingestion does. A customer who says /stop while the alert
// is being resolved: the resolution waits for that transaction and sees
// the opt-out, so the recovery survey is recorded as skipped. (Reading
// first, it decided on the row as it was and scheduled the survey.) It is
// the same lock a touchpoint ingested at that moment waits for, so its
// fatigue check sees the recovery survey.
func TestRecoveryWaitsForTheCustomersLock(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t, storage.Postgres)
	clock := surveystest.NewClock(alertNow)
	r := newReplica(t, db, recoverySettings(), clock)
	id := detractorAlert(t, db, r, "cus_lock", 4409)
	clock.Set(alertNow.Add(time.Hour))

	stop, err := db.SQL().BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop.Rollback()
	if _, err := stop.ExecContext(t.Context(), "UPDATE customers SET opted_out_at = now() WHERE external_id = 'cus_lock'"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.desk.Resolve(context.Background(), id, staffDana, "refund")
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the resolution finished (%v) while the opt-out held the customer's row", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := stop.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the resolution did not finish after the opt-out committed")
	}
	inv := recoveryInvitation(t, db, id)
	if n := count(t, db, "SELECT count(*) FROM invitations WHERE id = ? AND status = 'skipped'", inv); n != 1 {
		t.Errorf("the recovery invitation of a customer who opted out during the resolution is not skipped")
	}
}

// Listing alerts reads a fixed number of statements whatever the page's
// length: the answers, customers, chats, timelines and recovery surveys of
// the page are read a table at a time, not a few statements per alert.
func TestAlertListStatements(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			db, n := openCounting(t, e)
			clock := surveystest.NewClock(alertNow)
			r := newReplica(t, db, recoverySettings(), clock)
			list := func() (int, int64) {
				t.Helper()
				before := n.Load()
				views, _, err := r.store.Alerts(t.Context(), storage.AlertFilter{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				return len(views), n.Load() - before
			}
			first := detractorAlert(t, db, r, "cus_list_0", 4500)
			if _, err := r.desk.Resolve(t.Context(), first, staffDana, "refund"); err != nil {
				t.Fatal(err)
			}
			few, fewStatements := list()
			for i := 1; i < 12; i++ {
				detractorAlert(t, db, r, fmt.Sprint("cus_list_", i), 4500+int64(i))
			}
			many, manyStatements := list()
			if few != 1 || many != 12 {
				t.Fatalf("listed %d then %d alerts, want 1 then 12", few, many)
			}
			t.Logf("%s: %d statements for 1 alert, %d for 12", e, fewStatements, manyStatements)
			if manyStatements != fewStatements {
				t.Errorf("%d statements for 12 alerts, %d for 1: want the same", manyStatements, fewStatements)
			}
		})
	}
}
