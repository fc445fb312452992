package scoring

import (
	"strings"
	"unicode"

	"github.com/clipperhouse/uax29/v2/graphemes"
	"github.com/clipperhouse/uax29/v2/sentences"
)

// Ellipsis marks where an excerpt was cut.
const Ellipsis = "…"

// graphemeCount returns the number of user-perceived characters (extended
// grapheme clusters, UAX #29) of s: a Hebrew letter with its niqqud, an
// Arabic letter with its harakat and a ZWJ emoji family each count once.
func graphemeCount(s string) int {
	n := 0
	for g := graphemes.FromString(s); g.Next(); {
		n++
	}
	return n
}

// Excerpt shortens text to at most limit characters (grapheme clusters),
// "…" included, and reports whether it cut anything. It keeps whole
// sentences (UAX #29 sentence boundaries, which know "؟" and "۔"), starting
// with the first sentence that mentions near (compared in [Normalize]d
// form; "" or no mention starts at the first sentence), adding the
// sentences after it and then those before it while they fit. When that
// first sentence alone does not fit, it is cut at a grapheme boundary, so a
// letter never loses its niqqud or harakat and an emoji sequence stays
// whole. A limit below 2 is taken as 2.
func Excerpt(text, near string, limit int) (string, bool) {
	return excerpt(text, near, limit, graphemeCount(text))
}

// excerpt is [Excerpt] for a text already known to have chars characters.
func excerpt(text, near string, limit, chars int) (string, bool) {
	limit = max(limit, 2)
	if chars <= limit {
		return text, false
	}
	type span struct{ s, e int }
	var sents []span
	for it := sentences.FromString(text); it.Next(); {
		s, e := trimSpan(text, it.Start(), it.End())
		if s < e {
			sents = append(sents, span{s, e})
		}
	}
	if len(sents) == 0 { // only spaces, yet more than max of them
		return graphemePrefix(text, limit-1) + Ellipsis, true
	}
	anchor := 0
	if n := Normalize(near); strings.TrimSpace(n) != "" {
		for i, sp := range sents {
			if strings.Contains(Normalize(text[sp.s:sp.e]), n) {
				anchor = i
				break
			}
		}
	}
	// cost is the length of the text from sentence first to sentence last,
	// with an ellipsis and a space on each side that was cut.
	cost := func(first, last int) int {
		c := graphemeCount(text[sents[first].s:sents[last].e])
		if first > 0 {
			c += 2 // "… "
		}
		if last < len(sents)-1 {
			c += 2 // " …"
		}
		return c
	}
	first, last := anchor, anchor
	if cost(first, last) > limit {
		// The sentence alone is too long: cut it at a grapheme boundary.
		prefix := ""
		if first > 0 && limit >= 4 { // "… x…": room for one character
			prefix = Ellipsis + " "
		}
		room := limit - graphemeCount(prefix) - 1
		body := strings.TrimRightFunc(graphemePrefix(text[sents[first].s:], room), unicode.IsSpace)
		return prefix + body + Ellipsis, true
	}
	for last+1 < len(sents) && cost(first, last+1) <= limit {
		last++
	}
	for first > 0 && cost(first-1, last) <= limit {
		first--
	}
	var b strings.Builder
	if first > 0 {
		b.WriteString(Ellipsis + " ")
	}
	b.WriteString(text[sents[first].s:sents[last].e])
	if last < len(sents)-1 {
		b.WriteString(" " + Ellipsis)
	}
	return b.String(), true
}

// trimSpan narrows text[s:e] to exclude leading and trailing white space.
func trimSpan(text string, s, e int) (int, int) {
	t := text[s:e]
	lead := len(t) - len(strings.TrimLeftFunc(t, unicode.IsSpace))
	trail := len(t) - len(strings.TrimRightFunc(t, unicode.IsSpace))
	if lead == len(t) {
		return s, s
	}
	return s + lead, e - trail
}

// graphemePrefix returns the first n grapheme clusters of s.
func graphemePrefix(s string, n int) string {
	if n <= 0 {
		return ""
	}
	end := 0
	for g := graphemes.FromString(s); n > 0 && g.Next(); n-- {
		end = g.End()
	}
	return s[:end]
}
