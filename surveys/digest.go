package surveys

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// A digest is the daily Voice-of-Customer summary posted to a staff channel:
// for each survey it covers, the headline score of the trailing 28 days with
// its interval and n, the change against the 28 days before (flagged only
// when scoring's trend rules say so), yesterday's responses, comments and
// response rate, the touchpoints ranked by smoothed score over 90 days, and a
// few customer quotes. Every number is computed here, from counts, by
// scoring; renderers only format what a Digest holds, so the Slack post, the
// Telegram post and `vocbot digest preview` cannot disagree.

// DigestSpec is one configured digest: where, when and what.
type DigestSpec struct {
	// ID keys the once-a-day guarantee ([a-z0-9_-]{1,64}).
	ID string
	// To is the channel or chat it is posted to (ChatID set).
	To Address
	// At is the local wall-clock time, minutes after midnight.
	At int
	// Timezone is the digest's own zone: its days, windows and schedule.
	Timezone *time.Location
	// Days are the weekdays it is posted on; none means every day.
	Days []time.Weekday
	// Surveys are the survey ids it covers; empty means every survey.
	Surveys []string
	// Quotes is how many customer quotes each survey shows (0–10).
	Quotes int
	// Locale is its language; "fa-u-nu-latn" and "ar-u-nu-latn" pick Latin
	// digits.
	Locale string
	// PostWhenEmpty posts even on a day with no new responses.
	PostWhenEmpty bool
	// Breakdowns are touchpoint attributes ("agent", "region") each survey
	// is also ranked by, like touchpoint types.
	Breakdowns []string
	// AlertWaitTarget is how long an alert may stay unresolved before the
	// digest counts it as waiting; 0 means DefaultAlertWaitTarget.
	AlertWaitTarget time.Duration
}

// Due reports whether the digest is due at now: now's local weekday is one
// of Days and its wall clock has reached At. It compares wall-clock fields of
// now in the digest's zone and never builds the target instant, so a target
// inside a spring-forward gap fires at the first instant after it and one in
// a fall-back hour fires at its first occurrence. It also
// returns the local date the post belongs to.
func (d DigestSpec) Due(now time.Time) (date string, due bool) {
	local := now.In(d.location())
	date = local.Format(time.DateOnly)
	if len(d.Days) > 0 && !slices.Contains(d.Days, local.Weekday()) {
		return date, false
	}
	return date, local.Hour()*60+local.Minute() >= d.At
}

func (d DigestSpec) location() *time.Location {
	if d.Timezone == nil {
		return time.UTC
	}
	return d.Timezone
}

// Lengths of a digest's windows, in local days ending yesterday.
const (
	// DigestHistoryDays is how far back a digest reads daily counts: the
	// 90 days of its chart, each with a trailing 28-day score.
	DigestHistoryDays = ChartDays + scoring.HeadlineDays - 1
	// ChartDays is the span of the trend chart.
	ChartDays = 90
	// DigestQuoteMemory is how long a shown quote is not shown again.
	DigestQuoteMemory = 7 * 24 * time.Hour
	// smoothingStrength is m of the shrinkage toward the mean, in pseudo-answers.
	smoothingStrength = 10
)

// DigestCount is one cell of the aggregate a digest is computed from: how
// many responses to a survey from one touchpoint type on one local day gave
// one score, and how many of them came with a comment.
type DigestCount struct {
	SurveyID       string
	Day            int // index into DigestQuery.Days
	TouchpointType string
	Score          int
	Responses      int
	Comments       int
}

// DigestAttributeCount is one cell of an attribute breakdown over the
// segment window (90 days): answers to a survey with one value of one
// touchpoint attribute that gave one score.
type DigestAttributeCount struct {
	SurveyID  string
	Attribute string
	Value     string
	Score     int
	Responses int
}

// DigestInvited counts yesterday's delivered invitations to a survey and
// how many of them have been answered since: the response rate.
type DigestInvited struct {
	Sent, Answered int
}

