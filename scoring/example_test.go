package scoring_test

import (
	"fmt"
	"time"
	_ "time/tzdata" // Asia/Jerusalem on any machine

	"github.com/vocbot/vocbot/scoring"
)

// A team of 20 answered: 9 promoters, 6 passives, 5 detractors. Show the raw
// score, rounded for display, with its adjusted-Wald interval: at n = 20 the
// interval is wide, which is the honest message.
func ExampleNPSCounts_Score() {
	c := scoring.NPSCounts{Promoters: 9, Passives: 6, Detractors: 5}
	score, _ := c.Score()
	shown, _ := c.Rounded()
	ci, _ := c.CI(scoring.DefaultConfidence, scoring.AdjustedWald)
	fmt.Printf("unrounded %.1f\n", score)
	fmt.Printf("NPS %d (95%% CI %v to %v, n = %d, %v)\n", shown, scoring.Round(ci.Lo), scoring.Round(ci.Hi), c.N(), ci.Method)

	// No answers is no score: render "—", never 0.
	if _, ok := (scoring.NPSCounts{}).Score(); !ok {
		fmt.Println("NPS —")
	}
	// Output:
	// unrounded 20.0
	// NPS 20 (95% CI -15 to 50, n = 20, adjusted-wald)
	// NPS —
}

// Answers arrive one by one; count them into buckets first. Everything else
// works on counts.
func ExampleNPSFromScores() {
	c, err := scoring.NPSFromScores([]int{10, 9, 9, 8, 7, 6, 0, 10, 3, 9})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v, n = %d\n", c, c.N())

	_, err = scoring.NPSFromScores([]int{10, 11})
	fmt.Println(err)
	// Output:
	// {Promoters:5 Passives:2 Detractors:3}, n = 10
	// position 2: NPS answer 11 is out of range: want a whole number from 0 to 10
}

// Display rounding is half away from zero and never shows "-0".
func ExampleNPSCounts_Rounded() {
	for _, c := range []scoring.NPSCounts{
		{Promoters: 1, Passives: 7},                  // 12.5
		{Passives: 7, Detractors: 1},                 // −12.5
		{Promoters: 2, Passives: 245, Detractors: 3}, // −0.4
	} {
		score, _ := c.Score()
		shown, _ := c.Rounded()
		fmt.Printf("%v → %d\n", score, shown)
	}
	// Output:
	// 12.5 → 13
	// -12.5 → -13
	// -0.4 → 0
}

// Five promoters out of five. Wald's interval collapses to a point; the
// adjusted-Wald interval admits what five answers cannot rule out.
func ExampleNPSCounts_CI() {
	c := scoring.NPSCounts{Promoters: 5}
	for _, m := range []scoring.Method{scoring.Wald, scoring.AdjustedWald} {
		ci, _ := c.CI(0.95, m)
		fmt.Printf("%-13v [%.2f, %.2f]\n", m, ci.Lo, ci.Hi)
	}
	// Output:
	// wald          [100.00, 100.00]
	// adjusted-wald [17.49, 100.00]
}

// Did the score move between two periods? 30 against 10 looks like a jump,
// but with 100 answers each the test cannot tell it from noise.
func ExampleCompareNPS() {
	thisMonth := scoring.NPSCounts{Promoters: 50, Passives: 30, Detractors: 20}
	lastMonth := scoring.NPSCounts{Promoters: 40, Passives: 30, Detractors: 30}
	c, _ := scoring.CompareNPS(thisMonth, lastMonth, scoring.DefaultConfidence)
	fmt.Printf("Δ′ %.2f, SE %.2f, z %.2f, p %.3f\n", c.Diff, c.SE, c.Z, c.P)
	fmt.Printf("95%% CI [%.2f, %.2f], significant: %v\n", c.Lo, c.Hi, c.Significant)
	// Output:
	// Δ′ 19.42, SE 11.21, z 1.73, p 0.083
	// 95% CI [-2.55, 41.39], significant: false
}

// Five satisfied customers out of five: 100 %, but the Wilson interval says
// the true share could be as low as 57 %.
func ExampleWilson() {
	ci, _ := scoring.Wilson(5, 5, 0.95)
	fmt.Printf("[%.4f, %.4f]\n", ci.Lo, ci.Hi)
	// Output:
	// [0.5655, 1.0000]
}

