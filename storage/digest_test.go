package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

func digestSettings(loc *time.Location) *surveys.Settings {
	return &surveys.Settings{Product: "Acme", DefaultLocale: "en", Timezone: loc, Surveys: []surveys.Survey{
		{ID: "nps", Metric: surveys.NPS, Reasons: []surveys.Reason{{ID: "speed", Labels: map[string]string{"en": "Speed"}}, {ID: "staff", Labels: map[string]string{"en": "Staff"}}}},
		{ID: "csat", Metric: surveys.CSAT},
	}}
}

func digestSpec(loc *time.Location) surveys.DigestSpec {
	return surveys.DigestSpec{ID: "daily", To: surveys.Address{Platform: surveys.Slack, ChatID: "C1"}, At: 9 * 60, Timezone: loc,
		Days:   []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
		Quotes: 5, Locale: "en"}
}

// seedMonths writes about two months of random answers in loc, ending
// yesterday relative to now, and returns them.
func seedMonths(t *testing.T, db *storage.DB, loc *time.Location, now time.Time) []storage.SeedResponse {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var rs []storage.SeedResponse
	start := now.Add(-60 * 24 * time.Hour)
	tps := []string{"delivery", "pickup", "refund", ""}
	for at := start; at.Before(now); at = at.Add(time.Duration(30+r.IntN(180)) * time.Minute) {
		sv, metric, score := "nps", "nps", r.IntN(11)
		if r.IntN(4) == 0 {
			sv, metric, score = "csat", "csat", 1+r.IntN(5)
		}
		s := storage.SeedResponse{SurveyID: sv, Metric: metric, TouchpointType: tps[r.IntN(len(tps))], Score: score, AnsweredAt: at, Locale: "en"}
		if r.IntN(5) == 0 {
			s.Comment = "The courier was late again and the box was damaged on arrival"
		}
		if r.IntN(3) == 0 {
			s.SentAt = at.Add(-time.Hour)
		}
		if sv == "nps" {
			s.Reason = []string{"", "speed", "staff", "gone"}[r.IntN(4)]
		}
		if agent := r.IntN(3); agent > 0 {
			s.Attributes = map[string]string{"agent": []string{"", "Dana", "יוסי"}[agent], "region": "north"}
		}
		rs = append(rs, s)
	}
	// Sent yesterday, never answered: lowers the response rate.
	y := scoring.YesterdayWindow(now, loc)
	rs = append(rs, storage.SeedResponse{SurveyID: "nps", SentAt: y.Start.Add(time.Hour), AnsweredAt: y.Start.Add(time.Hour)})
	if err := storage.SeedResponses(context.Background(), db, rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

// likertOf counts the seeded answers of a survey inside w, the slow way.
func likertOf(rs []storage.SeedResponse, survey string, scale scoring.ScaleID, w scoring.Window, tp *string) scoring.Likert {
	var scores []int
	for _, r := range rs {
		if r.Metric != "" && r.SurveyID == survey && w.Contains(r.AnsweredAt) && (tp == nil || *tp == r.TouchpointType) {
			scores = append(scores, r.Score)
		}
	}
	l, _ := scoring.LikertFromScores(scale, scores)
	return l
}

func TestDigestFromStorageMatchesScoring(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("Asia/Tehran")
	now := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		rs := seedMonths(t, db, loc, now)
		st := storage.NewStore(db, nil)
		spec := digestSpec(loc)
		spec.Breakdowns = []string{"agent", "missing"}
		d, err := surveys.ComposeDigest(ctx, st, spec, digestSettings(loc), surveys.DigestThresholds{}, now)
		if err != nil {
			t.Fatal(err)
		}
		cur, prev := scoring.HeadlineWindows(now, loc)
		y := scoring.YesterdayWindow(now, loc)
		for _, s := range d.Surveys {
			if diff := cmp.Diff(likertOf(rs, s.SurveyID, s.Scale, cur, nil), s.Current.Counts); diff != "" {
				t.Errorf("%s current counts (-want +got):\n%s", s.SurveyID, diff)
			}
			if diff := cmp.Diff(likertOf(rs, s.SurveyID, s.Scale, prev, nil), s.Previous.Counts); diff != "" {
				t.Errorf("%s previous counts (-want +got):\n%s", s.SurveyID, diff)
			}
			if diff := cmp.Diff(likertOf(rs, s.SurveyID, s.Scale, y, nil), s.Yesterday.Counts); diff != "" {
				t.Errorf("%s yesterday counts (-want +got):\n%s", s.SurveyID, diff)
			}
			seg := scoring.SegmentWindow(now, loc)
			for _, tp := range s.Touchpoints {
				if got, want := tp.Score.Counts, likertOf(rs, s.SurveyID, s.Scale, seg, &tp.Name); !cmp.Equal(got, want) {
					t.Errorf("%s touchpoint %q: %v, want %v", s.SurveyID, tp.Name, got, want)
				}
			}
			if len(s.Breakdowns) != 1 || s.Breakdowns[0].Attribute != "agent" || len(s.Breakdowns[0].Segments) != 2 {
				t.Fatalf("%s breakdowns %+v, want agent's two values", s.SurveyID, s.Breakdowns)
			}
			for _, seg := range s.Breakdowns[0].Segments {
				var scores []int
				for _, r := range rs {
					if r.Metric != "" && r.SurveyID == s.SurveyID && hasAgent(r, seg.Name) && scoring.SegmentWindow(now, loc).Contains(r.AnsweredAt) {
						scores = append(scores, r.Score)
					}
				}
				want, _ := scoring.LikertFromScores(s.Scale, scores)
				if !cmp.Equal(seg.Score.Counts, want) {
					t.Errorf("%s agent %q: %v, want %v", s.SurveyID, seg.Name, seg.Score.Counts, want)
				}
			}
			comments, sent, answered := 0, 0, 0
			for _, r := range rs {
				if r.SurveyID != s.SurveyID {
					continue
				}
				if r.Metric != "" && r.Comment != "" && y.Contains(r.AnsweredAt) {
					comments++
				}
				if !r.SentAt.IsZero() && y.Contains(r.SentAt) {
					sent++
					if r.Metric != "" {
						answered++
					}
				}
			}
			if s.Comments != comments || s.Invited != (surveys.DigestInvited{Sent: sent, Answered: answered}) {
				t.Errorf("%s comments %d invited %+v, want %d and %d/%d", s.SurveyID, s.Comments, s.Invited, comments, answered, sent)
			}
			if s.Scale == scoring.NPS {
				nc, _ := s.Current.Counts.NPSCounts()
				v, _ := nc.Rounded()
				if v != s.Current.Value {
					t.Errorf("NPS %d, scoring says %d", s.Current.Value, v)
				}
			}
		}
		// Reasons over the headline window, counted the slow way.
		reasons := map[string]int{}
		n := 0
		for _, r := range rs {
			if r.SurveyID == "nps" && r.Metric != "" && (r.Reason == "speed" || r.Reason == "staff") && cur.Contains(r.AnsweredAt) {
				reasons[r.Reason]++
				n++
			}
		}
		got := map[string]int{}
		for _, dr := range d.Surveys[0].Drivers {
			got[dr.Reason] = dr.Count
		}
		if diff := cmp.Diff(reasons, got); diff != "" || d.Surveys[0].DriversN != n || n == 0 {
			t.Errorf("nps drivers n = %d (want %d) (-want +got):\n%s", d.Surveys[0].DriversN, n, diff)
		}
		if d.Surveys[0].Current.N == 0 || len(d.Surveys[0].Quotes) == 0 {
			t.Errorf("digest has no answers or quotes: %+v", d.Surveys[0])
		}
	})
}

