package surveys

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// A Report is the score report every surface renders: the digest's headline
// scores, /survey stats, GET /v1/scores and the dashboard. For each survey
// it holds the score of a trailing window of whole local days with its 95%
// interval and n, the change against the window before (flagged by the
// digest's rule: tested at n ≥ 30 in both windows, significant, surviving
// Benjamini–Hochberg across the report's surveys, and at least 5 points on
// the displayed scores), segments ranked by smoothed score, the trend by
// week with intervals, the response rate and delivery outcomes, and recent
// redacted comments. It is computed once, here, from storage aggregates
// through scoring; a surface that computes a number itself is wrong.

// ReportByTouchpoint segments a report by touchpoint type; any other By is
// a touchpoint attribute ("agent").
const ReportByTouchpoint = StatsByTouchpoint

// MaxReportDays bounds a report's window.
const MaxReportDays = 366

// ReportQuery says which report to build.
type ReportQuery struct {
	// Surveys are the survey ids it covers; empty means every survey.
	Surveys []string
	// Days is the length of the window in whole local days ending
	// yesterday; 0 means scoring.HeadlineDays (28).
	Days int
	// By segments each survey: ReportByTouchpoint or an attribute name;
	// "" for none.
	By string
	// Comments is how many recent comments each survey carries.
	Comments int
	// Now is when it is built; Location the workspace's zone (nil: UTC).
	Now      time.Time
	Location *time.Location
}

func (q ReportQuery) days() int {
	if q.Days <= 0 {
		return scoring.HeadlineDays
	}
	return q.Days
}

func (q ReportQuery) location() *time.Location {
	if q.Location == nil {
		return time.UTC
	}
	return q.Location
}

// DeliveryCount is how many invitations to a survey created in a window
// ended in one state (and, when skipped, for one reason).
type DeliveryCount struct {
	SurveyID    string
	Status      Status
	SkipReason  SkipReason
	Invitations int
}

// ReportStore is what a report reads: the digest's aggregates and the
// delivery outcomes, never all rows.
type ReportStore interface {
	DigestStore
	// DeliveryCounts counts the invitations created in q.Yesterday by
	// survey, status and skip reason.
	DeliveryCounts(ctx context.Context, q DigestQuery) ([]DeliveryCount, error)
}

// ReportData is everything a report is computed from.
type ReportData struct {
	// Query.Days are consecutive local days, oldest first, ending with the
	// window's last day; at least twice the window.
	Query  DigestQuery
	Counts []DigestCount
	// Attributes and PreviousAttributes count the By attribute over the
	// window and the window before.
	Attributes, PreviousAttributes []DigestAttributeCount
	Invited                        map[string]DigestInvited
	Comments                       []DigestComment
	Deliveries                     []DeliveryCount
}

// Report is a computed score report.
type Report struct {
	// Window is the trailing window; Previous the one before it.
	Window, Previous scoring.Window
	Timezone         *time.Location
	By               string
	Surveys          []ReportSurvey
}

// ReportSurvey is one survey's part of a report.
type ReportSurvey struct {
	Survey Survey
	Scale  scoring.ScaleID
	// Current and Previous are the window and the window before.
	Current, Previous DigestScore
	// Change is the current score minus the previous one, as displayed;
	// HasChange is false when either has no score.
	Change    int
	HasChange bool
	// Trend is the change test; Arrow is the flag it earned by the
	// digest's rule across the report's surveys.
	Trend scoring.Trend
	Arrow scoring.Arrow
	// Segments are the values of By over the window, best first by
	// smoothed score; each shows its raw score.
	Segments []ReportSegment
	// Weeks are the scores of each week of the window and the one before,
	// oldest first.
	Weeks []ReportWeek
	// Invited counts the invitations delivered in the window and how many
	// were answered: the response rate.
	Invited DigestInvited
	// Deliveries are the outcomes of the invitations created in the window.
	Deliveries []DeliveryCount
	// Comments are the most recent comments of the window, newest first,
	// personal data redacted; none when too few answers allow (eNPS).
	Comments []ReportComment
}

// ReportSegment is one segment's cell.
type ReportSegment struct {
	Name              string
	Current, Previous DigestScore
	// Smoothed ranks the segment (pulled towards the survey by 10 pseudo-answers); display the raw score.
	Smoothed scoring.Smoothed
	Trend    scoring.Trend
	// Arrow is flagged by the digest's rule across the report's segments.
	Arrow scoring.Arrow
}

// ReportWeek is one week of the trend.
type ReportWeek struct {
	Window scoring.Window
	Score  DigestScore
}

// ReportComment is a recent comment, redacted.
type ReportComment struct {
	ResponseID     int64
	Score          int
	Bucket         scoring.Bucket
	Text           string
	Lang           string
	TouchpointType string
	At             time.Time
}

// ResponseRate is the share of delivered invitations answered, 0–1; ok is
// false when none were delivered.
func (s ReportSurvey) ResponseRate() (rate float64, ok bool) {
	if s.Invited.Sent == 0 {
		return 0, false
	}
	return float64(s.Invited.Answered) / float64(s.Invited.Sent), true
}