// DigestComment is a comment offered to quote selection.
type DigestComment struct {
	ResponseID     int64
	SurveyID       string
	Score          int
	Text           string
	Locale         string
	TouchpointType string
	At             time.Time
}

// DigestQuery is what a digest asks storage for.
type DigestQuery struct {
	DigestID string
	Surveys  []string
	// Days are consecutive local days, oldest first, ending yesterday.
	Days []scoring.Window
	// Yesterday is the last of Days: invitations and comments come from it.
	Yesterday scoring.Window
	// MaxComments bounds the comments read for quotes.
	MaxComments int
	// QuotesSince is where the memory of shown quotes starts.
	QuotesSince time.Time
	// Attributes are broken down over Segment.
	Attributes []string
	Segment    scoring.Window
	// AlertsWaitingSince: unresolved alerts raised before it are waiting.
	AlertsWaitingSince time.Time
	// Current is the headline window: the close-the-loop section counts
	// the alerts raised in it.
	Current scoring.Window
}

// DigestStore is what a digest needs from storage: aggregates, never all
// rows.
type DigestStore interface {
	DigestCounts(ctx context.Context, q DigestQuery) ([]DigestCount, error)
	// DigestAttributeCounts counts answers by the values of q.Attributes
	// over q.Segment; answers without the attribute are left out.
	DigestAttributeCounts(ctx context.Context, q DigestQuery) ([]DigestAttributeCount, error)
	DigestInvited(ctx context.Context, q DigestQuery) (map[string]DigestInvited, error)
	DigestComments(ctx context.Context, q DigestQuery) ([]DigestComment, error)
	// RecentDigestQuotes are the quotes digest q.DigestID showed since
	// q.QuotesSince, as displayed.
	RecentDigestQuotes(ctx context.Context, q DigestQuery) ([]string, error)
}

// DigestData is everything a digest is computed from.
type DigestData struct {
	Query      DigestQuery
	Counts     []DigestCount
	Attributes []DigestAttributeCount
	Invited    map[string]DigestInvited
	Comments   []DigestComment
	Recent     []string
	// Reasons count the reasons given over the headline window (nil when
	// the store cannot count them).
	Reasons []DigestReasonCount
	// WaitingAlerts counts unresolved alerts raised before
	// Query.AlertsWaitingSince (0 when the store keeps no alerts).
	WaitingAlerts int
	// Blocked counts the customers who blocked the bot (0 when the store
	// does not record blocks).
	Blocked int
	// Alerts are the alerts raised in Query.Current; AlertsRead is false
	// when the store cannot list them.
	Alerts     []DigestAlert
	AlertsRead bool
}

// NewDigestQuery lays out the windows of a digest posted at now.
func NewDigestQuery(spec DigestSpec, s *Settings, now time.Time) DigestQuery {
	loc := spec.location()
	q := DigestQuery{DigestID: spec.ID, Surveys: spec.surveyIDs(s), MaxComments: 2000,
		QuotesSince: now.Add(-DigestQuoteMemory)}
	q.Days = scoring.TrailingDays(now, loc, DigestHistoryDays)
	q.Yesterday = q.Days[len(q.Days)-1]
	q.Segment = scoring.SegmentWindow(now, loc)
	q.Attributes = slices.Clone(spec.Breakdowns)
	q.AlertsWaitingSince = now.Add(-spec.alertWaitTarget())
	q.Current, _ = scoring.HeadlineWindows(now, loc)
	return q
}

func (d DigestSpec) surveyIDs(s *Settings) []string {
	if len(d.Surveys) > 0 {
		return slices.Clone(d.Surveys)
	}
	ids := make([]string, len(s.Surveys))
	for i, sv := range s.Surveys {
		ids[i] = sv.ID
	}
	return ids
}

