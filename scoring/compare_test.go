package scoring

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestCompareNPS(t *testing.T) {
	t.Parallel()
	// The documented example: --a 50,30,20 --b 40,30,30, n = 100 each, n′ = 103.
	// a: p′P = 50.75/103 = .492718, p′D = 20.75/103 = .201456, N′a = 30/103 =
	//    .291262, V′a = .694175 − .084834 = .609341.
	// b: p′P = 40.75/103 = .395631, p′D = 30.75/103 = .298544, N′b = 10/103 =
	//    .097087, V′b = .694175 − .009426 = .684749.
	// Δ′ = 20/103 = .194175 → 19.42; SE = √((.609341 + .684749)/103) =
	// √.012564 = .112089 → 11.21; z = 1.7323; p = erfc(1.7323/√2) = .0832;
	// CI = 19.42 ± 1.959964·11.209 = 19.42 ± 21.969 → [−2.55, 41.39];
	// p ≥ .05, not significant.
	got, ok := CompareNPS(NPSCounts{50, 30, 20}, NPSCounts{40, 30, 30}, DefaultConfidence)
	if !ok {
		t.Fatal("CompareNPS ok = false")
	}
	want := Comparison{Diff: 19.4175, SE: 11.2089, Z: 1.7323, P: 0.0832, Lo: -2.5516, Hi: 41.3865}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"Diff", got.Diff, want.Diff}, {"SE", got.SE, want.SE}, {"Z", got.Z, want.Z},
		{"P", got.P, want.P}, {"Lo", got.Lo, want.Lo}, {"Hi", got.Hi, want.Hi},
	} {
		if !near(f.got, f.want, 1e-4) {
			t.Errorf("%s = %.5f, want %.4f", f.name, f.got, f.want)
		}
	}
	if got.Significant {
		t.Error("Significant = true, want false (p = .083)")
	}
}

func TestCompareNPSSignificant(t *testing.T) {
	t.Parallel()
	// a 60/25/15 against b 40/30/30: N′a = 45/103, N′b = 10/103, Δ′ = 35/103 =
	// 33.98 points; V′a = (60.75 + 15.75)/103 − (45/103)² = .742718 − .190876 =
	// .551843, V′b = .684749 (above); SE = √((.551843 + .684749)/103) =
	// √.012006 = .109571; z = 3.1012, p = .0019: significant.
	got, ok := CompareNPS(NPSCounts{60, 25, 15}, NPSCounts{40, 30, 30}, DefaultConfidence)
	if !ok || !near(got.Diff, 33.9806, 1e-4) || !near(got.Z, 3.1012, 1e-4) || !near(got.P, 0.0019, 1e-4) || !got.Significant {
		t.Errorf("CompareNPS = %+v, %v, want Δ′ 33.98, z 3.10, p .0019, significant", got, ok)
	}
}

func TestCompareProportions(t *testing.T) {
	t.Parallel()
	// 45 of 50 against 35 of 50, Agresti–Caffo: p̃a = 46/52 = .884615,
	// p̃b = 36/52 = .692308, Δ̃ = 10/52 = 19.23 points;
	// SE = √(.884615·.115385/52 + .692308·.307692/52) = √(.001963 + .004096) =
	// √.006059 = .077842; z = 2.4705, p = .0135;
	// CI = 19.23 ± 1.959964·7.7842 = 19.23 ± 15.257 → [3.97, 34.49].
	got, ok := CompareProportions(45, 50, 35, 50, DefaultConfidence)
	if !ok || !near(got.Diff, 19.2308, 1e-4) || !near(got.SE, 7.7842, 1e-4) || !near(got.Z, 2.4705, 1e-4) ||
		!near(got.P, 0.0135, 1e-4) || !near(got.Lo, 3.9740, 1e-4) || !near(got.Hi, 34.4875, 1e-4) || !got.Significant {
		t.Errorf("CompareProportions(45/50, 35/50) = %+v, %v", got, ok)
	}
	// Both at 100 %: Wald's SE would be 0 and z undefined; with the
	// adjustment Δ̃ = 0, SE > 0, p = 1.
	got, ok = CompareProportions(5, 5, 5, 5, DefaultConfidence)
	if !ok || got.Diff != 0 || !(got.SE > 0) || got.P != 1 || got.Significant {
		t.Errorf("CompareProportions(5/5, 5/5) = %+v, %v, want Δ 0, p 1", got, ok)
	}
	for _, bad := range [][4]int{{0, 0, 1, 1}, {1, 1, 0, 0}, {2, 1, 1, 1}, {-1, 1, 1, 1}} {
		if _, ok := CompareProportions(bad[0], bad[1], bad[2], bad[3], DefaultConfidence); ok {
			t.Errorf("CompareProportions(%v) ok = true, want false", bad)
		}
	}
}

