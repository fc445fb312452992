package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestRound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		x    float64
		want string
	}{
		{12.5, "13"}, {-12.5, "-13"}, // half away from zero
		{2.5, "3"}, {3.5, "4"}, // not half to even (x/text would give 2 and 4)
		{-0.4, "0"}, {math.Copysign(0, -1), "0"}, {-0.5, "-1"}, {0.49999, "0"},
		{-15.3967, "-15"}, {50.1793, "50"}, {41.3865, "41"},
	}
	for _, tt := range tests {
		if got := strconv.FormatFloat(Round(tt.x), 'f', 0, 64); got != tt.want {
			t.Errorf("Round(%v) formats as %q, want %q", tt.x, got, tt.want)
		}
	}
}

func TestRoundPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		x, n int
		want int
		ok   bool
	}{
		{39, 50, 78, true},
		{1, 8, 13, true},   // 12.5 → 13
		{17, 40, 43, true}, // 42.5 → 43; x/text's Percent(0.425) says "42%"
		{2, 3, 67, true},   // 66.67
		{1, 3, 33, true},   // 33.33
		{0, 0, 0, false},   // no answers, no percentage
	}
	for _, tt := range tests {
		if got, ok := RoundPercent(tt.x, tt.n); got != tt.want || ok != tt.ok {
			t.Errorf("RoundPercent(%d, %d) = %d, %v, want %d, %v", tt.x, tt.n, got, ok, tt.want, tt.ok)
		}
	}
}

// TestRoundNeverMinusZero: no way of formatting a rounded value prints "-0".
func TestRoundNeverMinusZero(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(17, 18))
	for range 100000 {
		x := (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(4)-2))
		v := Round(x)
		for _, s := range []string{fmt.Sprintf("%.0f", v), fmt.Sprint(v), strconv.FormatFloat(v, 'f', -1, 64)} {
			if s == "-0" {
				t.Fatalf("Round(%v) prints as %q", x, s)
			}
		}
		if math.Abs(v-x) > 0.5 {
			t.Fatalf("Round(%v) = %v, more than half away", x, v)
		}
	}
	// Counts whose score is just below zero: −100·d/n rounds to 0 while
	// 200·d < n, and must print "0".
	for n := 1; n <= 400; n++ {
		for d := 0; d <= 3 && d <= n; d++ {
			c := NPSCounts{Promoters: 0, Passives: n - d, Detractors: d}
			if r, _ := c.Rounded(); strconv.Itoa(r) == "-0" || (200*d < n && r != 0) {
				t.Fatalf("%+v.Rounded() = %d", c, r)
			}
		}
	}
}