// LoadDigestData reads a digest's data from the store.
func LoadDigestData(ctx context.Context, st DigestStore, q DigestQuery) (DigestData, error) {
	data := DigestData{Query: q}
	var err error
	if data.Counts, err = st.DigestCounts(ctx, q); err != nil {
		return data, fmt.Errorf("digest counts: %w", err)
	}
	if len(q.Attributes) > 0 {
		if data.Attributes, err = st.DigestAttributeCounts(ctx, q); err != nil {
			return data, fmt.Errorf("digest breakdowns: %w", err)
		}
	}
	if data.Invited, err = st.DigestInvited(ctx, q); err != nil {
		return data, fmt.Errorf("digest invitations: %w", err)
	}
	if data.Comments, err = st.DigestComments(ctx, q); err != nil {
		return data, fmt.Errorf("digest comments: %w", err)
	}
	if data.Recent, err = st.RecentDigestQuotes(ctx, q); err != nil {
		return data, fmt.Errorf("digest quote memory: %w", err)
	}
	if rc, ok := st.(DigestReasonCounter); ok {
		if data.Reasons, err = rc.DigestReasonCounts(ctx, q); err != nil {
			return data, fmt.Errorf("digest reasons: %w", err)
		}
	}
	if ws, ok := st.(WaitingAlertsCounter); ok {
		if data.WaitingAlerts, err = ws.WaitingAlerts(ctx, q.AlertsWaitingSince); err != nil {
			return data, fmt.Errorf("digest waiting alerts: %w", err)
		}
	}
	if ar, ok := st.(DigestAlertReader); ok {
		if data.Alerts, err = ar.DigestAlerts(ctx, q); err != nil {
			return data, fmt.Errorf("digest alerts: %w", err)
		}
		data.AlertsRead = true
	}
	if bc, ok := st.(BlockedCounter); ok {
		if data.Blocked, err = bc.BlockedCustomers(ctx); err != nil {
			return data, fmt.Errorf("digest blocked customers: %w", err)
		}
	}
	return data, nil
}

// ComposeDigest reads and computes the digest spec would post at now.
func ComposeDigest(ctx context.Context, st DigestStore, spec DigestSpec, s *Settings, th DigestThresholds, now time.Time) (Digest, error) {
	data, err := LoadDigestData(ctx, st, NewDigestQuery(spec, s, now))
	if err != nil {
		return Digest{}, err
	}
	return BuildDigest(spec, s, th, now, data), nil
}

// DigestThresholds are the minimum-n rules: scoring's defaults, with the
// workspace's eNPS anonymity thresholds.
type DigestThresholds struct {
	ENPS scoring.Thresholds
}

func (t DigestThresholds) of(scale scoring.ScaleID) scoring.Thresholds {
	if scale == scoring.ENPS && t.ENPS.Score > 0 {
		return t.ENPS
	}
	return scoring.DefaultThresholds(scale)
}

// Digest is one day's computed digest, ready to render.
type Digest struct {
	ID     string
	Locale string
	// Date is the local date it belongs to (the day it is posted).
	Date time.Time
	// Current and Previous are the 28-day windows; Yesterday the last day.
	Current, Previous, Yesterday scoring.Window
	Surveys                      []DigestSurvey
	// Quiet is true when no survey had a response yesterday.
	Quiet bool
	// WaitingAlerts unhappy customers have waited longer than
	// AlertWaitTarget for someone to resolve their alert.
	WaitingAlerts   int
	AlertWaitTarget time.Duration
	// Blocked customers have blocked the bot: surveys can no longer reach
	// them in that chat.
	Blocked int
	// Loop is the close-the-loop section; nil without alerts.
	Loop *DigestLoop
}

