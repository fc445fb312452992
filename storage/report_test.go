package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// The score report from storage's aggregates equals counting the seeded
// rows one by one, on both engines: windows, weeks, deliveries.
func TestReportFromStorageMatchesScoring(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("Asia/Tehran")
	now := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		rs := seedMonths(t, db, loc, now)
		st := storage.NewStore(db, nil)
		rep, err := surveys.ComposeReport(ctx, st, digestSettings(loc), surveys.DigestThresholds{},
			surveys.ReportQuery{Days: 21, By: "agent", Comments: 5, Now: now, Location: loc})
		if err != nil {
			t.Fatal(err)
		}
		if want := scoring.Trailing(now, loc, 21); rep.Window != want {
			t.Fatalf("window %v, want %v", rep.Window, want)
		}
		for _, s := range rep.Surveys {
			if diff := cmp.Diff(likertOf(rs, s.Survey.ID, s.Scale, rep.Window, nil), s.Current.Counts); diff != "" {
				t.Errorf("%s current counts (-want +got):\n%s", s.Survey.ID, diff)
			}
			if diff := cmp.Diff(likertOf(rs, s.Survey.ID, s.Scale, rep.Previous, nil), s.Previous.Counts); diff != "" {
				t.Errorf("%s previous counts (-want +got):\n%s", s.Survey.ID, diff)
			}
			if len(s.Weeks) != 6 {
				t.Fatalf("%s: %d weeks, want 6", s.Survey.ID, len(s.Weeks))
			}
			for _, w := range s.Weeks {
				if diff := cmp.Diff(likertOf(rs, s.Survey.ID, s.Scale, w.Window, nil), w.Score.Counts); diff != "" {
					t.Errorf("%s week of %v (-want +got):\n%s", s.Survey.ID, w.Window.Start, diff)
				}
			}
			invited := 0
			for _, r := range rs {
				if r.SurveyID == s.Survey.ID && rep.Window.Contains(r.AnsweredAt) {
					invited++
				}
			}
			got := 0
			for _, d := range s.Deliveries {
				if d.Status != surveys.Sent {
					t.Errorf("%s delivery %+v, want only sent", s.Survey.ID, d)
				}
				got += d.Invitations
			}
			if got != invited || invited == 0 {
				t.Errorf("%s: %d invitations in the window, want %d", s.Survey.ID, got, invited)
			}
			if len(s.Segments) == 0 {
				t.Errorf("%s: no agent segments", s.Survey.ID)
			}
		}
	})
}
