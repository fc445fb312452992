package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// An unanswered survey gets exactly one reminder after reminder_after; an
// answered one gets none.
func TestReminderOnceForUnansweredSurveys(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := &surveystest.Sender{}
		f := startDelivery(t, db, s, func(d *storage.Delivery) {
			d.Reminders = storage.Reminders{
				After: func(string) time.Duration { return 500 * time.Millisecond },
				Prompt: func(inv surveys.Invitation, _ time.Time) (surveys.Prompt, error) {
					return surveys.Prompt{Text: "Reminder: how likely?", Ref: fmt.Sprint("s", inv.ID)}, nil
				},
				Every: 200 * time.Millisecond,
			}
		})
		jobs := f.jobs

		unanswered := ingestOne(t, f, 610)
		answered := ingestOne(t, f, 611)
		waitStatus(t, f, unanswered.ID, surveys.Sent)
		waitStatus(t, f, answered.ID, surveys.Sent)
		if err := storage.InsertTestResponse(context.Background(), db, answered.ID, 9); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for sendsTo(s, "610") < 2 {
			if err := jobs.TickReminders(context.Background()); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("no reminder: %d sends to the unanswered customer", sendsTo(s, "610"))
			}
			time.Sleep(200 * time.Millisecond)
		}
		// More ticks: still one reminder, and none for the answered survey.
		for range 3 {
			if err := jobs.TickReminders(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		// Wait for whatever those ticks queued to be worked, then count.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var queued int
			if err := db.SQL().QueryRowContext(context.Background(),
				`SELECT count(*) FROM river_job WHERE state IN ('available', 'running')`).Scan(&queued); err != nil {
				t.Fatal(err)
			}
			if queued == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d jobs still queued after 20 s", queued)
			}
		}
		if n := sendsTo(s, "610"); n != 2 {
			t.Fatalf("sends to the unanswered customer: got %d, want survey + one reminder", n)
		}
		if n := sendsTo(s, "611"); n != 1 {
			t.Fatalf("sends to the customer who answered: got %d, want the survey only", n)
		}
	})
}
