package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// Invitations imported unanswered count as delivered and not answered: the
// day's response rate is the answered ones among all.
func TestImportUnanswered(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		at := time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)
		if err := f.store.ImportHistory(ctx, "history", []surveys.Response{pastAnswer("cus_a", 9, at), pastAnswer("cus_b", 3, at)}); err != nil {
			t.Fatal(err)
		}
		if err := f.store.ImportUnanswered(ctx, "history", []surveys.Response{pastAnswer("cus_c", 0, at), pastAnswer("cus_d", 0, at), pastAnswer("cus_a", 0, at)}); err != nil {
			t.Fatal(err)
		}
		day := scoring.Window{Start: at.Truncate(24 * time.Hour), End: at.Truncate(24 * time.Hour).Add(24 * time.Hour)}
		got, err := f.store.DigestInvited(ctx, surveys.DigestQuery{DigestID: "daily", Surveys: []string{"nps"}, Days: []scoring.Window{day}, Yesterday: day})
		if err != nil {
			t.Fatal(err)
		}
		if got["nps"] != (surveys.DigestInvited{Sent: 5, Answered: 2}) {
			t.Errorf("invited: %+v, want 2 answered of 5 sent", got["nps"])
		}
		inv, err := f.store.Invitation(ctx, 3)
		if err != nil || inv.Status != surveys.Sent || !inv.SentAt.Equal(at) {
			t.Errorf("unanswered invitation: %+v, %v; want sent at %s", inv, err, at)
		}
		if _, err := f.store.ResponseTo(ctx, 3); err == nil {
			t.Errorf("an unanswered invitation has a response")
		}
		if err := f.store.ImportUnanswered(ctx, "history", nil); err != nil {
			t.Errorf("nothing to import: %v", err)
		}
	})
}

// pastAnswer is a Hebrew Telegram NPS answer of customer to import, given
// at.
func pastAnswer(customer string, score int, at time.Time) surveys.Response {
	return surveys.Response{CustomerID: customer, SurveyID: "nps", Metric: surveys.NPS, Score: score, Locale: "he",
		Platform: surveys.Telegram, TouchpointType: "order_delivered", Attributes: map[string]string{"region": "north"}, AnsweredAt: at}
}
