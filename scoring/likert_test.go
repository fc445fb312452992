package scoring

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScaleBuckets(t *testing.T) {
	t.Parallel()
	// One row per answer option: the bucket table of ScaleID.Bucket, written
	// out in full so a change to a boundary shows here.
	D, Pa, P := Detractor, Passive, Promoter
	tests := []struct {
		scale ScaleID
		lo    int
		want  []Bucket
	}{
		{NPS, 0, []Bucket{D, D, D, D, D, D, D, Pa, Pa, P, P}},
		{ENPS, 0, []Bucket{D, D, D, D, D, D, D, Pa, Pa, P, P}},
		{CSAT, 1, []Bucket{D, D, Pa, P, P}},
		{CES2, 1, []Bucket{D, D, D, Pa, P, P, P}},
		// Legacy CES: lower is better, 1–2 low effort is the good bucket.
		{CES1, 1, []Bucket{P, P, Pa, D, D}},
	}
	for _, tt := range tests {
		t.Run(string(tt.scale), func(t *testing.T) {
			t.Parallel()
			if got := tt.scale.Points(); got != len(tt.want) {
				t.Fatalf("%s.Points() = %d, want %d", tt.scale, got, len(tt.want))
			}
			lo, hi, ok := tt.scale.Range()
			if !ok || lo != tt.lo || hi != tt.lo+len(tt.want)-1 {
				t.Errorf("%s.Range() = %d, %d, %v, want %d, %d, true", tt.scale, lo, hi, ok, tt.lo, tt.lo+len(tt.want)-1)
			}
			for i, want := range tt.want {
				got, err := tt.scale.Bucket(tt.lo + i)
				if err != nil || got != want {
					t.Errorf("%s.Bucket(%d) = %v, %v, want %v", tt.scale, tt.lo+i, got, err, want)
				}
			}
			for _, bad := range []int{tt.lo - 1, tt.lo + len(tt.want)} {
				if _, err := tt.scale.Bucket(bad); err == nil {
					t.Errorf("%s.Bucket(%d) error = nil, want out of range", tt.scale, bad)
				}
			}
		})
	}
	if CES1.HigherIsBetter() || !CES2.HigherIsBetter() || !NPS.HigherIsBetter() {
		t.Error("HigherIsBetter: want false only for legacy CES")
	}
	if _, err := ScaleID("stars").Bucket(3); err == nil {
		t.Error("unknown scale: Bucket error = nil")
	}
}

