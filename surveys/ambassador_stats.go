package surveys

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// /survey stats, quotes and digest: the numbers come from the same
// functions as the digest's (score, trend, thresholds, Benjamini–Hochberg
// arrows, quote selection), and the quotes and digest preview are the
// digest's own lines, so a command never disagrees with the morning post.

// StatsByTouchpoint breaks stats down by touchpoint type; any other
// name is a touchpoint attribute ("agent").
const StatsByTouchpoint = "touchpoint"

// statsSegmentsShown bounds the breakdown lines of one survey.
const statsSegmentsShown = 10

// quotesShown is how many quotes /survey quotes shows per survey.
const quotesShown = 5

// quoteDays is how far back /survey quotes looks.
const quoteDays = 7

func (d *AmbassadorDesk) location() *time.Location {
	if loc := d.engine.settings.Timezone; loc != nil {
		return loc
	}
	return time.UTC
}

// statSurveys is the survey the command names, or every survey.
func (d *AmbassadorDesk) statSurveys(c Command) []Survey {
	s := d.engine.settings
	if c.SurveyID != "" {
		sv, _ := s.Survey(c.SurveyID)
		return []Survey{sv}
	}
	return slices.Clone(s.Surveys)
}

// stats renders the score report of the window: scores with 95% intervals
// and n, the change against the window before (flagged by the digest's
// rule), and optionally the report's ranked segments.
func (d *AmbassadorDesk) stats(ctx context.Context, c Command, now time.Time) (string, error) {
	days := c.Days
	if days == 0 {
		days = DefaultStatsWindow
	}
	svs := d.statSurveys(c)
	ids := make([]string, len(svs))
	for i, sv := range svs {
		ids[i] = sv.ID
	}
	rep, err := ComposeReport(ctx, d.store, d.engine.settings, d.cfg.Thresholds,
		ReportQuery{Days: days, By: c.By, Now: now, Location: d.location()})
	if err != nil {
		return "", fmt.Errorf("read stats: %w", err)
	}
	return StatsText(rep.Only(ids)), nil
}

// StatsText writes a report as /survey stats shows it.
func StatsText(rep Report) string {
	f := NewDigestFormat(defaultLocale)
	days := rep.Window.Days()
	out := []string{fmt.Sprintf("Scores, last %d days (%s to %s):", days, f.Date(rep.Window.Start), f.Date(rep.Window.LastDay()))}
	for _, s := range rep.Surveys {
		metric := metricName(s.Scale)
		out = append(out, "", s.Survey.ID+" · "+metric, statsHeadline(f, s.Scale, metric, days, s.Current))
		if s.Current.HasScore() {
			if s.HasChange {
				delta := f.Signed(s.Change)
				switch s.Arrow {
				case scoring.Up:
					delta = "▲ " + delta
				case scoring.Down:
					delta = "▼ " + delta
				}
				out = append(out, fmt.Sprintf("Previous %d days: %s (n = %s) · change %s", days, f.Value(s.Scale, s.Previous), f.Int(s.Previous.N), delta))
			} else {
				out = append(out, fmt.Sprintf("Previous %d days: no score to compare with (n = %s)", days, f.Int(s.Previous.N)))
			}
		}
		if rep.By == "" {
			continue
		}
		out = append(out, statsBreakdown(f, s.Scale, rep.By, s.Segments)...)
	}
	return strings.Join(out, "\n")
}

func emptyLikert(scale scoring.ScaleID) scoring.Likert {
	return scoring.Likert{Scale: scale, Counts: make([]int, scale.Points())}
}

func statsHeadline(f *DigestFormat, scale scoring.ScaleID, metric string, days int, s DigestScore) string {
	switch {
	case s.Level == scoring.NoResponses:
		return fmt.Sprintf("%s, last %d days: no responses", metric, days)
	case !s.HasScore():
		return fmt.Sprintf("%s, last %d days: n = %s, too few responses for a score", metric, days, f.Int(s.N))
	}
	var line string
	if scale == scoring.CES2 || scale == scoring.CES1 {
		line = fmt.Sprintf("%s, last %d days: %s agree, mean %s (95%% CI %s) · n = %s",
			metric, days, f.Value(scale, s), f.Decimal(s.Mean), f.Range(s.CI), f.Int(s.N))
	} else {
		line = fmt.Sprintf("%s, last %d days: %s (95%% CI %s) · n = %s", metric, days, f.Value(scale, s), f.Range(s.CI), f.Int(s.N))
	}
	if s.Level == scoring.LowN {
		line += " · low n"
	}
	return line
}

// statsBreakdown lists the report's segments, best first by smoothed
// score, written as the digest writes touchpoints, so a small segment's
// lucky streak does not top the list.
func statsBreakdown(f *DigestFormat, scale scoring.ScaleID, by string, segs []ReportSegment) []string {
	if len(segs) == 0 {
		return []string{fmt.Sprintf("By %s: no responses", by)}
	}
	lines := []string{fmt.Sprintf("By %s:", by)}
	for i, s := range segs {
		if i == statsSegmentsShown {
			lines = append(lines, fmt.Sprintf("… and %d more", len(segs)-i))
			break
		}
		lines = append(lines, "• "+f.segment(scale, DigestSegment{Name: s.Name, Score: s.Current, Smoothed: s.Smoothed}))
	}
	return lines
}

