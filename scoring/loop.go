package scoring

import (
	"slices"
	"time"
)

// Closing the loop with unhappy customers: how fast the team answers them
// and how many come back satisfied.

// RecoveryRate is the share of surveyed detractors whose recovery answer
// is positive (in the promoter band of its scale: NPS 9–10, CSAT 4–5, CES
// 5–7), with its Wilson interval. Like every share it shows a percentage
// only from DefaultMinScore answers: below that, Level says counts only.
type RecoveryRate struct {
	// Recovered answers are positive, out of Answered recovery answers.
	Recovered, Answered int
	Level               Level
	// Rate (0..1) and Interval (fractions) are set from LowN on.
	Rate     float64
	Interval Interval
	// Percent is Rate as displayed, rounded half away from zero.
	Percent int
}

// Recovery computes the recovery rate of recovered out of answered, with
// the default thresholds and confidence. Counts outside 0 ≤ recovered ≤
// answered are reported as no responses.
func Recovery(recovered, answered int) RecoveryRate {
	r := RecoveryRate{Recovered: recovered, Answered: answered}
	if answered <= 0 || recovered < 0 || recovered > answered {
		return RecoveryRate{}
	}
	r.Level = DefaultThresholds(CSAT).Level(answered)
	if r.Level < LowN {
		return r
	}
	r.Rate = float64(recovered) / float64(answered)
	r.Interval, _ = Wilson(recovered, answered, DefaultConfidence)
	r.Percent, _ = RoundPercent(recovered, answered)
	return r
}

// Shown reports whether the rate may be displayed as a percentage.
func (r RecoveryRate) Shown() bool { return r.Level >= LowN }

// IntervalPercent is the interval in whole percent as displayed, each
// bound rounded half away from zero.
func (r RecoveryRate) IntervalPercent() (lo, hi int) {
	return int(Round(100 * r.Interval.Lo)), int(Round(100 * r.Interval.Hi))
}

// MedianDuration is the median of ds (the mean of the two middle values
// for an even count, to the nanosecond); ok is false when ds is empty. ds
// is not modified.
func MedianDuration(ds []time.Duration) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m], true
	}
	// a + (b − a)/2 cannot overflow where (a + b)/2 could.
	return s[m-1] + (s[m]-s[m-1])/2, true
}
