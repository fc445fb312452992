package scoring

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLevels(t *testing.T) {
	t.Parallel()
	def := DefaultThresholds(NPS)
	enps10, err := ENPSThresholds(10, 12)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		th        Thresholds
		n         int
		level     Level
		yesterday Level
		comments  bool
	}{
		// The §5 table with the defaults.
		{"none", def, 0, NoResponses, NoResponses, false},
		{"1", def, 1, CountsOnly, CountsOnly, true},
		{"4", def, 4, CountsOnly, CountsOnly, true},
		{"5", def, 5, LowN, CountsOnly, true},
		{"29", def, 29, LowN, CountsOnly, true},
		{"30", def, 30, Full, Full, true},
		// eNPS defaults: score from 5, comments from 8.
		{"eNPS 4", DefaultThresholds(ENPS), 4, CountsOnly, CountsOnly, false},
		{"eNPS 7", DefaultThresholds(ENPS), 7, LowN, CountsOnly, false},
		{"eNPS 8", DefaultThresholds(ENPS), 8, LowN, CountsOnly, true},
		// A workspace with anonymity 10: 9 answers show counts only.
		{"eNPS anonymity 10, n 9", enps10, 9, CountsOnly, CountsOnly, false},
		{"eNPS anonymity 10, n 10", enps10, 10, LowN, CountsOnly, false},
		{"eNPS anonymity 10, n 12", enps10, 12, LowN, CountsOnly, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.th.Level(tt.n); got != tt.level {
				t.Errorf("Level(%d) = %v, want %v", tt.n, got, tt.level)
			}
			if got := tt.th.YesterdayLevel(tt.n); got != tt.yesterday {
				t.Errorf("YesterdayLevel(%d) = %v, want %v", tt.n, got, tt.yesterday)
			}
			if got := tt.th.ShowComments(tt.n); got != tt.comments {
				t.Errorf("ShowComments(%d) = %v, want %v", tt.n, got, tt.comments)
			}
		})
	}
}

func TestENPSThresholds(t *testing.T) {
	t.Parallel()
	for _, bad := range [][2]int{{2, 8}, {11, 12}, {6, 5}} {
		if _, err := ENPSThresholds(bad[0], bad[1]); err == nil {
			t.Errorf("ENPSThresholds(%d, %d) error = nil", bad[0], bad[1])
		}
	}
	got, err := ENPSThresholds(3, 3)
	if want := (Thresholds{Score: 3, Full: 30, Comments: 3}); err != nil || got != want {
		t.Errorf("ENPSThresholds(3, 3) = %+v, %v, want %+v", got, err, want)
	}
}

func TestArrows(t *testing.T) {
	t.Parallel()
	th := DefaultThresholds(NPS)
	trends := []Trend{
		// A: 60/25/15 vs 40/30/30, displayed 45 vs 10 (Δ 35); Δ′ 33.98,
		// p = .0019 (see TestCompareNPSSignificant).
		NPSTrend(NPSCounts{60, 25, 15}, NPSCounts{40, 30, 30}, th),
		// B: the documented comparison, displayed 30 vs 10 (Δ 20), p = .083.
		NPSTrend(NPSCounts{50, 30, 20}, NPSCounts{40, 30, 30}, th),
		// C: 90 vs −70 (Δ 160), but n = 20 in each window: never tested.
		NPSTrend(NPSCounts{18, 2, 0}, NPSCounts{2, 2, 16}, th),
		// D: n = 10,000 each, displayed 14 vs 10 (Δ 4). Δ′ = 4.00, SE 1.170,
		// z = 3.42, p = .00063: significant, but a 4-point move is no arrow.
		NPSTrend(NPSCounts{4200, 3000, 2800}, NPSCounts{4000, 3000, 3000}, th),
		// E: the mirror of A: a fall.
		NPSTrend(NPSCounts{40, 30, 30}, NPSCounts{60, 25, 15}, th),
	}
	if got := []int{trends[0].Delta, trends[1].Delta, trends[2].Delta, trends[3].Delta, trends[4].Delta}; !cmp.Equal(got, []int{35, 20, 160, 4, -35}) {
		t.Errorf("Deltas = %v, want [35 20 160 4 -35]", got)
	}
	if trends[2].Tested {
		t.Error("C (n = 20) is Tested; cells below Full never join the family")
	}
	// BH family: A, B, D, E (m = 4), thresholds .0125, .025, .0375, .05.
	// Sorted: D .00063 ✓, A .0019 ✓, E .0019 ✓, B .083 ✗: k = 3.
	got := Arrows(trends, 0.05)
	want := []Arrow{Up, NoArrow, NoArrow, NoArrow, Down}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Arrows mismatch (-want +got):\n%s", diff)
	}
}