func TestCompareLikert(t *testing.T) {
	t.Parallel()
	// CSAT top-2-box: 45 of 50 satisfied against 35 of 50, same numbers as
	// TestCompareProportions.
	a := Likert{CSAT, []int{1, 2, 2, 20, 25}}
	b := Likert{CSAT, []int{5, 5, 5, 15, 20}}
	got, ok, err := CompareLikert(a, b, Promoter, DefaultConfidence)
	if err != nil || !ok || !near(got.Diff, 19.2308, 1e-4) {
		t.Errorf("CompareLikert = %+v, %v, %v, want Δ 19.23", got, ok, err)
	}
	_, _, err = CompareLikert(Likert{CES2, make([]int, 7)}, Likert{CES1, make([]int, 5)}, Promoter, DefaultConfidence)
	if !errors.Is(err, ErrMixedScales) {
		t.Errorf("CES2 against CES1: error = %v, want ErrMixedScales", err)
	}
	_, ok, err = CompareLikert(Likert{CSAT, make([]int, 5)}, b, Promoter, DefaultConfidence)
	if err != nil || ok {
		t.Errorf("empty against b: ok = %v, err = %v, want false, nil", ok, err)
	}
	if _, _, err := CompareLikert(Likert{CSAT, []int{1}}, Likert{CSAT, []int{1}}, Promoter, DefaultConfidence); err == nil {
		t.Error("malformed counts: error = nil")
	}
}

// TestCompareSwap: swapping A and B negates Δ′, Z and the interval, and
// keeps SE and p.
func TestCompareSwap(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 12))
	for range 5000 {
		a, b := randCounts(r, 100), randCounts(r, 100)
		ab, ok1 := CompareNPS(a, b, DefaultConfidence)
		ba, ok2 := CompareNPS(b, a, DefaultConfidence)
		if ok1 != ok2 {
			t.Fatalf("%+v vs %+v: ok %v, swapped %v", a, b, ok1, ok2)
		}
		if !ok1 {
			continue
		}
		if ab.Diff != -ba.Diff || ab.Z != -ba.Z || ab.SE != ba.SE || ab.P != ba.P ||
			!near(ab.Lo, -ba.Hi, 1e-9) || !near(ab.Hi, -ba.Lo, 1e-9) || ab.Significant != ba.Significant {
			t.Fatalf("CompareNPS(%+v, %+v) = %+v, swapped %+v", a, b, ab, ba)
		}
		if !(ab.Lo <= ab.Diff && ab.Diff <= ab.Hi) {
			t.Fatalf("CI %v..%v does not contain Δ′ %v", ab.Lo, ab.Hi, ab.Diff)
		}
		// "Significant" and "the interval excludes 0" never disagree.
		if excl := ab.Lo > 0 || ab.Hi < 0; excl != ab.Significant {
			t.Fatalf("%+v vs %+v: significant %v, but CI [%v, %v]", a, b, ab.Significant, ab.Lo, ab.Hi)
		}
	}
}
