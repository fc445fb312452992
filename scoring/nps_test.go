package scoring

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// z95 is z(0.95) = √2·erf⁻¹(0.95), used in the hand arithmetic below.
const z95 = 1.959964

// near reports whether got is within tol of want.
func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestNPSFromScores(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		scores  []int
		want    NPSCounts
		wantErr bool
	}{
		// TV-J: 10, 9, 9, 10, 9 are promoters (5); 8, 7 passives (2);
		// 6, 0, 3 detractors (3).
		{"TV-J", []int{10, 9, 9, 8, 7, 6, 0, 10, 3, 9}, NPSCounts{Promoters: 5, Passives: 2, Detractors: 3}, false},
		// The bucket edges: 6|7 and 8|9.
		{"edges", []int{0, 6, 7, 8, 9, 10}, NPSCounts{Promoters: 2, Passives: 2, Detractors: 2}, false},
		{"empty", nil, NPSCounts{}, false},
		{"eleven", []int{10, 11}, NPSCounts{}, true},
		{"negative", []int{-1}, NPSCounts{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NPSFromScores(tt.scores)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NPSFromScores(%v) error = %v, want error %v", tt.scores, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("NPSFromScores(%v) mismatch (-want +got):\n%s", tt.scores, diff)
			}
		})
	}
}

func TestNPSFromScoresErrorSaysWhere(t *testing.T) {
	t.Parallel()
	_, err := NPSFromScores([]int{10, 9, 11})
	want := "position 3: NPS answer 11 is out of range: want a whole number from 0 to 10"
	if err == nil || err.Error() != want {
		t.Errorf("NPSFromScores error = %v, want %q", err, want)
	}
}

func TestNPSScoreAndRounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		c           NPSCounts
		wantScore   float64
		wantRounded int
		wantOK      bool
	}{
		// TV-B: 100·(9 − 5)/20 = 20.
		{"TV-B", NPSCounts{9, 6, 5}, 20, 20, true},
		// TV-C: 100·(5 − 0)/5 = 100.
		{"TV-C", NPSCounts{5, 0, 0}, 100, 100, true},
		// TV-J: 100·(5 − 3)/10 = 20.
		{"TV-J", NPSCounts{5, 2, 3}, 20, 20, true},
		// TV-K: no answers is no score, not 0.
		{"TV-K", NPSCounts{}, 0, 0, false},
		// TV-L: 100·(2 − 3)/250 = −0.4 → 0, never "-0".
		{"TV-L", NPSCounts{2, 245, 3}, -0.4, 0, true},
		// TV-M: 100·1/8 = 12.5 → 13, half away from zero (x/text would say 12).
		{"TV-M", NPSCounts{1, 7, 0}, 12.5, 13, true},
		// Mirror of TV-M: −12.5 → −13.
		{"TV-M negative", NPSCounts{0, 7, 1}, -12.5, -13, true},
		// 100·(1 − 0)/3 = 33.33… → 33; 100·2/3 = 66.67 → 67.
		{"thirds", NPSCounts{1, 2, 0}, 100.0 / 3, 33, true},
		{"two thirds", NPSCounts{2, 1, 0}, 200.0 / 3, 67, true},
		// All detractors: −100.
		{"all detractors", NPSCounts{0, 0, 4}, -100, -100, true},
		// Negative counts are not answers: no score rather than nonsense.
		{"negative count", NPSCounts{5, -1, 0}, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.c.Score()
			if ok != tt.wantOK || !near(got, tt.wantScore, 1e-12) {
				t.Errorf("%+v.Score() = %v, %v, want %v, %v", tt.c, got, ok, tt.wantScore, tt.wantOK)
			}
			r, ok := tt.c.Rounded()
			if ok != tt.wantOK || r != tt.wantRounded {
				t.Errorf("%+v.Rounded() = %v, %v, want %v, %v", tt.c, r, ok, tt.wantRounded, tt.wantOK)
			}
		})
	}
}

