package surveys

import (
	"strings"
	"unicode"
)

// The customer commands the conversation understands, without the slash.
const (
	cmdStart    = "start"
	cmdStop     = "stop"
	cmdResume   = "resume"
	cmdLanguage = "language"
	cmdDelete   = "delete_my_data"
	cmdHelp     = "help"
	cmdSkip     = "skip"
)

// customerCommand is a message that starts with "/": its lower-cased name without
// the slash or a Telegram "@botname" suffix, and the rest of the text.
type customerCommand struct {
	Name string
	Arg  string
}

// parseCommand reads a customer command; ok is false for anything that is
// not one (including a lone "/" and text with a slash later on).
func parseCustomerCommand(text string) (customerCommand, bool) {
	text = strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || isInvisibleMark(r) })
	rest, ok := strings.CutPrefix(text, "/")
	if !ok {
		return customerCommand{}, false
	}
	name, arg, _ := strings.Cut(rest, " ")
	if i := strings.IndexFunc(name, unicode.IsSpace); i >= 0 {
		name, arg = name[:i], name[i:]+" "+arg
	}
	name, _, _ = strings.Cut(name, "@") // "/start@vocbot token" in groups
	if name == "" {
		return customerCommand{}, false
	}
	return customerCommand{Name: strings.ToLower(name), Arg: strings.TrimSpace(arg)}, true
}

// isInvisibleMark reports the bidi controls, zero-width characters and BOM
// that RTL keyboards and clients add around what people type.
func isInvisibleMark(r rune) bool {
	switch {
	case r >= '\u200B' && r <= '\u200F', r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069', r == '\u061C', r == '\uFEFF':
		return true
	}
	return false
}

// plain is text as a person means it: invisible characters dropped,
// surrounding space and sentence punctuation trimmed, lower case.
func plainReply(text string) string {
	s := strings.Map(func(r rune) rune {
		if isInvisibleMark(r) {
			return -1
		}
		return r
	}, text)
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(".!?,;…؟،؛", r)
	})
	return strings.ToLower(s)
}