// ReportSurveys returns the surveys of q that exist in s: every survey when
// q names none.
func (q ReportQuery) surveyIDs(s *Settings) []string {
	if len(q.Surveys) > 0 {
		return slices.Clone(q.Surveys)
	}
	ids := make([]string, len(s.Surveys))
	for i, sv := range s.Surveys {
		ids[i] = sv.ID
	}
	return ids
}

// LoadReportData reads what a report needs: one GROUP BY of the daily
// counts over both windows, the attribute's counts per window, the
// invitations and comments of the window.
func LoadReportData(ctx context.Context, st ReportStore, s *Settings, q ReportQuery) (ReportData, error) {
	days := q.days()
	if days > MaxReportDays {
		return ReportData{}, fmt.Errorf("report window of %d days: at most %d", days, MaxReportDays)
	}
	loc := q.location()
	cur := scoring.Trailing(q.Now, loc, days)
	dq := DigestQuery{DigestID: "report", Surveys: q.surveyIDs(s), Days: scoring.TrailingDays(q.Now, loc, 2*days),
		Yesterday: cur, MaxComments: 2000}
	data := ReportData{Query: dq}
	var err error
	if data.Counts, err = st.DigestCounts(ctx, dq); err != nil {
		return data, fmt.Errorf("report counts: %w", err)
	}
	if q.By != "" && q.By != ReportByTouchpoint {
		aq := dq
		aq.Attributes, aq.Segment = []string{q.By}, cur
		if data.Attributes, err = st.DigestAttributeCounts(ctx, aq); err != nil {
			return data, fmt.Errorf("report by %s: %w", q.By, err)
		}
		aq.Segment = cur.Previous()
		if data.PreviousAttributes, err = st.DigestAttributeCounts(ctx, aq); err != nil {
			return data, fmt.Errorf("report by %s: %w", q.By, err)
		}
	}
	if data.Invited, err = st.DigestInvited(ctx, dq); err != nil {
		return data, fmt.Errorf("report invitations: %w", err)
	}
	if q.Comments > 0 {
		if data.Comments, err = st.DigestComments(ctx, dq); err != nil {
			return data, fmt.Errorf("report comments: %w", err)
		}
	}
	if data.Deliveries, err = st.DeliveryCounts(ctx, dq); err != nil {
		return data, fmt.Errorf("report deliveries: %w", err)
	}
	return data, nil
}

// ComposeReport reads and computes a report.
func ComposeReport(ctx context.Context, st ReportStore, s *Settings, th DigestThresholds, q ReportQuery) (Report, error) {
	data, err := LoadReportData(ctx, st, s, q)
	if err != nil {
		return Report{}, err
	}
	return BuildReport(s, th, q, data), nil
}