func TestNPSCI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		c      NPSCounts
		m      Method
		lo, hi float64
	}{
		// TV-B Wald: pP = .45, pD = .25, N = .20, Var1 = .45 + .25 − .04 = .66,
		// SE = √(.66/20) = .181659 (18.166 points);
		// 20 ± 1.959964·18.1659 = 20 ± 35.6045 → [−15.60, 55.60].
		{"TV-B wald", NPSCounts{9, 6, 5}, Wald, -15.6045, 55.6045},
		// TV-B adjusted: n′ = 23, p′P = 9.75/23 = .423913, p′D = 5.75/23 = .25,
		// N′ = 4/23 = .173913, V′ = .673913 − .030246 = .643667,
		// SE′ = √(.643667/23) = .167289; 17.3913 ± 1.959964·16.7289 =
		// 17.3913 ± 32.7880 → [−15.40, 50.18].
		{"TV-B adjusted", NPSCounts{9, 6, 5}, AdjustedWald, -15.3967, 50.1793},
		// TV-C Wald: all promoters, Var1 = 1 + 0 − 1 = 0: degenerate [100, 100].
		{"TV-C wald", NPSCounts{5, 0, 0}, Wald, 100, 100},
		// TV-C adjusted: n′ = 8, p′P = 5.75/8 = .71875, p′D = .75/8 = .09375,
		// N′ = .625, V′ = .8125 − .390625 = .421875, SE′ = √(.421875/8) =
		// .229640; 62.5 ± 45.0087 → [17.49, 107.51], clamped to 100.
		{"TV-C adjusted", NPSCounts{5, 0, 0}, AdjustedWald, 17.4915, 100},
		// Mirror of TV-C: all detractors clamp at −100.
		{"TV-C mirrored", NPSCounts{0, 0, 5}, AdjustedWald, -100, -17.4915},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.c.CI(DefaultConfidence, tt.m)
			if !ok || !near(got.Lo, tt.lo, 5e-4) || !near(got.Hi, tt.hi, 5e-4) || got.Method != tt.m {
				t.Errorf("%+v.CI(0.95, %v) = %+v, %v, want [%v, %v] %v", tt.c, tt.m, got, ok, tt.lo, tt.hi, tt.m)
			}
		})
	}
}

func TestNPSAdjusted(t *testing.T) {
	t.Parallel()
	// TV-B: N′ = 4/23 = 17.391 points; TV-C: N′ = 5/8 = 62.5 points.
	for _, tt := range []struct {
		c    NPSCounts
		want float64
	}{{NPSCounts{9, 6, 5}, 400.0 / 23}, {NPSCounts{5, 0, 0}, 62.5}} {
		if got, ok := tt.c.Adjusted(); !ok || !near(got, tt.want, 1e-12) {
			t.Errorf("%+v.Adjusted() = %v, %v, want %v", tt.c, got, ok, tt.want)
		}
	}
	if _, ok := (NPSCounts{}).Adjusted(); ok {
		t.Error("NPSCounts{}.Adjusted() ok = true, want false (no answers)")
	}
}

// TestNPSNoAnswers is TV-K for every estimator: n = 0 is "no score".
func TestNPSNoAnswers(t *testing.T) {
	t.Parallel()
	var c NPSCounts
	if _, ok := c.CI(DefaultConfidence, AdjustedWald); ok {
		t.Error("CI of no answers: ok = true, want false")
	}
	if _, ok := c.CI(DefaultConfidence, Wald); ok {
		t.Error("Wald CI of no answers: ok = true, want false")
	}
	if _, ok := c.VsTarget(30); ok {
		t.Error("VsTarget of no answers: ok = true, want false")
	}
	if _, ok := CompareNPS(c, NPSCounts{1, 1, 1}, DefaultConfidence); ok {
		t.Error("CompareNPS with an empty group: ok = true, want false")
	}
}

func TestNPSCIPanicsOnWrongMethod(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("CI(0.95, WilsonScore) did not panic; NPS is not a proportion")
		}
	}()
	NPSCounts{1, 1, 1}.CI(DefaultConfidence, WilsonScore)
}

func TestConfidenceLevelPanics(t *testing.T) {
	t.Parallel()
	for _, conf := range []float64{0, 1, 95, -0.5, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("CI(%v) did not panic", conf)
				}
			}()
			NPSCounts{1, 1, 1}.CI(conf, AdjustedWald)
		}()
	}
}

