package scoring

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PII redaction. Comments are redacted before anything is
// stored for display. Existing PII libraries target US, EU and Chinese
// formats; none knows Israeli or Iranian numbers or Persian digits, so this
// is in-house and deliberately narrow: it removes what identifies a customer
// (addresses, links, cards, national IDs, phone numbers) and keeps the
// numbers that make feedback useful (order numbers, prices, dates, times,
// percentages).
//
// The passes run in a fixed order on a working copy of the text in which
// Persian and Arabic-Indic digits are ASCII, Unicode dashes and spaces are
// ASCII and bidi marks are gone; an offset map carries every match back to
// the original, which is what the output is built from, so untouched text
// keeps the customer's digits and marks. Each pass sees the placeholders of
// the passes before it (a match consumes its span), and every numeric match
// must begin and end at a digit whose outer neighbour is not a digit: RE2 has
// no lookaround, so the neighbours are checked in code. That, and the
// placeholders containing no digits, "@" or URL characters, is what makes
// redaction idempotent.

// PIIKind is a type of personal data that [Redact] removes.
type PIIKind uint8

// The kinds of personal data, in the order [Redact] looks for them.
const (
	// PIIEmail is an e-mail address.
	PIIEmail PIIKind = iota + 1
	// PIIURL is a link starting with http://, https:// or www.: links in
	// feedback point at order pages, profiles and shared documents.
	PIIURL
	// PIICard is a payment card number: 13–19 digits, in one run or in the
	// groups of 4–6 digits printed on cards separated by single spaces or
	// dashes, that passes the Luhn check. Long numbers that fail it (order
	// numbers) are kept.
	PIICard
	// PIIIsraeliID is a Teudat Zehut: 9 digits (or 8, a dash and the check
	// digit) with a valid check digit. It is looked for before phones
	// because a bare 9-digit ID also reads as an Israeli landline.
	PIIIsraeliID
	// PIIPhone is a phone number: Israeli mobile and landline, Iranian
	// mobile, Russian, or any number that starts with "+" or "0" and has
	// 9–15 digits with spaces, dashes or parentheses between groups.
	PIIPhone
	// PIIIranianID is an Iranian national code (کد ملی): 10 digits, not all
	// the same, with a valid check digit.
	PIIIranianID
)

var piiKindNames = [...]string{
	PIIEmail: "email", PIIURL: "url", PIICard: "card",
	PIIIsraeliID: "il-id", PIIPhone: "phone", PIIIranianID: "ir-id",
}

// String returns "email", "url", "card", "il-id", "phone" or "ir-id".
func (k PIIKind) String() string {
	if k >= PIIEmail && k <= PIIIranianID {
		return piiKindNames[k]
	}
	return fmt.Sprintf("PIIKind(%d)", uint8(k))
}

// piiPlaceholders are the replacement tokens by kind and base language; ""
// is the default. Only the phone token is translated: it is the one a reader
// may want to act on ("they left a phone number"), while [email], [card] and
// [ID] read the same to IT-literate staff in every locale and match the
// tokens the redaction rules name. [link] names what a non-technical reader sees.
// Every token is bracketed and digit-free, so no pass can match it.
var piiPlaceholders = [...]map[string]string{
	PIIEmail:     {"": "[email]"},
	PIIURL:       {"": "[link]"},
	PIICard:      {"": "[card]"},
	PIIIsraeliID: {"": "[ID]"},
	PIIIranianID: {"": "[ID]"},
	PIIPhone: {
		"":   "[phone]",
		"he": "[טלפון]",
		"fa": "[تلفن]",
		"ar": "[هاتف]",
		"ru": "[телефон]",
	},
}

// Placeholder returns the token that replaces data of kind k in text for
// locale ("he", "fa-IR", …): "[email]", "[link]", "[card]", "[ID]", and for
// phones "[טלפון]", "[تلفن]", "[هاتف]", "[телефон]" or "[phone]" (also for
// any other locale). It returns "" for an unknown kind.
func Placeholder(k PIIKind, locale string) string {
	if k < PIIEmail || k > PIIIranianID {
		return ""
	}
	m := piiPlaceholders[k]
	if p, ok := m[baseLanguage(locale)]; ok {
		return p
	}
	return m[""]
}