// DigestSurvey is one survey's section.
type DigestSurvey struct {
	SurveyID string
	// Title is the survey's title in the digest's locale; "" when the
	// team gave it none (the id and metric stand for it then).
	Title  string
	Metric Metric
	Scale  scoring.ScaleID
	// Drivers are the reasons given over the headline window, most often
	// first; DriversN the answers that gave one.
	Drivers  []DigestDriver
	DriversN int
	// Current and Previous are the trailing and the previous 28 days.
	Current, Previous DigestScore
	// Change is the current score minus the previous one, as displayed;
	// HasChange is false when either has no score.
	Change    int
	HasChange bool
	// Trend is the change test; Arrow what it earned after
	// Benjamini–Hochberg across the digest's surveys.
	Trend scoring.Trend
	Arrow scoring.Arrow
	// Yesterday's score is shown only at Full level.
	Yesterday DigestScore
	Comments  int
	Invited   DigestInvited
	// Touchpoints are the touchpoint types of the last 90 days, best first by
	// smoothed score; each shows its raw score.
	Touchpoints []DigestSegment
	// Breakdowns rank the values of each configured attribute the same way.
	Breakdowns []DigestBreakdown
	Quotes     []DigestQuote
	// Daily are the counts behind the chart, oldest first, ChartDays long.
	Daily []DigestDay
}

// DigestScore is one cell: its counts and what may be shown of them.
type DigestScore struct {
	Counts scoring.Likert
	N      int
	Level  scoring.Level
	// Value is the displayed score: NPS points, CSAT %, CES 2.0 % agree.
	Value int
	// CI is the 95% interval of Value (adjusted Wald for NPS, Wilson for
	// shares), in the same units, unrounded.
	CI scoring.Interval
	// Mean is the mean answer rounded to one decimal (CSAT, CES).
	Mean    float64
	HasMean bool
}

// HasScore reports whether a score may be shown.
func (c DigestScore) HasScore() bool { return c.Level >= scoring.LowN }

// DigestSegment is one touchpoint type's cell.
type DigestSegment struct {
	Name     string
	Score    DigestScore
	Smoothed scoring.Smoothed
}

// DigestBreakdown is one attribute's ranked values.
type DigestBreakdown struct {
	Attribute string
	Segments  []DigestSegment
}

// DigestQuote is a quote with its attribution.
type DigestQuote struct {
	Text       string
	Score      int
	Bucket     scoring.Bucket
	Lang       string
	Touchpoint string
	Date       time.Time
}

// DigestDay is one day of the chart: its responses and the trailing 28-day
// score ending with it.
type DigestDay struct {
	Date      time.Time
	Responses int
	Rolling   DigestScore
}

