package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// seedResponses inserts n responses to survey "nps" (and every third to
// "csat"), one minute apart ending at end, several sharing a timestamp so
// the cursor must break ties by id.
func seedResponses(t *testing.T, db *storage.DB, n int, end time.Time) []surveys.Response {
	t.Helper()
	rs := make([]surveys.Response, n)
	for i := range rs {
		survey, metric, score := "nps", surveys.NPS, i%11
		if i%3 == 2 {
			survey, metric, score = "csat", surveys.CSAT, 1+i%5
		}
		rs[i] = surveys.Response{
			CustomerID: fmt.Sprintf("cus_%d", i%7), SurveyID: survey, Metric: metric, Score: score,
			Locale: "he", Platform: surveys.Telegram, TouchpointType: "order_delivered",
			Attributes: map[string]string{"agent": fmt.Sprintf("agent_%d", i%2)},
			// Pairs share a timestamp.
			AnsweredAt:   end.Add(-time.Duration(n-i/2*2) * time.Minute).Add(123456789 * time.Nanosecond).Truncate(time.Microsecond),
			CommentState: surveys.CommentNone,
		}
		if i%4 == 0 {
			rs[i].Comment, rs[i].CommentState, rs[i].CommentAt = fmt.Sprintf("comment %d", i), surveys.CommentGiven, rs[i].AnsweredAt.Add(time.Minute)
		}
	}
	if err := storage.InsertResponses(context.Background(), db, rs); err != nil {
		t.Fatalf("seed responses: %v", err)
	}
	return rs
}

// newestFirst is the expected order of a listing.
func newestFirst(rs []surveys.Response, keep func(surveys.Response) bool) []surveys.Response {
	var out []surveys.Response
	for i := len(rs) - 1; i >= 0; i-- {
		if keep == nil || keep(rs[i]) {
			out = append(out, rs[i])
		}
	}
	// Equal timestamps: higher id first, which is insertion order reversed.
	return out
}

func TestResponsesPagesNewestFirst(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		end := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		rs := seedResponses(t, db, 25, end)

		var got []surveys.Response
		var cur storage.Cursor
		pages := 0
		for {
			page, next, err := f.store.Responses(ctx, storage.ResponseFilter{Limit: 4, After: cur})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			got = append(got, page...)
			if next.IsZero() {
				break
			}
			// Through the opaque string, as a client would.
			if cur, err = storage.ParseCursor(next.String()); err != nil {
				t.Fatal(err)
			}
		}
		if pages != 7 {
			t.Errorf("got %d pages of 4 for 25 responses, want 7", pages)
		}
		if diff := cmp.Diff(newestFirst(rs, nil), got); diff != "" {
			t.Fatalf("listing (-want +got):\n%s", diff)
		}

		since, until := rs[5].AnsweredAt, rs[20].AnsweredAt
		page, next, err := f.store.Responses(ctx, storage.ResponseFilter{SurveyID: "csat", Since: since, Until: until})
		if err != nil {
			t.Fatal(err)
		}
		want := newestFirst(rs, func(r surveys.Response) bool {
			return r.SurveyID == "csat" && !r.AnsweredAt.Before(since) && r.AnsweredAt.Before(until)
		})
		if diff := cmp.Diff(want, page); diff != "" || !next.IsZero() {
			t.Fatalf("filtered (-want +got):\n%s next %v", diff, next)
		}

		var walked []surveys.Response
		if err := f.store.EachResponse(ctx, storage.ResponseFilter{SurveyID: "nps"}, func(r surveys.Response) error {
			walked = append(walked, r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(newestFirst(rs, func(r surveys.Response) bool { return r.SurveyID == "nps" }), walked); diff != "" {
			t.Fatalf("EachResponse (-want +got):\n%s", diff)
		}
		stop := errors.New("stop")
		n := 0
		err = f.store.EachResponse(ctx, storage.ResponseFilter{}, func(surveys.Response) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("EachResponse with an error from fn: got %v after %d rows, want stop after 1", err, n)
		}
	})
}

func TestParseCursorRejectsStrangers(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"x", "!!!", "MTIz", "YS5i", "MTIzLjA"} {
		if _, err := storage.ParseCursor(s); !errors.Is(err, storage.ErrBadCursor) {
			t.Errorf("ParseCursor(%q): got %v, want ErrBadCursor", s, err)
		}
	}
	c := storage.Cursor{At: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), ID: 42}
	got, err := storage.ParseCursor(c.String())
	if err != nil || !got.At.Equal(c.At) || got.ID != 42 {
		t.Fatalf("round trip: got %v %v, want %v", got, err, c)
	}
}
