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
// that recording one button press costs: a score with a follow-up
// question, and a detractor's score that also queues an alert.
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
				before := n.Load()
				f.press(to, surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), tc.score)
				got := n.Load() - before
				if _, ok := f.response(inv.ID); !ok {
					t.Fatalf("%s: no response recorded", tc.name)
				}
				t.Logf("%s %s: %d statements for one answer", e, tc.name, got)
				if got > 9 {
					t.Errorf("%s: %d statements for one answer, want at most 9", tc.name, got)
				}
			}
		})
	}
}
