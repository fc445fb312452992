package scoring

import (
	"math/rand/v2"
	"testing"
)

func TestSmoothed(t *testing.T) {
	t.Parallel()
	parent := NPSCounts{40, 30, 30} // π = (.4, .3, .3), parent NPS 10
	tests := []struct {
		name          string
		c             NPSCounts
		m             float64
		nps, sd, rank float64
	}{
		// 3 of 3 promoters, m = 10: ᾱP = (3 + 4)/13 = .538462, ᾱD = (0 + 3)/13
		// = .230769, NPS_s = 100·4/13 = 30.77; Var = [10/13 − (4/13)²]/14 =
		// (.769231 − .094675)/14 = .048183, SD = .219505 → 21.95;
		// rank key 30.77 − 1.645·21.95 = −5.34.
		{"3 of 3", NPSCounts{3, 0, 0}, 10, 30.7692, 21.9505, -5.3394},
		// 60/20/20 (raw 40), m = 10: ᾱP = 64/110 = .581818, ᾱD = 23/110 =
		// .209091, NPS_s = 100·41/110 = 37.27; Var = (.790909 − .138926)/111 =
		// .005874, SD = 7.66; rank key 37.27 − 12.61 = 24.67. It ranks above
		// the lucky 3 of 3 although its raw score is lower.
		{"60/20/20", NPSCounts{60, 20, 20}, 10, 37.2727, 7.6640, 24.6654},
		// No answers: the parent's score, with the prior's spread:
		// Var = (.7 − .01)/11 = .062727, SD = 25.05.
		{"empty segment", NPSCounts{}, 10, 10, 25.0454, 10 - 1.645*25.0454},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.c.Smoothed(parent, tt.m)
			if !ok || !near(got.NPS, tt.nps, 1e-4) || !near(got.SD, tt.sd, 1e-4) || !near(got.RankKey(), tt.rank, 1e-3) {
				t.Errorf("%+v.Smoothed(m = %v) = %+v (rank %v), %v, want NPS %v, SD %v, rank %v",
					tt.c, tt.m, got, got.RankKey(), ok, tt.nps, tt.sd, tt.rank)
			}
		})
	}
	for _, bad := range []struct {
		c, parent NPSCounts
		m         float64
	}{
		{NPSCounts{}, parent, 0},         // nothing at all
		{NPSCounts{1, 0, 0}, parent, -1}, // negative prior
		{NPSCounts{1, 0, 0}, NPSCounts{}, 10},
		{NPSCounts{-1, 0, 0}, parent, 10},
	} {
		if _, ok := bad.c.Smoothed(bad.parent, bad.m); ok {
			t.Errorf("%+v.Smoothed(%+v, %v) ok = true, want false", bad.c, bad.parent, bad.m)
		}
	}
}

// TestSmoothedProperties: m = 0 is the raw score exactly; the adjusted-Wald
// estimate is the same shrinkage with the fixed prior (0.75, 1.5, 0.75), i.e.
// parent shares (¼, ½, ¼) and m = 3; more prior moves the score towards the
// parent's.
func TestSmoothedProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(15, 16))
	for range 5000 {
		c, parent := randCounts(r, 50), randCounts(r, 500)
		if c.N() == 0 || parent.N() == 0 {
			continue
		}
		raw, _ := c.Score()
		if s, ok := c.Smoothed(parent, 0); !ok || s.NPS != raw {
			t.Fatalf("%+v.Smoothed(m = 0) = %v, raw %v", c, s.NPS, raw)
		}
		adj, _ := c.Adjusted()
		if s, _ := c.Smoothed(NPSCounts{1, 2, 1}, 3); !near(s.NPS, adj, 1e-9) {
			t.Fatalf("%+v: Dirichlet(¼, ½, ¼; m = 3) = %v, adjusted Wald N′ = %v", c, s.NPS, adj)
		}
		ps, _ := parent.Score()
		s10, _ := c.Smoothed(parent, 10)
		s100, _ := c.Smoothed(parent, 100)
		if d10, d100 := abs(s10.NPS-ps), abs(s100.NPS-ps); d100 > d10+1e-9 || d10 > abs(raw-ps)+1e-9 {
			t.Fatalf("%+v toward %v: |raw − parent| %v, m 10 %v, m 100 %v; want shrinking", c, ps, abs(raw-ps), d10, d100)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