func TestTrendArrowRules(t *testing.T) {
	t.Parallel()
	sig := Comparison{Diff: 6, P: 0.01, Significant: true}
	tests := []struct {
		name      string
		tr        Trend
		survivors bool
		want      Arrow
	}{
		{"all rules met", Trend{Delta: 5, Comparison: sig, Tested: true}, true, Up},
		{"BH says no", Trend{Delta: 5, Comparison: sig, Tested: true}, false, NoArrow},
		{"not tested", Trend{Delta: 5, Comparison: sig}, true, NoArrow},
		{"not significant", Trend{Delta: 5, Comparison: Comparison{Diff: 6, P: 0.2}, Tested: true}, true, NoArrow},
		{"4 points", Trend{Delta: 4, Comparison: sig, Tested: true}, true, NoArrow},
		{"displayed and adjusted disagree", Trend{Delta: -5, Comparison: sig, Tested: true}, true, NoArrow},
		{"down", Trend{Delta: -7, Comparison: Comparison{Diff: -6, P: 0.01, Significant: true}, Tested: true}, true, Down},
	}
	for _, tt := range tests {
		if got := tt.tr.Arrow(tt.survivors); got != tt.want {
			t.Errorf("%s: Arrow = %v, want %v", tt.name, got, tt.want)
		}
	}
	// A lone p = .04 cell earns an arrow; beside two unchanged tested cells
	// BH takes it away (thresholds .0167, .0333, .05: none pass).
	cell := Trend{Delta: 8, Comparison: Comparison{Diff: 8, P: 0.04, Significant: true}, Tested: true}
	null := Trend{Comparison: Comparison{P: 0.5}, Tested: true}
	if got := Arrows([]Trend{cell}, 0.05); got[0] != Up {
		t.Errorf("alone: %v, want up", got[0])
	}
	if got := Arrows([]Trend{cell, null, null}, 0.05); got[0] != NoArrow {
		t.Errorf("with two null cells: %v, want none", got[0])
	}
}

func TestPercentTrend(t *testing.T) {
	t.Parallel()
	th := DefaultThresholds(CSAT)
	// 45/50 vs 35/50 satisfied: displayed 90 % vs 70 % (Δ 20), p = .0135.
	tr, err := PercentTrend(Likert{CSAT, []int{1, 2, 2, 20, 25}}, Likert{CSAT, []int{5, 5, 5, 15, 20}}, Promoter, th)
	if err != nil || tr.Delta != 20 || !tr.Tested || tr.Arrow(true) != Up {
		t.Errorf("PercentTrend = %+v, %v, want Δ 20, tested, up", tr, err)
	}
	_, err = PercentTrend(Likert{CES2, make([]int, 7)}, Likert{CES1, make([]int, 5)}, Promoter, th)
	if !errors.Is(err, ErrMixedScales) {
		t.Errorf("CES2 vs CES1: error = %v, want ErrMixedScales", err)
	}
	// An empty previous window: no test, no delta.
	tr, err = PercentTrend(Likert{CSAT, []int{1, 2, 2, 20, 25}}, Likert{CSAT, make([]int, 5)}, Promoter, th)
	if err != nil || tr.Tested || tr.Delta != 0 {
		t.Errorf("PercentTrend against nothing = %+v, %v", tr, err)
	}
}

func TestLevelAndArrowStrings(t *testing.T) {
	t.Parallel()
	got := []string{NoResponses.String(), CountsOnly.String(), LowN.String(), Full.String(), Level(9).String(),
		Up.String(), Down.String(), NoArrow.String()}
	want := []string{"no-responses", "counts-only", "low-n", "full", "Level(9)", "up", "down", "none"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("String() mismatch (-want +got):\n%s", diff)
	}
}
