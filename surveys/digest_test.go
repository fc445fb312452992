package surveys_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// digestFixture is a seeded month and more of answers: 28 days of a steady
// NPS of 40 after 28 days of 0, a weak "refund" touchpoint, a CSAT survey
// with only a handful of answers, and yesterday's comments.
func digestFixture(t *testing.T, locale string) (surveys.DigestSpec, *surveys.Settings, time.Time, surveys.DigestData) {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err)
	}
	s := &surveys.Settings{Product: "Acme", DefaultLocale: "en", Timezone: loc, Surveys: []surveys.Survey{
		{ID: "nps-delivery", Metric: surveys.NPS, Title: map[string]string{"en": "Delivery NPS", "he": "NPS משלוחים"},
			Reasons: []surveys.Reason{
				{ID: "speed", Labels: map[string]string{"en": "Speed", "he": "מהירות"}},
				{ID: "package", Labels: map[string]string{"en": "Packaging", "he": "אריזה"}},
				{ID: "staff", Labels: map[string]string{"en": "Staff", "he": "צוות"}},
			}}, {ID: "csat", Metric: surveys.CSAT},
	}}
	spec := surveys.DigestSpec{ID: "daily-voc", At: 9 * 60, Timezone: loc, Quotes: 5, Locale: locale, Breakdowns: []string{"agent"},
		Days: []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday}}
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC) // 09:00 in Jerusalem
	q := surveys.NewDigestQuery(spec, s, now)
	days := len(q.Days)
	var counts []surveys.DigestCount
	add := func(survey string, day int, tp string, score, n, comments int) {
		counts = append(counts, surveys.DigestCount{SurveyID: survey, Day: day, TouchpointType: tp, Score: score, Responses: n, Comments: comments})
	}
	for day := days - 28; day < days; day++ { // current: P 3, Pa 1, D 1 a day
		add("nps-delivery", day, "delivery", 10, 3, 0)
		add("nps-delivery", day, "delivery", 8, 1, 0)
		add("nps-delivery", day, "pickup", 3, 1, 0)
	}
	for day := days - 56; day < days-28; day++ { // previous: P 2, Pa 1, D 2
		add("nps-delivery", day, "delivery", 10, 2, 0)
		add("nps-delivery", day, "delivery", 8, 1, 0)
		add("nps-delivery", day, "pickup", 2, 2, 0)
	}
	add("nps-delivery", days-1, "refund", 1, 2, 2)
	add("csat", days-1, "", 5, 3, 1)
	y := q.Yesterday.Start
	attrs := []surveys.DigestAttributeCount{
		{SurveyID: "nps-delivery", Attribute: "agent", Value: "Dana", Score: 10, Responses: 40},
		{SurveyID: "nps-delivery", Attribute: "agent", Value: "Dana", Score: 6, Responses: 5},
		{SurveyID: "nps-delivery", Attribute: "agent", Value: "יוסי", Score: 3, Responses: 20},
		{SurveyID: "nps-delivery", Attribute: "agent", Value: "יוסי", Score: 9, Responses: 10},
		{SurveyID: "nps-delivery", Attribute: "agent", Value: "Lena", Score: 15, Responses: 9}, // off the scale: ignored
	}
	reasons := []surveys.DigestReasonCount{
		{SurveyID: "nps-delivery", Reason: "speed", Responses: 12},
		{SurveyID: "nps-delivery", Reason: "staff", Responses: 6},
		{SurveyID: "nps-delivery", Reason: "package", Responses: 2},
		{SurveyID: "nps-delivery", Reason: "retired", Responses: 9}, // no longer configured: left out
		{SurveyID: "csat", Reason: "speed", Responses: 4},           // csat has no reasons
	}
	data := surveys.DigestData{Query: q, Counts: counts, Attributes: attrs, Reasons: reasons, Blocked: 2,
		Invited: map[string]surveys.DigestInvited{"nps-delivery": {Sent: 20, Answered: 7}},
		Comments: []surveys.DigestComment{
			{ResponseID: 1, SurveyID: "nps-delivery", Score: 1, Text: "The refund took three weeks and nobody answered my emails.", Locale: "en", TouchpointType: "refund", At: y.Add(10 * time.Hour)},
			{ResponseID: 2, SurveyID: "nps-delivery", Score: 1, Text: "ההחזר לקח שלושה שבועות ואף אחד לא ענה לי בטלפון", Locale: "he", TouchpointType: "refund", At: y.Add(11 * time.Hour)},
			{ResponseID: 3, SurveyID: "csat", Score: 5, Text: "Friendly courier, arrived early, thank you!", Locale: "en", At: y.Add(12 * time.Hour)},
		}}
	return spec, s, now, data
}