// BuildDigest computes a digest from its data. It is pure: the same data
// and now give the same digest.
func BuildDigest(spec DigestSpec, s *Settings, th DigestThresholds, now time.Time, data DigestData) Digest {
	q := data.Query
	loc := spec.location()
	locale := spec.Locale
	if locale == "" {
		locale = s.DefaultLocale
	}
	days := len(q.Days)
	cur, prev := scoring.HeadlineWindows(now, loc)
	d := Digest{ID: spec.ID, Locale: locale, Date: scoring.Trailing(now, loc, 1).End,
		Current: cur, Previous: prev, Yesterday: q.Yesterday, Quiet: true,
		WaitingAlerts: data.WaitingAlerts, AlertWaitTarget: spec.alertWaitTarget(), Blocked: data.Blocked,
		Loop: buildLoop(s, data.Alerts, data.AlertsRead)}

	type key struct {
		survey string
		day    int
	}
	type tpKey struct{ survey, tp string }
	daily := map[key][]int{}
	segs := map[tpKey][]int{}
	comments := map[string]int{}
	segStart := days - scoring.SegmentDays
	for _, c := range data.Counts {
		sv, ok := s.Survey(c.SurveyID)
		if !ok {
			continue
		}
		scale := sv.Metric.Scale()
		lo, hi, ok := scale.Range()
		if !ok || c.Score < lo || c.Score > hi || c.Day < 0 || c.Day >= days {
			continue
		}
		k := key{c.SurveyID, c.Day}
		if daily[k] == nil {
			daily[k] = make([]int, hi-lo+1)
		}
		daily[k][c.Score-lo] += c.Responses
		if c.Day >= segStart {
			tk := tpKey{c.SurveyID, c.TouchpointType}
			if segs[tk] == nil {
				segs[tk] = make([]int, hi-lo+1)
			}
			segs[tk][c.Score-lo] += c.Responses
		}
		if c.Day == days-1 {
			comments[c.SurveyID] += c.Comments
		}
	}
	sum := func(id string, scale scoring.ScaleID, from, to int) scoring.Likert {
		l := scoring.Likert{Scale: scale, Counts: make([]int, scale.Points())}
		for day := max(from, 0); day < to; day++ {
			for i, n := range daily[key{id, day}] {
				l.Counts[i] += n
			}
		}
		return l
	}

	// The headline is the score report of the trailing 28 days, computed
	// from the same counts: the digest, /survey stats, the API and the
	// dashboard show one set of numbers.
	rep := BuildReport(s, th, ReportQuery{Surveys: q.Surveys, Days: scoring.HeadlineDays, Location: loc},
		ReportData{Query: q, Counts: data.Counts})
	for _, id := range q.Surveys {
		sv, ok := s.Survey(id)
		if !ok {
			continue
		}
		scale := sv.Metric.Scale()
		t := th.of(scale)
		ds := DigestSurvey{SurveyID: id, Metric: sv.Metric, Scale: scale}
		ds.Title, _ = s.title(id, locale)
		ds.Drivers, ds.DriversN = s.digestDrivers(sv, data.Reasons, locale)
		if l := t.Level(ds.DriversN); l == scoring.NoResponses || l == scoring.CountsOnly {
			// Shares of a handful say nothing, and for eNPS they could
			// name someone: reasons follow the score's threshold.
			ds.Drivers, ds.DriversN = nil, 0
		}
		h := scoring.HeadlineDays
		rs, _ := rep.Survey(id)
		ds.Current, ds.Previous = rs.Current, rs.Previous
		ds.Change, ds.HasChange = rs.Change, rs.HasChange
		ds.Trend, ds.Arrow = rs.Trend, rs.Arrow
		ds.Yesterday = score(sum(id, scale, days-1, days), t.YesterdayLevel)
		if ds.Yesterday.N > 0 {
			d.Quiet = false
		}
		ds.Comments = comments[id]
		ds.Invited = data.Invited[id]

		parent, _ := sum(id, scale, segStart, days).NPSCounts()
		tps := map[string][]int{}
		for tk, counts := range segs {
			if tk.survey == id {
				tps[tk.tp] = counts
			}
		}
		ds.Touchpoints = rank(tps, scale, parent, t)
		for _, attr := range q.Attributes {
			values := map[string][]int{}
			lo, _, _ := scale.Range()
			for _, c := range data.Attributes {
				if c.SurveyID != id || c.Attribute != attr || c.Score < lo || c.Score-lo >= scale.Points() {
					continue
				}
				if values[c.Value] == nil {
					values[c.Value] = make([]int, scale.Points())
				}
				values[c.Value][c.Score-lo] += c.Responses
			}
			if len(values) > 0 {
				ds.Breakdowns = append(ds.Breakdowns, DigestBreakdown{Attribute: attr, Segments: rank(values, scale, parent, t)})
			}
		}

		for i := days - ChartDays; i < days; i++ {
			day := DigestDay{Date: q.Days[i].Start, Rolling: score(sum(id, scale, i-h+1, i+1), t.Level)}
			for _, n := range daily[key{id, i}] {
				day.Responses += n
			}
			ds.Daily = append(ds.Daily, day)
		}
		if t.ShowComments(ds.Yesterday.N) {
			ds.Quotes = pickQuotes(spec, s, now, id, scale, data)
		}
		d.Surveys = append(d.Surveys, ds)
	}
	return d
}