func hasAgent(r storage.SeedResponse, agent string) bool { return r.Attributes["agent"] == agent }

// TestTickDigests drives the scheduler with a fixed clock through time
// zones, a DST gap, restarts and two replicas ticking at once.
func TestTickDigests(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	jer, _ := time.LoadLocation("Asia/Jerusalem")
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := storage.NewStore(db, nil)
		var mu sync.Mutex
		var enqueued []storage.SendDigestArgs
		enqueue := func(_ context.Context, _ *sql.Tx, a storage.SendDigestArgs) error {
			mu.Lock()
			defer mu.Unlock()
			enqueued = append(enqueued, a)
			return nil
		}
		gap := surveys.DigestSpec{ID: "ny-gap", At: 2*60 + 30, Timezone: ny, Days: []time.Weekday{time.Sunday}}
		jd := surveys.DigestSpec{ID: "jerusalem", At: 10 * 60, Timezone: jer, Days: []time.Weekday{time.Sunday, time.Monday}}
		specs := []surveys.DigestSpec{gap, jd}
		tick := func(now time.Time) {
			t.Helper()
			if err := st.TickDigests(ctx, specs, now, enqueue); err != nil {
				t.Fatal(err)
			}
		}
		// Sunday 2026-03-08 in New York: 02:30 does not exist; the first
		// tick after 02:00 EST is 03:00 EDT = 07:00 UTC.
		tick(time.Date(2026, 3, 8, 6, 59, 0, 0, time.UTC))
		tick(time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC))
		// A restart a minute later ticks again: nothing new.
		tick(time.Date(2026, 3, 8, 7, 1, 0, 0, time.UTC))
		// Jerusalem (UTC+2 until late March): the process was down at
		// 10:00 (08:00 UTC); back at 15:00 local, it posts the missed
		// digest once.
		tick(time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC))
		tick(time.Date(2026, 3, 8, 13, 1, 0, 0, time.UTC))
		// Two replicas tick the same Monday minute.
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { tick(time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC)) })
		}
		wg.Wait()
		// Tuesday is not a Jerusalem day.
		tick(time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC))
		want := []storage.SendDigestArgs{
			{DigestID: "ny-gap", LocalDate: "2026-03-08"},
			{DigestID: "jerusalem", LocalDate: "2026-03-08"},
			{DigestID: "jerusalem", LocalDate: "2026-03-09"},
		}
		if diff := cmp.Diff(want, enqueued); diff != "" {
			t.Errorf("enqueued (-want +got):\n%s", diff)
		}
		runs, err := st.DigestRuns(ctx, "jerusalem")
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || !runs[0].DueAt.Equal(time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC)) || runs[0].Status != "pending" {
			t.Errorf("runs %+v, want two pending, the first due at 13:00 UTC", runs)
		}
	})
}