func TestBuildDigestNumbers(t *testing.T) {
	t.Parallel()
	spec, s, now, data := digestFixture(t, "en")
	d := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
	if d.Quiet || len(d.Surveys) != 2 {
		t.Fatalf("quiet %v, %d surveys; want a digest of 2 surveys", d.Quiet, len(d.Surveys))
	}
	if got, want := d.Date.Format(time.DateOnly), "2026-11-23"; got != want {
		t.Errorf("date %s, want %s", got, want)
	}
	nps := d.Surveys[0]
	// Current: 28 days × (3 P, 1 Pa, 1 D) + yesterday's 2 refund detractors.
	cur := scoring.NPSCounts{Promoters: 84, Passives: 28, Detractors: 30}
	prev := scoring.NPSCounts{Promoters: 56, Passives: 28, Detractors: 56}
	if nps.Current.N != 142 || nps.Previous.N != 140 {
		t.Fatalf("n current %d previous %d, want 142 and 140", nps.Current.N, nps.Previous.N)
	}
	// 100·(84 − 30)/142 = 38.03 → 38; 100·(56 − 56)/140 = 0.
	if nps.Current.Value != 38 || nps.Previous.Value != 0 || nps.Change != 38 || !nps.HasChange {
		t.Errorf("NPS %d previous %d change %d, want 38, 0, +38", nps.Current.Value, nps.Previous.Value, nps.Change)
	}
	ci, _ := cur.CI(scoring.DefaultConfidence, scoring.AdjustedWald)
	if nps.Current.CI != ci {
		t.Errorf("CI %+v, want %+v", nps.Current.CI, ci)
	}
	cmpr, _ := scoring.CompareNPS(cur, prev, scoring.DefaultConfidence)
	if nps.Trend.Comparison != cmpr || !nps.Trend.Tested || nps.Arrow != scoring.Up {
		t.Errorf("trend %+v arrow %v, want %+v, tested, up", nps.Trend, nps.Arrow, cmpr)
	}
	if nps.Current.Level != scoring.Full {
		t.Errorf("level %v, want full", nps.Current.Level)
	}
	// Yesterday: 5 regular answers + 2 refund detractors = 7: counts only.
	if nps.Yesterday.N != 7 || nps.Yesterday.HasScore() || nps.Comments != 2 {
		t.Errorf("yesterday n %d score %v comments %d, want 7, no score, 2", nps.Yesterday.N, nps.Yesterday.HasScore(), nps.Comments)
	}
	if nps.Invited != (surveys.DigestInvited{Sent: 20, Answered: 7}) {
		t.Errorf("invited %+v", nps.Invited)
	}
	var names []string
	for _, tp := range nps.Touchpoints {
		names = append(names, tp.Name)
	}
	if diff := cmp.Diff([]string{"delivery", "refund", "pickup"}, names); diff != "" {
		t.Errorf("touchpoint ranking (-want +got):\n%s", diff)
	}
	// delivery: 56 days of answers in the 90-day window: P 140, Pa 56, D 0.
	if got := nps.Touchpoints[0].Score; got.N != 196 || got.Value != 71 {
		t.Errorf("delivery n %d value %d, want 196 and 71", got.N, got.Value)
	}
	// refund's 2 answers are shrunk towards the survey's score: above
	// pickup's solid −100, and shown as counts only.
	if got := nps.Touchpoints[1].Score; got.N != 2 || got.Level != scoring.CountsOnly {
		t.Errorf("refund n %d level %v, want 2 counts-only", got.N, got.Level)
	}
	if len(nps.Quotes) != 2 || nps.Quotes[0].Touchpoint != "refund" || nps.Quotes[0].Score != 1 {
		t.Errorf("quotes %+v, want the two refund comments", nps.Quotes)
	}
	if len(nps.Daily) != surveys.ChartDays || nps.Daily[surveys.ChartDays-1].Responses != 7 {
		t.Errorf("daily %d days, last %d responses; want 90 and 7", len(nps.Daily), nps.Daily[len(nps.Daily)-1].Responses)
	}
	if last := nps.Daily[surveys.ChartDays-1].Rolling; last.N != 142 || last.Value != 38 {
		t.Errorf("rolling score on the last day n %d value %d, want the headline's", last.N, last.Value)
	}
	if len(nps.Breakdowns) != 1 || len(nps.Breakdowns[0].Segments) != 2 {
		t.Fatalf("breakdowns %+v, want agent with Dana and יוסי", nps.Breakdowns)
	}
	// Dana: 40 P, 5 D of 45 = 77.8 → 78; יוסי: 10 P, 20 D of 30 = −33.3 → −33.
	if a, b := nps.Breakdowns[0].Segments[0], nps.Breakdowns[0].Segments[1]; a.Name != "Dana" || a.Score.Value != 78 || b.Score.Value != -33 || b.Score.N != 30 {
		t.Errorf("agents %+v, %+v; want Dana 78 first, then יוסי −33 (n 30)", a, b)
	}
	csat := d.Surveys[1]
	if csat.Current.N != 3 || csat.Current.Level != scoring.CountsOnly || csat.HasChange {
		t.Errorf("csat %+v: want 3 answers, counts only, no change", csat.Current)
	}
}

