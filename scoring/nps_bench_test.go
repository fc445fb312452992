package scoring

import (
	"math/rand/v2"
	"testing"
)

// benchScores returns n answers drawn uniformly from lo..hi with a fixed
// seed, so every run aggregates the same data.
func benchScores(n, lo, hi int) []int {
	r := rand.New(rand.NewPCG(21, 22))
	s := make([]int, n)
	for i := range s {
		s[i] = lo + r.IntN(hi-lo+1)
	}
	return s
}

const benchN = 10_000_000

// BenchmarkNPSFromScores10M counts 10 million 0–10 answers into buckets and
// computes the score and its adjusted-Wald interval: the whole path from raw
// answers to a headline number.
func BenchmarkNPSFromScores10M(b *testing.B) {
	scores := benchScores(benchN, 0, 10)
	b.ReportAllocs()
	b.SetBytes(int64(len(scores)) * 8)
	for b.Loop() {
		c, err := NPSFromScores(scores)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := c.Score(); !ok {
			b.Fatal("no score")
		}
		if _, ok := c.CI(DefaultConfidence, AdjustedWald); !ok {
			b.Fatal("no interval")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchN, "ns/answer")
}

// BenchmarkLikertFromScores10M is the same for 10 million CSAT answers, with
// the top-2-box Wilson interval and the mean's t interval.
func BenchmarkLikertFromScores10M(b *testing.B) {
	scores := benchScores(benchN, 1, 5)
	b.ReportAllocs()
	b.SetBytes(int64(len(scores)) * 8)
	for b.Loop() {
		l, err := LikertFromScores(CSAT, scores)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := l.PercentCI(Promoter, DefaultConfidence); !ok {
			b.Fatal("no interval")
		}
		if _, ok := l.MeanCI(DefaultConfidence); !ok {
			b.Fatal("no interval")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchN, "ns/answer")
}

// BenchmarkNPSAddSegments10M sums 10 million segment counts (the shape of a
// SQL GROUP BY result) into a total and computes score and interval.
func BenchmarkNPSAddSegments10M(b *testing.B) {
	r := rand.New(rand.NewPCG(23, 24))
	segs := make([]NPSCounts, benchN)
	for i := range segs {
		segs[i] = NPSCounts{r.IntN(10), r.IntN(10), r.IntN(10)}
	}
	b.ReportAllocs()
	for b.Loop() {
		var total NPSCounts
		for _, s := range segs {
			total = total.Add(s)
		}
		if _, ok := total.CI(DefaultConfidence, AdjustedWald); !ok {
			b.Fatal("no interval")
		}
	}
}

// BenchmarkNPSCI is one score with its interval from counts: the per-cell
// cost of a digest.
func BenchmarkNPSCI(b *testing.B) {
	c := NPSCounts{Promoters: 412, Passives: 301, Detractors: 187}
	b.ReportAllocs()
	for b.Loop() {
		c.Score()
		c.CI(DefaultConfidence, AdjustedWald)
	}
}

// BenchmarkCompareNPS is one change test.
func BenchmarkCompareNPS(b *testing.B) {
	a, p := NPSCounts{50, 30, 20}, NPSCounts{40, 30, 30}
	b.ReportAllocs()
	for b.Loop() {
		CompareNPS(a, p, DefaultConfidence)
	}
}

// BenchmarkMeanCI measures the t interval of a mean, whose Student t
// quantile is computed (incomplete beta + Newton) rather than looked up.
func BenchmarkMeanCI(b *testing.B) {
	l := Likert{CES2, []int{2, 1, 3, 5, 9, 15, 15}}
	b.ReportAllocs()
	for b.Loop() {
		l.MeanCI(DefaultConfidence)
	}
}

// BenchmarkBenjaminiHochberg1000 corrects a digest of 1,000 cells.
func BenchmarkBenjaminiHochberg1000(b *testing.B) {
	r := rand.New(rand.NewPCG(25, 26))
	p := make([]float64, 1000)
	for i := range p {
		p[i] = r.Float64()
	}
	b.ReportAllocs()
	for b.Loop() {
		BenjaminiHochberg(p, 0.05)
	}
}