// recordingPoster keeps what it was asked to post.
type recordingPoster struct {
	mu     sync.Mutex
	posted []surveys.Digest
	charts [][]byte
	done   chan struct{}
}

func (p *recordingPoster) PostDigest(_ context.Context, _ surveys.Address, d surveys.Digest, chart []byte) (surveys.MessageRef, error) {
	p.mu.Lock()
	p.posted = append(p.posted, d)
	p.charts = append(p.charts, chart)
	p.mu.Unlock()
	p.done <- struct{}{}
	return "C1:1.0", nil
}

func TestDigestPostedOnceByWorkers(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		seedMonths(t, db, time.UTC, now)
		poster := &recordingPoster{done: make(chan struct{}, 4)}
		cfg := storage.Digests{Specs: []surveys.DigestSpec{digestSpec(time.UTC)}, Settings: digestSettings(time.UTC),
			Posters: map[surveys.Platform]surveys.DigestPoster{surveys.Slack: poster},
			Chart:   func(surveys.Digest) ([]byte, error) { return []byte("png"), nil },
			Now:     func() time.Time { return now }}
		// Two replicas on one database: both elect, one leads and ticks.
		for range 2 {
			jobs, err := storage.NewJobs(db, storage.JobsConfig{PollInterval: 100 * time.Millisecond, Digests: cfg})
			if err != nil {
				t.Fatal(err)
			}
			if err := jobs.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = jobs.Stop(context.Background()) })
		}
		select {
		case <-poster.done:
		case <-time.After(60 * time.Second):
			t.Fatal("no digest posted within a minute")
		}
		st := storage.NewStore(db, nil)
		var runs []storage.DigestRun
		for range 200 { // the sent row commits right after the post returns
			var err error
			if runs, err = st.DigestRuns(ctx, "daily"); err != nil {
				t.Fatal(err)
			}
			if len(runs) == 1 && runs[0].Status == "sent" {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(runs) != 1 || runs[0].Status != "sent" || runs[0].MessageRef != "C1:1.0" || runs[0].LocalDate != "2026-11-23" {
			t.Fatalf("runs %+v, want one sent run for 2026-11-23", runs)
		}
		// The next ticks (same clock) find the row: still one post.
		if err := st.TickDigests(ctx, cfg.Specs, now, func(context.Context, *sql.Tx, storage.SendDigestArgs) error {
			t.Error("a second post was scheduled")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		poster.mu.Lock()
		defer poster.mu.Unlock()
		if len(poster.posted) != 1 || string(poster.charts[0]) != "png" {
			t.Errorf("posted %d digests, want 1 with its chart", len(poster.posted))
		}
		recent, err := st.RecentDigestQuotes(ctx, surveys.DigestQuery{DigestID: "daily", QuotesSince: now.Add(-time.Hour)})
		if err != nil || len(recent) == 0 {
			t.Errorf("quote memory %v, %v; want the posted quotes", recent, err)
		}
	})
}

// failingPoster answers every post with err.
type failingPoster struct {
	err   error
	posts chan struct{}
}

func (p *failingPoster) PostDigest(context.Context, surveys.Address, surveys.Digest, []byte) (surveys.MessageRef, error) {
	p.posts <- struct{}{}
	return "", p.err
}

// TestDigestRunOutcomes follows a run to its final state when there is
// nothing to post or the platform fails in ways a retry cannot fix.
func TestDigestRunOutcomes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		seed   bool
		err    error
		status string
		posts  int
	}{
		{"nothing new yesterday", false, nil, "empty", 0},
		{"outcome unknown", true, &surveys.SendError{Kind: surveys.Ambiguous, Err: errors.New("timeout")}, "unknown", 1},
		{"channel gone", true, &surveys.SendError{Kind: surveys.Unreachable, Err: errors.New("channel_not_found")}, "failed", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := storagetest.Open(t, storage.SQLite)
			if tt.seed {
				seedMonths(t, db, time.UTC, now)
			}
			poster := &failingPoster{err: tt.err, posts: make(chan struct{}, 10)}
			jobs, err := storage.NewJobs(db, storage.JobsConfig{PollInterval: 100 * time.Millisecond, Digests: storage.Digests{
				Specs: []surveys.DigestSpec{digestSpec(time.UTC)}, Settings: digestSettings(time.UTC),
				Posters: map[surveys.Platform]surveys.DigestPoster{surveys.Slack: poster},
				Now:     func() time.Time { return now }}})
			if err != nil {
				t.Fatal(err)
			}
			if err := jobs.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = jobs.Stop(context.Background()) })
			st := storage.NewStore(db, nil)
			var runs []storage.DigestRun
			for range 600 { // until the worker records an outcome
				if runs, err = st.DigestRuns(ctx, "daily"); err != nil {
					t.Fatal(err)
				}
				if len(runs) == 1 && runs[0].Status != "pending" && runs[0].Status != "sending" {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if len(runs) != 1 || runs[0].Status != tt.status {
				t.Fatalf("runs %+v, want one %s", runs, tt.status)
			}
			if got := len(poster.posts); got != tt.posts {
				t.Errorf("%d posts, want %d", got, tt.posts)
			}
		})
	}
}
