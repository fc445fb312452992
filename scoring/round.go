package scoring

import "math"

// Display rounding is half away from zero everywhere (12.5 → 13, −12.5 →
// −13), the rule people expect from a calculator. Two traps make it worth a
// file of its own: formatting a float with %.0f (or strconv) rounds half to
// even and prints math.Round(−0.4), which is −0, as "-0"; and x/text's number
// formatting also rounds half to even. Round here, then give the formatter an
// integer.

// Round rounds x to the nearest integer, halves away from zero, and never
// returns negative zero, so a formatted result never reads "-0". Use it for
// values that are floats by nature: interval bounds, deltas of adjusted
// scores, smoothed scores. Scores computed from counts have integer versions
// ([NPSCounts.Rounded], [RoundPercent]) that are exact however a float would
// have been computed (100·P/n − 100·D/n can land a hair below a true .5 and
// round the wrong way).
func Round(x float64) float64 {
	v := math.Round(x)
	if v == 0 {
		return 0 // also turns −0 into +0
	}
	return v
}

// RoundPercent returns 100·x/n rounded half away from zero, in integer
// arithmetic; ok is false when n ≤ 0 (no answers, no percentage). It is the
// displayed value of a share such as CSAT's top-2-box or CES's % agree.
func RoundPercent(x, n int) (int, bool) {
	if n <= 0 {
		return 0, false
	}
	return roundRatio(100*x, n), true
}

// roundRatio returns num/den rounded to the nearest integer, halves away from
// zero; den must be positive. Doubling both sides keeps the half exact:
// (2·num ± den)/(2·den) truncates toward zero, which moves a half away from
// it. Integers have no negative zero.
func roundRatio(num, den int) int {
	num *= 2
	if num >= 0 {
		num += den
	} else {
		num -= den
	}
	return num / (2 * den)
}
