package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

func TestImportHistoryAndBackdate(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		at := time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)
		past := []surveys.Response{
			{CustomerID: "cus_h1", SurveyID: "nps", Metric: surveys.NPS, Score: 9, Comment: "great", Locale: "en",
				Platform: surveys.Telegram, TouchpointType: "order_delivered", AnsweredAt: at},
			{CustomerID: "cus_h1", SurveyID: "nps", Metric: surveys.NPS, Score: 3, Locale: "en",
				Platform: surveys.Telegram, TouchpointType: "order_delivered", AnsweredAt: at.Add(48 * time.Hour)},
		}
		if err := f.store.ImportHistory(ctx, "history", past); err != nil {
			t.Fatal(err)
		}
		inv, err := f.store.Invitation(ctx, 1)
		if err != nil || inv.Status != surveys.Sent || !inv.SentAt.Equal(at) {
			t.Fatalf("imported invitation: %+v, %v", inv, err)
		}
		r, err := f.store.ResponseTo(ctx, 1)
		if err != nil || r.Score != 9 || r.Comment != "great" || r.CommentState != surveys.CommentGiven || !r.AnsweredAt.Equal(at) {
			t.Fatalf("imported response: %+v, %v", r, err)
		}
		if err := f.store.Backdate(ctx, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		r, err = f.store.ResponseTo(ctx, 2)
		if err != nil || !r.AnsweredAt.Equal(at.Add(24*time.Hour)) {
			t.Fatalf("backdated response: %+v, %v; want answered %s", r, err, at.Add(24*time.Hour))
		}
		inv, err = f.store.Invitation(ctx, 2)
		if err != nil || !inv.SentAt.Equal(at.Add(24*time.Hour)) {
			t.Fatalf("backdated invitation: %+v, %v", inv, err)
		}
	})
}
