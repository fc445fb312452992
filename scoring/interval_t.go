package scoring

import "math"

// Student's t distribution, computed here rather than imported: the module
// keeps scoring on the standard library, and a mean's interval is the only
// place that needs it. The CDF goes through the regularized incomplete beta
// function; the quantile is found by Newton's method inside a bisection
// bracket, which converges in a handful of steps and cannot wander off.

// tExactMaxDF is the largest number of degrees of freedom for which
// tQuantile inverts the exact CDF. Beyond it the Cornish–Fisher expansion in
// 1/df (Abramowitz & Stegun 26.7.5) is used: its error there is below 1e−12,
// while the incomplete beta continued fraction needs O(√df) iterations.
const tExactMaxDF = 1000

// tQuantile returns t such that P(T ≤ t) = p for T ~ Student's t with df
// degrees of freedom; df ≥ 1 and 0 < p < 1.
func tQuantile(p float64, df int) float64 {
	switch {
	case p == 0.5:
		return 0
	case p < 0.5:
		return -tQuantile(1-p, df) // symmetry
	case df > tExactMaxDF:
		return tCornishFisher(p, float64(df))
	}
	nu := float64(df)
	// Bracket: the t quantile lies above the normal one for p > 0.5; double
	// the upper end until it is above the target (t(0.9995, 1) ≈ 636.6).
	lo, hi := 0.0, 2.0
	for tCDF(hi, nu) < p {
		lo, hi = hi, hi*2
	}
	t := math.Max(lo, math.Min(hi, normalQuantile(p)))
	for range 100 {
		f := tCDF(t, nu) - p
		if f == 0 {
			return t
		}
		if f < 0 {
			lo = t
		} else {
			hi = t
		}
		next := t - f/tPDF(t, nu)
		if !(next > lo && next < hi) {
			next = (lo + hi) / 2 // Newton left the bracket: bisect instead
		}
		if math.Abs(next-t) <= 1e-14*math.Max(1, math.Abs(t)) {
			return next
		}
		t = next
	}
	return t
}

// tCDF is P(T ≤ t) for Student's t with nu degrees of freedom:
// for t > 0, 1 − ½·I_x(ν/2, ½) with x = ν/(ν + t²).
func tCDF(t, nu float64) float64 {
	x := nu / (nu + t*t)
	tail := 0.5 * regIncBeta(nu/2, 0.5, x)
	if t > 0 {
		return 1 - tail
	}
	return tail
}

// tPDF is the density of Student's t with nu degrees of freedom.
func tPDF(t, nu float64) float64 {
	lg1, _ := math.Lgamma((nu + 1) / 2)
	lg2, _ := math.Lgamma(nu / 2)
	return math.Exp(lg1-lg2-0.5*math.Log(nu*math.Pi)) * math.Pow(1+t*t/nu, -(nu+1)/2)
}

// tCornishFisher is the Cornish–Fisher expansion of the t quantile around the
// normal quantile x (Abramowitz & Stegun 26.7.5), four terms in 1/ν.
func tCornishFisher(p, nu float64) float64 {
	x := normalQuantile(p)
	x2 := x * x
	g1 := (x2 + 1) * x / 4
	g2 := ((5*x2+16)*x2 + 3) * x / 96
	g3 := (((3*x2+19)*x2+17)*x2 - 15) * x / 384
	g4 := ((((79*x2+776)*x2+1482)*x2-1920)*x2 - 945) * x / 92160
	return x + (g1+(g2+(g3+g4/nu)/nu)/nu)/nu
}

// normalQuantile is the standard normal quantile Φ⁻¹(p).
func normalQuantile(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) }

// regIncBeta is the regularized incomplete beta function I_x(a, b).
//
// It evaluates the continued fraction of I_x(a, b) (Abramowitz & Stegun
// 26.5.8) with the modified Lentz method, and uses the symmetry
// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly, i.e.
// for x above (a + 1)/(a + b + 2).
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	case x > (a+1)/(a+b+2):
		return 1 - regIncBeta(b, a, 1-x)
	}
	lga, _ := math.Lgamma(a)
	lgb, _ := math.Lgamma(b)
	lgab, _ := math.Lgamma(a + b)
	front := math.Exp(lgab - lga - lgb + a*math.Log(x) + b*math.Log1p(-x))
	return front * betaContinuedFraction(a, b, x) / a
}

// betaContinuedFraction evaluates
//
//	1/(1+ d₁/(1+ d₂/(1+ …)))
//	d₂ₘ₊₁ = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
//	d₂ₘ   = m(b−m)x / ((a+2m−1)(a+2m))
//
// by the modified Lentz method.
func betaContinuedFraction(a, b, x float64) float64 {
	const (
		tiny = 1e-300
		eps  = 1e-16
	)
	guard := func(v float64) float64 {
		if math.Abs(v) < tiny {
			return tiny
		}
		return v
	}
	c := 1.0
	d := 1 / guard(1-(a+b)*x/(a+1))
	h := d
	for m := 1; m <= 10000; m++ {
		mf := float64(m)
		// Even step d₂ₘ.
		num := mf * (b - mf) * x / ((a + 2*mf - 1) * (a + 2*mf))
		d = 1 / guard(1+num*d)
		c = guard(1 + num/c)
		h *= d * c
		// Odd step d₂ₘ₊₁.
		num = -(a + mf) * (a + b + mf) * x / ((a + 2*mf) * (a + 2*mf + 1))
		d = 1 / guard(1+num*d)
		c = guard(1 + num/c)
		delta := d * c
		h *= delta
		if math.Abs(delta-1) < eps {
			break
		}
	}
	return h
}