// PIIMatch is one redacted span of the text given to [Redact], in bytes.
type PIIMatch struct {
	Kind       PIIKind
	Start, End int
}

// Redaction is the result of [Redact].
type Redaction struct {
	// Text is the input with every match replaced by its placeholder.
	Text string
	// Matches are the redacted spans of the input, in order.
	Matches []PIIMatch
	// PIIShare is the share of the input's letters and digits that were
	// redacted, 0 when it has none: quote selection drops comments that are
	// mostly personal data ("my number is 050-1234567, call me").
	PIIShare float64
	// Lang is the base language whose placeholders were used: the locale's,
	// or the one detected from the text outside the matches (an English
	// e-mail address does not turn a Hebrew comment English).
	Lang string
}

// Count returns how many matches of kind k were redacted.
func (r Redaction) Count(k PIIKind) int {
	n := 0
	for _, m := range r.Matches {
		if m.Kind == k {
			n++
		}
	}
	return n
}

// MostlyPII reports whether more than half of the comment's letters and
// digits were personal data, so that what remains is not worth quoting.
func (r Redaction) MostlyPII() bool { return r.PIIShare > 0.5 }

// Redact replaces personal data in text with typed placeholders, in this
// order: e-mail addresses, links, Luhn-valid card numbers, Israeli IDs,
// Israeli, Iranian and Russian phone numbers, Iranian national codes, and
// other phone numbers. locale chooses the phone placeholder ([Placeholder]);
// "" detects the language from the text left after redaction
// ([DetectLanguage], falling back to English).
//
// Ordinary numbers survive: order numbers (a long number that fails the Luhn
// check and does not start with "+" or "0"), prices, dates, times,
// percentages and short numbers. Redact is idempotent. Invalid UTF-8 is
// replaced by U+FFFD first; the offsets in Matches then refer to
// strings.ToValidUTF8(text, "\uFFFD").
func Redact(text, locale string) Redaction {
	return redact(text, locale, LangEnglish)
}

// redact is [Redact] with the language to fall back on when locale is "" and
// the text does not tell.
func redact(text, locale, fallback string) Redaction {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	var matches []PIIMatch
	if mayHavePII(text) {
		matches = findPII(text)
	}
	lang := baseLanguage(locale)
	if lang == "" {
		lang, _ = DetectLanguage(render(text, matches, nil), fallback)
		lang = baseLanguage(lang)
	}
	return Redaction{
		Text:     render(text, matches, func(k PIIKind) string { return Placeholder(k, lang) }),
		Matches:  matches,
		PIIShare: piiShare(text, matches),
		Lang:     lang,
	}
}

// mayHavePII is the cheap test that lets most comments skip the passes:
// every match needs an "@", a link start or at least 9 digits.
func mayHavePII(text string) bool {
	if strings.IndexByte(text, '@') >= 0 || hasURLStart([]byte(text)) {
		return true
	}
	digits := 0
	for _, r := range text {
		if _, ok := foldDigit(r); ok {
			digits++
		}
	}
	return digits >= 9
}

// findPII runs the passes and returns the matches in order.
func findPII(text string) []PIIMatch {
	w := newPIIText(text)
	var matches []PIIMatch
	apply := func(kind PIIKind, spans []piiSpan) {
		if len(spans) > 0 {
			// The working copy gets the neutral token: it only has to
			// consume the span, and the language is not known yet.
			matches = w.replace(kind, Placeholder(kind, ""), spans, matches)
		}
	}
	if strings.IndexByte(text, '@') >= 0 {
		apply(PIIEmail, emailSpans(w.b))
	}
	if hasURLStart(w.b) {
		apply(PIIURL, urlSpans(w.b))
	}
	if countDigits(w.b) >= 9 { // the shortest number redacted has 9 digits
		apply(PIICard, cardSpans(w.b))
		apply(PIIIsraeliID, israeliIDSpans(w.b))
		for _, re := range phoneRes {
			apply(PIIPhone, regexSpans(w.b, re, digitBounded))
		}
		apply(PIIIranianID, iranianIDSpans(w.b))
		apply(PIIPhone, genericPhoneSpans(w.b))
	}
	slices.SortFunc(matches, func(a, b PIIMatch) int { return a.Start - b.Start })
	return matches
}