func TestParseScaleAndBucket(t *testing.T) {
	t.Parallel()
	for _, s := range []ScaleID{NPS, ENPS, CSAT, CES2, CES1} {
		if got, err := ParseScale(string(s)); err != nil || got != s {
			t.Errorf("ParseScale(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := ParseScale("ces"); err == nil {
		t.Error(`ParseScale("ces") error = nil: the scale must be explicit`)
	}
	for _, b := range []Bucket{Detractor, Passive, Promoter} {
		if got, err := ParseBucket(b.String()); err != nil || got != b {
			t.Errorf("ParseBucket(%q) = %v, %v", b.String(), got, err)
		}
	}
	if _, err := ParseBucket("low"); err == nil {
		t.Error(`ParseBucket("low") error = nil`)
	}
	if got := Bucket(0).String(); got != "Bucket(0)" {
		t.Errorf("Bucket(0).String() = %q: the zero value must not read as a bucket", got)
	}
}

func TestLikertTables(t *testing.T) {
	t.Parallel()
	type want struct {
		n                     int
		mean                  float64
		top, bottom, net      float64
		meanLo, meanHi        float64
		topLo, topHi          float64
		roundedMean           float64
		roundedTop, roundedBt int
	}
	tests := []struct {
		name string
		l    Likert
		want want
	}{
		{
			// The CES 2.0 reference row. n = 2+1+3+5+9+15+15 = 50.
			// Σx = 2·1 + 1·2 + 3·3 + 5·4 + 9·5 + 15·6 + 15·7 = 273, mean 5.46.
			// agree (5–7) = 9 + 15 + 15 = 39 → 78 %; disagree (1–3) = 6 → 12 %;
			// net 66.
			// Mean CI: Σx² = 1613, SS = 1613 − 273²/50 = 122.42, s² = 122.42/49 =
			// 2.498367, SE = √(2.498367/50) = .223534, t(.975, 49) = 2.009575,
			// half = .449208 → [5.0108, 5.9092].
			// Agree Wilson: p̂ = .78, z²/n = .076829, centre = .818415/1.076829 =
			// .760023, half = 1.820121·√(.003432 + .000384) = .112438 →
			// [64.76, 87.25].
			name: "CES 2.0",
			l:    Likert{CES2, []int{2, 1, 3, 5, 9, 15, 15}},
			want: want{n: 50, mean: 5.46, top: 78, bottom: 12, net: 66,
				meanLo: 5.0108, meanHi: 5.9092, topLo: 64.758, topHi: 87.246,
				roundedMean: 5.5, roundedTop: 78, roundedBt: 12},
		},
		{
			// The CES 1.0 reference row. Σx = 10 + 40 + 24 + 28 + 25 = 127,
			// mean 2.54; low effort (1–2) = 30 of 50 → 60 %; high effort (4–5)
			// = 12 → 24 %; net 36.
			// Mean CI: Σx² = 399, SS = 399 − 127²/50 = 76.42, s² = 1.559592,
			// SE = .176613, half = 2.009575·.176613 = .354917 → [2.1851, 2.8949].
			// Low-effort Wilson: p̂ = .6, centre = .638415/1.076829 = .592866,
			// half = 1.820121·√(.0048 + .000384) = .131051 → [46.18, 72.39].
			name: "CES 1.0",
			l:    Likert{CES1, []int{10, 20, 8, 7, 5}},
			want: want{n: 50, mean: 2.54, top: 60, bottom: 24, net: 36,
				meanLo: 2.1851, meanHi: 2.8949, topLo: 46.184, topHi: 72.389,
				roundedMean: 2.5, roundedTop: 60, roundedBt: 24},
		},
		{
			// The CSAT reference row: five 5s. CSAT % = 100, mean 5. The mean
			// has no spread (s = 0), so its interval is [5, 5]. Wilson 5/5:
			// centre = (1 + 1.920730/5)/(1 + 3.841459/5) = 1.384146/1.768292 =
			// .782759, half = 1.108393·√(3.841459/100) = .217241 → [56.55, 100].
			name: "CSAT",
			l:    Likert{CSAT, []int{0, 0, 0, 0, 5}},
			want: want{n: 5, mean: 5, top: 100, bottom: 0, net: 100,
				meanLo: 5, meanHi: 5, topLo: 56.552, topHi: 100,
				roundedMean: 5, roundedTop: 100, roundedBt: 0},
		},
		{
			// Two answers, 1 and 5: mean 3, s = √8 = 2.828427, SE = 2,
			// t(.975, 1) = 12.706205, half = 25.41 — far beyond the scale, so the
			// interval is clamped to [1, 5]. Wilson 1/2: z²/n = 1.920730,
			// centre = (.5 + .960365)/2.920730 = .5, half = 1.959964/2.920730 ·
			// √(.5·.5/2 + 3.841459/16) = .671053·√(.125 + .240091) = .405469
			// → [9.45, 90.55].
			name: "CSAT two answers",
			l:    Likert{CSAT, []int{1, 0, 0, 0, 1}},
			want: want{n: 2, mean: 3, top: 50, bottom: 50, net: 0,
				meanLo: 1, meanHi: 5, topLo: 9.453, topHi: 90.547,
				roundedMean: 3, roundedTop: 50, roundedBt: 50},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, w := tt.l, tt.want
			if got := l.N(); got != w.n {
				t.Errorf("N() = %d, want %d", got, w.n)
			}
			check := func(what string, got float64, ok bool, want, tol float64) {
				t.Helper()
				if !ok || !near(got, want, tol) {
					t.Errorf("%s = %v, %v, want %v", what, got, ok, want)
				}
			}
			mean, ok := l.Mean()
			check("Mean()", mean, ok, w.mean, 1e-12)
			top, ok := l.Percent(Promoter)
			check("Percent(Promoter)", top, ok, w.top, 1e-12)
			bottom, ok := l.Percent(Detractor)
			check("Percent(Detractor)", bottom, ok, w.bottom, 1e-12)
			net, ok := l.Net()
			check("Net()", net, ok, w.net, 1e-12)
			mci, ok := l.MeanCI(DefaultConfidence)
			check("MeanCI().Lo", mci.Lo, ok, w.meanLo, 5e-4)
			check("MeanCI().Hi", mci.Hi, ok, w.meanHi, 5e-4)
			tci, ok := l.PercentCI(Promoter, DefaultConfidence)
			check("PercentCI().Lo", tci.Lo, ok, w.topLo, 5e-3)
			check("PercentCI().Hi", tci.Hi, ok, w.topHi, 5e-3)
			rm, ok := l.RoundedMean(1)
			check("RoundedMean(1)", rm, ok, w.roundedMean, 0)
			if got, _ := RoundPercent(l.Count(Promoter), l.N()); got != w.roundedTop {
				t.Errorf("RoundPercent(top) = %d, want %d", got, w.roundedTop)
			}
			if got, _ := RoundPercent(l.Count(Detractor), l.N()); got != w.roundedBt {
				t.Errorf("RoundPercent(bottom) = %d, want %d", got, w.roundedBt)
			}
			if mci.Method != StudentT || tci.Method != WilsonScore {
				t.Errorf("methods = %v, %v, want t, wilson", mci.Method, tci.Method)
			}
		})
	}
}

func TestLikertRoundedMeanHalves(t *testing.T) {
	t.Parallel()
	// Answers 4, 4, 4, 5: (3·4 + 5)/4 = 17/4 = 4.25, and the half goes up to
	// 4.3 (away from zero), whatever 4.25 looks like in binary.
	l := Likert{CSAT, []int{0, 0, 0, 3, 1}}
	if got, ok := l.RoundedMean(1); !ok || got != 4.3 {
		t.Errorf("RoundedMean(1) of 4.25 = %v, %v, want 4.3", got, ok)
	}
	if got, ok := l.RoundedMean(0); !ok || got != 4 {
		t.Errorf("RoundedMean(0) of 4.25 = %v, %v, want 4", got, ok)
	}
}

func TestLikertNoAnswers(t *testing.T) {
	t.Parallel()
	l := Likert{CSAT, make([]int, 5)}
	if _, ok := l.Mean(); ok {
		t.Error("Mean() of no answers: ok = true")
	}
	if _, ok := l.Percent(Promoter); ok {
		t.Error("Percent() of no answers: ok = true")
	}
	if _, ok := l.PercentCI(Promoter, DefaultConfidence); ok {
		t.Error("PercentCI() of no answers: ok = true")
	}
	if _, ok := l.Net(); ok {
		t.Error("Net() of no answers: ok = true")
	}
	// One answer has a mean but no standard deviation, so no t interval.
	one := Likert{CSAT, []int{0, 0, 0, 1, 0}}
	if _, ok := one.MeanCI(DefaultConfidence); ok {
		t.Error("MeanCI() of one answer: ok = true")
	}
}

func TestLikertValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		l    Likert
	}{
		{"too few counts", Likert{CSAT, []int{1, 2, 3, 4}}},
		{"CES 2.0 with 5 counts", Likert{CES2, []int{1, 2, 3, 4, 5}}},
		{"negative", Likert{CSAT, []int{1, -2, 3, 4, 5}}},
		{"unknown scale", Likert{"stars", []int{1, 2, 3, 4, 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.l.Validate(); err == nil {
				t.Errorf("Validate(%+v) = nil, want an error", tt.l)
			}
			if _, ok := tt.l.Mean(); ok {
				t.Errorf("Mean() of invalid %+v: ok = true", tt.l)
			}
			if _, ok := tt.l.Percent(Promoter); ok {
				t.Errorf("Percent() of invalid %+v: ok = true", tt.l)
			}
		})
	}
}

