package scoring

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

func TestWilson(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		x, n   int
		lo, hi float64
		ok     bool
	}{
		// The CSAT reference row: 5 of 5. z²/n = .768292, centre = (1 + .384146)/1.768292
		// = .782759, half = (1.959964/1.768292)·√(0 + 3.841459/100) =
		// 1.108393·.195996 = .217241 → [.565518, 1]. (Agresti–Coull would give
		// .782759 ± .271810 = [.5109, 1.0546] and need clamping.)
		{"5 of 5", 5, 5, 0.565518, 1, true},
		// The mirror: 0 of 5 → [0, .434482].
		{"0 of 5", 0, 5, 0, 0.434482, true},
		// 39 of 50 (CES 2.0 agree): see TestLikertTables.
		{"39 of 50", 39, 50, 0.647585, 0.872461, true},
		{"no answers", 0, 0, 0, 0, false},
		{"more successes than answers", 6, 5, 0, 0, false},
		{"negative", -1, 5, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Wilson(tt.x, tt.n, DefaultConfidence)
			if ok != tt.ok {
				t.Fatalf("Wilson(%d, %d) ok = %v, want %v", tt.x, tt.n, ok, tt.ok)
			}
			if ok && (!near(got.Lo, tt.lo, 1e-6) || !near(got.Hi, tt.hi, 1e-6)) {
				t.Errorf("Wilson(%d, %d) = [%.6f, %.6f], want [%v, %v]", tt.x, tt.n, got.Lo, got.Hi, tt.lo, tt.hi)
			}
			if got.Method != WilsonScore {
				t.Errorf("Method = %v, want wilson", got.Method)
			}
		})
	}
}

// TestWilsonInside: Wilson intervals stay inside [0, 1] and contain p̂.
func TestWilsonInside(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	for range 20000 {
		n := 1 + r.IntN(2000)
		x := r.IntN(n + 1)
		conf := []float64{0.8, 0.9, 0.95, 0.99, 0.999}[r.IntN(5)]
		iv, ok := Wilson(x, n, conf)
		p := float64(x) / float64(n)
		if !ok || iv.Lo < 0 || iv.Hi > 1 || !iv.Contains(p) {
			t.Fatalf("Wilson(%d, %d, %v) = %+v, %v: want inside [0, 1] around %v", x, n, conf, iv, ok, p)
		}
	}
}

func TestTQuantile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    float64
		df   int
		want float64
		tol  float64
		why  string
	}{
		// Closed forms: df = 1 is Cauchy, t = tan(π(p − ½)); df = 2 has
		// t = (2p − 1)/√(2p(1 − p)).
		{0.975, 1, math.Tan(math.Pi * 0.475), 1e-9, "tan(.475π) = 12.706205"},
		{0.995, 1, math.Tan(math.Pi * 0.495), 1e-8, "tan(.495π) = 63.656741"},
		{0.975, 2, 0.95 / math.Sqrt(2*0.975*0.025), 1e-10, ".95/√.04875 = 4.302653"},
		{0.9, 2, 0.8 / math.Sqrt(2*0.9*0.1), 1e-10, ".8/√.18 = 1.885618"},
		// Printed t tables (three decimals).
		{0.975, 4, 2.776, 5e-4, "table"},
		{0.975, 29, 2.045, 5e-4, "table"},
		{0.975, 30, 2.042, 5e-4, "table"},
		{0.975, 49, 2.010, 5e-4, "table"},
		{0.95, 10, 1.812, 5e-4, "table"},
		{0.995, 10, 3.169, 5e-4, "table"},
		{0.975, 120, 1.980, 5e-4, "table"},
		{0.975, 1000, 1.962, 5e-4, "table"},
		// Symmetry and the median.
		{0.025, 4, -2.776, 5e-4, "t(1 − p) = −t(p)"},
		{0.5, 7, 0, 0, "median"},
	}
	for _, tt := range tests {
		if got := tQuantile(tt.p, tt.df); !near(got, tt.want, tt.tol) {
			t.Errorf("tQuantile(%v, %d) = %.6f, want %.6f (%s)", tt.p, tt.df, got, tt.want, tt.why)
		}
	}
}

// TestTQuantileInvertsCDF checks the quantile against the CDF across the
// range, including the Cornish–Fisher region above 1,000 degrees of freedom,
// and that the two methods meet without a step at the switch.
func TestTQuantileInvertsCDF(t *testing.T) {
	t.Parallel()
	for _, df := range []int{1, 2, 3, 5, 9, 30, 99, 500, 999, 1000, 1001, 5000, 100000} {
		for _, p := range []float64{0.6, 0.9, 0.95, 0.975, 0.995, 0.9995} {
			q := tQuantile(p, df)
			if got := tCDF(q, float64(df)); !near(got, p, 1e-10) {
				t.Errorf("tCDF(tQuantile(%v, %d) = %v) = %v", p, df, q, got)
			}
		}
	}
	// At the switch the exact value (df 1000) and the expansion (df 1001)
	// differ by the true change of the quantile, about 2.4e−6.
	if step := tQuantile(0.975, 1000) - tQuantile(0.975, 1001); !(step > 0 && step < 3e-6) {
		t.Errorf("t(.975, 1000) − t(.975, 1001) = %v, want a small positive step", step)
	}
	if got := tCornishFisher(0.975, 1000); !near(got, tQuantile(0.975, 1000), 1e-12) {
		t.Errorf("Cornish–Fisher at df 1000 = %v, exact %v", got, tQuantile(0.975, 1000))
	}
}

func TestRegIncBeta(t *testing.T) {
	t.Parallel()
	// Closed forms: I_x(1, 1) = x; I_x(a, 1) = xᵃ; I_x(1, b) = 1 − (1 − x)ᵇ;
	// I_½(a, a) = ½ by symmetry.
	for _, x := range []float64{0.01, 0.2, 0.5, 0.7, 0.99} {
		for _, tt := range []struct {
			a, b, want float64
		}{
			{1, 1, x},
			{3, 1, x * x * x},
			{2.5, 1, math.Pow(x, 2.5)},
			{1, 4, 1 - math.Pow(1-x, 4)},
		} {
			if got := regIncBeta(tt.a, tt.b, x); !near(got, tt.want, 1e-13) {
				t.Errorf("I_%v(%v, %v) = %v, want %v", x, tt.a, tt.b, got, tt.want)
			}
		}
	}
	for _, a := range []float64{0.5, 1, 7.5, 300} {
		if got := regIncBeta(a, a, 0.5); !near(got, 0.5, 1e-12) {
			t.Errorf("I_½(%v, %v) = %v, want 0.5", a, a, got)
		}
	}
}

func TestMethodText(t *testing.T) {
	t.Parallel()
	got, err := json.Marshal(struct {
		M []Method `json:"m"`
	}{[]Method{AdjustedWald, Wald, WilsonScore, StudentT}})
	if want := `{"m":["adjusted-wald","wald","wilson","t"]}`; err != nil || string(got) != want {
		t.Errorf("json.Marshal(methods) = %s, %v, want %s", got, err, want)
	}
	if _, err := Method(9).MarshalText(); err == nil {
		t.Error("MarshalText of an unknown method: error = nil")
	}
	var zero Method
	if zero != AdjustedWald {
		t.Error("the zero Method must be AdjustedWald, the NPS default")
	}
}
