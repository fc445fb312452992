package scoring

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalization serves matching only: near-duplicate detection, n-gram
// statistics and language voting compare normalized text, while everything a
// person reads (quotes, excerpts, redacted text) keeps the customer's own
// spelling.

// FoldDigits replaces Persian (U+06F0–U+06F9) and Arabic-Indic
// (U+0660–U+0669) digits with ASCII digits and leaves everything else alone.
// Chat adapters need it before strconv or regexp see a number: "۹" and "٩"
// are both nine to the customer, but RE2's \d and strconv.Atoi accept ASCII
// only. Each folded digit shrinks from two bytes to one.
func FoldDigits(s string) string {
	i := strings.IndexFunc(s, isForeignDigit)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if d, ok := foldDigit(r); ok {
			b.WriteByte(d)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldDigit returns the ASCII digit for an ASCII, Persian or Arabic-Indic
// digit.
func foldDigit(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '\u06F0' && r <= '\u06F9':
		return byte('0' + r - '\u06F0'), true
	case r >= '\u0660' && r <= '\u0669':
		return byte('0' + r - '\u0660'), true
	}
	return 0, false
}

func isForeignDigit(r rune) bool {
	return (r >= '\u06F0' && r <= '\u06F9') || (r >= '\u0660' && r <= '\u0669')
}

// isBidiControl reports the invisible direction marks and controls: LRM,
// RLM, ALM, the embeddings and overrides U+202A–U+202E and the isolates
// U+2066–U+2069. Renderers and RTL keyboards insert them around numbers and
// names, so matching and answer parsing ignore them.
func isBidiControl(r rune) bool {
	switch {
	case r == LRM || r == RLM || r == ALM:
		return true
	case r >= '\u202A' && r <= '\u202E':
		return true
	case r >= LRI && r <= PDI:
		return true
	}
	return false
}

// Normalize returns the matching form of s:
//
//   - NFC, so a precomposed and a decomposed "é" (or آ) are one letter;
//   - Persian and Arabic-Indic digits become ASCII;
//   - Arabic yeh ي and alef maksura ى become Persian yeh ی, Arabic kaf ك
//     becomes Persian keheh ک: Persian written on an Arabic keyboard then
//     matches Persian written on a Persian one;
//   - Arabic أ إ آ become bare alef ا, as most writers omit the hamza;
//   - tatweel U+0640 (pure elongation), Arabic harakat U+064B–U+065F and
//     superscript alef U+0670 are removed;
//   - Hebrew points and cantillation (the nonspacing marks in U+0591–U+05C7)
//     are removed. The four punctuation marks in that block are not marks and
//     stay: paseq U+05C0, sof pasuq U+05C3 and nun hafukha U+05C6 are kept
//     as they are, and maqaf U+05BE, the Hebrew hyphen of "מ־Acme", becomes
//     ASCII "-" because that is how it is typed on a keyboard;
//   - bidi marks and isolates (LRM, RLM, ALM, U+202A–U+202E, U+2066–U+2069)
//     are removed: they are invisible and inserted by software;
//   - letters are lower-cased (Latin, Cyrillic and the rest), and Russian ё
//     becomes е, as most Russian writers do.
//
// Invalid UTF-8 becomes U+FFFD. Normalize is idempotent.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	// Mapping can expose a different composition (a stripped mark between a
	// base and a combining accent), so compose again until stable; two rounds
	// settle every input the fuzzer has found, and the loop bound keeps a
	// pathological input from spinning.
	out := norm.NFC.String(s)
	for range 3 {
		m := mapForMatch(out)
		next := norm.NFC.String(m)
		if next == out {
			break
		}
		out = next
	}
	return out
}

// mapForMatch applies the per-rune rules of [Normalize].
func mapForMatch(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if m, ok := matchRune(r); ok {
			b.WriteRune(m)
		}
	}
	return b.String()
}

// matchRune maps one rune to its matching form; ok is false when the rune is
// dropped.
func matchRune(r rune) (rune, bool) {
	if d, ok := foldDigit(r); ok {
		return rune(d), true
	}
	switch r {
	case '\u064A', '\u0649': // Arabic yeh, alef maksura
		return '\u06CC', true // Persian yeh
	case '\u0643': // Arabic kaf
		return '\u06A9', true // keheh
	case '\u0623', '\u0625', '\u0622': // alef with hamza above, below, madda
		return '\u0627', true
	case '\u0640': // tatweel
		return 0, false
	case '\u0670': // superscript alef
		return 0, false
	case '\u05BE': // maqaf
		return '-', true
	case 'ё', 'Ё':
		return 'е', true
	}
	switch {
	case r >= '\u064B' && r <= '\u065F': // harakat
		return 0, false
	case r >= '\u0591' && r <= '\u05C7' && unicode.Is(unicode.Mn, r):
		return 0, false
	case isBidiControl(r):
		return 0, false
	}
	return unicode.ToLower(r), true
}
