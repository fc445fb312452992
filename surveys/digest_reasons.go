package surveys

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/vocbot/vocbot/scoring"
)

// Reasons as drivers: how often each of a survey's reason buttons was
// tapped over the headline window, as a share of the answers that gave a
// reason, with its Wilson 95% interval.

// DigestReasonCount is how many responses to a survey in the headline
// window (the last 28 days) gave one reason.
type DigestReasonCount struct {
	SurveyID  string
	Reason    string
	Responses int
}

// DigestReasonCounter is the optional capability of a DigestStore to count
// responses by reason over q's headline window (HeadlineWindow).
type DigestReasonCounter interface {
	DigestReasonCounts(ctx context.Context, q DigestQuery) ([]DigestReasonCount, error)
}

// HeadlineWindow is the last 28 of q's days: the window of the digest's
// headline score and of its reasons.
func (q DigestQuery) HeadlineWindow() scoring.Window {
	if len(q.Days) == 0 {
		return scoring.Window{}
	}
	first := max(0, len(q.Days)-scoring.HeadlineDays)
	return scoring.Window{Start: q.Days[first].Start, End: q.Days[len(q.Days)-1].End}
}

// DigestDriver is one reason's share of the answers that gave a reason.
type DigestDriver struct {
	Reason string // the reason's id
	Label  string // its label in the digest's locale
	Count  int
	// Share is Count of N in percent, rounded half away from zero; CI its
	// Wilson 95% interval in percent.
	Share int
	CI    scoring.Interval
}

// digestDrivers are sv's reasons that were given, most often first (ties
// in the configured order), and n, the answers that gave any reason.
// Counts of reasons sv no longer has are left out.
func (s *Settings) digestDrivers(sv Survey, counts []DigestReasonCount, locale string) ([]DigestDriver, int) {
	given := map[string]int{}
	n := 0
	for _, c := range counts {
		if _, ok := sv.reason(c.Reason); ok && c.SurveyID == sv.ID && c.Responses > 0 {
			given[c.Reason] += c.Responses
			n += c.Responses
		}
	}
	var out []DigestDriver
	for _, r := range sv.Reasons {
		x := given[r.ID]
		if x == 0 {
			continue
		}
		share, _ := scoring.RoundPercent(x, n)
		ci, _ := scoring.Wilson(x, n, scoring.DefaultConfidence)
		label := pickLocale(r.Labels, s.textLocale(locale), s.DefaultLocale)
		if label == "" {
			label = r.ID
		}
		out = append(out, DigestDriver{Reason: r.ID, Label: label, Count: x, Share: share,
			CI: scoring.Interval{Lo: 100 * ci.Lo, Hi: 100 * ci.Hi, Method: ci.Method}})
	}
	slices.SortStableFunc(out, func(a, b DigestDriver) int { return cmp.Compare(b.Count, a.Count) })
	return out, n
}

// reasonLines words a section's drivers: a heading with n, then the
// reasons on one line.
func (f *DigestFormat) reasonLines(s DigestSurvey) []string {
	if len(s.Drivers) == 0 {
		return nil
	}
	items := make([]string, len(s.Drivers))
	for i, d := range s.Drivers {
		items[i] = f.text("digest.reason", map[string]any{"Name": f.name(d.Label), "Share": f.Percent(d.Share), "CI": f.Range(d.CI)})
	}
	return []string{
		f.text("digest.reasons", map[string]any{"N": f.Int(s.DriversN)}),
		scoring.AnchorRTL(f.lang, strings.Join(items, " · ")),
	}
}