// rank orders segments best first by their smoothed score's rank key,
// ties by name.
func rank(cells map[string][]int, scale scoring.ScaleID, parent scoring.NPSCounts, t scoring.Thresholds) []DigestSegment {
	out := make([]DigestSegment, 0, len(cells))
	for name, counts := range cells {
		l := scoring.Likert{Scale: scale, Counts: counts}
		seg := DigestSegment{Name: name, Score: score(l, t.Level)}
		nc, _ := l.NPSCounts()
		seg.Smoothed, _ = nc.Smoothed(parent, smoothingStrength)
		out = append(out, seg)
	}
	slices.SortFunc(out, func(a, b DigestSegment) int {
		if c := cmp.Compare(b.Smoothed.RankKey(), a.Smoothed.RankKey()); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// score computes one cell's displayed numbers at the level its n allows.
func score(l scoring.Likert, level func(int) scoring.Level) DigestScore {
	c := DigestScore{Counts: l, N: l.N()}
	c.Level = level(c.N)
	if c.N == 0 {
		return c
	}
	if l.Scale == scoring.NPS || l.Scale == scoring.ENPS {
		nc, _ := l.NPSCounts()
		c.Value, _ = nc.Rounded()
		c.CI, _ = nc.CI(scoring.DefaultConfidence, scoring.AdjustedWald)
		return c
	}
	c.Value, _ = scoring.RoundPercent(l.Count(scoring.Promoter), c.N)
	c.CI, _ = l.PercentCI(scoring.Promoter, scoring.DefaultConfidence)
	c.Mean, c.HasMean = l.RoundedMean(1)
	return c
}

func trend(cur, prev scoring.Likert, th scoring.Thresholds) scoring.Trend {
	if cur.Scale == scoring.NPS || cur.Scale == scoring.ENPS {
		a, _ := cur.NPSCounts()
		b, _ := prev.NPSCounts()
		return scoring.NPSTrend(a, b, th)
	}
	t, _ := scoring.PercentTrend(cur, prev, scoring.Promoter, th)
	return t
}

// pickQuotes runs scoring's quote pipeline on yesterday's comments of one
// survey and attributes the chosen ones.
func pickQuotes(spec DigestSpec, s *Settings, now time.Time, id string, scale scoring.ScaleID, data DigestData) []DigestQuote {
	if spec.Quotes <= 0 {
		return nil
	}
	byID := map[string]DigestComment{}
	var pool []scoring.Comment
	for _, c := range data.Comments {
		if c.SurveyID != id || c.Text == "" {
			continue
		}
		rid := fmt.Sprint(c.ResponseID)
		byID[rid] = c
		lang, _ := baseLanguage(c.Locale)
		if !slices.Contains(Locales, lang) {
			lang = ""
		}
		pool = append(pool, scoring.Comment{ResponseID: rid, Text: c.Text, Scale: scale, Score: c.Score, At: c.At, Lang: lang})
	}
	lang, _ := baseLanguage(spec.Locale)
	picked := scoring.SelectQuotes(pool, spec.Quotes, scoring.QuoteOptions{
		Workspace: spec.ID, Now: now.In(spec.location()), Language: lang, Recent: data.Recent,
	})
	out := make([]DigestQuote, 0, len(picked))
	for _, p := range picked {
		c := byID[p.ResponseID]
		y, m, dd := c.At.In(spec.location()).Date()
		out = append(out, DigestQuote{Text: p.Text, Score: c.Score, Bucket: p.Bucket, Lang: p.Lang,
			Touchpoint: c.TouchpointType, Date: time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)})
	}
	return out
}

// QuoteTexts are the quotes of d as displayed, for the memory that keeps
// them from being shown again within a week.
func (d Digest) QuoteTexts() []string {
	var out []string
	for _, s := range d.Surveys {
		for _, q := range s.Quotes {
			out = append(out, q.Text)
		}
	}
	return out
}

// DigestPoster is the capability of an adapter to post a digest to a
// channel or chat, with its trend chart (a PNG; nil for none).
type DigestPoster interface {
	PostDigest(ctx context.Context, to Address, d Digest, chart []byte) (MessageRef, error)
}
