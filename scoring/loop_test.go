package scoring

import (
	"math"
	"testing"
	"time"
)

// The recovery rate by hand: 6 of 8 recovery answers positive. p̂ = 0.75,
// z = 1.959964, z²/n = 0.480182; centre = (0.75 + 0.240091)/1.480182 =
// 0.668899; half = 1.959964/1.480182 · √(0.75·0.25/8 + 3.841459/256) =
// 0.259623; so [0.409276, 0.928521], shown as 75% (41–93%).
func TestRecovery(t *testing.T) {
	t.Parallel()
	r := Recovery(6, 8)
	if r.Level != LowN || !r.Shown() || r.Rate != 0.75 || r.Percent != 75 {
		t.Fatalf("Recovery(6, 8) = %+v", r)
	}
	if math.Abs(r.Interval.Lo-0.409275) > 1e-5 || math.Abs(r.Interval.Hi-0.928521) > 1e-5 || r.Interval.Method != WilsonScore {
		t.Errorf("interval %+v, want Wilson [0.409275, 0.928521]", r.Interval)
	}
	if lo, hi := r.IntervalPercent(); lo != 41 || hi != 93 {
		t.Errorf("interval in percent %d–%d, want 41–93", lo, hi)
	}
	// Small n: counts only, no percentage (the minimum-n rule of every share).
	for _, c := range []struct{ x, n int }{{4, 4}, {1, 3}, {0, 1}} {
		if r := Recovery(c.x, c.n); r.Shown() || r.Level != CountsOnly || r.Rate != 0 || r.Recovered != c.x || r.Answered != c.n {
			t.Errorf("Recovery(%d, %d) = %+v, want counts only", c.x, c.n, r)
		}
	}
	if r := Recovery(0, 0); r.Level != NoResponses || r.Shown() {
		t.Errorf("Recovery(0, 0) = %+v", r)
	}
	if r := Recovery(3, 2); r.Level != NoResponses || r.Answered != 0 {
		t.Errorf("impossible counts: %+v", r)
	}
	if r := Recovery(30, 40); r.Level != Full || r.Percent != 75 {
		t.Errorf("Recovery(30, 40) = %+v", r)
	}
	if r := Recovery(1, 8); r.Percent != 13 { // 12.5 rounds half away from zero
		t.Errorf("Recovery(1, 8) percent %d, want 13", r.Percent)
	}
}

func TestMedianDuration(t *testing.T) {
	t.Parallel()
	h := time.Hour
	for _, c := range []struct {
		in   []time.Duration
		want time.Duration
		ok   bool
	}{
		{nil, 0, false},
		{[]time.Duration{3 * h}, 3 * h, true},
		{[]time.Duration{5 * h, 1 * h, 3 * h}, 3 * h, true},
		{[]time.Duration{4 * h, 1 * h, 2 * h, 10 * h}, 3 * h, true},
		{[]time.Duration{time.Minute, 2 * time.Minute}, 90 * time.Second, true},
		{[]time.Duration{math.MaxInt64, math.MaxInt64 - 2}, math.MaxInt64 - 1, true},
	} {
		in := append([]time.Duration(nil), c.in...)
		got, ok := MedianDuration(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("MedianDuration(%v) = %v, %v; want %v, %v", in, got, ok, c.want, c.ok)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Errorf("MedianDuration sorted its input")
			}
		}
	}
}