// quotes: the last week's comments, chosen and redacted by the digest's
// quote selection and written as the digest writes quotes.
func (d *AmbassadorDesk) quotes(ctx context.Context, c Command, now time.Time) (string, error) {
	loc := d.location()
	svs := d.statSurveys(c)
	ids := make([]string, len(svs))
	for i, sv := range svs {
		ids[i] = sv.ID
	}
	w := scoring.Window{Start: scoring.Trailing(now, loc, quoteDays).Start, End: now}
	q := DigestQuery{DigestID: "quotes", Surveys: ids, Days: []scoring.Window{w}, Yesterday: w, MaxComments: 2000}
	counts, err := d.store.DigestCounts(ctx, q)
	if err != nil {
		return "", fmt.Errorf("count responses: %w", err)
	}
	answered := map[string]int{}
	for _, ct := range counts {
		answered[ct.SurveyID] += ct.Responses
	}
	comments, err := d.store.DigestComments(ctx, q)
	if err != nil {
		return "", fmt.Errorf("read comments: %w", err)
	}
	locale := d.engine.settings.DefaultLocale
	spec := DigestSpec{ID: "ambassador", Timezone: loc, Quotes: quotesShown, Locale: locale}
	f := NewDigestFormat(defaultLocale)
	var out []string
	what := "quotes"
	if c.Filter != "" {
		what = c.Filter + "' quotes"
	}
	out = append(out, fmt.Sprintf("Recent %s, last %d days (personal data redacted):", what, quoteDays))
	for _, sv := range svs {
		scale := sv.Metric.Scale()
		out = append(out, "", sv.ID+" · "+metricName(scale))
		// The digest's rule: comments of few answers identify people (eNPS).
		if th := d.cfg.Thresholds.of(scale); answered[sv.ID] > 0 && !th.ShowComments(answered[sv.ID]) {
			out = append(out, fmt.Sprintf("Too few responses to show comments (n = %d; at least %d).", answered[sv.ID], th.Comments))
			continue
		}
		var pool []DigestComment
		for _, cm := range comments {
			if cm.SurveyID != sv.ID {
				continue
			}
			b, err := scale.Bucket(cm.Score)
			if err != nil {
				continue
			}
			if (c.Filter == QuotesDetractors && b != scoring.Detractor) || (c.Filter == QuotesPromoters && b != scoring.Promoter) {
				continue
			}
			pool = append(pool, cm)
		}
		picked := pickQuotes(spec, d.engine.settings, now, sv.ID, scale, DigestData{Comments: pool})
		if len(picked) == 0 {
			out = append(out, "No quotable comments.")
			continue
		}
		for _, q := range picked {
			out = append(out, f.quoteLine(q))
		}
	}
	return strings.Join(out, "\n"), nil
}

// quoteLine writes a quote exactly as the digest does.
func (f *DigestFormat) quoteLine(q DigestQuote) string {
	tp := q.Touchpoint
	if tp == "" {
		tp = f.text("digest.notouchpoint", nil)
	} else {
		tp = f.name(tp)
	}
	return f.text("digest.quote", map[string]any{
		"Text": f.quote(q.Text, q.Lang), "Score": f.Int(q.Score), "Touchpoint": tp, "Date": f.Date(q.Date)})
}

// digest previews a configured digest as it would be posted now, in its
// own language.
func (d *AmbassadorDesk) digest(ctx context.Context, c Command, now time.Time) (string, TextDirection, CommandResult, error) {
	spec, ok := DigestSpec{}, false
	switch {
	case c.Digest != "":
		for _, s := range d.cfg.Digests {
			if s.ID == c.Digest {
				spec, ok = s, true
			}
		}
		if !ok {
			ids := make([]string, len(d.cfg.Digests))
			for i, s := range d.cfg.Digests {
				ids[i] = s.ID
			}
			e := &CommandError{Problem: fmt.Sprintf("no digest %q is configured", shorten(c.Digest)), Usage: VerbDigest.Usage()}
			if len(ids) > 0 {
				e.Problem += "; the digests are " + strings.Join(ids, ", ")
			}
			if id, ok := closest(c.Digest, ids); ok {
				e.Suggestion = "/survey digest " + id
			}
			return e.Error(), LTR, ResultInvalid, nil
		}
	case len(d.cfg.Digests) > 0:
		spec = d.cfg.Digests[0]
	default:
		spec = DigestSpec{ID: "preview", Timezone: d.location(), Quotes: quotesShown, Locale: d.engine.settings.DefaultLocale}
	}
	dg, err := ComposeDigest(ctx, d.store, spec, d.engine.settings, d.cfg.Thresholds, now)
	if err != nil {
		return "", LTR, "", fmt.Errorf("compose digest %s: %w", spec.ID, err)
	}
	card := dg.Card()
	return card.Text(), card.Dir, ResultOK, nil
}
