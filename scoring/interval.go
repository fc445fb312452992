package scoring

import (
	"fmt"
	"math"
)

// DefaultConfidence is the confidence level of every interval vocbot shows
// and the 1 − α of every test it runs. Nothing in the product offers another;
// the functions take the level as an argument so that tests and planning can.
const DefaultConfidence = 0.95

// Method names how an interval was computed. It travels with the interval
// because a reader of "±18" deserves to know which ±18 it is, and because
// NPS has two intervals in common use that differ at small n.
type Method uint8

// The interval methods. The zero value is AdjustedWald, the NPS default.
const (
	// AdjustedWald is the NPS interval of Rocks (2016): add 0.75 promoters,
	// 1.5 passives and 0.75 detractors (n + 3), then use the trinomial Wald
	// formula. Good coverage even at small n and for one-sided samples.
	AdjustedWald Method = iota
	// Wald is the plain trinomial interval N ± z·√(Var/n). It collapses to
	// zero width when all answers fall in one bucket; kept for large n and
	// for cross-checks against other tools.
	Wald
	// WilsonScore is the Wilson score interval for a proportion (CSAT's
	// top-2-box, CES's % agree): it never leaves [0, 1] and does not collapse
	// at 0 % or 100 %.
	WilsonScore
	// StudentT is the t interval for a mean (mean satisfaction, mean CES).
	StudentT
)

var methodNames = [...]string{
	AdjustedWald: "adjusted-wald",
	Wald:         "wald",
	WilsonScore:  "wilson",
	StudentT:     "t",
}

// String returns the method's identifier as it appears in JSON output:
// "adjusted-wald", "wald", "wilson" or "t".
func (m Method) String() string {
	if int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", uint8(m))
}

// MarshalText makes a Method encode as its identifier in JSON.
func (m Method) MarshalText() ([]byte, error) {
	if int(m) >= len(methodNames) {
		return nil, fmt.Errorf("marshal interval method: unknown method %d", uint8(m))
	}
	return []byte(methodNames[m]), nil
}

// Interval is a confidence interval, in the units of the estimate it belongs
// to: points (−100..100) for NPS, percent for [Likert] shares, answer units
// for means, and fractions (0..1) for [Wilson].
type Interval struct {
	Lo, Hi float64
	Method Method
}

// Contains reports whether x lies in the closed interval.
func (iv Interval) Contains(x float64) bool { return iv.Lo <= x && x <= iv.Hi }

// scale multiplies both bounds, e.g. to turn fractions into percent.
func (iv Interval) scale(f float64) Interval {
	return Interval{Lo: iv.Lo * f, Hi: iv.Hi * f, Method: iv.Method}
}

// Wilson returns the Wilson score interval for x successes out of n, as
// fractions in [0, 1]; ok is false when n ≤ 0 or x is not in 0..n.
//
// With p̂ = x/n and z the two-sided normal quantile for conf:
//
//	centre = (p̂ + z²/2n) / (1 + z²/n)
//	half   = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)
//
// Wilson is used rather than Agresti–Coull because it stays inside [0, 1]
// without clamping (5 of 5 satisfied: Wilson [0.5655, 1], Agresti–Coull
// [0.5109, 1.0546]), and rather than Wald because Wald has zero width at 0 %
// and 100 %, exactly where small CSAT samples often are. conf must lie
// strictly between 0 and 1.
func Wilson(x, n int, conf float64) (Interval, bool) {
	z := zFor(conf)
	if n <= 0 || x < 0 || x > n {
		return Interval{Method: WilsonScore}, false
	}
	nf := float64(n)
	p := float64(x) / nf
	z2n := z * z / nf
	centre := (p + z2n/2) / (1 + z2n)
	half := z / (1 + z2n) * math.Sqrt(p*(1-p)/nf+z2n/(4*nf))
	iv := Interval{Lo: clamp(centre-half, 0, 1), Hi: clamp(centre+half, 0, 1), Method: WilsonScore}
	// At x = 0 and x = n one bound is exactly 0 or 1; floating point lands a
	// bit off (0.9999999999999999), which would exclude p̂ itself.
	if x == 0 {
		iv.Lo = 0
	}
	if x == n {
		iv.Hi = 1
	}
	return iv, true
}

// zFor returns the two-sided standard normal quantile for a confidence level:
// z(0.95) = √2·erf⁻¹(0.95) = 1.959964. A level outside (0, 1) is a programming
// error, not data, so it panics like an out-of-range index would.
func zFor(conf float64) float64 {
	checkConf(conf)
	return math.Sqrt2 * math.Erfinv(conf)
}

// checkConf panics unless 0 < conf < 1. Estimators call it before looking at
// the data, so a wrong level fails in every test, not only in those with
// answers.
func checkConf(conf float64) {
	if !(conf > 0 && conf < 1) {
		panic(fmt.Sprintf("scoring: confidence level %v is not strictly between 0 and 1", conf))
	}
}

// twoSidedP is the two-sided p-value of a standard normal statistic.
func twoSidedP(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