func TestBuildDigestQuietDay(t *testing.T) {
	t.Parallel()
	spec, s, now, data := digestFixture(t, "en")
	var kept []surveys.DigestCount
	for _, c := range data.Counts {
		if c.Day != len(data.Query.Days)-1 {
			kept = append(kept, c)
		}
	}
	data.Counts, data.Comments = kept, nil
	d := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
	if !d.Quiet {
		t.Fatal("a day without responses is not quiet")
	}
	if !strings.Contains(d.Text(), "No new responses yesterday.") {
		t.Errorf("quiet digest text lacks the note:\n%s", d.Text())
	}
}

func TestDigestTextGolden(t *testing.T) {
	t.Parallel()
	for _, locale := range []string{"en", "he", "fa", "ar", "ru", "fa-u-nu-latn"} {
		t.Run(locale, func(t *testing.T) {
			t.Parallel()
			spec, s, now, data := digestFixture(t, locale)
			got := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data).Text()
			path := filepath.Join("testdata", "digest_"+locale+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("digest text (-want +got):\n%s", diff)
			}
			if scoring.IsRTL(locale) {
				for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
					if line != "" && !strings.HasPrefix(line, "\u200f") && !startsWithRTLLetter(line) {
						t.Errorf("line %d does not start right to left: %q", i+1, line)
					}
				}
			}
		})
	}
}

func startsWithRTLLetter(s string) bool {
	for _, r := range s {
		return (r >= 0x0590 && r <= 0x08FF) || (r >= 0xFB1D && r <= 0xFEFF)
	}
	return false
}