// render builds the output from the original text and the matches, putting
// token(kind) in place of each match, or nothing when token is nil.
func render(text string, matches []PIIMatch, token func(PIIKind) string) string {
	if len(matches) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	at := 0
	for _, m := range matches {
		b.WriteString(text[at:m.Start])
		if token != nil {
			b.WriteString(token(m.Kind))
		}
		at = m.End
	}
	b.WriteString(text[at:])
	return b.String()
}

func piiShare(text string, matches []PIIMatch) float64 {
	if len(matches) == 0 {
		return 0
	}
	total, redacted := 0, 0
	next := 0 // index of the first match not ending before the current rune
	for i, r := range text {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		total++
		for next < len(matches) && matches[next].End <= i {
			next++
		}
		if next < len(matches) && matches[next].Start <= i {
			redacted++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(redacted) / float64(total)
}

// piiText is the working copy of the text: b is what the passes match on,
// and start[i], end[i] are the original offsets of the character that byte i
// came from (for a placeholder byte, of the whole redacted span).
type piiText struct {
	b          []byte
	start, end []int
}

// piiSpan is a match in working-copy offsets.
type piiSpan struct{ s, e int }

func newPIIText(text string) *piiText {
	w := &piiText{
		b:     make([]byte, 0, len(text)),
		start: make([]int, 0, len(text)),
		end:   make([]int, 0, len(text)),
	}
	for i, r := range text {
		size := utf8.RuneLen(r)
		n := len(w.b)
		switch f := foldForPII(r); {
		case f < 0:
			continue
		case f != r:
			w.b = utf8.AppendRune(w.b, f)
		default:
			w.b = append(w.b, text[i:i+size]...)
		}
		for range len(w.b) - n {
			w.start = append(w.start, i)
			w.end = append(w.end, i+size)
		}
	}
	return w
}

// foldForPII maps a rune for matching numbers: digits to ASCII, Unicode
// spaces and dashes to ASCII, fullwidth plus to "+"; bidi marks (typed or
// pasted inside phone numbers in RTL text) become -1, dropped.
func foldForPII(r rune) rune {
	if d, ok := foldDigit(r); ok {
		return rune(d)
	}
	switch {
	case isBidiControl(r):
		return -1
	case r == '\u00A0' || (r >= '\u2000' && r <= '\u200A') || r == '\u202F' || r == '\u205F' || r == '\u3000':
		return ' '
	case (r >= '\u2010' && r <= '\u2015') || r == '\u2212' || r == '\uFE58' || r == '\uFE63' || r == '\uFF0D':
		return '-'
	case r == '\uFF0B':
		return '+'
	}
	return r
}

// replace records spans (in order, not overlapping) as matches of kind and
// puts the placeholder in their place in the working copy.
func (w *piiText) replace(kind PIIKind, placeholder string, spans []piiSpan, matches []PIIMatch) []PIIMatch {
	b := make([]byte, 0, len(w.b))
	start := make([]int, 0, len(w.b))
	end := make([]int, 0, len(w.b))
	at := 0
	for _, sp := range spans {
		b = append(b, w.b[at:sp.s]...)
		start = append(start, w.start[at:sp.s]...)
		end = append(end, w.end[at:sp.s]...)
		os, oe := w.start[sp.s], w.end[sp.e-1]
		matches = append(matches, PIIMatch{Kind: kind, Start: os, End: oe})
		b = append(b, placeholder...)
		for range len(placeholder) {
			start = append(start, os)
			end = append(end, oe)
		}
		at = sp.e
	}
	b = append(b, w.b[at:]...)
	start = append(start, w.start[at:]...)
	end = append(end, w.end[at:]...)
	w.b, w.start, w.end = b, start, end
	return matches
}

var (
	// emailRe is the redaction rules' e-mail pattern: letters and digits of any script.
	emailRe = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}`)
	// urlRe runs to the first space, quote, angle or square bracket; square
	// brackets are excluded so a URL can never swallow a placeholder.
	urlRe = regexp.MustCompile("(?i)(?:https?://|www\\.)[^\\s<>\\[\\]\"'{}|\\\\^`]+")
	// phoneRes are the national phone patterns, each
	// its own pass so that a candidate rejected by its neighbours under one
	// pattern is still tried under the next one at the same place. The
	// spec's patterns are widened only to allow a separator after the
	// country code ("+98 912…") and Russian parentheses with a space
	// before them ("+7 (912) 345-67-89", "8 (495) 123-45-67").
	phoneRes = []*regexp.Regexp{
		regexp.MustCompile(`(?:\+972[- ]?|0)5\d[- ]?\d{3}[- ]?\d{4}`),                    // Israel mobile
		regexp.MustCompile(`(?:\+972[- ]?|0)[2-489][- ]?\d{3}[- ]?\d{4}`),                // Israel landline
		regexp.MustCompile(`(?:\+98[- ]?|0098[- ]?|0)9\d{2}[- ]?\d{3}[- ]?\d{4}`),        // Iran mobile
		regexp.MustCompile(`(?:\+7|8)[- ]?\(?9\d{2}\)?[- ]?\d{3}[- ]?\d{2}[- ]?\d{2}`),   // Russia mobile
		regexp.MustCompile(`(?:\+7|8)[- ]?\([3-8]\d{2}\)[- ]?\d{3}[- ]?\d{2}[- ]?\d{2}`), // Russia landline
	}
)

