package surveys

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The one rule for text that comes from outside (an API body, a chat, a
// file): it must be valid UTF-8 without NUL, because PostgreSQL's text type
// refuses both and SQLite would store what PostgreSQL later cannot read.
// Structured input (ids, names, attributes) that breaks the rule is refused
// with a FieldError (TextProblem); free text people type in a chat is made
// storable instead (CleanText), since refusing it would lose their words.

// TextProblem says what is wrong with s under the text rule, or "" when it
// is fine. The message completes a sentence that starts with the field's name.
func TextProblem(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8; send text encoded as UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return `contains a NUL character (\u0000); remove it`
	}
	return ""
}

// CleanText makes chat text storable: NUL characters are dropped and
// each run of invalid UTF-8 bytes becomes one U+FFFD. Valid text comes
// back unchanged.
func CleanText(s string) string {
	if TextProblem(s) == "" {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// maxQuoted is how much of a value an error message repeats back.
const maxQuoted = 64

// Quote is %q of a value for an error message, cut to 64 characters (with
// "…") so a megabyte of input is never echoed back whole.
func Quote(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	n := 0
	for i := range s {
		if n == maxQuoted {
			return strconv.Quote(s[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(s)
}

// maxCustomerID is the longest customer id (and event id) vocbot accepts.
const maxCustomerID = 128

// CustomerIDProblem says what is wrong with a customer id (the company's own
// id, as in a touchpoint's customer.id or the API's /v1/customers/{id}),
// or "" when it is fine. Every surface that names a customer uses it.
func CustomerIDProblem(id string) string {
	switch {
	case id == "":
		return `is required: your own id for the customer, e.g. "cus_42"`
	case !idPattern.MatchString(id):
		return fmt.Sprintf("%s must be 1–%d characters of letters, digits and ._:@/+-", Quote(id), maxCustomerID)
	}
	return ""
}
