package web

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

func TestAPIScores(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		il, err := time.LoadLocation("Asia/Jerusalem")
		if err != nil {
			t.Fatal(err) // time/tzdata is linked in (config), so every zone loads
		}
		f.api.engine.Settings().Timezone = il
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, il)
		f.api.now = func() time.Time { return now.UTC() }
		// The 7-day window is 13–19 November in Jerusalem; the one before, 6–12.
		day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 30, 0, 0, il) }
		var answers []seededAnswer
		add := func(survey string, at time.Time, agent string, scores ...int) {
			for _, s := range scores {
				answers = append(answers, seededAnswer{customer: fmt.Sprint("cus_s", len(answers)), survey: survey, metric: survey,
					score: s, attrs: fmt.Sprintf(`{"agent":%q}`, agent), at: at})
			}
		}
		add("nps", day(14, 12), "a", 10, 10, 9, 8)
		add("nps", day(15, 12), "b", 3, 0)
		add("nps", day(19, 23), "b", 10)  // 21:30 UTC on the 19th: in the window
		add("nps", day(20, 0), "b", 0, 0) // 22:30 UTC on the 19th, but the 20th in Jerusalem: today, not counted
		add("nps", day(12, 23), "a", 9)   // the window before
		add("nps", day(6, 0), "a", 5, 6)
		add("nps", day(5, 23), "a", 0) // before both
		add("csat", day(16, 9), "a", 5, 4, 2)
		seedAnswers(t, f, answers)

		r := f.do(t, "GET", "/v1/scores?window=7d", "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("got %d %v", r.status, r.body)
		}
		w := r.body["window"].(map[string]any)
		if w["start"] != "2026-11-13T00:00:00+02:00" || w["end"] != "2026-11-20T00:00:00+02:00" || w["days"] != float64(7) || w["timezone"] != "Asia/Jerusalem" {
			t.Errorf("window: got %v", w)
		}
		cells := map[string]map[string]any{}
		for _, c := range r.body["scores"].([]any) {
			m := c.(map[string]any)
			cells[m["survey"].(string)] = m
		}
		if len(cells) != 4 {
			t.Fatalf("got %d surveys, want the 4 built-in ones: %v", len(cells), r.body)
		}

		cur, _ := scoring.NPSFromScores([]int{10, 10, 9, 8, 3, 0, 10})
		prev, _ := scoring.NPSFromScores([]int{9, 5, 6})
		nps := cells["nps"]
		wantScore, _ := cur.Score()
		ci, _ := cur.CI(scoring.DefaultConfidence, scoring.AdjustedWald)
		checkNumbers(t, "nps", nps, map[string]float64{"n": 7, "promoters": 4, "passives": 1, "detractors": 2, "score": wantScore})
		checkPair(t, "nps ci95", nps["ci95"], ci.Lo, ci.Hi)
		if nps["method"] != "adjusted-wald" || nps["level"] != "low-n" || nps["metric"] != "nps" {
			t.Errorf("nps: got %v", nps)
		}
		prevScore, _ := prev.Score()
		checkNumbers(t, "nps previous", nps["previous"].(map[string]any), map[string]float64{"n": 3, "score": prevScore})
		cmp, _ := scoring.CompareNPS(cur, prev, scoring.DefaultConfidence)
		ch := nps["change"].(map[string]any)
		checkNumbers(t, "nps change", ch, map[string]float64{"delta": cmp.Diff, "se": cmp.SE, "z": cmp.Z, "p": cmp.P})
		checkPair(t, "nps change ci95", ch["ci95"], cmp.Lo, cmp.Hi)

		csat := cells["csat"]
		l := scoring.Likert{Scale: scoring.CSAT, Counts: []int{0, 1, 0, 1, 1}}
		top2, _ := l.Percent(scoring.Promoter)
		mean, _ := l.Mean()
		wci, _ := l.PercentCI(scoring.Promoter, scoring.DefaultConfidence)
		checkNumbers(t, "csat", csat, map[string]float64{"n": 3, "score": top2, "mean": mean})
		checkPair(t, "csat ci95", csat["ci95"], wci.Lo, wci.Hi)
		if csat["method"] != "wilson" || csat["change"] != nil || csat["previous"].(map[string]any)["score"] != nil {
			t.Errorf("csat without a previous window: got %v", csat)
		}
		for _, id := range []string{"ces", "enps"} {
			if c := cells[id]; c["n"] != float64(0) || c["score"] != nil || c["level"] != "no-responses" || c["change"] != nil {
				t.Errorf("%s without answers: got %v, want n 0 and score null", id, c)
			}
		}

		byAgent := f.do(t, "GET", "/v1/scores?window=7d&survey=nps&by=agent", "", nil)
		segs := byAgent.body["scores"].([]any)
		if byAgent.status != http.StatusOK || len(segs) != 2 || byAgent.body["by"] != "agent" {
			t.Fatalf("by agent: got %d %v", byAgent.status, byAgent.body)
		}
		a, b := segs[0].(map[string]any), segs[1].(map[string]any)
		aCounts, _ := scoring.NPSFromScores([]int{10, 10, 9, 8})
		aScore, _ := aCounts.Score()
		if a["segment"] != "a" || b["segment"] != "b" {
			t.Fatalf("segments: got %v and %v, want a (4 answers) then b (3)", a["segment"], b["segment"])
		}
		checkNumbers(t, "agent a", a, map[string]float64{"n": 4, "score": aScore})
		checkNumbers(t, "agent a previous", a["previous"].(map[string]any), map[string]float64{"n": 3})
		checkNumbers(t, "agent b", b, map[string]float64{"n": 3, "detractors": 2, "promoters": 1})

		byTP := f.do(t, "GET", "/v1/scores?window=7d&by=touchpoint", "", nil)
		if segs := byTP.body["scores"].([]any); len(segs) != 2 || segs[0].(map[string]any)["segment"] != "order_delivered" {
			t.Errorf("by touchpoint: got %v", byTP.body)
		}

		for _, c := range []struct {
			query, field string
			status       int
		}{
			{"window=0d", "window", 422},
			{"window=4w", "window", 422},
			{"window=400d", "window", 422},
			{"by=a%20b", "by", 422},
			{"survey=nope", "survey", 404},
			{"since=1d", "since", 400},
		} {
			r := f.do(t, "GET", "/v1/scores?"+c.query, "", nil)
			if _, field := errorCode(r); r.status != c.status || field != c.field {
				t.Errorf("%s: got %d %v, want %d naming %s", c.query, r.status, r.body, c.status, c.field)
			}
		}
	})
}

func checkNumbers(t *testing.T, what string, m map[string]any, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		got, ok := m[k].(float64)
		if !ok || math.Abs(got-v) > 1e-9 {
			t.Errorf("%s %s: got %v, want %v", what, k, m[k], v)
		}
	}
}

func checkPair(t *testing.T, what string, got any, lo, hi float64) {
	t.Helper()
	p, ok := got.([]any)
	if !ok || len(p) != 2 || math.Abs(p[0].(float64)-lo) > 1e-9 || math.Abs(p[1].(float64)-hi) > 1e-9 {
		t.Errorf("%s: got %v, want [%v %v]", what, got, lo, hi)
	}
}
