package scoring

import "math"

// rankZ is the one-sided 95 % normal quantile used to penalise uncertain
// segments in a ranking: a segment must be good beyond its own noise.
const rankZ = 1.645

// Smoothed is a segment's NPS shrunk towards its parent's, for ranking and
// colouring only ("worst touchpoints", "best agents"). Renderers show the raw
// score and n next to it, never the smoothed value.
type Smoothed struct {
	// NPS is the posterior mean of θP − θD, in points.
	NPS float64
	// SD is its posterior standard deviation, in points.
	SD float64
}

// RankKey is NPS − 1.645·SD: sort segments by it, highest first, to favour
// solid evidence over a lucky 3 of 3 promoters.
func (s Smoothed) RankKey() float64 { return s.NPS - rankZ*s.SD }

// Smoothed returns the segment's NPS under a Dirichlet prior centred on the
// parent's shares π (company-wide answers, trailing 90 days) with strength m
// pseudo-answers (about 10; tune on history):
//
//	ᾱP = (P + m·πP)/(n + m)     ᾱD = (D + m·πD)/(n + m)     NPS_s = 100·(ᾱP − ᾱD)
//	Var = [ᾱP + ᾱD − (ᾱP − ᾱD)²]/(n + m + 1)   (exact Dirichlet variance of θP − θD)
//
// The prior is given as the parent's counts rather than shares, so it cannot
// be a set of shares that fail to add up. A segment with few answers lands
// near the parent; a large one keeps its own score; m = 0 reproduces the raw
// score. ok is false when there is nothing to estimate from: m < 0 (or NaN),
// no answers and no prior (n + m = 0), or m > 0 with an empty parent.
func (c NPSCounts) Smoothed(parent NPSCounts, m float64) (Smoothed, bool) {
	if c.Validate() != nil || parent.Validate() != nil || !(m >= 0) || math.IsInf(m, 1) {
		return Smoothed{}, false
	}
	var piP, piD float64
	if m > 0 {
		pn := parent.N()
		if pn == 0 {
			return Smoothed{}, false
		}
		piP = float64(parent.Promoters) / float64(pn)
		piD = float64(parent.Detractors) / float64(pn)
	}
	total := float64(c.N()) + m
	if total == 0 {
		return Smoothed{}, false
	}
	aP := (float64(c.Promoters) + m*piP) / total
	aD := (float64(c.Detractors) + m*piD) / total
	diff := aP - aD
	v := (aP + aD - diff*diff) / (total + 1)
	// The same expression as Score at m = 0, so that m = 0 gives the raw
	// score to the last bit, not just approximately.
	nps := 100 * (float64(c.Promoters-c.Detractors) + m*(piP-piD)) / total
	return Smoothed{NPS: nps, SD: 100 * math.Sqrt(math.Max(v, 0))}, true
}
