package surveys_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// TestAnswerRoundTrips counts the statements (BEGIN and COMMIT included)
// that recording one answer costs: a score press with a follow-up
// question, a detractor's press that also queues an alert, the comment
// typed in answer to the follow-up, and a press redelivered by the
// platform. On PostgreSQL each statement is a round trip; on SQLite a call
// into the engine in the same process.
func TestAnswerRoundTrips(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			var n atomic.Int64
			db, err := storage.Open(context.Background(), storagetest.URL(t, e), storage.Options{OnStatement: func() { n.Add(1) }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			f := newConvFixture(t, db)
			// At most 5 per answer. SQLite has no data-modifying WITH: the
			// update's dedupe row, the response and River's job and
			// notification rows are one INSERT each (see docs/benchmarks.md).
			limit := map[string]int64{"promoter": 5, "detractor": 5, "comment": 5, "redelivered": 5}
			if e == storage.SQLite {
				limit["detractor"] = 7
			}
			count := func(name string, do func()) {
				t.Helper()
				before := n.Load()
				do()
				got := n.Load() - before
				t.Logf("%s %s: %d statements", e, name, got)
				if got > limit[name] {
					t.Errorf("%s: %d statements, want at most %d", name, got, limit[name])
				}
			}

			answered := map[string]int64{}
			for _, tc := range []struct {
				name  string
				chat  int
				score string
			}{
				{"promoter", 1, "9"},
				{"detractor", 2, "3"},
			} {
				to := tgChat(tc.chat)
				inv := f.invite("cus_"+tc.name, to, "en", "order_delivered")
				answered[tc.name] = inv.ID
				alerts := f.alerts()
				count(tc.name, func() {
					f.press(to, surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), tc.score)
				})
				r, ok := f.response(inv.ID)
				if !ok || r.CommentState != surveys.CommentAwaiting {
					t.Fatalf("%s: response %+v, %v: want one awaiting its comment", tc.name, r, ok)
				}
				if want := alerts + map[string]int{"promoter": 0, "detractor": 1}[tc.name]; f.alerts() != want {
					t.Errorf("%s: %d alert jobs, want %d", tc.name, f.alerts(), want)
				}
			}

			to := tgChat(1)
			inv := f.invite("cus_promoter", to, "en", "order_delivered") // a newer survey, not answered yet
			count("comment", func() { f.say(to, "quick delivery") })
			if r, _ := f.response(answered["promoter"]); r.Comment != "quick delivery" || r.CommentState != surveys.CommentGiven {
				t.Errorf("comment: response %+v", r)
			}

			in := surveys.Incoming{ID: f.nextID(), From: to, Ref: surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), Value: "10"}
			f.handle(in)
			responses, sent := f.responses(), len(f.sender.Sent(to))
			count("redelivered", func() { f.handle(in) })
			if f.responses() != responses || len(f.sender.Sent(to)) != sent {
				t.Errorf("redelivered: %d responses, %d messages; want %d and %d", f.responses(), len(f.sender.Sent(to)), responses, sent)
			}
		})
	}
}
