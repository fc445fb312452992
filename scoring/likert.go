package scoring

import (
	"fmt"
	"math"
)

// Likert is the full distribution of answers on one scale: Counts[i] answers
// gave the scale's lowest answer plus i (for CSAT, Counts[0] is the number of
// 1s and Counts[4] the number of 5s). Keeping every count, not just the
// headline share, lets vocbot reproduce vendor variants (mean satisfaction,
// linear 0–100) and compute means with intervals.
//
// It is the form for CSAT, CES 2.0 and legacy CES; an NPS or eNPS
// distribution (11 counts) works too and converts with [Likert.NPSCounts].
//
// The headline numbers by scale, all from [Likert.Percent]:
//
//	CSAT  CSAT % = Percent(Promoter), the top-2-box (4–5); low = Detractor (1–2)
//	CES2  % agree = Percent(Promoter) (5–7), % disagree = Percent(Detractor) (1–3), Net
//	CES1  % low effort = Percent(Promoter) (1–2); the mean falls as things improve
type Likert struct {
	Scale  ScaleID
	Counts []int
}

// LikertFromScores counts answers on a scale. An answer outside the scale is
// an error naming its position.
func LikertFromScores(scale ScaleID, scores []int) (Likert, error) {
	lo, _, ok := scale.Range()
	if !ok {
		return Likert{}, fmt.Errorf("count answers: unknown answer scale %q", string(scale))
	}
	l := Likert{Scale: scale, Counts: make([]int, scale.Points())}
	for i, s := range scores {
		// One unsigned comparison checks both ends of the scale.
		k := uint(s - lo)
		if k >= uint(len(l.Counts)) {
			return Likert{}, fmt.Errorf("position %d: %w", i+1, scale.Check(s))
		}
		l.Counts[k]++
	}
	return l, nil
}

// Validate returns an error unless the scale is known, there is one count per
// answer option and no count is negative. Estimators return ok=false for an
// invalid Likert rather than a number computed from nonsense.
func (l Likert) Validate() error {
	p := l.Scale.Points()
	if p == 0 {
		return fmt.Errorf("unknown answer scale %q", string(l.Scale))
	}
	if len(l.Counts) != p {
		lo, hi, _ := l.Scale.Range()
		return fmt.Errorf("%s needs %d counts, one per answer %d to %d; got %d", l.Scale.Name(), p, lo, hi, len(l.Counts))
	}
	for i, c := range l.Counts {
		if c < 0 {
			lo, _, _ := l.Scale.Range()
			return fmt.Errorf("%s count for answer %d is %d: counts cannot be negative", l.Scale.Name(), lo+i, c)
		}
	}
	return nil
}

// N is the number of answers.
func (l Likert) N() int {
	n := 0
	for _, c := range l.Counts {
		n += c
	}
	return n
}

// Add returns the counts of both distributions together, in a new slice. The
// zero Likert is the identity, so a total can start empty. Distributions on
// different scales are not added: the error wraps [ErrMixedScales].
func (l Likert) Add(o Likert) (Likert, error) {
	if l.Scale == "" && len(l.Counts) == 0 {
		l = Likert{Scale: o.Scale, Counts: make([]int, len(o.Counts))}
	}
	if l.Scale != o.Scale {
		return Likert{}, fmt.Errorf("add %s answers to %s answers: %w", o.Scale.Name(), l.Scale.Name(), ErrMixedScales)
	}
	if err := l.Validate(); err != nil {
		return Likert{}, fmt.Errorf("add answers: %w", err)
	}
	if err := o.Validate(); err != nil {
		return Likert{}, fmt.Errorf("add answers: %w", err)
	}
	sum := Likert{Scale: l.Scale, Counts: make([]int, len(l.Counts))}
	for i := range sum.Counts {
		sum.Counts[i] = l.Counts[i] + o.Counts[i]
	}
	return sum, nil
}

// Count is the number of answers in bucket b (see [ScaleID.Bucket]).
func (l Likert) Count(b Bucket) int {
	lo, _, _ := l.Scale.Range()
	n := 0
	for i, c := range l.Counts {
		if got, err := l.Scale.Bucket(lo + i); err == nil && got == b {
			n += c
		}
	}
	return n
}

