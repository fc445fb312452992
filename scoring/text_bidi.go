package scoring

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
)

// Bidi controls for renderers. Chat clients pick a
// paragraph's direction from its first strong character (UAX #9), so a Hebrew
// line that opens with a brand name or a number is laid out left to right,
// and an interpolated value leaks its direction into the words around it.
// Renderers fix both with the few code points below; golden tests assert them
// exactly, so they are constants rather than literals scattered in templates.
const (
	// LRM (U+200E) is an invisible strong left-to-right character.
	LRM = '\u200E'
	// RLM (U+200F) is an invisible strong right-to-left character.
	RLM = '\u200F'
	// ALM (U+061C) is the Arabic letter mark: right-to-left like RLM, and
	// what x/text puts around Arabic-script numbers.
	ALM = '\u061C'
	// LRI (U+2066) opens a left-to-right isolate, closed by PDI.
	LRI = '\u2066'
	// RLI (U+2067) opens a right-to-left isolate, closed by PDI.
	RLI = '\u2067'
	// FSI (U+2068) opens an isolate whose direction is that of its first
	// strong character, closed by PDI.
	FSI = '\u2068'
	// PDI (U+2069) closes the isolate opened by the latest LRI, RLI or FSI.
	PDI = '\u2069'
)

// rtlLanguages are the base languages written right to left: the three vocbot
// speaks (he, fa, ar) and their close neighbours a workspace might configure.
// "iw" is Hebrew's deprecated code, still sent by old Android clients.
var rtlLanguages = map[string]bool{
	"he": true, "iw": true, "yi": true,
	"ar": true, "fa": true, "ur": true, "ps": true, "sd": true, "ug": true, "ckb": true,
	"dv": true,
}

// IsRTL reports whether locale (a BCP 47 tag such as "he", "fa-IR",
// "ar_EG" or "ar-u-nu-latn") names a right-to-left language. Only the base
// language counts: a script subtag is not consulted, because no locale vocbot
// supports is written in two directions.
func IsRTL(locale string) bool {
	return rtlLanguages[baseLanguage(locale)]
}

// baseLanguage returns the lower-cased language subtag of a locale tag.
func baseLanguage(locale string) string {
	if i := strings.IndexAny(locale, "-_"); i >= 0 {
		locale = locale[:i]
	}
	return strings.ToLower(locale)
}

// Isolate wraps s in FSI…PDI, so that an interpolated value (a touchpoint,
// segment or agent name, a quote) takes its direction from its own first
// strong character and cannot reorder the text around it. When the direction
// is known, prefer [IsolateLTR] or [IsolateRTL]: FSI guesses, and guesses
// wrong for an Arabic quote that opens with an English word.
func Isolate(s string) string { return string(FSI) + s + string(PDI) }

// IsolateLTR wraps s in LRI…PDI: for values known to be left to right, such
// as URLs, e-mail addresses, codes and signed numbers or ranges next to RTL
// words ("+5", "[−13, −5]").
func IsolateLTR(s string) string { return string(LRI) + s + string(PDI) }

// IsolateRTL wraps s in RLI…PDI: for values known to be right to left, such
// as a Hebrew or Persian quote inside an English digest.
func IsolateRTL(s string) string { return string(RLI) + s + string(PDI) }

// AnchorRTL makes every line of text begin with a right-to-left character
// when locale is right to left, by prefixing RLM to each line whose first
// character is not already a right-to-left letter (bidi class R or AL) or
// RLM. Lines that start with a number, a Latin brand, an emoji, a space or an
// isolate are otherwise laid out left to right by Telegram and by patched
// Slack clients. For left-to-right locales text is returned unchanged, and
// applying AnchorRTL twice changes nothing more.
func AnchorRTL(locale, text string) string {
	if !IsRTL(locale) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 3)
	for {
		line, rest, more := strings.Cut(text, "\n")
		if !startsRTL(line) {
			b.WriteRune(RLM)
		}
		b.WriteString(line)
		if !more {
			break
		}
		b.WriteByte('\n')
		text = rest
	}
	return b.String()
}

// startsRTL reports whether line opens with RLM or a strong right-to-left
// letter.
func startsRTL(line string) bool {
	r, _ := utf8.DecodeRuneInString(line)
	if r == RLM {
		return true
	}
	p, _ := bidi.LookupRune(r)
	c := p.Class()
	return line != "" && (c == bidi.R || c == bidi.AL)
}
