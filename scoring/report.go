package scoring

import "fmt"

// Reporting rules as data. Renderers (Slack, Telegram, Discord, the HTTP API,
// /survey stats) ask these functions what to show instead of each deciding
// for themselves, so a cell never shows a score in one place and "too few
// answers" in another.

// Level is how much of a cell a renderer may show, decided by its number of
// answers n.
type Level uint8

// The levels, from least to most shown. With the default thresholds:
//
//	n = 0     NoResponses  "no responses", never a 0
//	n 1–4     CountsOnly   answer counts, no score (eNPS: no comments either)
//	n 5–29    LowN         score + interval + a "low n" badge, no trend arrow
//	n ≥ 30    Full         score + interval; an arrow when the Trend earns one
//
// n = 30 is a convention, not a law: the NPS margin there is still about ±26
// points, which is why the interval is always shown.
const (
	NoResponses Level = iota
	CountsOnly
	LowN
	Full
)

var levelNames = [...]string{NoResponses: "no-responses", CountsOnly: "counts-only", LowN: "low-n", Full: "full"}

// String returns "no-responses", "counts-only", "low-n" or "full".
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

// Default minimum numbers of answers.
const (
	// DefaultMinScore is the smallest n that shows a score. For eNPS it is the
	// anonymity threshold, configurable from 3 to 10.
	DefaultMinScore = 5
	// DefaultMinFull is the smallest n without a low-n badge, and the n both
	// windows need before a change can earn a trend arrow.
	DefaultMinFull = 30
	// DefaultENPSMinComments is the smallest eNPS cell whose comments are
	// shown: higher than the score threshold because wording identifies
	// people more easily than a number.
	DefaultENPSMinComments = 8
	// MinTrendDelta is the smallest change of the displayed scores, in
	// points, that earns a trend arrow: smaller moves are noise to a reader
	// even when a large sample makes them significant.
	MinTrendDelta = 5
)

// Thresholds are the minimum-n rules for one metric's cells: every cell,
// filter and drill-down, not just the headline.
type Thresholds struct {
	// Score is the smallest n that shows a score (the eNPS anonymity
	// threshold); below it, counts only.
	Score int
	// Full is the smallest n shown without the low-n badge and eligible for
	// a trend arrow.
	Full int
	// Comments is the smallest n whose comments and quotes may be shown.
	Comments int
}

// DefaultThresholds returns the rules for a scale: score from 5 answers, full
// from 30, comments from 1, except eNPS comments from 8.
func DefaultThresholds(s ScaleID) Thresholds {
	t := Thresholds{Score: DefaultMinScore, Full: DefaultMinFull, Comments: 1}
	if s == ENPS {
		t.Comments = DefaultENPSMinComments
	}
	return t
}

// ENPSThresholds returns eNPS rules with a workspace's anonymity threshold
// (3–10; the default is 5, as in Lattice and Humaans) and comment threshold
// (at least the anonymity threshold; the default is 8).
func ENPSThresholds(anonymity, comments int) (Thresholds, error) {
	if anonymity < 3 || anonymity > 10 {
		return Thresholds{}, fmt.Errorf("eNPS anonymity threshold %d: choose 3 to 10 answers (default %d)", anonymity, DefaultMinScore)
	}
	if comments < anonymity {
		return Thresholds{}, fmt.Errorf("eNPS comment threshold %d is below the anonymity threshold %d: comments identify people more easily than scores, so use at least %d (default %d)", comments, anonymity, anonymity, DefaultENPSMinComments)
	}
	return Thresholds{Score: anonymity, Full: DefaultMinFull, Comments: comments}, nil
}

// Level returns what a cell with n answers may show.
func (t Thresholds) Level(n int) Level {
	switch {
	case n <= 0:
		return NoResponses
	case n < t.Score:
		return CountsOnly
	case n < t.Full:
		return LowN
	}
	return Full
}

// YesterdayLevel is Level for the digest's one-day "yesterday" block, which
// shows counts and quotes and a score only from Full answers: a day's sample
// is too small to say anything about a score below that.
func (t Thresholds) YesterdayLevel(n int) Level {
	l := t.Level(n)
	if l == LowN {
		return CountsOnly
	}
	return l
}

