package scoring

import (
	"cmp"
	"math"
	"slices"
)

// BenjaminiHochberg flags which of m tests to call significant while keeping
// the expected share of false discoveries among them at most q (0.05 in the
// digest). A digest tests many cells at once (touchpoints × metrics); at
// p < 0.05 each, one in twenty unchanged cells would grow an arrow every day.
//
// The procedure: sort the p-values ascending, find the largest rank k with
// p₍ₖ₎ ≤ k·q/m, and flag the k smallest, including any among them that
// missed its own threshold. k = 0 flags none. Ties keep input order (a stable
// sort), so pass the cells in a fixed order (by cell key) for output that is
// reproducible to the bit; tied p-values are always flagged alike anyway.
// NaN p-values are never flagged and sort last. The result is parallel to p.
func BenjaminiHochberg(p []float64, q float64) []bool {
	m := len(p)
	flags := make([]bool, m)
	if m == 0 || !(q > 0) {
		return flags
	}
	order := make([]int, m)
	key := make([]float64, m)
	for i, v := range p {
		order[i] = i
		key[i] = v
		if math.IsNaN(v) {
			key[i] = math.Inf(1)
		}
	}
	// Ties broken by input position: a stable order, at pdqsort's speed.
	slices.SortFunc(order, func(i, j int) int { return cmp.Or(cmp.Compare(key[i], key[j]), cmp.Compare(i, j)) })
	k := 0
	for rank := m; rank >= 1; rank-- {
		if key[order[rank-1]] <= float64(rank)*q/float64(m) {
			k = rank
			break
		}
	}
	for _, i := range order[:k] {
		flags[i] = true
	}
	return flags
}