// NPSCounts collapses an NPS or eNPS distribution into its buckets.
func (l Likert) NPSCounts() (NPSCounts, error) {
	if l.Scale != NPS && l.Scale != ENPS {
		return NPSCounts{}, fmt.Errorf("NPS counts from %s answers: %w", l.Scale.Name(), ErrMixedScales)
	}
	if err := l.Validate(); err != nil {
		return NPSCounts{}, err
	}
	var c NPSCounts
	for i, k := range l.Counts {
		c.addBucket(l.Scale, i, k)
	}
	return c, nil
}

// Percent returns the share of answers in bucket b, in percent, unrounded:
// CSAT's top-2-box is Percent(Promoter). ok is false when there are no
// answers or the Likert is invalid. Display it with [RoundPercent].
func (l Likert) Percent(b Bucket) (float64, bool) {
	n := l.N()
	if n == 0 || l.Validate() != nil {
		return 0, false
	}
	return 100 * float64(l.Count(b)) / float64(n), true
}

// PercentCI returns the Wilson interval of Percent(b), in percent.
func (l Likert) PercentCI(b Bucket, conf float64) (Interval, bool) {
	if l.Validate() != nil {
		return Interval{Method: WilsonScore}, false
	}
	iv, ok := Wilson(l.Count(b), l.N(), conf)
	return iv.scale(100), ok
}

// Net returns Percent(Promoter) − Percent(Detractor) in points: CES 2.0's net
// (% agree − % disagree). On an NPS distribution it is the NPS.
func (l Likert) Net() (float64, bool) {
	n := l.N()
	if n == 0 || l.Validate() != nil {
		return 0, false
	}
	return 100 * float64(l.Count(Promoter)-l.Count(Detractor)) / float64(n), true
}

// Mean returns the mean answer ("mean satisfaction 4.2"; for legacy CES,
// lower is better). ok is false when there are no answers.
func (l Likert) Mean() (float64, bool) {
	n := l.N()
	if n == 0 || l.Validate() != nil {
		return 0, false
	}
	lo, _, _ := l.Scale.Range()
	sum := 0
	for i, c := range l.Counts {
		sum += c * (lo + i)
	}
	return float64(sum) / float64(n), true
}

// RoundedMean returns the mean rounded half away from zero to the given
// number of decimals (0–6), computed in integer arithmetic so that 4.25 shows
// as 4.3 whatever binary floating point makes of it.
func (l Likert) RoundedMean(decimals int) (float64, bool) {
	n := l.N()
	if n == 0 || l.Validate() != nil || decimals < 0 || decimals > 6 {
		return 0, false
	}
	lo, _, _ := l.Scale.Range()
	sum := 0
	for i, c := range l.Counts {
		sum += c * (lo + i)
	}
	pow := int(math.Pow10(decimals))
	return float64(roundRatio(sum*pow, n)) / float64(pow), true
}

// MeanCI returns the Student t interval of the mean, mean ± t·s/√n with the
// sample standard deviation s (n − 1 in the denominator) and t the quantile
// for n − 1 degrees of freedom, clamped to the scale's range (a t interval
// knows nothing of the scale's ends and overshoots them at small n). ok is
// false below two answers, where s does not exist.
//
// The t quantile is exact up to 1,000 degrees of freedom and the
// Cornish–Fisher expansion above, never the normal z: at n = 30 z would be
// 4 % too narrow.
func (l Likert) MeanCI(conf float64) (Interval, bool) {
	checkConf(conf)
	n := l.N()
	mean, ok := l.Mean()
	if !ok || n < 2 {
		return Interval{Method: StudentT}, false
	}
	lo, hi, _ := l.Scale.Range()
	ss := 0.0
	for i, c := range l.Counts {
		d := float64(lo+i) - mean
		ss += float64(c) * d * d
	}
	half := tQuantile((1+conf)/2, n-1) * math.Sqrt(ss/float64(n-1)/float64(n))
	return Interval{
		Lo:     clamp(mean-half, float64(lo), float64(hi)),
		Hi:     clamp(mean+half, float64(lo), float64(hi)),
		Method: StudentT,
	}, true
}