// ShowComments reports whether comments from a cell of n answers may be
// shown.
func (t Thresholds) ShowComments(n int) bool { return n > 0 && n >= t.Comments }

// Arrow is the trend mark next to a score.
type Arrow int8

// The arrows. Up means the score rose; whether that is good (legacy CES
// falls when it improves) is the renderer's business, see
// [ScaleID.HigherIsBetter].
const (
	Down    Arrow = -1
	NoArrow Arrow = 0
	Up      Arrow = 1
)

// String returns "down", "none" or "up".
func (a Arrow) String() string {
	switch a {
	case Down:
		return "down"
	case Up:
		return "up"
	}
	return "none"
}

// Trend is one cell's change between the current window and the previous,
// non-overlapping one, with what it takes to decide its arrow.
type Trend struct {
	// Delta is the change of the displayed (rounded) scores, current −
	// previous, in points or percentage points: what a reader will compute
	// from the two numbers on screen.
	Delta int
	// Comparison is the two-sample test, current against previous.
	Comparison Comparison
	// Tested is true when both windows reached Thresholds.Full answers: the
	// cell then belongs to the digest's Benjamini–Hochberg family. Cells
	// below it are never tested and never get an arrow.
	Tested bool
}

// NPSTrend compares an NPS cell's current window with its previous one.
func NPSTrend(current, previous NPSCounts, th Thresholds) Trend {
	var t Trend
	rc, okc := current.Rounded()
	rp, okp := previous.Rounded()
	if okc && okp {
		t.Delta = rc - rp
	}
	c, ok := CompareNPS(current, previous, DefaultConfidence)
	t.Comparison = c
	t.Tested = ok && current.N() >= th.Full && previous.N() >= th.Full
	return t
}

// PercentTrend compares the share of bucket b (CSAT top-2-box, CES % agree)
// between a cell's current and previous windows. Different scales are an
// error wrapping [ErrMixedScales].
func PercentTrend(current, previous Likert, b Bucket, th Thresholds) (Trend, error) {
	c, ok, err := CompareLikert(current, previous, b, DefaultConfidence)
	if err != nil {
		return Trend{}, err
	}
	t := Trend{Comparison: c}
	rc, okc := RoundPercent(current.Count(b), current.N())
	rp, okp := RoundPercent(previous.Count(b), previous.N())
	if okc && okp {
		t.Delta = rc - rp
	}
	t.Tested = ok && current.N() >= th.Full && previous.N() >= th.Full
	return t, nil
}

// Arrow returns the arrow the trend earns, given whether its p-value survived
// Benjamini–Hochberg across the whole digest ([Arrows] does that for a list
// of trends). It needs all of: Tested (n ≥ Full in both windows), a
// significant comparison, survival of the correction, |Delta| ≥ 5 on the
// displayed scores, and the displayed and adjusted changes pointing the same
// way.
func (t Trend) Arrow(survivesBH bool) Arrow {
	if !t.Tested || !survivesBH || !t.Comparison.Significant {
		return NoArrow
	}
	switch {
	case t.Delta >= MinTrendDelta && t.Comparison.Diff > 0:
		return Up
	case t.Delta <= -MinTrendDelta && t.Comparison.Diff < 0:
		return Down
	}
	return NoArrow
}

// Arrows decides the arrows of every cell in a digest at once: the tested
// cells' p-values go through [BenjaminiHochberg] at level q (0.05), then
// each trend's [Trend.Arrow] applies the other rules. The result is parallel
// to trends; keep trends in a fixed order (by cell key) for reproducible
// output.
func Arrows(trends []Trend, q float64) []Arrow {
	var ps []float64
	var tested []int
	for i, t := range trends {
		if t.Tested {
			ps = append(ps, t.Comparison.P)
			tested = append(tested, i)
		}
	}
	survives := BenjaminiHochberg(ps, q)
	arrows := make([]Arrow, len(trends))
	for j, i := range tested {
		arrows[i] = trends[i].Arrow(survives[j])
	}
	return arrows
}