// emailSpans finds e-mail addresses. The pattern lets the local part hold
// letters of any script, so in "ל-dana@example.com" (Hebrew "to", joined by
// a hyphen) it takes the prefix too; when a local part mixes non-ASCII
// letters with ASCII ones, only the ASCII tail after the last non-ASCII
// character (and its "-" or ".") is the address.
func emailSpans(b []byte) []piiSpan {
	spans := regexSpans(b, emailRe, nil)
	for i, sp := range spans {
		at := sp.s + bytes.IndexByte(b[sp.s:sp.e], '@')
		local := b[sp.s:at]
		cut := -1
		for j := len(local) - 1; j >= 0; j-- {
			if local[j] >= utf8.RuneSelf {
				cut = j
				break
			}
		}
		if cut < 0 || cut == len(local)-1 {
			continue // all ASCII, or all of it non-ASCII up to the "@"
		}
		s := sp.s + cut + 1
		for s < at && (b[s] == '-' || b[s] == '.') {
			s++
		}
		if s < at {
			spans[i].s = s
		}
	}
	return spans
}

// regexSpans returns the matches of re in b that accept approves, trying
// again one character further on after a rejected match so that a rejection
// does not hide a valid match that starts inside it.
func regexSpans(b []byte, re *regexp.Regexp, accept func(b []byte, s, e int) bool) []piiSpan {
	var spans []piiSpan
	for pos := 0; pos < len(b); {
		loc := re.FindIndex(b[pos:])
		if loc == nil {
			break
		}
		s, e := pos+loc[0], pos+loc[1]
		if accept == nil || accept(b, s, e) {
			spans = append(spans, piiSpan{s, e})
			pos = e
			continue
		}
		_, size := utf8.DecodeRune(b[s:])
		pos = s + size
	}
	return spans
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// digitBounded checks a numeric match: the characters just outside its first
// and last digits must not be digits.
func digitBounded(b []byte, s, e int) bool {
	first, last := -1, -1
	for i := s; i < e; i++ {
		if isDigitByte(b[i]) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return false
	}
	return (first == 0 || !isDigitByte(b[first-1])) && (last+1 == len(b) || !isDigitByte(b[last+1]))
}

func countDigits(b []byte) int {
	n := 0
	for _, c := range b {
		if isDigitByte(c) {
			n++
		}
	}
	return n
}

// hasURLStart is a cheap test before the URL pattern runs.
func hasURLStart(b []byte) bool {
	for i := 0; i+3 < len(b); i++ {
		switch {
		case b[i] == ':' && b[i+1] == '/' && b[i+2] == '/':
			return true
		case b[i]|0x20 == 'w' && b[i+1]|0x20 == 'w' && b[i+2]|0x20 == 'w' && b[i+3] == '.':
			return true
		}
	}
	return false
}

// urlSpans finds links. A link must not start inside a word ("awww.great"),
// and trailing sentence punctuation and closing brackets stay in the text.
func urlSpans(b []byte) []piiSpan {
	spans := regexSpans(b, urlRe, func(b []byte, s, e int) bool {
		r, _ := utf8.DecodeLastRune(b[:s])
		return s == 0 || !unicode.IsLetter(r)
	})
	out := spans[:0]
	for _, sp := range spans {
		for sp.e > sp.s {
			r, size := utf8.DecodeLastRune(b[sp.s:sp.e])
			if !strings.ContainsRune(".,;:!?)}'\"»…،؛؟", r) {
				break
			}
			sp.e -= size
		}
		if !urlHasBody(b[sp.s:sp.e]) {
			continue
		}
		out = append(out, sp)
	}
	return out
}

// urlHasBody reports whether a link has something after its scheme or "www.".
func urlHasBody(u []byte) bool {
	s := strings.ToLower(string(u))
	for _, p := range []string{"https://", "http://", "www."} {
		if strings.HasPrefix(s, p) {
			return len(s) > len(p)
		}
	}
	return false
}

// digitRun is a maximal run of ASCII digits in the working copy; runs are
// bounded by non-digits by construction.
type digitRun struct{ s, e int }

func digitRuns(b []byte) []digitRun {
	var runs []digitRun
	for i := 0; i < len(b); {
		if !isDigitByte(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && isDigitByte(b[j]) {
			j++
		}
		runs = append(runs, digitRun{i, j})
		i = j
	}
	return runs
}

// chainDigits appends the digits of runs to dst.
func chainDigits(dst []byte, b []byte, runs []digitRun) []byte {
	for _, r := range runs {
		dst = append(dst, b[r.s:r.e]...)
	}
	return dst
}

// cardSpans finds 13–19 digits that pass the Luhn check, written in one
// run or in groups separated by single spaces or dashes, preferring the
// longest valid grouping from each start. Groups are those printed on cards
// (4-4-4-4, 4-6-5, 4-4-4-4-3): 4–6 digits, the last one 3–6. Lists of short
// numbers ("10 9 8 7 …", "100 200 300 …") are not cards even when their
// digits happen to pass Luhn, as one list in ten does.
func cardSpans(b []byte) []piiSpan {
	runs := digitRuns(b)
	var spans []piiSpan
	var buf []byte
	for i := 0; i < len(runs); {
		best, n := -1, 0
		for j := i; j < len(runs); j++ {
			size := runs[j].e - runs[j].s
			if j > i {
				sep := b[runs[j-1].e:runs[j].s]
				if len(sep) != 1 || (sep[0] != ' ' && sep[0] != '-') {
					break
				}
				if prev := runs[j-1].e - runs[j-1].s; prev < 4 || prev > 6 || size < 3 || size > 6 {
					break
				}
			}
			n += size
			if n > 19 {
				break
			}
			if n >= 13 && luhnValid(chainDigits(buf[:0], b, runs[i:j+1])) {
				best = j
			}
		}
		if best < 0 {
			i++
			continue
		}
		spans = append(spans, piiSpan{runs[i].s, runs[best].e})
		i = best + 1
	}
	return spans
}

// luhnValid is the Luhn check on ASCII digits: from the rightmost digit,
// double every second one, subtract 9 from products over 9, and the sum must
// be a multiple of 10.
func luhnValid(digits []byte) bool {
	sum := 0
	for i := range digits {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// israeliIDSpans finds 9-digit runs, and 8 digits + "-" + the check digit,
// that pass the Teudat Zehut check. Shorter numbers are not tried even
// though the check left-pads them: too many order numbers and prices would
// pass by chance (one in ten).
func israeliIDSpans(b []byte) []piiSpan {
	runs := digitRuns(b)
	var spans []piiSpan
	var buf []byte
	for i := 0; i < len(runs); i++ {
		r := runs[i]
		switch {
		case r.e-r.s == 9:
			if israeliIDValid(b[r.s:r.e]) {
				spans = append(spans, piiSpan(r))
			}
		case r.e-r.s == 8 && i+1 < len(runs) && runs[i+1].s == r.e+1 && b[r.e] == '-' && runs[i+1].e-runs[i+1].s == 1:
			if israeliIDValid(chainDigits(buf[:0], b, runs[i:i+2])) {
				spans = append(spans, piiSpan{r.s, runs[i+1].e})
				i++
			}
		}
	}
	return spans
}

// israeliIDValid is the Teudat Zehut check on up to 9 ASCII digits,
// left-padded with zeros to 9: weights 1,2,1,2,… from the left, products
// over 9 replaced by their digit sum, total a multiple of 10. On 9 digits
// the weights from the left are those from the right, and leading zeros add
// nothing, so this is the Luhn check. All-equal digits ("000000000") are
// never issued and are rejected.
func israeliIDValid(digits []byte) bool {
	return len(digits) > 0 && len(digits) <= 9 && !allSame(digits) && luhnValid(digits)
}

// iranianIDSpans finds exactly 10 digits, possibly grouped by single dashes
// (printed as 123-456789-0), that pass the national-code check.
func iranianIDSpans(b []byte) []piiSpan {
	runs := digitRuns(b)
	var spans []piiSpan
	var buf []byte
	for i := 0; i < len(runs); {
		n, end := 0, -1
		for j := i; j < len(runs); j++ {
			if j > i && (runs[j].s != runs[j-1].e+1 || b[runs[j-1].e] != '-') {
				break
			}
			n += runs[j].e - runs[j].s
			if n == 10 {
				end = j
			}
			if n >= 10 {
				break
			}
		}
		if end >= 0 && iranianIDValid(chainDigits(buf[:0], b, runs[i:end+1])) {
			spans = append(spans, piiSpan{runs[i].s, runs[end].e})
			i = end + 1
			continue
		}
		i++
	}
	return spans
}

// iranianIDValid is the کد ملی check on 10 ASCII digits d0…d9: s = Σ di·(10−i)
// for i < 9, r = s mod 11; valid iff d9 = r when r < 2, else d9 = 11 − r.
func iranianIDValid(digits []byte) bool {
	if len(digits) != 10 || allSame(digits) {
		return false
	}
	s := 0
	for i := range 9 {
		s += int(digits[i]-'0') * (10 - i)
	}
	r := s % 11
	check := int(digits[9] - '0')
	if r < 2 {
		return check == r
	}
	return check == 11-r
}

func allSame(digits []byte) bool {
	for _, c := range digits[1:] {
		if c != digits[0] {
			return false
		}
	}
	return true
}

// genericPhoneSpans is the last-resort phone rule: a number that starts
// with "+" or "0" and has 9–15 digits in groups separated by one or two of
// space, dash and parentheses ("+44 20 7946 0958", "(021) 8877-6655",
// "+1 (415) 555-2671"). Dots are not separators, or "01.12.2026 14:30" would
// read as a phone. Long digit runs that start with another digit (order
// numbers) are left alone.
func genericPhoneSpans(b []byte) []piiSpan {
	runs := digitRuns(b)
	var spans []piiSpan
	for i := 0; i < len(runs); {
		plus := runs[i].s > 0 && b[runs[i].s-1] == '+'
		if !plus && b[runs[i].s] != '0' {
			i++
			continue
		}
		best, n := -1, 0
		for j := i; j < len(runs); j++ {
			if j > i && !phoneSeparator(b[runs[j-1].e:runs[j].s]) {
				break
			}
			n += runs[j].e - runs[j].s
			if n > 15 {
				break
			}
			if n >= 9 {
				best = j
			}
		}
		if best < 0 {
			i++
			continue
		}
		s, e := runs[i].s, runs[best].e
		if plus {
			s--
		}
		if s > 0 && b[s-1] == '(' && strings.IndexByte(string(b[s:e]), ')') >= 0 {
			s-- // "(050) 123 4567": the opening parenthesis goes too
		}
		spans = append(spans, piiSpan{s, e})
		i = best + 1
	}
	return spans
}

// phoneSeparator reports whether sep may stand between two digit groups of a
// phone number: one or two of space, dash and parentheses, but not two
// spaces, two dashes or two parentheses of a kind.
func phoneSeparator(sep []byte) bool {
	if len(sep) == 0 || len(sep) > 2 {
		return false
	}
	for _, c := range sep {
		if c != ' ' && c != '-' && c != '(' && c != ')' {
			return false
		}
	}
	return len(sep) == 1 || sep[0] != sep[1]
}