// A CES 2.0 distribution: counts of answers 1 to 7.
func ExampleLikert() {
	ces := scoring.Likert{Scale: scoring.CES2, Counts: []int{2, 1, 3, 5, 9, 15, 15}}
	mean, _ := ces.Mean()
	meanCI, _ := ces.MeanCI(scoring.DefaultConfidence)
	agree, _ := ces.Percent(scoring.Promoter)     // 5–7
	disagree, _ := ces.Percent(scoring.Detractor) // 1–3
	net, _ := ces.Net()
	fmt.Printf("n = %d, mean %.2f (95%% CI %.2f to %.2f)\n", ces.N(), mean, meanCI.Lo, meanCI.Hi)
	fmt.Printf("agree %.1f %%, disagree %.1f %%, net %.1f\n", agree, disagree, net)

	// Legacy CES counts cannot be added to CES 2.0 counts.
	legacy := scoring.Likert{Scale: scoring.CES1, Counts: []int{10, 20, 8, 7, 5}}
	_, err := ces.Add(legacy)
	fmt.Println(err)
	// Output:
	// n = 50, mean 5.46 (95% CI 5.01 to 5.91)
	// agree 78.0 %, disagree 12.0 %, net 66.0
	// add CES (legacy 1–5 effort) answers to CES 2.0 answers: answers from different scales cannot be combined
}

// The one place that says which bucket an answer falls in.
func ExampleScaleID_Bucket() {
	for _, a := range []struct {
		scale scoring.ScaleID
		score int
	}{{scoring.NPS, 6}, {scoring.NPS, 9}, {scoring.CSAT, 2}, {scoring.CES2, 4}, {scoring.CES1, 2}} {
		b, _ := a.scale.Bucket(a.score)
		fmt.Printf("%s %d: %v\n", a.scale.Name(), a.score, b)
	}
	// Output:
	// NPS 6: detractor
	// NPS 9: promoter
	// CSAT 2: detractor
	// CES 2.0 4: passive
	// CES (legacy 1–5 effort) 2: promoter
}

// A digest with three cells tested at once: only changes that survive
// Benjamini–Hochberg across all of them are called.
func ExampleBenjaminiHochberg() {
	p := []float64{0.04, 0.001, 0.30}
	fmt.Println(scoring.BenjaminiHochberg(p, 0.05))
	// Output:
	// [false true false]
}

// Rank touchpoints without letting a lucky 3-of-3 top the list: smooth each
// towards the company-wide shares and sort by the rank key.
func ExampleNPSCounts_Smoothed() {
	company := scoring.NPSCounts{Promoters: 40, Passives: 30, Detractors: 30}
	for _, seg := range []struct {
		name string
		c    scoring.NPSCounts
	}{
		{"returns", scoring.NPSCounts{Promoters: 3}},
		{"delivery", scoring.NPSCounts{Promoters: 60, Passives: 20, Detractors: 20}},
	} {
		raw, _ := seg.c.Rounded()
		s, _ := seg.c.Smoothed(company, 10)
		fmt.Printf("%-8s raw %3d (n = %3d)  smoothed %.1f ± %.1f  rank key %.1f\n",
			seg.name, raw, seg.c.N(), s.NPS, s.SD, s.RankKey())
	}
	// Output:
	// returns  raw 100 (n =   3)  smoothed 30.8 ± 22.0  rank key -5.3
	// delivery raw  40 (n = 100)  smoothed 37.3 ± 7.7  rank key 24.7
}

// The headline compares the trailing 28 whole local days with the 28 before.
// Israel's clocks moved forward on 29 March, so the current window is one
// hour short of 28 × 24 hours — and still exactly 28 days.
func ExampleHeadlineWindows() {
	jerusalem, _ := time.LoadLocation("Asia/Jerusalem")
	now := time.Date(2024, 4, 10, 9, 0, 0, 0, jerusalem) // the 09:00 digest
	cur, prev := scoring.HeadlineWindows(now, jerusalem)
	const day = "Mon 2 Jan 15:04 MST"
	fmt.Println("current: ", cur.Start.Format(day), "–", cur.LastDay().Format("Mon 2 Jan"), cur.End.Sub(cur.Start))
	fmt.Println("previous:", prev.Start.Format(day), "–", prev.LastDay().Format("Mon 2 Jan"), prev.End.Sub(prev.Start))
	// Output:
	// current:  Wed 13 Mar 00:00 IST – Tue 9 Apr 671h0m0s
	// previous: Wed 14 Feb 00:00 IST – Tue 12 Mar 672h0m0s
}

// What to show for a cell, by its number of answers.
func ExampleThresholds_Level() {
	th := scoring.DefaultThresholds(scoring.NPS)
	for _, n := range []int{0, 3, 12, 45} {
		fmt.Println(n, th.Level(n))
	}
	// Output:
	// 0 no-responses
	// 3 counts-only
	// 12 low-n
	// 45 full
}

// How many answers before an NPS means something?
func ExampleNPSSampleSize() {
	fmt.Println("±5 points:", scoring.NPSSampleSize(5, scoring.PlanningVariance, 0.95))
	fmt.Println("±10 points:", scoring.NPSSampleSize(10, scoring.PlanningVariance, 0.95))
	fmt.Printf("margin at n = 30: ±%.0f\n", scoring.NPSMargin(30, scoring.PlanningVariance, 0.95))
	// Output:
	// ±5 points: 919
	// ±10 points: 228
	// margin at n = 30: ±26
}
