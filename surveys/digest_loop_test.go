package surveys_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// The sample digest's close-the-loop section by hand: 7 alerts, 6 claimed,
// 5 resolved; first replies after 30 min, 1 h, 2 h and 5 h, so 3 within
// the 4 h target and a median of (1 h + 2 h)/2 = 1.5 h; recovery answers
// CSAT 5, 4, 2, 5, 4, 3: 4 positive (4–5) of 6, 67%, Wilson [0.300, 0.903].
func TestDigestLoopByHand(t *testing.T) {
	t.Parallel()
	d := surveystest.SampleDigest("en")
	l := d.Loop
	if l == nil {
		t.Fatal("no close-the-loop section")
	}
	if l.Opened != 7 || l.Claimed != 6 || l.Replied != 3 || l.Resolved != 5 || !l.Targets || !l.Recovering {
		t.Errorf("counts: %+v", l)
	}
	if !l.HasMedian || l.MedianFirstReply != 90*time.Minute {
		t.Errorf("median first reply %v, want 1h30m", l.MedianFirstReply)
	}
	r := l.Recovery
	if r.Recovered != 4 || r.Answered != 6 || r.Percent != 67 || r.Level != scoring.LowN {
		t.Errorf("recovery: %+v", r)
	}
	if lo, hi := r.IntervalPercent(); lo != 30 || hi != 90 {
		t.Errorf("interval %d–%d, want 30–90", lo, hi)
	}
	sec := d.Card().Sections[len(d.Card().Sections)-1]
	want := []string{
		"Alerts: 7 opened · 6 claimed · 3 replied within target · 5 resolved",
		"Median time to first reply: 1.5 h",
		"Recovered: 67% of 6 detractors surveyed again (95% CI 30–90) · low n",
	}
	if sec.Title != "Closing the loop, last 28 days" || strings.Join(sec.Lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("section %q:\n%s\nwant\n%s", sec.Title, strings.Join(sec.Lines, "\n"), strings.Join(want, "\n"))
	}
}

// Fewer than 5 recovery answers show counts, never a percentage; without
// alert channels there is no section at all.
func TestDigestLoopSmallN(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	to := surveys.Address{Platform: surveys.Slack, ChatID: "C1"}
	s := &surveys.Settings{DefaultLocale: "en", Timezone: time.UTC, Surveys: []surveys.Survey{{ID: "nps", Metric: surveys.NPS}},
		Alerts: []surveys.AlertPolicy{{To: to, Recovery: &surveys.RecoveryPolicy{SurveyID: "nps", After: time.Hour}}}}
	spec := surveys.DigestSpec{ID: "d", Timezone: time.UTC, Locale: "en", PostWhenEmpty: true}
	data := surveys.DigestData{Query: surveys.NewDigestQuery(spec, s, now), AlertsRead: true}
	at := now.Add(-48 * time.Hour)
	for _, score := range []int{10, 9, 3} {
		data.Alerts = append(data.Alerts, surveys.DigestAlert{To: to, CreatedAt: at, ClaimedAt: at, FirstReplyAt: at.Add(20 * time.Minute),
			Recovery: &surveys.AlertRecovery{Answered: true, Metric: surveys.NPS, Score: score}})
	}
	d := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
	text := d.Text()
	for _, want := range []string{
		"Alerts: 3 opened · 3 claimed · 3 replied · 0 resolved", // no target: any reply counts
		"Median time to first reply: 20 min",
		"Recovered: 2 of 3 detractors surveyed again, too few for a rate",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "%") {
		t.Errorf("a percentage from 3 answers:\n%s", text)
	}
	data.Alerts = nil
	if d := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data); !strings.Contains(d.Text(), "No answers to recovery surveys yet") ||
		!strings.Contains(d.Text(), "No replies to customers yet") {
		t.Errorf("no alerts yet:\n%s", d.Text())
	}
	s.Alerts = nil
	if d := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data); d.Loop != nil || strings.Contains(d.Text(), "Closing the loop") {
		t.Errorf("a workspace without alerts got the section:\n%s", d.Text())
	}
}