func TestLikertAdd(t *testing.T) {
	t.Parallel()
	a := Likert{CSAT, []int{1, 2, 3, 4, 5}}
	b := Likert{CSAT, []int{10, 20, 30, 40, 50}}
	got, err := a.Add(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Likert{CSAT, []int{11, 22, 33, 44, 55}}, got); diff != "" {
		t.Errorf("Add mismatch (-want +got):\n%s", diff)
	}
	// The zero Likert is the identity, and Add never aliases its inputs.
	got, err = Likert{}.Add(a)
	if err != nil {
		t.Fatal(err)
	}
	got.Counts[0] = 99
	if a.Counts[0] != 1 {
		t.Error("Add aliased its argument's counts")
	}
	// Pooling CES 2.0 with legacy CES inverts meaning: an error.
	_, err = Likert{CES2, make([]int, 7)}.Add(Likert{CES1, make([]int, 5)})
	if !errors.Is(err, ErrMixedScales) {
		t.Errorf("CES2 + CES1 error = %v, want ErrMixedScales", err)
	}
	if _, err := a.Add(Likert{CSAT, []int{1}}); err == nil {
		t.Error("Add of a malformed Likert: error = nil")
	}
}

func TestLikertFromScoresAndNPSCounts(t *testing.T) {
	t.Parallel()
	l, err := LikertFromScores(NPS, []int{10, 9, 9, 8, 7, 6, 0, 10, 3, 9})
	if err != nil {
		t.Fatal(err)
	}
	// TV-J through the full distribution: the same buckets as NPSFromScores.
	c, err := l.NPSCounts()
	if err != nil || c != (NPSCounts{5, 2, 3}) {
		t.Errorf("NPSCounts() = %+v, %v, want {5 2 3}", c, err)
	}
	if net, _ := l.Net(); net != 20 {
		t.Errorf("Net() of an NPS distribution = %v, want the NPS, 20", net)
	}
	if _, err := (Likert{CSAT, make([]int, 5)}).NPSCounts(); !errors.Is(err, ErrMixedScales) {
		t.Errorf("CSAT.NPSCounts() error = %v, want ErrMixedScales", err)
	}
	if _, err := LikertFromScores(CSAT, []int{1, 0}); err == nil {
		t.Error("LikertFromScores(CSAT, 0) error = nil: CSAT starts at 1")
	}
	if _, err := LikertFromScores("stars", nil); err == nil {
		t.Error("LikertFromScores(unknown scale) error = nil")
	}
}

// TestLikertAggregation: the distribution of all answers is the sum of the
// distributions of any split, for every scale.
func TestLikertAggregation(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	for _, scale := range []ScaleID{CSAT, CES2, CES1, ENPS} {
		lo, hi, _ := scale.Range()
		for range 200 {
			scores := make([]int, r.IntN(200))
			for i := range scores {
				scores[i] = lo + r.IntN(hi-lo+1)
			}
			whole, err := LikertFromScores(scale, scores)
			if err != nil {
				t.Fatal(err)
			}
			var sum Likert
			for rest := scores; len(rest) > 0; {
				k := 1 + r.IntN(len(rest))
				seg, err := LikertFromScores(scale, rest[:k])
				if err != nil {
					t.Fatal(err)
				}
				if sum, err = sum.Add(seg); err != nil {
					t.Fatal(err)
				}
				rest = rest[k:]
			}
			if len(scores) > 0 && !cmp.Equal(sum, whole) {
				t.Fatalf("%s: sum of segments %v, whole %v", scale, sum, whole)
			}
		}
	}
}
