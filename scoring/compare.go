package scoring

import (
	"fmt"
	"math"
)

// Comparison is a two-sample test of a change between periods or segments,
// a − b. All fields are in the units of the scores compared: points for NPS,
// percentage points for shares.
type Comparison struct {
	// Diff is the difference of the adjusted estimates, a − b, which the test
	// and the interval are built on. It can differ from the difference of the
	// displayed scores by a point or two at small n.
	Diff float64
	// SE is the standard error of Diff.
	SE float64
	// Z is Diff/SE.
	Z float64
	// P is the two-sided p-value, erfc(|Z|/√2).
	P float64
	// Lo and Hi bound the confidence interval of Diff.
	Lo, Hi float64
	// Significant is P < 1 − conf (p < 0.05 at 95 %). A digest arrow needs
	// more than this: see [Trend].
	Significant bool
}

func newComparison(diff, se, conf, limit float64) Comparison {
	z := zFor(conf)
	zs := diff / se
	p := twoSidedP(zs)
	return Comparison{
		Diff:        diff,
		SE:          se,
		Z:           zs,
		P:           p,
		Lo:          clamp(diff-z*se, -limit, limit),
		Hi:          clamp(diff+z*se, -limit, limit),
		Significant: p < 1-conf,
	}
}

// CompareNPS tests the change between two independent groups of NPS answers
// (two periods, two segments), following MeasuringU's adjusted-Wald test:
//
//	Δ′ = N′a − N′b     SE = √(V′a/n′a + V′b/n′b)     z = Δ′/SE
//	p = erfc(|z|/√2)   CI = Δ′ ± z_conf·SE
//
// The trinomial variance V′ = p′P + p′D − N′² accounts for promoters and
// detractors coming from the same answers; treating them as two independent
// proportions would understate it. ok is false when either group has no
// answers. Never compare overlapping windows: the groups must be independent.
func CompareNPS(a, b NPSCounts, conf float64) (Comparison, bool) {
	checkConf(conf)
	if !a.scorable() || !b.scorable() {
		return Comparison{}, false
	}
	na, ea, va := a.adjusted()
	nb, eb, vb := b.adjusted()
	se := math.Sqrt(va/na + vb/nb)
	// An NPS difference lies in [−200, 200]; the SE is never 0 because the
	// pseudo-answers put some weight in every bucket.
	return newComparison(100*(ea-eb), 100*se, conf, 200), true
}

// CompareProportions tests the change between two independent shares, xa of
// na against xb of nb (CSAT top-2-box, CES % agree), in percentage points.
// ok is false when either group has no answers or a count is out of range.
//
// It uses the Agresti–Caffo adjustment for both the interval and the test:
// add one success and one failure to each group, p̃ = (x + 1)/(n + 2), then
// Δ̃ = p̃a − p̃b, SE = √(p̃a(1 − p̃a)/(na + 2) + p̃b(1 − p̃b)/(nb + 2)), z = Δ̃/SE.
// Why this variant:
//   - it mirrors the adjusted-Wald NPS test (pseudo-observations, then Wald),
//     so every trend in a digest is judged the same way;
//   - the test and the interval come from one formula, so "significant" and
//     "the interval excludes 0" never disagree, which a pooled z test paired
//     with any separate interval cannot promise;
//   - Agresti–Caffo intervals keep close to nominal coverage down to small
//     samples and at shares of 0 % or 100 % (plain Wald has zero width
//     there), and the shrinkage towards 50 % makes the test slightly
//     conservative at small n, the safe side for a digest arrow.
func CompareProportions(xa, na, xb, nb int, conf float64) (Comparison, bool) {
	checkConf(conf)
	if na <= 0 || nb <= 0 || xa < 0 || xb < 0 || xa > na || xb > nb {
		return Comparison{}, false
	}
	pa := (float64(xa) + 1) / (float64(na) + 2)
	pb := (float64(xb) + 1) / (float64(nb) + 2)
	se := math.Sqrt(pa*(1-pa)/(float64(na)+2) + pb*(1-pb)/(float64(nb)+2))
	return newComparison(100*(pa-pb), 100*se, conf, 100), true
}

// CompareLikert tests the change in the share of bucket b between two
// distributions on the same scale (e.g. CSAT top-2-box this month against
// last month) with [CompareProportions]. Different scales are an error
// wrapping [ErrMixedScales]; ok is false when either side has no answers.
func CompareLikert(a, b Likert, bucket Bucket, conf float64) (c Comparison, ok bool, err error) {
	if a.Scale != b.Scale {
		return Comparison{}, false, fmt.Errorf("compare %s with %s: %w", a.Scale.Name(), b.Scale.Name(), ErrMixedScales)
	}
	if err := a.Validate(); err != nil {
		return Comparison{}, false, fmt.Errorf("compare answers: %w", err)
	}
	if err := b.Validate(); err != nil {
		return Comparison{}, false, fmt.Errorf("compare answers: %w", err)
	}
	c, ok = CompareProportions(a.Count(bucket), a.N(), b.Count(bucket), b.N(), conf)
	return c, ok, nil
}