// BuildReport computes a report from its data. It is pure: the same data
// give the same report. The windows are the last q.Days days of
// data.Query.Days and the q.Days before them.
func BuildReport(s *Settings, th DigestThresholds, q ReportQuery, data ReportData) Report {
	all := data.Query.Days
	n := q.days()
	r := Report{Timezone: q.location(), By: q.By}
	if len(all) < 2*n {
		n = len(all) / 2
	}
	if n == 0 {
		return r
	}
	total := len(all)
	r.Window = scoring.Window{Start: all[total-n].Start, End: all[total-1].End}
	r.Previous = scoring.Window{Start: all[total-2*n].Start, End: all[total-n-1].End}

	type key struct {
		survey string
		day    int
	}
	daily := map[key][]int{}
	// segs[survey][window][name]: window 0 is the previous, 1 the current.
	segs := map[string]*[2]map[string][]int{}
	addSeg := func(sv Survey, window int, name string, score, count int) {
		scale := sv.Metric.Scale()
		lo, hi, ok := scale.Range()
		if !ok || score < lo || score > hi || count <= 0 {
			return
		}
		w := segs[sv.ID]
		if w == nil {
			w = &[2]map[string][]int{{}, {}}
			segs[sv.ID] = w
		}
		if w[window][name] == nil {
			w[window][name] = make([]int, hi-lo+1)
		}
		w[window][name][score-lo] += count
	}
	for _, c := range data.Counts {
		sv, ok := s.Survey(c.SurveyID)
		if !ok {
			continue
		}
		lo, hi, ok := sv.Metric.Scale().Range()
		if !ok || c.Score < lo || c.Score > hi || c.Day < 0 || c.Day >= total {
			continue
		}
		k := key{c.SurveyID, c.Day}
		if daily[k] == nil {
			daily[k] = make([]int, hi-lo+1)
		}
		daily[k][c.Score-lo] += c.Responses
		if q.By == ReportByTouchpoint && c.Day >= total-2*n {
			window := 0
			if c.Day >= total-n {
				window = 1
			}
			addSeg(sv, window, c.TouchpointType, c.Score, c.Responses)
		}
	}
	if q.By != "" && q.By != ReportByTouchpoint {
		for window, counts := range [2][]DigestAttributeCount{data.PreviousAttributes, data.Attributes} {
			for _, c := range counts {
				if sv, ok := s.Survey(c.SurveyID); ok && c.Attribute == q.By {
					addSeg(sv, window, c.Value, c.Score, c.Responses)
				}
			}
		}
	}
	sum := func(id string, scale scoring.ScaleID, from, to int) scoring.Likert {
		l := emptyLikert(scale)
		for day := max(from, 0); day < to; day++ {
			for i, v := range daily[key{id, day}] {
				l.Counts[i] += v
			}
		}
		return l
	}

	var trends, segTrends []scoring.Trend
	type segRef struct{ survey, seg int }
	var segRefs []segRef
	for _, id := range q.surveyIDs(s) {
		sv, ok := s.Survey(id)
		if !ok {
			continue
		}
		scale := sv.Metric.Scale()
		t := th.of(scale)
		rs := ReportSurvey{Survey: sv, Scale: scale}
		curL, prevL := sum(id, scale, total-n, total), sum(id, scale, total-2*n, total-n)
		rs.Current, rs.Previous = score(curL, t.Level), score(prevL, t.Level)
		if rs.Current.HasScore() && rs.Previous.HasScore() {
			rs.Change, rs.HasChange = rs.Current.Value-rs.Previous.Value, true
		}
		rs.Trend = trend(curL, prevL, t)
		trends = append(trends, rs.Trend)

		if w := segs[id]; w != nil {
			parent, _ := curL.NPSCounts()
			for _, ds := range rank(w[1], scale, parent, t) {
				prevSeg := emptyLikert(scale)
				if counts := w[0][ds.Name]; counts != nil {
					prevSeg = scoring.Likert{Scale: scale, Counts: counts}
				}
				seg := ReportSegment{Name: ds.Name, Current: ds.Score, Previous: score(prevSeg, t.Level), Smoothed: ds.Smoothed,
					Trend: trend(ds.Score.Counts, prevSeg, t)}
				segRefs = append(segRefs, segRef{len(r.Surveys), len(rs.Segments)})
				segTrends = append(segTrends, seg.Trend)
				rs.Segments = append(rs.Segments, seg)
			}
		}
		for end := total; end-7 >= total-2*n; end -= 7 {
			rs.Weeks = append(rs.Weeks, ReportWeek{
				Window: scoring.Window{Start: all[end-7].Start, End: all[end-1].End},
				Score:  score(sum(id, scale, end-7, end), t.Level)})
		}
		slices.Reverse(rs.Weeks)
		rs.Invited = data.Invited[id]
		for _, dc := range data.Deliveries {
			if dc.SurveyID == id {
				rs.Deliveries = append(rs.Deliveries, dc)
			}
		}
		if t.ShowComments(rs.Current.N) {
			rs.Comments = recentComments(id, scale, data.Comments, q.Comments)
		}
		r.Surveys = append(r.Surveys, rs)
	}
	for i, a := range scoring.Arrows(trends, 0.05) {
		r.Surveys[i].Arrow = a
	}
	for i, a := range scoring.Arrows(segTrends, 0.05) {
		ref := segRefs[i]
		r.Surveys[ref.survey].Segments[ref.seg].Arrow = a
	}
	return r
}

// recentComments are the newest limit comments of a survey, redacted for
// display.
func recentComments(id string, scale scoring.ScaleID, comments []DigestComment, limit int) []ReportComment {
	var out []ReportComment
	for _, c := range comments {
		if len(out) >= limit {
			break
		}
		if c.SurveyID != id || c.Text == "" {
			continue
		}
		b, err := scale.Bucket(c.Score)
		if err != nil {
			continue
		}
		lang, _ := baseLanguage(c.Locale)
		red := scoring.Redact(c.Text, lang)
		if !slices.Contains(Locales, lang) {
			lang, _ = scoring.DetectLanguage(red.Text, "")
		}
		out = append(out, ReportComment{ResponseID: c.ResponseID, Score: c.Score, Bucket: b, Text: red.Text, Lang: lang,
			TouchpointType: c.TouchpointType, At: c.At})
	}
	slices.SortStableFunc(out, func(a, b ReportComment) int { return b.At.Compare(a.At) })
	return out
}

// Survey returns the report's part for a survey id.
func (r Report) Survey(id string) (ReportSurvey, bool) {
	for _, s := range r.Surveys {
		if s.Survey.ID == id {
			return s, true
		}
	}
	return ReportSurvey{}, false
}

// Only keeps the surveys ids names, in that order; none keeps every one.
// Build the report over every survey and then keep some, rather than build
// it over fewer: flags are decided across the surveys a report covers, so a
// survey asked for alone is flagged as it is among all the others.
func (r Report) Only(ids []string) Report {
	if len(ids) == 0 {
		return r
	}
	out := r
	out.Surveys = nil
	for _, id := range ids {
		if s, ok := r.Survey(id); ok {
			out.Surveys = append(out.Surveys, s)
		}
	}
	return out
}
