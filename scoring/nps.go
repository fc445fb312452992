package scoring

import (
	"fmt"
	"math"
)

// NPSCounts are the answers to a 0–10 recommend question, counted by bucket.
// They serve NPS and eNPS alike (same buckets, same maths, different
// question). Counts, not scores, are what gets stored, summed and compared:
// the score of a union of segments is the score of their summed counts, never
// the average of their scores.
type NPSCounts struct {
	Promoters  int // answers 9–10
	Passives   int // answers 7–8
	Detractors int // answers 0–6
}

// NPSFromScores counts 0–10 answers by bucket. Any answer outside 0–10 is an
// error naming its position: such data should have been rejected at
// ingestion, and silently dropping it would change the score.
func NPSFromScores(scores []int) (NPSCounts, error) {
	// Count each of the 11 answers first, then bucket the 11 totals with
	// NPS.Bucket: the loop stays branch-light for millions of answers and the
	// bucket boundaries stay in one place.
	var hist [11]int
	for i, s := range scores {
		if uint(s) > 10 {
			return NPSCounts{}, fmt.Errorf("position %d: %w", i+1, NPS.Check(s))
		}
		hist[s]++
	}
	var c NPSCounts
	for s, k := range hist {
		c.addBucket(NPS, s, k)
	}
	return c, nil
}

// addBucket adds k answers of value score to the bucket that scale s (NPS or
// eNPS) puts it in; the caller has checked score.
func (c *NPSCounts) addBucket(s ScaleID, score, k int) {
	b, _ := s.Bucket(score)
	switch b {
	case Promoter:
		c.Promoters += k
	case Passive:
		c.Passives += k
	case Detractor:
		c.Detractors += k
	}
}

// N is the number of answers.
func (c NPSCounts) N() int { return c.Promoters + c.Passives + c.Detractors }

// Add returns the counts of both groups together: the way to aggregate
// segments, days or replicas.
func (c NPSCounts) Add(o NPSCounts) NPSCounts {
	return NPSCounts{
		Promoters:  c.Promoters + o.Promoters,
		Passives:   c.Passives + o.Passives,
		Detractors: c.Detractors + o.Detractors,
	}
}

// Validate returns an error if a count is negative. Counts built by
// NPSFromScores and Add are always valid; counts typed by people or read from
// elsewhere may not be.
func (c NPSCounts) Validate() error {
	if c.Promoters < 0 || c.Passives < 0 || c.Detractors < 0 {
		return fmt.Errorf("NPS counts %d/%d/%d: counts cannot be negative", c.Promoters, c.Passives, c.Detractors)
	}
	return nil
}

// scorable reports whether there is anything to compute a score from.
func (c NPSCounts) scorable() bool { return c.Validate() == nil && c.N() > 0 }

// Score returns the Net Promoter Score, 100·(P − D)/n, in points from −100 to
// 100, unrounded. ok is false when there are no answers (or the counts are
// invalid): no answers is no score, shown as "—", never as 0.
func (c NPSCounts) Score() (float64, bool) {
	if !c.scorable() {
		return 0, false
	}
	return 100 * float64(c.Promoters-c.Detractors) / float64(c.N()), true
}

// Rounded returns the score as displayed: rounded half away from zero in
// integer arithmetic, so 12.5 shows as 13 (not x/text's half-to-even 12) and
// −0.4 shows as 0 (never "-0"). ok is false when there are no answers.
func (c NPSCounts) Rounded() (int, bool) {
	if !c.scorable() {
		return 0, false
	}
	return roundRatio(100*(c.Promoters-c.Detractors), c.N()), true
}

// adjusted returns Rocks' adjusted quantities: n′ = n + 3, N′ = p′P − p′D and
// V′ = p′P + p′D − N′² with p′P = (P + 0.75)/n′ and p′D = (D + 0.75)/n′, all as
// fractions.
func (c NPSCounts) adjusted() (nAdj, nps, variance float64) {
	nAdj = float64(c.N()) + 3
	pP := (float64(c.Promoters) + 0.75) / nAdj
	pD := (float64(c.Detractors) + 0.75) / nAdj
	nps = pP - pD
	return nAdj, nps, pP + pD - nps*nps
}

// Adjusted returns the adjusted-Wald point estimate N′ in points: the centre
// of the default interval, pulled towards 0 by the pseudo-answers (20 → 17.4
// at n = 20). Show [NPSCounts.Score], not this; it is exported because the
// interval and the change test are built around it.
func (c NPSCounts) Adjusted() (float64, bool) {
	if !c.scorable() {
		return 0, false
	}
	_, nps, _ := c.adjusted()
	return 100 * nps, true
}

// CI returns the confidence interval of the NPS in points, clamped to
// [−100, 100], computed with m: AdjustedWald (the default and the zero
// Method) or Wald. ok is false when there are no answers. Any other method
// panics: NPS is not a proportion.
//
// Adjusted Wald (Rocks 2016; MeasuringU found it the best of three methods on
// real data): N′ ± z·√(V′/n′). The raw score stays the point estimate; the
// interval is centred on N′, so it is not symmetric around the score.
//
// Wald: N ± z·√(Var/n) with Var = pP + pD − N². It has zero width when all
// answers share a bucket (5 of 5 promoters gives [100, 100]).
func (c NPSCounts) CI(conf float64, m Method) (Interval, bool) {
	z := zFor(conf)
	if m != AdjustedWald && m != Wald {
		panic(fmt.Sprintf("scoring: NPS interval method must be AdjustedWald or Wald, not %v", m))
	}
	if !c.scorable() {
		return Interval{Method: m}, false
	}
	var centre, se float64
	if m == Wald {
		n := float64(c.N())
		pP, pD := float64(c.Promoters)/n, float64(c.Detractors)/n
		centre = pP - pD
		se = math.Sqrt((pP + pD - centre*centre) / n)
	} else {
		nAdj, nps, v := c.adjusted()
		centre, se = nps, math.Sqrt(v/nAdj)
	}
	return Interval{
		Lo:     100 * clamp(centre-z*se, -1, 1),
		Hi:     100 * clamp(centre+z*se, -1, 1),
		Method: m,
	}, true
}

// TargetTest is the result of testing an NPS against a target ("are we above
// 30?"), on the adjusted-Wald values: Z = (N′ − target)/SE′.
type TargetTest struct {
	Z float64
	// PAbove is the one-sided p-value for "the true NPS is above the
	// target": small when the data say so.
	PAbove float64
	// PBelow is the one-sided p-value for "the true NPS is below the
	// target".
	PBelow float64
}

// VsTarget tests the NPS against target, in points. Use the one-sided
// p-value that matches the question asked before looking at the data; ok is
// false when there are no answers.
func (c NPSCounts) VsTarget(target float64) (TargetTest, bool) {
	if !c.scorable() {
		return TargetTest{}, false
	}
	nAdj, nps, v := c.adjusted()
	z := (nps - target/100) / math.Sqrt(v/nAdj)
	return TargetTest{
		Z:      z,
		PAbove: math.Erfc(z/math.Sqrt2) / 2,
		PBelow: math.Erfc(-z/math.Sqrt2) / 2,
	}, true
}
