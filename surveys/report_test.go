package surveys_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// TestBuildReport computes a report from the digest fixture's counts: its
// headline is the digest's, and it adds weeks, segments with their change,
// deliveries and redacted comments.
func TestBuildReport(t *testing.T) {
	t.Parallel()
	spec, s, now, data := digestFixture(t, "en")
	d := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
	q := surveys.ReportQuery{Days: 28, By: surveys.ReportByTouchpoint, Comments: 10, Now: now, Location: spec.Timezone}
	rd := surveys.ReportData{Query: data.Query, Counts: data.Counts, Invited: data.Invited,
		Comments: append(data.Comments, surveys.DigestComment{ResponseID: 4, SurveyID: "nps-delivery", Score: 9,
			Text: "call me on 050-1234567 please", Locale: "en", At: data.Query.Yesterday.Start.Add(13 * time.Hour)}),
		Deliveries: []surveys.DeliveryCount{
			{SurveyID: "nps-delivery", Status: surveys.Sent, Invitations: 20},
			{SurveyID: "nps-delivery", Status: surveys.Skipped, SkipReason: surveys.SkipFatigue, Invitations: 3},
			{SurveyID: "csat", Status: surveys.Sent, Invitations: 1},
		}}
	rep := surveys.BuildReport(s, surveys.DigestThresholds{}, q, rd)
	if rep.Window != d.Current || rep.Previous != d.Previous {
		t.Fatalf("windows %v %v, want the digest's %v %v", rep.Window, rep.Previous, d.Current, d.Previous)
	}
	nps, ok := rep.Survey("nps-delivery")
	if !ok {
		t.Fatal("no nps-delivery in the report")
	}
	ds := d.Surveys[0]
	if diff := cmp.Diff(ds.Current, nps.Current); diff != "" {
		t.Errorf("current (-digest +report):\n%s", diff)
	}
	if nps.Arrow != ds.Arrow || nps.Change != ds.Change || nps.Arrow != scoring.Up {
		t.Errorf("arrow %v change %d, want the digest's %v %d (up)", nps.Arrow, nps.Change, ds.Arrow, ds.Change)
	}

	// 8 weeks: 4 of the window, 4 of the one before; the last is a whole
	// week ending yesterday: 7 days × 5 answers + 2 refund answers.
	if len(nps.Weeks) != 8 {
		t.Fatalf("%d weeks, want 8", len(nps.Weeks))
	}
	last := nps.Weeks[7]
	if last.Window.End != rep.Window.End || last.Score.N != 37 || !last.Score.HasScore() {
		t.Errorf("last week %v n %d, want ending with the window and n 37", last.Window, last.Score.N)
	}
	if first := nps.Weeks[0]; first.Window.Start != rep.Previous.Start || first.Score.N != 35 || first.Score.Value != 0 {
		t.Errorf("first week %v n %d value %d, want starting with the previous window, n 35, 0", first.Window, first.Score.N, first.Score.Value)
	}

	// Segments over the window, with their previous window and change.
	var names []string
	for _, seg := range nps.Segments {
		names = append(names, seg.Name)
	}
	if diff := cmp.Diff([]string{"delivery", "refund", "pickup"}, names); diff != "" {
		t.Errorf("segment ranking (-want +got):\n%s", diff)
	}
	if del := nps.Segments[0]; del.Current.N != 112 || del.Previous.N != 84 || del.Current.Value != 75 || del.Previous.Value != 67 {
		t.Errorf("delivery %d (n %d) after %d (n %d), want 75 (112) after 67 (84)", del.Current.Value, del.Current.N, del.Previous.Value, del.Previous.N)
	}

	if nps.Invited != (surveys.DigestInvited{Sent: 20, Answered: 7}) || len(nps.Deliveries) != 2 || nps.Deliveries[1].SkipReason != surveys.SkipFatigue {
		t.Errorf("invited %+v deliveries %+v", nps.Invited, nps.Deliveries)
	}
	if rate, ok := nps.ResponseRate(); !ok || rate != 0.35 {
		t.Errorf("response rate %v %v, want 0.35", rate, ok)
	}

	// Comments: newest first, redacted, with bucket and language.
	if len(nps.Comments) != 3 {
		t.Fatalf("comments %+v, want 3", nps.Comments)
	}
	if c := nps.Comments[0]; strings.Contains(c.Text, "050-1234567") || c.Bucket != scoring.Promoter || c.ResponseID != 4 {
		t.Errorf("newest comment %+v, want response 4 redacted, a promoter", c)
	}
	if c := nps.Comments[1]; c.Lang != "he" || c.Bucket != scoring.Detractor {
		t.Errorf("Hebrew comment %+v", c)
	}

	// CSAT: 3 answers, counts only; no flag without a previous score.
	csat, _ := rep.Survey("csat")
	if csat.Current.N != 3 || csat.Current.HasScore() || csat.HasChange || csat.Arrow != scoring.NoArrow {
		t.Errorf("csat %+v", csat)
	}
}

// An eNPS survey below the comment threshold shows no comments.
func TestBuildReportENPSComments(t *testing.T) {
	t.Parallel()
	loc := time.UTC
	s := &surveys.Settings{DefaultLocale: "en", Timezone: loc, Surveys: []surveys.Survey{{ID: "enps", Metric: surveys.ENPS}}}
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, loc)
	q := surveys.ReportQuery{Days: 7, Comments: 5, Now: now, Location: loc}
	dq := surveys.NewDigestQuery(surveys.DigestSpec{ID: "x", Timezone: loc}, s, now)
	dq.Days = dq.Days[len(dq.Days)-14:]
	for _, n := range []int{7, 8} {
		rd := surveys.ReportData{Query: dq, Counts: []surveys.DigestCount{{SurveyID: "enps", Day: 13, Score: 9, Responses: n}},
			Comments: []surveys.DigestComment{{ResponseID: 1, SurveyID: "enps", Score: 9, Text: "good place to work", Locale: "en", At: now}}}
		rep := surveys.BuildReport(s, surveys.DigestThresholds{}, q, rd)
		if got, want := len(rep.Surveys[0].Comments), map[int]int{7: 0, 8: 1}[n]; got != want {
			t.Errorf("n %d: %d comments, want %d", n, got, want)
		}
	}
}
