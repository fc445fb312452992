package scoring

import (
	"unicode"
)

// Language detection by script. The five languages vocbot
// speaks are written in four scripts, so counting letters decides all but
// Persian against Arabic, and those two are told apart by the letters only
// one of them uses. No trigram model is needed, and short comments ("عالی",
// "Очень доволен"), where statistical detectors fail, come out right.

// Languages DetectLanguage can return besides the caller's fallback.
const (
	LangHebrew  = "he"
	LangPersian = "fa"
	LangArabic  = "ar"
	LangRussian = "ru"
	LangEnglish = "en"
)

// scriptCounts are the letters of a text by script, and the Persian and
// Arabic evidence among its Arabic-script letters.
type scriptCounts struct {
	hebrew, arabic, cyrillic, latin, other int
	persianVotes, arabicVotes              int
}

func countScripts(text string) scriptCounts {
	var c scriptCounts
	// prev and prev2 are the two runes before r (0 at the start), marks
	// skipped, enough to see whether an ا before ل opened its word.
	var prev, prev2 rune
	for _, r := range text {
		if unicode.IsLetter(r) {
			switch {
			// The blocks of the four scripts first: cheap range checks
			// for nearly every letter of a comment.
			case r >= 0x05D0 && r <= 0x05F2:
				c.hebrew++
			case r >= 0x0620 && r <= 0x06FF:
				c.arabic++
				c.vote(r, prev, prev2)
			case r >= 0x0400 && r <= 0x04FF:
				c.cyrillic++
			case r < 0x80 || unicode.Is(unicode.Latin, r):
				c.latin++
			case unicode.Is(unicode.Hebrew, r):
				c.hebrew++
			case unicode.Is(unicode.Cyrillic, r):
				c.cyrillic++
			case unicode.Is(unicode.Arabic, r):
				c.arabic++
				c.vote(r, prev, prev2)
			default:
				c.other++
			}
		}
		if r < 0x0300 || !unicode.Is(unicode.Mn, r) { // harakat do not separate letters
			prev2, prev = prev, r
		}
	}
	return c
}

// vote counts the Persian and Arabic evidence of one Arabic-script letter r
// preceded by prev and prev2.
func (c *scriptCounts) vote(r, prev, prev2 rune) {
	switch r {
	case '\u067E', '\u0686', '\u0698', '\u06AF', '\u06CC', '\u06A9': // پ چ ژ گ ی ک
		c.persianVotes++
	case '\u0629', '\u0649', '\u064A', '\u0643': // ة ى ي ك
		c.arabicVotes++
	case '\u0644': // ل: the article ال when the ا before it opened the word
		if prev == '\u0627' && (prev2 == 0 || !unicode.IsLetter(prev2)) {
			c.arabicVotes++
		}
	}
}

// DetectLanguage guesses the language of text from its letters: Hebrew script
// is "he", Cyrillic "ru", Latin "en", and Arabic script is "fa" or "ar" by a
// vote of letters only Persian uses (پ چ ژ گ ی ک) against letters and the
// word-initial article only Arabic uses (ة ى ي ك, ال). confidence in [0, 1]
// is the winning script's share of all letters, times the winning side's
// share of the votes for Arabic script.
//
// fallback, normally the workspace language, decides what the letters cannot:
// text without letters (an emoji, "10/10") returns fallback with confidence 0,
// as does text mostly in a script vocbot does not speak; an Arabic-script
// vote that ties (no evidence, as in "سلام") returns fallback if it is "fa"
// or "ar" and "ar" otherwise, with half the script's share as confidence. A
// tie between scripts goes to the script of fallback if it is among them,
// else to the first of he, Arabic script, ru, en.
func DetectLanguage(text, fallback string) (lang string, confidence float64) {
	c := countScripts(text)
	total := c.hebrew + c.arabic + c.cyrillic + c.latin + c.other
	if total == 0 {
		return fallback, 0
	}
	type cand struct {
		lang  string
		count int
	}
	cands := [...]cand{
		{LangHebrew, c.hebrew},
		{LangArabic, c.arabic}, // the Arabic script; resolved to fa or ar below
		{LangRussian, c.cyrillic},
		{LangEnglish, c.latin},
	}
	fbScript := baseLanguage(fallback)
	if fbScript == LangPersian {
		fbScript = LangArabic
	}
	best := -1
	for i, cd := range cands {
		if cd.count == 0 {
			continue
		}
		switch {
		case best < 0 || cd.count > cands[best].count:
			best = i
		case cd.count == cands[best].count && cd.lang == fbScript:
			best = i
		}
	}
	if best < 0 || cands[best].count < c.other {
		return fallback, 0
	}
	share := float64(cands[best].count) / float64(total)
	if cands[best].lang != LangArabic {
		return cands[best].lang, share
	}
	fa, ar := c.persianVotes, c.arabicVotes
	switch {
	case fa > ar:
		return LangPersian, share * float64(fa) / float64(fa+ar)
	case ar > fa:
		return LangArabic, share * float64(ar) / float64(fa+ar)
	}
	switch b := baseLanguage(fallback); b {
	case LangPersian, LangArabic:
		return b, share / 2
	}
	return LangArabic, share / 2
}
