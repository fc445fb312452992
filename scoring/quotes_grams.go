package scoring

import (
	"slices"
	"unicode"
)

// Character n-grams for informativeness, similarity and near-duplicates.
// They are taken from the normalized text with every run of characters
// other than letters, marks and digits turned into one space and a space
// added at both ends, so "Great!!" and "great." share their grams and a
// word's first and last letters are marked as such. Grams are kept as 64-bit
// hashes: a comment has a few hundred, and a 90-day corpus millions.

// gramCount is one distinct gram of a comment and how often it occurs.
type gramCount struct {
	h uint64
	n int32
}

// Sizes of the grams: 3–5 for TF-IDF, 5 for shingles
// (§7.3).
const (
	gramMin     = 3
	gramMax     = 5
	shingleSize = 5
)

// gramScratch holds the buffers reused from one comment to the next.
type gramScratch struct {
	runes  []rune
	hashes []uint64
}

func isGramRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

// load fills g.runes with the gram text of norm (see [gramText]).
func (g *gramScratch) load(norm string) {
	g.runes = append(g.runes[:0], ' ')
	for _, r := range norm {
		switch {
		case isGramRune(r):
			g.runes = append(g.runes, r)
		case g.runes[len(g.runes)-1] != ' ':
			g.runes = append(g.runes, ' ')
		}
	}
	if g.runes[len(g.runes)-1] != ' ' {
		g.runes = append(g.runes, ' ')
	}
}

// gramText is the text grams are taken from, as a string: " word word ".
func gramText(norm string) string {
	var g gramScratch
	g.load(norm)
	return string(g.runes)
}

// gramHash is FNV-1a over the runes of one gram, seeded by its size so that
// grams of different sizes never share a hash by construction.
func gramHash(rs []rune) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037) ^ uint64(len(rs))
	for _, r := range rs {
		h ^= uint64(r)
		h *= prime
	}
	return h
}

// termFreqs returns the distinct 3–5-grams of norm with their counts,
// sorted by hash.
func (g *gramScratch) termFreqs(norm string) []gramCount {
	g.load(norm)
	g.hashes = g.hashes[:0]
	for i := range g.runes {
		for n := gramMin; n <= gramMax && i+n <= len(g.runes); n++ {
			g.hashes = append(g.hashes, gramHash(g.runes[i:i+n]))
		}
	}
	slices.Sort(g.hashes)
	distinct := 0
	for i, h := range g.hashes {
		if i == 0 || h != g.hashes[i-1] {
			distinct++
		}
	}
	out := make([]gramCount, 0, distinct)
	for i, h := range g.hashes {
		if i > 0 && h == g.hashes[i-1] {
			out[len(out)-1].n++
			continue
		}
		out = append(out, gramCount{h: h, n: 1})
	}
	return out
}

// shingles returns the distinct 5-gram hashes of norm, sorted.
func (g *gramScratch) shingles(norm string) []uint64 {
	g.load(norm)
	g.hashes = g.hashes[:0]
	for i := 0; i+shingleSize <= len(g.runes); i++ {
		g.hashes = append(g.hashes, gramHash(g.runes[i:i+shingleSize]))
	}
	slices.Sort(g.hashes)
	return slices.Clone(slices.Compact(g.hashes))
}
