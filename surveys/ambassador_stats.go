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

// stats: scores of the window with 95% intervals and n, the change against
// the window before, and optionally a breakdown; the digest's aggregates
// (DigestCounts over the two windows as two "days", DigestAttributeCounts)
// and its scoring and ranking.
func (d *AmbassadorDesk) stats(ctx context.Context, c Command, now time.Time) (string, error) {
	days := c.Days
	if days == 0 {
		days = DefaultStatsWindow
	}
	cur := scoring.Trailing(now, d.location(), days)
	prev := cur.Previous()
	svs := d.statSurveys(c)
	ids := make([]string, len(svs))
	for i, sv := range svs {
		ids[i] = sv.ID
	}
	q := DigestQuery{DigestID: "stats", Surveys: ids, Days: []scoring.Window{prev, cur}}
	counts, err := d.store.DigestCounts(ctx, q)
	if err != nil {
		return "", fmt.Errorf("read stats: %w", err)
	}
	// cells[survey][window][segment]: window 0 is prev, 1 is cur; segment
	// "" is the whole survey.
	cells := map[string]*[2]map[string]scoring.Likert{}
	add := func(survey string, window int, segment string, score, n int) {
		sv, ok := d.engine.settings.Survey(survey)
		if !ok {
			return
		}
		scale := sv.Metric.Scale()
		lo, hi, ok := scale.Range()
		if !ok || score < lo || score > hi || n <= 0 || window < 0 || window > 1 {
			return
		}
		w := cells[survey]
		if w == nil {
			w = &[2]map[string]scoring.Likert{{}, {}}
			cells[survey] = w
		}
		l, ok := w[window][segment]
		if !ok {
			l = emptyLikert(scale)
		}
		l.Counts[score-lo] += n
		w[window][segment] = l
	}
	for _, ct := range counts {
		add(ct.SurveyID, ct.Day, "", ct.Score, ct.Responses)
		if c.By == StatsByTouchpoint {
			add(ct.SurveyID, ct.Day, "\x00"+ct.TouchpointType, ct.Score, ct.Responses)
		}
	}
	if c.By != "" && c.By != StatsByTouchpoint {
		q.Attributes, q.Segment = []string{c.By}, cur
		attrs, err := d.store.DigestAttributeCounts(ctx, q)
		if err != nil {
			return "", fmt.Errorf("read stats by %s: %w", c.By, err)
		}
		for _, ct := range attrs {
			add(ct.SurveyID, 1, "\x00"+ct.Value, ct.Score, ct.Responses)
		}
	}
	cell := func(survey string, window int, segment string, scale scoring.ScaleID) scoring.Likert {
		if w := cells[survey]; w != nil {
			if l, ok := w[window][segment]; ok {
				return l
			}
		}
		return emptyLikert(scale)
	}

	f := NewDigestFormat(defaultLocale)
	type section struct {
		sv        Survey
		scale     scoring.ScaleID
		cur, prev DigestScore
	}
	var secs []section
	var trends []scoring.Trend
	for _, sv := range svs {
		scale := sv.Metric.Scale()
		th := d.cfg.Thresholds.of(scale)
		a, b := cell(sv.ID, 1, "", scale), cell(sv.ID, 0, "", scale)
		secs = append(secs, section{sv: sv, scale: scale, cur: score(a, th.Level), prev: score(b, th.Level)})
		trends = append(trends, trend(a, b, th))
	}
	arrows := scoring.Arrows(trends, 0.05)

	out := []string{fmt.Sprintf("Scores, last %d days (%s to %s):", days, f.Date(cur.Start), f.Date(cur.LastDay()))}
	for i, s := range secs {
		metric := metricName(s.scale)
		out = append(out, "", d.statsTitle(s.sv, metric), statsHeadline(f, s.scale, metric, days, s.cur))
		if s.cur.HasScore() {
			if s.prev.HasScore() {
				delta := f.Signed(s.cur.Value - s.prev.Value)
				switch arrows[i] {
				case scoring.Up:
					delta = "▲ " + delta
				case scoring.Down:
					delta = "▼ " + delta
				}
				out = append(out, fmt.Sprintf("Previous %d days: %s (n = %s) · change %s", days, f.Value(s.scale, s.prev), f.Int(s.prev.N), delta))
			} else {
				out = append(out, fmt.Sprintf("Previous %d days: no score to compare with (n = %s)", days, f.Int(s.prev.N)))
			}
		}
		if c.By == "" {
			continue
		}
		segs := map[string][]int{}
		if w := cells[s.sv.ID]; w != nil {
			for name, l := range w[1] {
				if seg, ok := strings.CutPrefix(name, "\x00"); ok {
					segs[seg] = l.Counts
				}
			}
		}
		out = append(out, statsBreakdown(f, s.scale, c.By, d.cfg.Thresholds.of(s.scale), s.cur.Counts, segs)...)
	}
	return strings.Join(out, "\n"), nil
}

// statsTitle heads a survey in /survey stats (written in English): its
// English title with the id to type in commands, "Support NPS (nps)", or
// without a title "nps · NPS".
func (d *AmbassadorDesk) statsTitle(sv Survey, metric string) string {
	if t, ok := d.engine.settings.title(sv.ID, defaultLocale); ok {
		return t + " (" + sv.ID + ")"
	}
	return sv.ID + " · " + metric
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

// statsBreakdown lists segments best first by smoothed score, ranked and
// written as the digest ranks touchpoints, so a small segment's lucky
// streak does not top the list.
func statsBreakdown(f *DigestFormat, scale scoring.ScaleID, by string, th scoring.Thresholds, whole scoring.Likert, segs map[string][]int) []string {
	if len(segs) == 0 {
		return []string{fmt.Sprintf("By %s: no responses", by)}
	}
	parent, _ := whole.NPSCounts()
	lines := []string{fmt.Sprintf("By %s:", by)}
	for i, s := range rank(segs, scale, parent, th) {
		if i == statsSegmentsShown {
			lines = append(lines, fmt.Sprintf("… and %d more", len(segs)-i))
			break
		}
		lines = append(lines, "• "+f.segment(scale, s))
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
		out = append(out, "", d.statsTitle(sv, metricName(scale)))
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