// TestPublishedMargins reproduces published NPS margins of error to 0.1
// points. MeasuringU's articles and the two forum answers below state their
// inputs and results; the arithmetic is redone here by hand.
func TestPublishedMargins(t *testing.T) {
	t.Parallel()
	t.Run("MeasuringU ±26 at n = 30", func(t *testing.T) {
		// MeasuringU (nps-ci-sample-size): with the
		// planning variance 0.6, n = 30 gives about ±26 points.
		// 100·1.959964·√(0.6/(30 + 3)) = 195.9964·.134840 = 26.43.
		if got := NPSMargin(30, PlanningVariance, DefaultConfidence); !near(got, 26.4, 0.05) {
			t.Errorf("NPSMargin(30, 0.6) = %.2f, want 26.4", got)
		}
	})
	t.Run("MeasuringU ±5 needs about 920", func(t *testing.T) {
		// n = z²·0.6/0.05² − 3 = 3.841459·0.6/0.0025 − 3 = 921.95 − 3 = 918.95 → 919.
		if got := NPSSampleSize(5, PlanningVariance, DefaultConfidence); got != 919 {
			t.Errorf("NPSSampleSize(±5) = %d, want 919", got)
		}
		// And back: 919 answers give ±5.0 points.
		if got := NPSMargin(919, PlanningVariance, DefaultConfidence); !near(got, 5.0, 0.05) {
			t.Errorf("NPSMargin(919) = %.3f, want 5.0", got)
		}
	})
	t.Run("MeasuringU 10-point change needs about 940", func(t *testing.T) {
		// n = (0.6 + 0.6)·(1.959964 + 0.841621)²/0.1² − 3 = 1.2·7.848879/0.01 − 3
		// = 941.87 − 3 = 938.87 → 939 per period.
		if got := NPSChangeSampleSize(10, PlanningVariance, PlanningVariance, DefaultConfidence, 0.8); got != 939 {
			t.Errorf("NPSChangeSampleSize(10 points) = %d, want 939", got)
		}
	})
	t.Run("Cross Validated: SE 4.1 at n = 324", func(t *testing.T) {
		// whuber's answer to "How can I calculate margin of error in a NPS
		// result?" (stats.stackexchange.com/q/18603): shares 1/2, 1/3, 1/6,
		// NPS 1/3, variance 5/9, SD ≈ 0.75, so n = 324 has an SE of about
		// 4.1 %. As counts: 162/108/54. Var1 = 1/2 + 1/6 − 1/9 = 5/9;
		// SE = √(5/9/324) = .745356/18 = .041409 → 4.1 points, margin ±8.1.
		c := NPSCounts{162, 108, 54}
		iv, _ := c.CI(DefaultConfidence, Wald)
		half := (iv.Hi - iv.Lo) / 2
		if se := half / z95; !near(se, 4.1, 0.05) {
			t.Errorf("Wald SE = %.3f, want 4.1", se)
		}
		if !near(half, 8.1, 0.05) {
			t.Errorf("Wald margin = %.3f, want 8.1", half)
		}
	})
	t.Run("talkstats: ±4.4 at n = 1162", func(t *testing.T) {
		// talkstats.com thread 58500: 291 promoters, 476 passives, 395
		// detractors, NPS −9, "confidence interval of 4.4". The 4.4 is the
		// 95 % margin (so −9 ± 4.4, not ± 2.2): pP = .250430, pD = .339931,
		// N = −.089501, Var1 = .590361 − .008010 = .582351,
		// SE = √(.582351/1162) = .022387, 1.959964·.022387 = .043877 → ±4.4.
		// Adjusted Wald agrees at this n: ±4.38.
		c := NPSCounts{291, 476, 395}
		for _, m := range []Method{Wald, AdjustedWald} {
			iv, _ := c.CI(DefaultConfidence, m)
			if half := (iv.Hi - iv.Lo) / 2; !near(half, 4.4, 0.05) {
				t.Errorf("%v margin = %.3f, want 4.4", m, half)
			}
		}
		if r, _ := c.Rounded(); r != -9 {
			t.Errorf("Rounded() = %d, want -9", r)
		}
	})
}

