package scoring

import "math"

// Sample-size planning for NPS, inverting the adjusted-Wald interval as
// MeasuringU does. These answer "how many answers before this number means
// something?", and why vocbot has no daily NPS: a day of 40 answers has a
// margin of about ±23 points.

// Variances of one NPS answer (+1/0/−1), Var1 = pP + pD − NPS², for planning
// before data exist.
const (
	// PlanningVariance is typical of real NPS data (MeasuringU).
	PlanningVariance = 0.6
	// WorstCaseVariance is the maximum, reached with half promoters and half
	// detractors.
	WorstCaseVariance = 1.0
)

// NPSMargin returns the expected half-width, in points, of the adjusted-Wald
// interval with n answers and per-answer variance v: 100·z·√(v/(n + 3)).
// With v = 0.6 it is about ±26 points at n = 30.
func NPSMargin(n int, v, conf float64) float64 {
	z := zFor(conf)
	if n < 0 {
		n = 0
	}
	return 100 * z * math.Sqrt(v/float64(n+3))
}

// NPSSampleSize returns the number of answers needed for an interval of
// ±margin points: n = z²·v/d² − 3 with d = margin/100, rounded up, at least
// 1. With v = 0.6 and 95 %, ±5 points needs 919 answers.
func NPSSampleSize(margin, v, conf float64) int {
	z := zFor(conf)
	d := margin / 100
	return atLeastOne(z*z*v/(d*d) - 3)
}

// NPSChangeSampleSize returns the answers needed in each of two equal groups
// to detect a change of diff points with a two-sided test at conf and the
// given power: n = (va + vb)·(z_{α/2} + z_β)²/d² − 3, rounded up. With
// v = 0.6 in both groups, detecting 10 points at 95 % and power 0.8 needs 939
// per period. power must lie strictly between 0.5 and 1.
func NPSChangeSampleSize(diff, va, vb, conf, power float64) int {
	za := zFor(conf)
	zb := zFor(2*power - 1) // one-sided quantile Φ⁻¹(power)
	d := diff / 100
	return atLeastOne((va+vb)*(za+zb)*(za+zb)/(d*d) - 3)
}

func atLeastOne(n float64) int {
	if math.IsNaN(n) || n < 1 {
		return 1
	}
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(math.Ceil(n))
}
