package web

import (
	"context"
	"fmt"
	"html"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// TestOneReport computes the score report once and checks that GET
// /v1/scores, the digest and /survey stats show its numbers: the same
// window, segments, significance rule and values.
func TestOneReport(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		f.api.now = func() time.Time { return now }
		settings := f.api.engine.Settings()
		settings.Timezone = time.UTC
		var answers []seededAnswer
		add := func(at time.Time, agent string, score, count int) {
			for range count {
				answers = append(answers, seededAnswer{customer: fmt.Sprint("cus_r", len(answers)), survey: "nps", metric: "nps",
					score: score, attrs: fmt.Sprintf(`{"agent":%q}`, agent), at: at})
			}
		}
		cur, prev := now.AddDate(0, 0, -3), now.AddDate(0, 0, -40)
		add(cur, "a", 10, 25)
		add(cur, "b", 10, 5)
		add(cur, "b", 8, 5)
		add(cur, "b", 3, 5)
		add(prev, "a", 10, 10)
		add(prev, "a", 8, 10)
		add(prev, "b", 2, 20)
		seedAnswers(t, f, answers)
		th := surveys.DigestThresholds{ENPS: f.api.enps}

		rep, err := surveys.ComposeReport(context.Background(), f.store, settings, th, surveys.ReportQuery{Days: 28, Now: now, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		rs, ok := rep.Survey("nps")
		if !ok || rs.Current.N != 40 || rs.Previous.N != 40 || rs.Arrow != scoring.Up {
			t.Fatalf("report: got n %d and %d, arrow %v; want 40, 40 and up", rs.Current.N, rs.Previous.N, rs.Arrow)
		}

		// The API.
		r := f.do(t, "GET", "/v1/scores", "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("scores: got %d %v", r.status, r.body)
		}
		w := r.body["window"].(map[string]any)
		if w["start"] != rep.Window.Start.Format(time.RFC3339) || w["end"] != rep.Window.End.Format(time.RFC3339) {
			t.Errorf("API window: got %v, want %v", w, rep.Window)
		}
		for _, c := range r.body["scores"].([]any) {
			m := c.(map[string]any)
			s, ok := rep.Survey(m["survey"].(string))
			if !ok {
				t.Fatalf("API survey %v is not in the report", m["survey"])
			}
			checkCell(t, "API "+s.Survey.ID, m, s.Current, s.Arrow, s.Trend)
		}

		// The same segments: by agent, ranked by smoothed score.
		rb, err := surveys.ComposeReport(context.Background(), f.store, settings, th,
			surveys.ReportQuery{Days: 28, By: "agent", Now: now, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		rb = rb.Only([]string{"nps"})
		// One survey asked for alone is flagged as among all the others.
		one := f.do(t, "GET", "/v1/scores?survey=nps", "", nil).body["scores"].([]any)
		if len(one) != 1 {
			t.Fatalf("?survey=nps: got %v", one)
		}
		checkCell(t, "API nps alone", one[0].(map[string]any), rs.Current, rs.Arrow, rs.Trend)
		segs := rb.Surveys[0].Segments
		r = f.do(t, "GET", "/v1/scores?survey=nps&by=agent", "", nil)
		got := r.body["scores"].([]any)
		if len(got) != len(segs) || len(segs) != 2 {
			t.Fatalf("API segments: got %v, report has %d", r.body, len(segs))
		}
		for i, seg := range segs {
			m := got[i].(map[string]any)
			if m["segment"] != seg.Name {
				t.Errorf("API segment %d: got %v, want %s", i, m["segment"], seg.Name)
			}
			checkCell(t, "API segment "+seg.Name, m, seg.Current, seg.Arrow, seg.Trend)
		}

		// The dashboard.
		srv := dashboardServer(t, f)
		format := surveys.NewDigestFormat("en")
		for _, s := range rep.Surveys {
			status, body := f.page(t, srv, "/?survey="+s.Survey.ID, true)
			body = html.UnescapeString(body)
			want := []string{fmt.Sprintf(`data-n="%d"`, s.Current.N)}
			if s.Current.HasScore() {
				want = append(want, fmt.Sprintf(`data-score="%s"`, format.Value(s.Scale, s.Current)), fmt.Sprintf(`data-ci="%s"`, format.Range(s.Current.CI)))
			}
			if s.HasChange {
				want = append(want, fmt.Sprintf(`data-change="%s"`, format.Signed(s.Change)))
			}
			if flagged := strings.Contains(body, `data-flagged="true"`); flagged != (s.Arrow != scoring.NoArrow) {
				t.Errorf("dashboard %s: flagged %v, report's arrow %v", s.Survey.ID, flagged, s.Arrow)
			}
			for _, w := range want {
				if status != http.StatusOK || !strings.Contains(body, w) {
					t.Errorf("dashboard %s: got %d, lacks the report's %s", s.Survey.ID, status, w)
				}
			}
		}
		_, body := f.page(t, srv, "/?survey=nps&by=agent", true)
		for i, seg := range segs {
			if at := strings.Index(body, fmt.Sprintf(`data-segment="%s"`, seg.Name)); at < 0 || (i > 0 && at < strings.Index(body, fmt.Sprintf(`data-segment="%s"`, segs[i-1].Name))) {
				t.Errorf("dashboard segments: %s missing or out of the report's order", seg.Name)
			}
		}

		// The digest.
		dg, err := surveys.ComposeDigest(context.Background(), f.store, surveys.DigestSpec{ID: "daily", Timezone: time.UTC, Locale: "en"},
			settings, th, now)
		if err != nil {
			t.Fatal(err)
		}
		if dg.Current != rep.Window || dg.Previous != rep.Previous {
			t.Errorf("digest windows: got %v and %v, report %v and %v", dg.Current, dg.Previous, rep.Window, rep.Previous)
		}
		for i, ds := range dg.Surveys {
			s := rep.Surveys[i]
			if ds.SurveyID != s.Survey.ID || ds.Arrow != s.Arrow || ds.Change != s.Change || ds.HasChange != s.HasChange {
				t.Errorf("digest %s: got arrow %v change %d, report %s arrow %v change %d", ds.SurveyID, ds.Arrow, ds.Change, s.Survey.ID, s.Arrow, s.Change)
			}
			if diff := cmp.Diff(s.Current, ds.Current); diff != "" {
				t.Errorf("digest %s current (-report +digest):\n%s", ds.SurveyID, diff)
			}
		}

		// /survey stats.
		desk := surveys.NewAmbassadorDesk(surveys.NewEngine(settings, f.store, surveystest.NewClock(now)), f.store, f.store, surveys.AmbassadorConfig{
			Ambassadors: surveys.Ambassadors{SlackUsers: []string{"U0AMB"}}, Thresholds: th})
		for _, c := range []struct {
			text string
			rep  surveys.Report
		}{{"stats", rep}, {"stats nps by agent", rb}} {
			reply, err := desk.Run(context.Background(), surveys.CommandRequest{From: surveys.Address{Platform: surveys.Slack, ChatID: "C1", UserID: "U0AMB"}, Text: c.text})
			if err != nil {
				t.Fatal(err)
			}
			if want := surveys.StatsText(c.rep); reply.Text != want {
				t.Errorf("/survey %s: got\n%s\nwant the report's\n%s", c.text, reply.Text, want)
			}
		}
	})
}

// checkCell compares an API cell with the report's.
func checkCell(t *testing.T, what string, m map[string]any, c surveys.DigestScore, arrow scoring.Arrow, tr scoring.Trend) {
	t.Helper()
	if m["n"] != float64(c.N) || m["level"] != c.Level.String() {
		t.Errorf("%s: got n %v level %v, want %d %v", what, m["n"], m["level"], c.N, c.Level)
	}
	if c.N == 0 {
		return
	}
	if m["display"] != strconv.Itoa(c.Value) && m["metric"] == "nps" {
		t.Errorf("%s display: got %v, want %d", what, m["display"], c.Value)
	}
	if s, ok := m["score"].(float64); !ok || int(math.Round(s)) != c.Value {
		t.Errorf("%s score: got %v, want %d as displayed", what, m["score"], c.Value)
	}
	checkPair(t, what+" ci95", m["ci95"], c.CI.Lo, c.CI.Hi)
	ch, ok := m["change"].(map[string]any)
	if !ok {
		return
	}
	if ch["significant"] != (arrow != scoring.NoArrow) || ch["arrow"] != arrow.String() || ch["p"] != tr.Comparison.P {
		t.Errorf("%s change: got %v, want arrow %v p %v", what, ch, arrow, tr.Comparison.P)
	}
}