func TestVsTarget(t *testing.T) {
	t.Parallel()
	// TV-B against a target of 0: z = .173913/.167289 = 1.0396; one-sided
	// p(above) = Φ(−1.0396) = .1493; p(below) = .8507.
	got, ok := NPSCounts{9, 6, 5}.VsTarget(0)
	if !ok || !near(got.Z, 1.0396, 1e-4) || !near(got.PAbove, 0.1493, 1e-4) || !near(got.PBelow, 0.8507, 1e-4) {
		t.Errorf("VsTarget(0) = %+v, %v, want Z 1.0396, PAbove .1493, PBelow .8507", got, ok)
	}
}

func TestNPSAddAndValidate(t *testing.T) {
	t.Parallel()
	got := NPSCounts{1, 2, 3}.Add(NPSCounts{10, 20, 30})
	if want := (NPSCounts{11, 22, 33}); got != want {
		t.Errorf("Add = %+v, want %+v", got, want)
	}
	if err := (NPSCounts{1, 0, -1}).Validate(); err == nil {
		t.Error("Validate of a negative count = nil, want an error")
	}
}

// Property tests. Each draws counts from a seeded generator so a failure
// reproduces; the seeds are arbitrary.

func randCounts(r *rand.Rand, max int) NPSCounts {
	return NPSCounts{r.IntN(max + 1), r.IntN(max + 1), r.IntN(max + 1)}
}

func TestNPSProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		c := randCounts(r, 1+r.IntN(200))
		if c.N() == 0 {
			continue
		}
		s, _ := c.Score()
		if s < -100 || s > 100 {
			t.Fatalf("%+v.Score() = %v, outside [−100, 100]", c, s)
		}
		// The integer display agrees with rounding the float half away
		// from zero (the float of an exact half is exact).
		if r, _ := c.Rounded(); float64(r) != Round(s) {
			t.Fatalf("%+v.Rounded() = %d, Round(Score()) = %v", c, r, Round(s))
		}
		if txt := strconv.Itoa(mustRounded(c)); txt == "-0" {
			t.Fatalf("%+v displays as -0", c)
		}
		adj, _ := c.Adjusted()
		aw, _ := c.CI(DefaultConfidence, AdjustedWald)
		if !aw.Contains(adj) || aw.Lo < -100 || aw.Hi > 100 {
			t.Fatalf("%+v: adjusted CI %+v does not contain N′ = %v within ±100", c, aw, adj)
		}
		w, _ := c.CI(DefaultConfidence, Wald)
		if !w.Contains(s) || w.Lo < -100 || w.Hi > 100 {
			t.Fatalf("%+v: Wald CI %+v does not contain NPS = %v within ±100", c, w, s)
		}
	}
}

func mustRounded(c NPSCounts) int {
	r, _ := c.Rounded()
	return r
}

// TestNPSCIShrinks: with the shares fixed, doubling n narrows the interval.
func TestNPSCIShrinks(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		base := randCounts(r, 20)
		if base.N() == 0 {
			continue
		}
		width := func(k int) float64 {
			c := NPSCounts{k * base.Promoters, k * base.Passives, k * base.Detractors}
			iv, _ := c.CI(DefaultConfidence, AdjustedWald)
			return iv.Hi - iv.Lo
		}
		prev := width(1)
		for k := 2; k <= 256; k *= 2 {
			w := width(k)
			if !(w < prev) {
				t.Fatalf("shares of %+v: width at ×%d = %v, not below %v at ×%d", base, k, w, prev, k/2)
			}
			prev = w
		}
	}
}

// TestNPSAggregation: the counts of all answers equal the sum of the counts
// of any split into segments, so aggregation never needs the answers again.
func TestNPSAggregation(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for range 500 {
		scores := make([]int, r.IntN(300))
		for i := range scores {
			scores[i] = r.IntN(11)
		}
		whole, err := NPSFromScores(scores)
		if err != nil {
			t.Fatal(err)
		}
		var sum NPSCounts
		for rest := scores; len(rest) > 0; {
			k := 1 + r.IntN(len(rest))
			seg, err := NPSFromScores(rest[:k])
			if err != nil {
				t.Fatal(err)
			}
			sum = sum.Add(seg)
			rest = rest[k:]
		}
		if sum != whole {
			t.Fatalf("sum of segments %+v, whole %+v", sum, whole)
		}
	}
}