func TestDigestDue(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	spec := surveys.DigestSpec{ID: "d", At: 2*60 + 30, Timezone: ny, Days: []time.Weekday{time.Sunday, time.Monday}}
	tests := []struct {
		name string
		now  time.Time
		date string
		due  bool
	}{
		// 2026-03-08: clocks jump from 02:00 to 03:00; 02:30 never exists.
		{"before the gap", time.Date(2026, 3, 8, 6, 59, 0, 0, time.UTC), "2026-03-08", false},
		{"first instant after the gap", time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), "2026-03-08", true},
		// 2026-11-01: 01:00–02:00 happens twice; 02:30 once, in EST.
		{"fall back, before", time.Date(2026, 11, 1, 7, 29, 0, 0, time.UTC), "2026-11-01", false},
		{"fall back, at", time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC), "2026-11-01", true},
		{"wrong weekday", time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC), "2026-11-03", false},
		{"late the same day", time.Date(2026, 11, 2, 23, 0, 0, 0, time.UTC), "2026-11-02", true},
		{"local date differs from UTC", time.Date(2026, 11, 3, 3, 0, 0, 0, time.UTC), "2026-11-02", true},
	}
	every := surveys.DigestSpec{ID: "e", At: 9 * 60}
	if _, due := every.Due(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)); !due {
		t.Error("a digest without days is not due every day")
	}
	for _, tt := range tests {
		date, due := spec.Due(tt.now)
		if date != tt.date || due != tt.due {
			t.Errorf("%s: Due(%s) = %s, %v; want %s, %v", tt.name, tt.now, date, due, tt.date, tt.due)
		}
	}
}

// TestBuildDigestReasons checks the drivers against a hand computation:
// 12, 6 and 2 of n = 20 are 60 %, 30 % and 10 %, with Wilson 95 %
// intervals p̃ ± z/(1+z²/n)·√(p̂(1−p̂)/n + z²/4n²), centre (p̂ + z²/2n)/(1 + z²/n):
// [38.66, 78.12], [14.55, 51.89], [2.79, 30.10].
func TestBuildDigestReasons(t *testing.T) {
	t.Parallel()
	spec, s, now, data := digestFixture(t, "en")
	d := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
	nps := d.Surveys[0]
	if nps.DriversN != 20 {
		t.Errorf("drivers n = %d, want 20", nps.DriversN)
	}
	want := []struct {
		reason, label string
		count, share  int
		lo, hi        float64
	}{
		{"speed", "Speed", 12, 60, 38.66, 78.12},
		{"staff", "Staff", 6, 30, 14.55, 51.89},
		{"package", "Packaging", 2, 10, 2.79, 30.10},
	}
	if len(nps.Drivers) != len(want) {
		t.Fatalf("drivers %+v, want %d", nps.Drivers, len(want))
	}
	for i, w := range want {
		g := nps.Drivers[i]
		if g.Reason != w.reason || g.Label != w.label || g.Count != w.count || g.Share != w.share ||
			math.Abs(g.CI.Lo-w.lo) > 0.01 || math.Abs(g.CI.Hi-w.hi) > 0.01 {
			t.Errorf("driver %d: got %+v, want %+v", i, g, w)
		}
	}
	if len(d.Surveys[1].Drivers) != 0 {
		t.Errorf("csat has no reasons but drivers %+v", d.Surveys[1].Drivers)
	}
	few := data
	few.Reasons = []surveys.DigestReasonCount{{SurveyID: "nps-delivery", Reason: "speed", Responses: 3}, {SurveyID: "nps-delivery", Reason: "staff", Responses: 1}}
	if got := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, few).Surveys[0]; len(got.Drivers) != 0 {
		t.Errorf("4 reasons, below the score threshold of 5, shown: %+v", got.Drivers)
	}
	if text := d.Text(); !strings.Contains(text, "Reasons, last 28 days (n = 20, 95% CI):\nSpeed 60% (39–78) · Staff 30% (15–52) · Packaging 10% (3–30)\n") {
		t.Errorf("digest text lacks the reasons:\n%s", text)
	}
}
