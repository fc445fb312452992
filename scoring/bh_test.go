package scoring

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBenjaminiHochberg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    []float64
		q    float64
		want []bool
	}{
		// m = 4, thresholds k·.05/4 = .0125, .025, .0375, .05. Sorted:
		// .005 ≤ .0125, .01 ≤ .025, .03 ≤ .0375, .04 ≤ .05: k = 4, all.
		{"all pass", []float64{0.01, 0.04, 0.03, 0.005}, 0.05, []bool{true, true, true, true}},
		// m = 3, thresholds .0167, .0333, .05. p₍₁₎ = .02 misses its own
		// threshold, but p₍₃₎ = .035 ≤ .05 makes k = 3: all three are flagged
		// (step-up, not step-down).
		{"step-up", []float64{0.035, 0.02, 0.03}, 0.05, []bool{true, true, true}},
		// .02 > .0167, .04 > .0333, .06 > .05: k = 0, none.
		{"none", []float64{0.02, 0.04, 0.06}, 0.05, []bool{false, false, false}},
		// m = 5, thresholds .01, .02, .03, .04, .05. Sorted .001 ✓, .015 ✓,
		// .035 ✗ (> .03), .045 ✗ (> .04), .30 ✗: k = 2.
		{"cut", []float64{0.30, 0.035, 0.001, 0.045, 0.015}, 0.05, []bool{false, false, true, false, true}},
		// A lone p of .04 is flagged; with two unchanged cells beside it the
		// threshold drops to .0167 and it is not: the point of the correction.
		{"alone", []float64{0.04}, 0.05, []bool{true}},
		{"with nulls", []float64{0.04, 0.5, 0.6}, 0.05, []bool{false, false, false}},
		// Equality counts (≤): m = 2, p₍₂₎ = .05 = 2·.05/2.
		{"equal to threshold", []float64{0.05, 0.05}, 0.05, []bool{true, true}},
		// Ties are flagged alike: m = 4, sorted .01, .03, .03, .03; the
		// thresholds .0125, .025, .0375, .05 — rank 4 (.03 ≤ .05) flags all.
		{"ties", []float64{0.03, 0.01, 0.03, 0.03}, 0.05, []bool{true, true, true, true}},
		// NaN is never flagged and does not count as a pass; it still counts
		// in m (it is a test that was run): m = 2, .02 ≤ .025.
		{"NaN", []float64{math.NaN(), 0.02}, 0.05, []bool{false, true}},
		{"empty", nil, 0.05, []bool{}},
		{"q = 0", []float64{0.0001}, 0, []bool{false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := slices.Clone(tt.p)
			got := BenjaminiHochberg(tt.p, tt.q)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("BenjaminiHochberg(%v, %v) mismatch (-want +got):\n%s", tt.p, tt.q, diff)
			}
			if !cmp.Equal(in, tt.p, cmp.Comparer(func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) })) {
				t.Errorf("BenjaminiHochberg modified its input: %v, was %v", tt.p, in)
			}
		})
	}
}

// TestBenjaminiHochbergProperties: the flagged set is always the k smallest
// p-values, and order of input does not change which values are flagged.
func TestBenjaminiHochbergProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(13, 14))
	for range 2000 {
		m := 1 + r.IntN(40)
		p := make([]float64, m)
		for i := range p {
			p[i] = math.Pow(r.Float64(), 3) // skewed towards 0, like real signals
		}
		flags := BenjaminiHochberg(p, 0.05)
		maxFlagged, minUnflagged := -1.0, 2.0
		for i, f := range flags {
			if f {
				maxFlagged = math.Max(maxFlagged, p[i])
			} else {
				minUnflagged = math.Min(minUnflagged, p[i])
			}
		}
		if maxFlagged >= minUnflagged {
			t.Fatalf("p = %v: flagged up to %v but not %v", p, maxFlagged, minUnflagged)
		}
		perm := r.Perm(m)
		shuffled := make([]float64, m)
		for i, j := range perm {
			shuffled[i] = p[j]
		}
		for i, f := range BenjaminiHochberg(shuffled, 0.05) {
			if f != flags[perm[i]] {
				t.Fatalf("p = %v: flag of %v changed with input order", p, shuffled[i])
			}
		}
	}
}
