package scoring

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors of [ParseAnswer], wrapped in an [*AnswerError]. They are separate so
// that a chat adapter can re-prompt with the right words: "please reply with
// a number" for the first, "please pick a number from 0 to 10" for the second.
var (
	// ErrAnswerNotNumber means the reply is not a whole number: empty, words,
	// a fraction ("7.5", "7,5") or a number inside a sentence ("about 7").
	ErrAnswerNotNumber = errors.New("answer is not a whole number")
	// ErrAnswerOutOfRange means the reply is a whole number outside the
	// question's scale.
	ErrAnswerOutOfRange = errors.New("answer is out of range")
)

// AnswerError describes a typed answer that [ParseAnswer] rejected. Err is
// [ErrAnswerNotNumber] or [ErrAnswerOutOfRange]; Min and Max are the scale's
// ends, for the re-prompt.
type AnswerError struct {
	Text     string // the reply as received
	Min, Max int
	Err      error
}

// Error says what was wrong and what a valid answer looks like.
func (e *AnswerError) Error() string {
	return fmt.Sprintf("answer %q: %v: want a whole number from %d to %d", e.Text, e.Err, e.Min, e.Max)
}

// Unwrap returns Err, for errors.Is.
func (e *AnswerError) Unwrap() error { return e.Err }

// maxAnswerDigits bounds the digits ParseAnswer converts: more than this is a
// whole number, certainly out of any survey scale, and must not overflow int.
const maxAnswerDigits = 9

// ParseAnswer reads a score typed in chat and checks it against the scale
// [min, max]. It accepts ASCII, Persian (۹, ۱۰) and Arabic-Indic (٩, ١٠)
// digits, surrounding white space, bidi marks and isolates anywhere (RTL
// keyboards and clients insert them), an optional sign, and trailing
// sentence punctuation ("9!", "۸.", "10؟"). Anything else (words, "7.5",
// "7,5", "7/10", "about 7", empty text) is [ErrAnswerNotNumber]; a whole
// number outside [min, max], including a negative one, is
// [ErrAnswerOutOfRange]. When min > max every number is out of range.
func ParseAnswer(text string, min, max int) (int, error) {
	fail := func(err error) (int, error) {
		return 0, &AnswerError{Text: text, Min: min, Max: max, Err: err}
	}
	s := strings.Map(func(r rune) rune {
		if isBidiControl(r) || r == '\uFEFF' || r == '\u200B' {
			return -1 // invisible: zero-width space and BOM too
		}
		return r
	}, text)
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || isAnswerTrailer(r)
	})
	neg := false
	if r, size := utf8.DecodeRuneInString(s); r == '-' || r == '+' || r == '\u2212' {
		neg = r != '+'
		s = s[size:]
	}
	if s == "" {
		return fail(ErrAnswerNotNumber)
	}
	var digits []byte
	for _, r := range s {
		d, ok := foldDigit(r)
		if !ok {
			return fail(ErrAnswerNotNumber)
		}
		digits = append(digits, d)
	}
	trimmed := strings.TrimLeft(string(digits), "0")
	if len(trimmed) > maxAnswerDigits {
		return fail(ErrAnswerOutOfRange)
	}
	n := 0
	if trimmed != "" {
		n, _ = strconv.Atoi(trimmed) // ≤ 9 ASCII digits: cannot fail
	}
	if neg {
		n = -n
	}
	if n < min || n > max {
		return fail(ErrAnswerOutOfRange)
	}
	return n, nil
}

// isAnswerTrailer reports the punctuation a reply may end with: Latin,
// Arabic and Persian sentence ends and commas, and the ellipsis.
func isAnswerTrailer(r rune) bool {
	switch r {
	case '.', '!', '?', ',', ';', '…', '؟', '،', '؛', '۔':
		return true
	}
	return false
}
